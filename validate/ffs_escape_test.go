package validate

import (
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/ffs"
)

// TestFFSUserEscape: forward flux sampling takes the user's escape condition (docs/theory.md §7).
// pwq(ha=4,hb=2,a=-1,b=0), sgld, T = 0.0333, η = 0.01, --escape 'x > 0.5' (τ ≈ 10¹¹ iterations):
// the derived order parameter (x) − (0.5), and --order x alone (its level 0.5 found from the
// condition), each agree with the exact discrete value within 10% + 3σ (the FFS tolerance of
// checkExact); the two runs place the same interfaces shifted by 0.5, so they agree bit for bit.
// A user order that is not an increasing function of the condition's is refused without
// --interfaces.
func TestFFSUserEscape(t *testing.T) {
	prep := func(escape string) *host.Problem {
		cfg := host.DefaultConfig()
		cfg.Landscape = "pwq(ha=4,hb=2,a=-1,b=0)"
		cfg.Noise, cfg.Temp, cfg.LR, cfg.Seed, cfg.Escape = host.SGLD, 0.0333, 0.01, 1, escape
		cfg.Backend = host.CPU
		p, err := host.Prepare(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := prep("x > 0.5")
	derived := runFFS(t, p, ffs.Options{})
	if derived.FFS.Order != "(x) - (0.5)" {
		t.Errorf("derived order %q, want (x) - (0.5)", derived.FFS.Order)
	}
	checkExact(t, "escape x > 0.5", p, derived)
	byX := runFFS(t, p, ffs.Options{Order: "x"})
	checkExact(t, "escape x > 0.5, --order x", p, byX)
	if *byX.Estimate.Rate != *derived.Estimate.Rate {
		t.Errorf("--order x gave κ̂ = %v, the derived order %v: the same interfaces shifted by 0.5 should agree bit for bit", *byX.Estimate.Rate, *derived.Estimate.Rate)
	}
	if err := ffs.CheckOptions(p, ffs.Options{Order: "x^2"}); err == nil {
		t.Error("--order x^2 without --interfaces was accepted: its escape level is unknown")
	}
	// An or of comparisons: escape past either side; the far left side is never reached, so the
	// rate is that of x > 0.5 (within the same tolerance).
	q := prep("x > 0.5 or x < -3")
	checkExact(t, "escape x > 0.5 or x < -3", q, runFFS(t, q, ffs.Options{}))
}
