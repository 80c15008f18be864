package validate

import (
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestRefutedByExact: the trap the full trust suite found (docs/trust.md, case w060). The start
// well's broad left flank fills slowly, so over a window of 5 τ the hazard falls from 0.219 to
// about 0.17 only where few particles are left; the constancy test cannot see it and the rate after
// the burn-in came out 1.34 times the exact quasi-stationary value (z = +23). The exact discrete
// value of the same question now withdraws it, with the reason. The same run with the threshold
// beyond the barrier of a well without such a flank keeps its rate (pwq, sgld, τ ≈ 187: within
// 2% + 4σ of the exact value, so not refuted). Fixed seeds; CPU reference.
func TestRefutedByExact(t *testing.T) {
	run := func(landscape, escape string, start []float64, temp, lr float64, n, steps int, seed uint64) *host.Result {
		cfg := host.DefaultConfig()
		cfg.Landscape, cfg.Escape, cfg.Start = landscape, escape, start
		cfg.Noise, cfg.Temp, cfg.LR, cfg.Particles, cfg.Steps, cfg.Seed = host.SGLD, temp, lr, n, steps, seed
		return runOnCPU(t, cfg)
	}
	flank := run("-1.28*exp(-(x-(-0.91))^2/0.191) -0.695*exp(-(x-(0.952))^2/0.82) + 0.0506*x^2", "x > -0.3343",
		[]float64{-1.375}, 0.351, 0.00915, 8192, 3600, 61)
	c := flank.Comparisons["discrete"]
	t.Logf("flank: resolved %v, discrete ratio %.4f z %+.1f; %s", flank.Estimate.Resolved, c.Ratio, c.Z, flank.Estimate.Note)
	if flank.Estimate.Resolved || flank.Estimate.Rate != nil || !strings.Contains(flank.Estimate.Note, "exact discrete-time value of this very question") {
		t.Errorf("a rate 1.34× the exact value was not withdrawn: resolved %v, note %q", flank.Estimate.Resolved, flank.Estimate.Note)
	}
	if flank.BurnIn.Estimate.Resolved {
		t.Error("the quasi_stationary record still says resolved under a withdrawn rate")
	}
	plain := run("pwq(ha=4,hb=2,a=-1,b=0)", "x > 0.5", nil, 0.15, 0.01, 16384, 8000, 3)
	c = plain.Comparisons["discrete"]
	t.Logf("pwq: resolved %v, discrete ratio %.4f z %+.2f", plain.Estimate.Resolved, c.Ratio, c.Z)
	if !plain.Estimate.Resolved {
		t.Errorf("a rate that agrees with the exact value was withdrawn: %s", plain.Estimate.Note)
	}
}
