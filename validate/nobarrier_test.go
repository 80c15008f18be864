package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestNoBarrierExplicitEscape: a 1-D single well whose loss rises on both sides without a local
// maximum (L = x²/2 + 0.1x⁴) has no saddle; an explicit escape region is the question (issue 20's
// rule: an explicit escape needs no saddle), and the rate answers it. Before, the analysis refused
// it ("no local maximum … no barrier") whatever --escape said. Without --escape the error is on
// --escape and says to give one. Reference: the exact discrete-time chain of the same question
// (host/theory, docs/theory.md §3). Tolerance |z| < 4 from the estimate's own error (4σ: a fixed
// seed, and a chance failure rate of 6·10⁻⁵ were the seed changed). Fixed seeds; CPU reference.
func TestNoBarrierExplicitEscape(t *testing.T) {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Start = "x^2/2 + 0.1*x^4", []float64{0.3}
	cfg.Noise, cfg.Temp, cfg.LR, cfg.Particles, cfg.Steps, cfg.Seed = host.SGLD, 0.3, 0.01, 4096, 40000, 7
	cfg.Backend = host.CPU
	_, err := host.Prepare(cfg)
	var ie *host.InputError
	if !errors.As(err, &ie) || ie.Flag != "escape" || !strings.Contains(err.Error(), "give --escape") {
		t.Fatalf("without --escape: want an error on --escape that says to give one, got %v", err)
	}
	for _, escape := range []string{"x > 1.2", "x < -1.3 || x > 1.2", "radius(1.2)"} {
		cfg.Escape = escape
		res := runOnCPU(t, cfg)
		c, ok := res.Comparisons["discrete"]
		t.Logf("%s: resolved %v, τ̂ %.4g, exact-discrete ratio %.4f z %+.2f", escape, res.Estimate.Resolved, 1 / *res.Estimate.Rate, c.Ratio, c.Z)
		if !res.Estimate.Resolved || !ok || c.Z < -4 || c.Z > 4 {
			t.Errorf("%s: resolved %v, comparison %v %+v: want a resolved rate within 4σ of the exact discrete value", escape, res.Estimate.Resolved, ok, c)
		}
	}
}
