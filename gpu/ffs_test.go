package gpu_test

import (
	"context"
	"math"
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/ffs"
	"github.com/kramers-sim/kramers/validate"
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
		res, err := ffs.Run(context.Background(), p, b, ffs.Options{})
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

// TestFFSGPUAgainstCPU: the same forward flux sampling on the GPU and on the float64 CPU reference
// (validate). The streams are the same, but float32 positions part from float64 ones within a few
// iterations near interfaces, so the two estimates are compared statistically: |ln κ̂_gpu −
// ln κ̂_cpu| < 3·sqrt(σ_gpu² + σ_cpu²), σ the runs' own σ(ln κ̂) (independent for this purpose: the
// shared streams only make them closer). 1-D pwq sgd-hessian B = 0.25 (τ ≈ 1.4·10⁸ iterations) and
// the 2-D double well of K4 under sgld.
func TestFFSGPUAgainstCPU(t *testing.T) {
	cpu := func(host.Config) (host.Backend, error) { return validate.NewCPU(), nil }
	for _, c := range []struct {
		name, landscape string
		noise           host.NoiseModel
		temp, batch     float64
		start           []float64
	}{
		{"1-D sgd-hessian", "pwq(ha=4,hb=2,a=-1,b=0)", host.SGDHessian, 0, 0.25, nil},
		{"2-D sgld", "(x^2-1)^2 + (1+x^2)*y^2", host.SGLD, 0.12, 1, []float64{-1, 0}},
	} {
		var rate [2]float64
		var sigma [2]float64
		for k, open := range []host.BackendFactory{gpuFactory(t), cpu} {
			cfg := host.DefaultConfig()
			cfg.Landscape, cfg.Noise, cfg.Temp, cfg.Batch, cfg.Start, cfg.Seed = c.landscape, c.noise, c.temp, c.batch, c.start, 11
			p, err := host.Prepare(cfg)
			if err != nil {
				t.Fatal(err)
			}
			b, err := open(p.Config)
			if err != nil {
				t.Fatal(err)
			}
			res, err := ffs.Run(context.Background(), p, b, ffs.Options{})
			b.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !res.Estimate.Resolved {
				t.Fatalf("%s on %s: unresolved: %s", c.name, b.Name(), res.Estimate.Note)
			}
			rate[k], sigma[k] = *res.Estimate.Rate, res.FFS.RelErr
		}
		z := math.Log(rate[0]/rate[1]) / math.Hypot(sigma[0], sigma[1])
		t.Logf("%s: κ̂ gpu %.4g, cpu %.4g: z = %+.2f", c.name, rate[0], rate[1], z)
		if math.Abs(z) > 3 {
			t.Errorf("%s: GPU and CPU FFS differ by %.2fσ", c.name, z)
		}
	}
}
