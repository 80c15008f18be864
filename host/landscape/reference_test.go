package landscape

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// testReference binds loss, loss_a and dist for the 2-D landscape (x² − 1)² + y² at its minimum
// a = (1, 0), L(a) = 0.
func testReference(t *testing.T) (*Landscape, *Reference) {
	t.Helper()
	l, err := Parse("(x^2 - 1)^2 + y^2", 0)
	if err != nil {
		t.Fatal(err)
	}
	ev := l.Evaluator()
	a := []float64{1, 0}
	return l, &Reference{Minimum: a, LossMinimum: ev.Loss(a), Loss: ev.Loss}
}

// TestReferenceNames: conditions and order parameters in loss, loss_a and dist evaluate to their
// definitions at random points, exactly (the same float64 arithmetic), combined with coordinate
// comparisons by && and ||.
func TestReferenceNames(t *testing.T) {
	l, ref := testReference(t)
	ev := l.Evaluator()
	loss := func(x []float64) float64 { return ev.Loss(x) }
	dist := func(x []float64) float64 { return math.Hypot(x[0]-1, x[1]) }
	cases := []struct {
		cond string
		want func(x []float64) bool
	}{
		{"loss > 0.3", func(x []float64) bool { return loss(x) > 0.3 }},
		{"loss - loss_a > 0.05", func(x []float64) bool { return loss(x)-0 > 0.05 }},
		{"dist > 0.4", func(x []float64) bool { return dist(x) > 0.4 }},
		{"dist > 0.4 && x < 1", func(x []float64) bool { return dist(x) > 0.4 && x[0] < 1 }},
		{"loss > 0.2 || y > 0.5", func(x []float64) bool { return loss(x) > 0.2 || x[1] > 0.5 }},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range cases {
		cond, err := ParseConditionAt(c.cond, 2, ref)
		if err != nil {
			t.Fatalf("%q: %v", c.cond, err)
		}
		f := cond.Func()
		differ := 0
		for range 2000 {
			x := []float64{1 + rng.NormFloat64()*0.5, rng.NormFloat64() * 0.5}
			if f(x) != c.want(x) {
				differ++
			}
		}
		if differ != 0 {
			t.Errorf("%q: %d of 2000 points differ from the definition", c.cond, differ)
		}
		if want := strings.Contains(c.cond, "loss"); cond.UsesLoss() != want {
			t.Errorf("%q: UsesLoss %v, want %v", c.cond, cond.UsesLoss(), want)
		}
	}
	s, err := ParseScalarAt("(dist) - (0.5)", 2, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Func()([]float64{1, 2}), 1.5; got != want {
		t.Errorf("order dist − 0.5 at (1, 2) = %v, want %v", got, want)
	}
}

// TestReferenceOrder: the default order parameters of `dist > r` and `loss > c` are dist − r and
// loss − c (ConditionOrder), and they parse with the reference.
func TestReferenceOrder(t *testing.T) {
	_, ref := testReference(t)
	for cond, want := range map[string]string{"dist > 0.5": "(dist) - (0.5)", "loss - loss_a > 0.1": "((loss - loss_a)) - (0.1)"} {
		got, ok := ConditionOrder(cond)
		if !ok || got != want {
			t.Errorf("%q: order %q (ok %v), want %q", cond, got, ok, want)
			continue
		}
		if _, err := ParseScalarAt(got, 2, ref); err != nil {
			t.Errorf("order %q: %v", got, err)
		}
	}
}

// TestReferenceGLSL: the condition's GLSL computes loss by landscapeLoss and dist from the minimum's
// literals, and only what it uses.
func TestReferenceGLSL(t *testing.T) {
	_, ref := testReference(t)
	for cond, want := range map[string][]string{
		"loss - loss_a > 0.05": {"REAL col0 = landscapeLoss(x);"},
		"dist > 0.4":           {"REAL col1 = sqrt(dist2);", "x[1] - 0.0"},
	} {
		c, err := ParseConditionAt(cond, 2, ref)
		if err != nil {
			t.Fatal(err)
		}
		g := c.GLSL("escapeCondition", GLSLOptions{})
		for _, w := range want {
			if !strings.Contains(g, w) {
				t.Errorf("%q: GLSL lacks %q:\n%s", cond, w, g)
			}
		}
		if strings.Contains(cond, "dist") == strings.Contains(g, "landscapeLoss") {
			t.Errorf("%q: GLSL computes what the condition does not use:\n%s", cond, g)
		}
	}
}

// TestReferenceErrors: without a reference loss is an unknown name; a misspelt name carries its
// text (Error.Unknown) for the caller's suggestion, and the message lists the reference names.
func TestReferenceErrors(t *testing.T) {
	if _, err := ParseCondition("loss > 1", 2); err == nil || !strings.Contains(err.Error(), "unknown name loss") {
		t.Errorf("loss without a reference: %v, want an unknown-name error", err)
	}
	_, ref := testReference(t)
	_, err := ParseConditionAt("dsit > 1", 2, ref)
	var le *Error
	if !errors.As(err, &le) || le.Unknown != "dsit" || !strings.Contains(le.Msg, "dist is ‖θ − a‖") {
		t.Errorf("dsit: %v, want an unknown-name error about dsit that names dist", err)
	}
}
