package theory

import (
	"math"
	"strings"
	"testing"
)

func relDiff(got, want float64) float64 { return math.Abs(got/want - 1) }

func TestEyringKramersByHand(t *testing.T) {
	// 1-D: H_a = 2, λ_b = −1, ΔL = 1/4, T = 1/40 (ΔL/T = 10).
	// τ = (2π/1)·sqrt(1/2)·e^10 = √2·π·e^10 = 1.41421356·3.14159265·22026.4658 = 97861.009.
	p := EyringKramers([]float64{2}, []float64{-1}, 0.25, 0.025)
	if p.Tau == nil || relDiff(*p.Tau, 97861.009) > 1e-7 {
		t.Fatalf("1-D Eyring–Kramers: got %+v, want τ = 97861.009", p)
	}
	if relDiff(*p.Rate**p.Tau, 1) > 1e-15 {
		t.Fatalf("rate %g is not 1/τ for τ = %g", *p.Rate, *p.Tau)
	}
	// 2-D: H_a eigenvalues {1, 4} (det 4), H_b {−2, 8} (|det| 16), ΔL = 1, T = 0.2.
	// τ = (2π/2)·sqrt(16/4)·e^5 = π·2·148.413159 = 932.50738.
	p = EyringKramers([]float64{1, 4}, []float64{8, -2}, 1, 0.2)
	if p.Tau == nil || relDiff(*p.Tau, 932.50738) > 1e-7 {
		t.Fatalf("2-D Eyring–Kramers: got %+v, want τ = 932.50738", p)
	}
}

func TestEyringKramersNotApplicable(t *testing.T) {
	cases := []struct {
		name       string
		hMin, hSad []float64
		dl, temp   float64
		reason     string
	}{
		{"low barrier", []float64{2}, []float64{-1}, 0.25, 0.1, "below 3 noise units"},
		{"not a minimum", []float64{2, -1}, []float64{-1, 3}, 1, 0.1, "not positive definite"},
		{"index 2", []float64{2, 1}, []float64{-1, -3}, 1, 0.1, "index-1"},
		{"no negative eigenvalue", []float64{2}, []float64{1}, 1, 0.1, "index-1"},
		{"dimension mismatch", []float64{2, 1}, []float64{-1}, 1, 0.1, "dimension"},
		{"zero temperature", []float64{2}, []float64{-1}, 1, 0, "temperature"},
		{"no barrier", []float64{2}, []float64{-1}, -1, 0.1, "barrier"},
	}
	for _, c := range cases {
		p := EyringKramers(c.hMin, c.hSad, c.dl, c.temp)
		if p.Tau != nil || p.Rate != nil || !strings.Contains(p.Reason, c.reason) {
			t.Errorf("%s: got τ=%v reason %q, want nil with a reason containing %q", c.name, p.Tau, p.Reason, c.reason)
		}
	}
}

func TestXieByHand(t *testing.T) {
	// docs/theory.md §4.2, pwq H_a = 4, |H_b| = 2, a = −1, b = 0: ΔL = 4·2·1/(2·6) = 2/3, s = 2/6 = 1/3,
	// s/H_a + (1−s)/|H_b| = 1/12 + 1/3 = 5/12. With B = 0.828, η = 0.1:
	// exponent = 2·0.828·(2/3)/0.1 · 5/12 = 11.04·5/12 = 4.6.
	x := XieExponent(2.0/3, 0.828, 0.1, 4, -2, 1.0/3)
	if math.Abs(x-4.6) > 1e-12 {
		t.Fatalf("exponent %v, want 4.6", x)
	}
	// Slope against B/η: 2·(2/3)·5/12 = 5/9.
	if sl := XieExponentSlope(2.0/3, 4, -2, 1.0/3); math.Abs(sl-5.0/9) > 1e-15 {
		t.Fatalf("slope %v, want 5/9", sl)
	}
	// τ = (2π/4)·e^4.6 = 1.57079633·99.4843156 = 156.269598.
	p := XiePWQ(4, 2, 2.0/3, 0.828, 0.1)
	if p.Tau == nil || relDiff(*p.Tau, 156.269598) > 1e-8 || p.Reason != "" {
		t.Fatalf("XiePWQ: got %+v, want τ = 156.269598 without caveat", p)
	}
	// Exponent 2.5 < 3: value kept, caveat added.
	p = XiePWQ(4, 2, 2.0/3, 0.45, 0.1)
	if p.Tau == nil || !strings.Contains(p.Reason, "small exponent") {
		t.Fatalf("XiePWQ at a small exponent: got %+v, want a value with a caveat", p)
	}
	for _, bad := range [][5]float64{{0, 2, 1, 1, 0.1}, {4, 0, 1, 1, 0.1}, {4, 2, 0, 1, 0.1}, {4, 2, 1, 0, 0.1}, {4, 2, 1, 1, 0}} {
		if p := XiePWQ(bad[0], bad[1], bad[2], bad[3], bad[4]); p.Tau != nil || p.Reason == "" {
			t.Errorf("XiePWQ%v: got %+v, want nil with a reason", bad, p)
		}
	}
}

