package landscape

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// eulerFlow is the reference for the flow's limit: explicit Euler steps of a fixed small size dt
// on dθ/dt = −∇L until |∇L|∞ < 1e-10 (at most maxSteps). With dt·λ_max ≤ 0.01 its path stays
// within O(dt) of the flow's; it is slow and independent of flow.go.
func eulerFlow(l *Landscape, x0 []float64, dt float64, maxSteps int) []float64 {
	ev := l.Evaluator()
	x := append([]float64(nil), x0...)
	g := make([]float64, len(x))
	for range maxSteps {
		ev.Gradient(x, g)
		if floats.Norm(g, math.Inf(1)) < 1e-10 {
			break
		}
		floats.AddScaled(x, -dt, g)
	}
	return x
}

// Issue 20, row 4: the minimum of --start is the one gradient flow from it reaches. sin(3x) +
// 0.01x² from 2.5 flows to 1.5673 (the old Newton line search jumped to −2.612), in 1-D and in
// the separable 2-D landscape; each answer is checked against the Euler reference to 1e-6 (the
// Euler path converges to the same strict minimum; 1e-6 is far below the distance to any other
// minimum, ≈ 2.1).
func TestFindMinimumFollowsTheFlow(t *testing.T) {
	cases := []struct {
		spec  string
		start []float64
		want  float64 // every coordinate of the minimum
	}{
		{"sin(3*x) + 0.01*x^2", []float64{2.5}, 1.5673},
		{"sin(3*x)+sin(3*y)+0.01*(x^2+y^2)", []float64{2.5, 2.5}, 1.5673},
		{"sin(3*x) + 0.01*x^2", []float64{-0.9}, -0.5224}, // from beside the maximum at −1.047
	}
	for _, c := range cases {
		l := mustParse(t, c.spec, 0)
		a, err := FindMinimum(l, c.start)
		if err != nil {
			t.Fatalf("%s from %v: %v", c.spec, c.start, err)
		}
		ref := eulerFlow(l, c.start, 1e-3, 200000)
		for i := range a {
			near(t, c.spec+": a vs the Euler flow", a[i], ref[i], 1e-6)
			near(t, c.spec+": a", a[i], c.want, 1e-4)
		}
		an, err := Analyze(l, AnalyzeOptions{Start: c.start})
		if err != nil {
			t.Fatal(err)
		}
		if an.StartIsMinimum || !strings.Contains(an.StartNote(), "flows to the minimum a = ("+strconv.FormatFloat(c.want, 'f', 4, 64)) {
			t.Errorf("%s: start note %q", c.spec, an.StartNote())
		}
	}
}

// A degenerate minimum (H_a singular) is an error for FindMinimum and a *DegenerateError with the
// point for FindMinimumOrDegenerate; Analyze takes it with AllowDegenerate. x⁴/4 − x⁵/5 from 0
// sits on it; from 0.5 the flow reaches it algebraically (x ∝ t^{-1/2}) and stops where the
// quadratic model no longer describes the loss (|x| ≲ 1e-4, the flow's gradient tolerance 1e-12
// for x³). Critical points that are not minima stay errors.
func TestDegenerateMinimum(t *testing.T) {
	l := mustParse(t, "x^4/4 - x^5/5", 0)
	for _, s := range []float64{0, 0.5, -0.3} {
		if _, err := FindMinimum(l, []float64{s}); err == nil {
			t.Errorf("from %g: want an error", s)
		}
		x, err := FindMinimumOrDegenerate(l, []float64{s})
		var de *DegenerateError
		if !errors.As(err, &de) || x == nil || !(math.Abs(x[0]) < 2e-4) {
			t.Errorf("from %g: got %v, %v; want a degenerate minimum near 0", s, x, err)
		}
	}
	an, err := Analyze(l, AnalyzeOptions{Start: []float64{0}, AllowDegenerate: true})
	if err != nil {
		t.Fatal(err)
	}
	if !an.Degenerate || !an.StartIsMinimum || len(an.Exits) != 1 {
		t.Fatalf("analysis %+v", an)
	}
	near(t, "b", an.Saddle[0], 1, 1e-9)
	near(t, "ΔL", an.DeltaL, 0.05, 1e-12)
	if _, err := Analyze(l, AnalyzeOptions{Start: []float64{0}}); err == nil {
		t.Error("without AllowDegenerate: want an error")
	}
	for _, c := range []struct {
		spec  string
		start []float64
	}{{"x^2*y", []float64{0, 0}}, {"x^3", []float64{0}}, {"-x^2 - y^2", []float64{0, 0}}} {
		_, err := FindMinimumOrDegenerate(mustParse(t, c.spec, 0), c.start)
		var de *DegenerateError
		if err == nil || errors.As(err, &de) {
			t.Errorf("%s at %v: got %v, want a not-a-minimum error", c.spec, c.start, err)
		}
	}
}

// BasinCheck: on the double well (x²−1)² a point flows to the minimum on its own side.
func TestBasinCheck(t *testing.T) {
	l := mustParse(t, "(x^2-1)^2", 0)
	bc := NewBasinCheck(l, []float64{1})
	for _, c := range []struct {
		x    float64
		want bool
	}{{0.01, true}, {3, true}, {-0.01, false}, {-3, false}, {0.999, true}} {
		if got := bc.FlowsToMinimum([]float64{c.x}); got != c.want {
			t.Errorf("FlowsToMinimum(%g) = %v, want %v", c.x, got, c.want)
		}
	}
}
