package landscape

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestConditionOrder checks the derived order parameter against its condition: at random points
// the sign of λ must be the condition's truth value (exactly, away from λ = 0), and conditions
// without an order parameter are refused.
func TestConditionOrder(t *testing.T) {
	cases := []struct {
		cond string
		ok   bool
	}{
		{"x > 0.5", true},
		{"x < -0.4", true},
		{"0.5 < x", true},
		{"x > 1.8 or x < -1", true},
		{"x^2 + y^2 >= 1 && y > -0.2*x", true},
		{"(x > 0.3 || y < -0.5) and x - y > -2", true},
		{"-x^2 + sin(3*x)*y > 0.25", true},
		{"sum(xi^2 in xi) > 1.5", true},
		{"x == 0.5", false},
		{"!(x > 0.5)", false},
		{"x != 1", false},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		order, ok := ConditionOrder(c.cond)
		if ok != c.ok {
			t.Fatalf("%q: ok = %v, want %v (order %q)", c.cond, ok, c.ok, order)
		}
		if !ok {
			continue
		}
		cond, err := ParseCondition(c.cond, 2)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := ParseScalar(order, 2)
		if err != nil {
			t.Fatalf("%q: order %q does not parse: %v", c.cond, order, err)
		}
		holds, lam := cond.Func(), sc.Func()
		for i := 0; i < 2000; i++ {
			x := []float64{4*rng.Float64() - 2, 4*rng.Float64() - 2}
			l := lam(x)
			if math.Abs(l) < 1e-12 {
				continue
			}
			if holds(x) != (l > 0) {
				t.Fatalf("%q at %v: condition %v but λ = %g (order %q)", c.cond, x, holds(x), l, order)
			}
		}
	}
}