func TestFitSInvertsSlope(t *testing.T) {
	for _, s := range []float64{0.1, 1.0 / 3, 0.5, 0.9} {
		slope := XieExponentSlope(1.3, 5, -2, s)
		if got := FitS(slope, 1.3, 5, -2); math.Abs(got-s) > 1e-13 {
			t.Errorf("FitS(slope(s=%v)) = %v", s, got)
		}
	}
	if got := FitS(1, 1, 2, -2); !math.IsNaN(got) {
		t.Errorf("FitS with H_ae = |H_be| = %v, want NaN", got)
	}
	if got := PWQS(4, -2); math.Abs(got-1.0/3) > 1e-15 {
		t.Errorf("PWQS(4, 2) = %v, want 1/3", got)
	}
}

func TestMoriByHand(t *testing.T) {
	// MoriExponent(B=2, η=0.1, h_a=4, n=3) = 2/(0.1·4) + 1 − 3/2 = 5 + 1 − 1.5 = 4.5.
	if k := MoriExponent(2, 0.1, 4, 3); math.Abs(k-4.5) > 1e-14 {
		t.Fatalf("MoriExponent = %v, want 4.5", k)
	}
	// 1-D: H_a = 2, λ_b = −1, L(a) = 0.5, L(b) = 1, B = 1, η = 0.1:
	// exponent = 1/(0.1·2) + 1 − 1/2 = 5.5;
	// κ = (1/2π)·sqrt(2/1)·2^−5.5 = 2^−5/(2π), so τ = 64π = 201.0619298.
	p := Mori([]float64{2}, []float64{-1}, 2, 0.5, 1, 1, 0.1, 1)
	if p.Tau == nil || relDiff(*p.Tau, 64*math.Pi) > 1e-13 || p.Reason != "" {
		t.Fatalf("Mori: got %+v, want τ = 64π", p)
	}
	cases := []struct {
		name       string
		lossA, lB  float64
		dim        int
		wantNil    bool
		wantReason string
	}{
		{"zero loss at the minimum", 0, 1, 1, true, "L(a)"},
		{"negative loss at the minimum", -0.1, 1, 1, true, "L(a)"},
		{"saddle not above minimum", 1, 0.9, 1, true, "not above"},
		{"dimension mismatch", 0.5, 1, 2, true, "dimension"},
		{"small effective barrier", 0.9, 1, 1, false, "small effective barrier"},
	}
	for _, c := range cases {
		p := Mori([]float64{2}, []float64{-1}, 2, c.lossA, c.lB, 1, 0.1, c.dim)
		if (p.Tau == nil) != c.wantNil || !strings.Contains(p.Reason, c.wantReason) {
			t.Errorf("%s: got τ=%v reason %q", c.name, p.Tau, p.Reason)
		}
	}
}

func TestPWQClosedForm(t *testing.T) {
	// ha = 4, hb = 2, a = −1, b = 0: c = (4·(−1) + 0)/6 = −2/3, ΔL = 2/3 (docs/theory.md §4.2).
	L, dL, d2L, dl, c := PWQ(4, 2, -1, 0)
	if math.Abs(c+2.0/3) > 1e-15 || math.Abs(dl-2.0/3) > 1e-15 {
		t.Fatalf("junction %v, ΔL %v; want −2/3, 2/3", c, dl)
	}
	if L(-1) != 0 || math.Abs(L(0)-dl) > 1e-15 || dL(-1) != 0 || dL(0) != 0 {
		t.Fatalf("L(a)=%v L(b)=%v L'(a)=%v L'(b)=%v", L(-1), L(0), dL(-1), dL(0))
	}
	const e = 1e-9
	if math.Abs(L(c-e)-L(c+e)) > 1e-8 || math.Abs(dL(c-e)-dL(c+e)) > 1e-8 {
		t.Fatalf("L or L' not continuous at the junction")
	}
	if d2L(c-e) != 4 || d2L(c+e) != -2 {
		t.Fatalf("L'' = %v, %v around the junction; want 4, −2", d2L(c-e), d2L(c+e))
	}
	if a := PWQMinimum(4, 2, 0, 2.0/3); math.Abs(a+1) > 1e-15 {
		t.Fatalf("PWQMinimum = %v, want −1", a)
	}
}
