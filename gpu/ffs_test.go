package gpu_test

import (
	"context"
	"math"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestFFSOnGPU: forward flux sampling on the GPU backend (float32, the default) agrees with the
// exact discrete-time value within 10% + 3σ: 1-D pwq(ha=4,hb=2,a=-1,b=0), sgld T = 0.05 and
// sgd-hessian B = 0.25 at η = 0.01 (τ ≈ 1.4·10⁸ iterations both).
func TestFFSOnGPU(t *testing.T) {
	for _, c := range []struct {
		noise       host.NoiseModel
		temp, batch float64
	}{{host.SGLD, 0.05, 1}, {host.SGDHessian, 0, 0.25}} {
		cfg := host.DefaultConfig()
		cfg.Landscape = "pwq(ha=4,hb=2,a=-1,b=0)"
		cfg.Noise, cfg.Temp, cfg.Batch, cfg.Seed = c.noise, c.temp, c.batch, 7
		p, err := host.Prepare(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, err := gpuFactory(t)(p.Config)
		if err != nil {
			t.Fatal(err)
		}
		res, err := host.RunFFS(context.Background(), p, b, host.FFSOptions{})
		b.Close()
		if err != nil {
			t.Fatal(err)
		}
		d := res.Theory["discrete"]
		if !res.Estimate.Resolved || d.Rate == nil {
			t.Fatalf("%s: unresolved (%s) or no exact value (%s)", c.noise, res.Estimate.Note, d.Reason)
		}
		ratio := *res.Estimate.Rate / *d.Rate
		tol := 0.10 + 3*res.FFS.RelErr
		t.Logf("%s on %s: κ̂/κ_exact = %.3f (tolerance %.3f), %d stages, %.2fs", c.noise, res.Renderer, ratio, tol, len(res.FFS.Stages), res.FFS.Seconds)
		if math.Abs(ratio-1) > tol {
			t.Errorf("%s: κ̂/κ_exact = %.3f outside 1 ± %.3f", c.noise, ratio, tol)
		}
	}
}
