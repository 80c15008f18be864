package landscape

import (
	"math"
	"testing"
)

func mustParse(t *testing.T, spec string, dim int) *Landscape {
	t.Helper()
	l, err := Parse(spec, dim)
	if err != nil {
		t.Fatalf("Parse(%q): %v", spec, err)
	}
	return l
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.10g, want %.10g ± %g", what, got, want, tol)
	}
}

func TestAnalyzePWQ(t *testing.T) {
	l := mustParse(t, "pwq(ha=4,hb=2,a=-1,b=0)", 0)
	an, err := Analyze(l, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "a", an.Minimum[0], -1, 1e-9)
	near(t, "b", an.Saddle[0], 0, 1e-9)
	near(t, "ΔL", an.DeltaL, 2.0/3, 1e-9)
	near(t, "H_a", an.HessianMinEigenvalues[0], 4, 1e-9)
	near(t, "H_b", an.HessianSaddleEigenvalues[0], -2, 1e-9)
	near(t, "e", an.EscapeDirection[0], 1, 0)
	if !an.Index1 {
		t.Error("index1 false")
	}
}

func TestAnalyzeDoubleWell(t *testing.T) {
	l := mustParse(t, "doublewell(k=2,dl=1)", 0)
	an, err := Analyze(l, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "a", an.Minimum[0], -1/math.Sqrt2, 1e-9)
	near(t, "b", an.Saddle[0], 0, 1e-9)
	near(t, "ΔL", an.DeltaL, 1, 1e-9)
	near(t, "H_a", an.HessianMinEigenvalues[0], 16, 1e-7)
	near(t, "H_b", an.HessianSaddleEigenvalues[0], -8, 1e-7)
}

func TestAnalyzeMullerBrown(t *testing.T) {
	l := mustParse(t, "muller-brown", 0)
	cases := []struct{ start, saddle []float64 }{
		{[]float64{-0.558, 1.442}, []float64{-0.822, 0.624}},
		{[]float64{0.623, 0.028}, []float64{0.212, 0.293}},
		{[]float64{-0.050, 0.467}, []float64{0.212, 0.293}},
	}
	for _, c := range cases {
		an, err := Analyze(l, AnalyzeOptions{Start: c.start})
		if err != nil {
			t.Fatalf("start %v: %v", c.start, err)
		}
		for i := range 2 {
			near(t, "minimum", an.Minimum[i], c.start[i], 2e-3)
			near(t, "saddle", an.Saddle[i], c.saddle[i], 2e-3)
		}
		if !an.Index1 {
			t.Errorf("start %v: saddle %v not index 1: %v", c.start, an.Saddle, an.HessianSaddleEigenvalues)
		}
		t.Logf("start %v: a=%v b=%v target=%v ΔL=%.6g method=%s", c.start, an.Minimum, an.Saddle, an.TargetMinimum, an.DeltaL, an.SaddleMethod)
	}
	// The minimum (−0.050, 0.467) escapes to its nearest other minimum (0.623, 0.028).
	an, _ := Analyze(l, AnalyzeOptions{Start: []float64{-0.050, 0.467}})
	near(t, "target x", an.TargetMinimum[0], 0.623, 2e-3)
	near(t, "target y", an.TargetMinimum[1], 0.028, 2e-3)
}

func TestAnalyzeStyblinskiTang(t *testing.T) {
	l := mustParse(t, "styblinski-tang(d=5,k=1)", 0)
	an, err := Analyze(l, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		near(t, "a", an.Minimum[i], -2.903534, 1e-5)
	}
	if !an.Index1 {
		t.Errorf("saddle %v has eigenvalues %v", an.Saddle, an.HessianSaddleEigenvalues)
	}
	// one coordinate sits at the 1-D maximum 0.1567..., the others at the minimum
	nb := 0
	for i := range 5 {
		if math.Abs(an.Saddle[i]-0.156731) < 1e-4 {
			nb++
		}
	}
	if nb != 1 {
		t.Errorf("saddle %v", an.Saddle)
	}
	t.Logf("b=%v ΔL=%v eig=%v method=%s", an.Saddle, an.DeltaL, an.HessianSaddleEigenvalues, an.SaddleMethod)
}

