package validate

import (
	"math"
	"testing"

	"github.com/kramers-sim/kramers/host/theory"
)

// TestIntervalChainAgreesWithDiscreteChain1D checks the suite's two-sided reference against
// theory.DiscreteChain1D on questions both answer: a double well whose left threshold lies so far
// out (L(−4) − L(−1) = 56, hundreds of noise units) that it is as good as absent. The two
// discretisations differ (cells against hat functions), so agreement to 1e-3 (ten times
// DiscreteChain1D's default tolerance 1e-4 and the interval chain's own stated error) tests both.
func TestIntervalChainAgreesWithDiscreteChain1D(t *testing.T) {
	dL := func(x float64) float64 { return x*x*x - x } // L = x⁴/4 − x²/2, minima ±1, saddle 0
	for _, c := range []struct {
		name string
		D    func(float64) float64
		eta  float64
		hi   float64
	}{
		{"sgld beyond the saddle", func(float64) float64 { return 0.06 }, 0.05, 0.4},
		{"sgld inside the well", func(float64) float64 { return 0.04 }, 0.1, -0.3},
		{"sgd-hessian |L''|", func(x float64) float64 { return 0.05 / 2 / 0.3 * (math.Abs(3*x*x-1) + 0.01) }, 0.05, 0.3},
	} {
		ref, err := theory.DiscreteChain1D(dL, c.D, c.eta, -1, c.hi, math.NaN(), theory.ChainOptions{})
		if err != nil {
			t.Fatalf("%s: DiscreteChain1D: %v", c.name, err)
		}
		got, err := intervalChain(dL, c.D, c.eta, -4, c.hi)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rel := got.Q/ref.QSDEscapeProbability - 1
		t.Logf("%s: interval %.6g (±%.1e, share hi %.6f), DiscreteChain1D %.6g: %.2e", c.name, got.Q, got.RelErr, got.ShareHi, ref.QSDEscapeProbability, rel)
		if math.Abs(rel) > 1e-3 || got.ShareHi < 0.999999 {
			t.Errorf("%s: interval chain %.6g against %.6g (relative %.2e, share through hi %.6f)", c.name, got.Q, ref.QSDEscapeProbability, rel, got.ShareHi)
		}
	}
}

// TestIntervalChainSymmetricShare: in the symmetric well L = x²/2 + x⁴/4 with the interval
// (−1, 1) the two exits are mirror images, so each takes half the escapes; the deviation measures
// the scheme's asymmetry, which must be at rounding level (1e-9).
func TestIntervalChainSymmetricShare(t *testing.T) {
	dL := func(x float64) float64 { return x + x*x*x }
	got, err := intervalChain(dL, func(float64) float64 { return 0.08 }, 0.05, -1, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("q = %.6g ± %.1e, share through hi %.12f", got.Q, got.RelErr, got.ShareHi)
	if math.Abs(got.ShareHi-0.5) > 1e-9 || !(got.Q > 0) || got.RelErr > 1e-3 {
		t.Errorf("share through hi %.12f, want 0.5; q = %g ± %g", got.ShareHi, got.Q, got.RelErr)
	}
}

// TestIntervalChainAgreesWithTwoSidedChain checks the suite's two-sided reference against the
// host's own two-sided chain, theory.DiscreteChain1DTwoSided, on questions with both thresholds
// within reach: the escape probability to 1e-3 (as above: ten times the chains' default tolerance
// 1e-4, the two discretisations differ) and the share through hi to 1e-3 absolute (the shares are
// ratios of the same quasi-stationary sums and carry the same relative error).
func TestIntervalChainAgreesWithTwoSidedChain(t *testing.T) {
	for _, c := range []struct {
		name   string
		dL     func(float64) float64
		D      func(float64) float64
		eta    float64
		lo, hi float64
	}{
		{"tilted quartic, sgld", func(x float64) float64 { return x + x*x*x + 0.2 }, func(float64) float64 { return 0.08 }, 0.05, -1, 1},
		{"double well, left wall near", func(x float64) float64 { return x*x*x - x }, func(float64) float64 { return 0.05 }, 0.05, -1.5, 0.3},
	} {
		ref, err := theory.DiscreteChain1DTwoSided(c.dL, c.D, c.eta, 0, c.lo, c.hi, theory.ChainOptions{})
		if err != nil {
			t.Fatalf("%s: DiscreteChain1DTwoSided: %v", c.name, err)
		}
		got, err := intervalChain(c.dL, c.D, c.eta, c.lo, c.hi)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rel := got.Q/ref.QSDEscapeProbability - 1
		t.Logf("%s: interval %.6g (share hi %.6f), two-sided chain %.6g (share right %.6f): %.2e", c.name, got.Q, got.ShareHi,
			ref.QSDEscapeProbability, ref.ShareRight, rel)
		if math.Abs(rel) > 1e-3 || math.Abs(got.ShareHi-ref.ShareRight) > 1e-3 {
			t.Errorf("%s: interval chain %.6g (share %.6f) against %.6g (share %.6f)", c.name, got.Q, got.ShareHi, ref.QSDEscapeProbability, ref.ShareRight)
		}
	}
}
