package validate

import (
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// benchCPU times the reference's Advance in particle-steps per second (kramers bench cases 1, 4
// and 5; the CPU reference's share of `make bench`).
func benchCPU(b *testing.B, landscape string, noise host.NoiseModel, lr, temp, batch float64) {
	cfg := host.DefaultConfig()
	cfg.Backend = "cpu"
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Temp, cfg.Batch = landscape, noise, lr, temp, batch
	cfg.Particles, cfg.Steps, cfg.Seed = 4096, 1<<20, 20260101
	p, err := host.Prepare(cfg)
	if err != nil {
		b.Fatal(err)
	}
	c := NewCPU()
	if err := c.Load(p, 0, cfg.Particles); err != nil {
		b.Fatal(err)
	}
	const steps = 16
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Advance(i*steps, steps); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Particles)*steps*float64(b.N)/b.Elapsed().Seconds(), "psteps/s")
}

func BenchmarkCPUDoubleWellSGLD(b *testing.B) {
	benchCPU(b, "doublewell(k=1)", host.SGLD, 0.01, 0.1, 1)
}

func BenchmarkCPUStyblinskiTang10(b *testing.B) {
	benchCPU(b, "styblinski-tang(d=10)", host.SGDHessian, 0.005, 0.1, 1)
}

func BenchmarkCPUZhu2DHessian(b *testing.B) {
	benchCPU(b, "zhu2d", host.SGDHessian, 0.002, 0.1, 4)
}