func TestAnalyzeUserExpression(t *testing.T) {
	l := mustParse(t, "x^4/4 - x^2/2 + 0.1*x", 0)
	if _, err := Analyze(l, AnalyzeOptions{}); err == nil {
		t.Error("expression without start: want error")
	}
	an, err := Analyze(l, AnalyzeOptions{Start: []float64{-1}})
	if err != nil {
		t.Fatal(err)
	}
	// L' = x³ − x + 0.1: check a and b are roots, L'' signs
	for _, r := range []float64{an.Minimum[0], an.Saddle[0]} {
		near(t, "L'", r*r*r-r+0.1, 0, 1e-12)
	}
	if an.Minimum[0] > -1 || an.Saddle[0] < 0 || an.HessianSaddleEigenvalues[0] >= 0 {
		t.Errorf("a=%v b=%v", an.Minimum, an.Saddle)
	}
	// tilted is the same landscape
	tl := mustParse(t, "tilted", 0)
	an2, err := Analyze(tl, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "tilted ΔL", an2.DeltaL, an.DeltaL, 1e-12)
}

func TestAnalyzeZhu2D(t *testing.T) {
	l := mustParse(t, "zhu2d", 0)
	an, err := Analyze(l, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "sharp λ1", an.HessianMinEigenvalues[0], 20, 1e-9)
	near(t, "sharp λ2", an.HessianMinEigenvalues[1], 200, 1e-9)
	near(t, "ΔL", an.DeltaL, 1, 1e-9)
	if !an.Index1 {
		t.Errorf("saddle %v eig %v", an.Saddle, an.HessianSaddleEigenvalues)
	}
	flat, err := FindMinimum(l, an.TargetMinimum)
	if err != nil {
		t.Fatal(err)
	}
	h := make([]float64, 4)
	l.Evaluator().Hessian(flat, h)
	near(t, "flat hxx", h[0], 2, 1e-9)
	near(t, "flat hyy", h[3], 2, 1e-9)
	near(t, "flat hxy", h[1], 0, 1e-12)
	t.Logf("sharp a=%v eig=%v; flat=%v H=%v; saddle=%v eig=%v ΔL=%v", an.Minimum, an.HessianMinEigenvalues, flat, h, an.Saddle, an.HessianSaddleEigenvalues, an.DeltaL)
}

func TestAnalyzeTwoWell(t *testing.T) {
	l := mustParse(t, "twowell(l0=0.25)", 0)
	an, err := Analyze(l, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "a", an.Minimum[0], -math.Sqrt(2*0.5*12/32.0), 1e-9)
	near(t, "L(a)", an.LossMinimum, 0.25, 1e-12)
	near(t, "H_a", an.HessianMinEigenvalues[0], 4, 1e-9)
	near(t, "H_b", an.HessianSaddleEigenvalues[0], -8, 1e-9)
	near(t, "ΔL", an.DeltaL, 0.5, 1e-9)
	near(t, "flat minimum", an.TargetMinimum[0], math.Sqrt(2*0.5*9/8.0), 1e-9)
}

func TestFindMinimumErrors(t *testing.T) {
	l := mustParse(t, "x^3", 0)
	if _, err := FindMinimum(l, []float64{1}); err == nil {
		t.Error("x^3: want error (unbounded below)")
	}
	l = mustParse(t, "-x^2 - y^2", 0)
	if _, err := FindMinimum(l, []float64{0, 0}); err == nil {
		t.Error("maximum: want error")
	}
	l = mustParse(t, "x^2 + y^2", 0)
	if _, err := Analyze(l, AnalyzeOptions{Start: []float64{1, 1}}); err == nil {
		t.Error("single basin: want error")
	}
}

func TestAnalyzeTarget(t *testing.T) {
	l := mustParse(t, "doublewell(k=2)", 0)
	an, err := Analyze(l, AnalyzeOptions{Target: []float64{0.9}})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "b", an.Saddle[0], 0, 1e-9)
	near(t, "target", an.TargetMinimum[0], 1/math.Sqrt2, 1e-9)
	if _, err := Analyze(l, AnalyzeOptions{Target: []float64{-2}}); err == nil {
		t.Error("target in the same basin: want error")
	}
	z := mustParse(t, "zhu2d", 0)
	an, err = Analyze(z, AnalyzeOptions{Target: []float64{1, 0.1}})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "zhu2d saddle x", an.Saddle[0], 0, 1e-9)
	near(t, "zhu2d saddle y", an.Saddle[1], 0, 1e-9)
	near(t, "zhu2d e_x", an.EscapeDirection[0], 1, 1e-12)
}
