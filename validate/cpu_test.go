package validate

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/rng"
	"gonum.org/v1/gonum/mat"
)

func prepare(t *testing.T, mutate func(*host.Config)) *host.Problem {
	t.Helper()
	cfg := host.DefaultConfig()
	cfg.Backend = "cpu"
	cfg.Landscape = "pwq(ha=4,hb=2,a=-1,b=0)"
	cfg.Noise = host.SGLD
	cfg.Temp = 0.15
	cfg.LR = 0.02
	cfg.Particles = 3000
	cfg.Steps = 600
	cfg.Seed = 7
	if mutate != nil {
		mutate(&cfg)
	}
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	return p
}

func records(t *testing.T, p *host.Problem, workers int) []uint32 {
	t.Helper()
	b := NewCPU()
	b.Workers = workers
	if _, err := host.Execute(context.Background(), p, b, host.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	r, _ := b.Records()
	return r
}

// The run is a pure function of (seed, iteration): neither the number of goroutines nor the
// chunk length may change a single record.
func TestCPUDeterministicAcrossWorkersAndChunks(t *testing.T) {
	p1 := prepare(t, func(c *host.Config) { c.Chunk = 600 })
	p2 := prepare(t, func(c *host.Config) { c.Chunk = 7 })
	a := records(t, p1, 1)
	b := records(t, p2, 4)
	if !slices.Equal(a, b) {
		t.Fatal("records differ between 1 worker / chunk 600 and 4 workers / chunk 7")
	}
	esc := 0
	for _, r := range a {
		if _, ok := host.Escaped(r); ok {
			esc++
		}
	}
	// Guard against a vacuous comparison: this configuration must produce escapes and survivors.
	if esc == 0 || esc == len(a) {
		t.Fatalf("expected some but not all of %d particles to escape, got %d", len(a), esc)
	}
}

// A shard of particles [first, first+count) draws the same numbers as those particles in the
// whole ensemble.
func TestCPUShardMatchesWholeEnsemble(t *testing.T) {
	whole := records(t, prepare(t, nil), 2)
	shard := records(t, prepare(t, func(c *host.Config) { c.First, c.Count = 1000, 500 }), 2)
	if !slices.Equal(whole[1000:1500], shard) {
		t.Fatal("shard records differ from the same particles in the whole ensemble")
	}
}

// Different seeds must give different records (the key reaches the noise).
func TestCPUSeedMatters(t *testing.T) {
	a := records(t, prepare(t, nil), 2)
	b := records(t, prepare(t, func(c *host.Config) { c.Seed = 8 }), 2)
	if slices.Equal(a, b) {
		t.Fatal("seeds 7 and 8 gave identical records")
	}
}

// plainRun is the reference step written one particle at a time, straight from docs/theory.md §1 and
// the draw layout of host/rng (rng.StepNormals), without blocks, slots or batches. The CPU
// backend must produce the same float64 numbers bit for bit: its lockstep structure is an
// optimisation, not a different computation.
func plainRun(p *host.Problem, steps int) ([]float64, []uint32) {
	d := p.Dim
	pos := make([]float64, 0, p.Config.Particles*d)
	rec := make([]uint32, 0, p.Config.Particles)
	g, h, xi := make([]float64, d), make([]float64, d*d), make([]float64, d)
	for i := 0; i < p.Config.Particles; i++ {
		x := append([]float64(nil), p.Start...)
		r := host.Running
		for it := 0; it < steps; it++ {
			z := rng.StepNormals(p.Config.Seed, uint32(i), uint32(it), d)
			p.Eval.Gradient(x, g)
			nz := p.Noise
			switch {
			case nz.Model == host.SGLD:
				for k := range xi {
					xi[k] = nz.Amplitude * z[k]
				}
			case nz.Model == host.SGDHessian && p.Landscape.DiagonalHessian:
				p.Eval.HessianDiagonal(x, h[:d])
				for k := range xi {
					xi[k] = nz.Amplitude * math.Sqrt(math.Abs(h[k])+nz.Floor) * z[k]
				}
			case nz.Model == host.SGDHessian:
				p.Eval.Hessian(x, h)
				var eig mat.EigenSym
				var v mat.Dense
				eig.Factorize(mat.NewSymDense(d, h), true)
				vals := eig.Values(nil)
				eig.VectorsTo(&v)
				for a := range xi {
					sum := 0.0
					for b := 0; b < d; b++ {
						sq := 0.0
						for k := 0; k < d; k++ {
							sq += v.At(a, k) * math.Sqrt(math.Abs(vals[k])+nz.Floor) * v.At(b, k)
						}
						sum += sq * z[b]
					}
					xi[a] = nz.Amplitude * sum
				}
			default: // sgd-hessian-min, sgd-loss: a fixed matrix times z, scaled by √L for sgd-loss
				c := 1.0
				if nz.Model == host.SGDLoss {
					c = math.Sqrt(math.Max(p.Eval.Loss(x), 0))
				}
				for a := range xi {
					sum := 0.0
					for b := 0; b < d; b++ {
						sum += nz.Matrix[a*d+b] * z[b]
					}
					xi[a] = c * sum
				}
			}
			for k := range x {
				x[k] = x[k] - p.Config.LR*g[k] + xi[k]
			}
			diverged := false
			for k, v := range x {
				diverged = diverged || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v-p.Analysis.Minimum[k]) > p.Bound
			}
			if diverged {
				if r == host.Running {
					r = host.DivergedFlag | uint32(it+1)
				} else {
					r |= host.LateDivergedFlag // escaped earlier: the escape stays
				}
				break
			}
			if r == host.Running && p.Escape.Holds(x) {
				r = uint32(it + 1)
				if p.Config.Absorb {
					break
				}
			}
		}
		pos = append(pos, x...)
		rec = append(rec, r)
	}
	return pos, rec
}

// The lockstep CPU backend equals plainRun bit for bit, for every noise model and both Hessian
// paths, absorbing or not, with chunks that start inside a draw group (chunk 7 in 1-D and 2-D).
func TestCPUEqualsPlainReference(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*host.Config)
	}{
		{"sgld doublewell absorbing", func(c *host.Config) { c.Landscape = "doublewell(k=1)"; c.Temp = 0.6 }},
		{"sgld doublewell non-absorbing", func(c *host.Config) { c.Landscape = "doublewell(k=1)"; c.Temp = 0.6; c.Absorb = false }},
		{"sgd-hessian zhu2d (eigendecomposition)", func(c *host.Config) {
			c.Landscape, c.Noise, c.LR, c.Batch, c.Absorb = "zhu2d", host.SGDHessian, 0.002, 0.05, false
		}},
		{"sgd-hessian styblinski-tang d=5 (diagonal)", func(c *host.Config) {
			c.Landscape, c.Noise, c.LR, c.Batch = "styblinski-tang(d=5)", host.SGDHessian, 0.005, 0.1
		}},
		{"sgd-hessian-min muller-brown", func(c *host.Config) {
			c.Landscape, c.Noise, c.LR, c.Batch = "muller-brown", host.SGDHessianMin, 1e-4, 0.01
		}},
		{"sgd-loss pwq", func(c *host.Config) {
			c.Landscape, c.Noise, c.LR, c.Batch = "pwq(ha=4,hb=2,a=-1,b=0,l0=0.1)", host.SGDLoss, 0.01, 0.1
		}},
		{"sgld doublewell(k=50) diverging", func(c *host.Config) { c.Landscape = "doublewell(k=50)"; c.LR, c.Temp, c.Absorb = 0.003, 0.6, false }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := prepare(t, func(c *host.Config) {
				c.Particles, c.Steps, c.Chunk = 700, 120, 7
				tc.mutate(c)
			})
			wantPos, wantRec := plainRun(p, p.Config.Steps)
			b := NewCPU()
			if _, err := host.Execute(context.Background(), p, b, host.RunOptions{}); err != nil {
				t.Fatal(err)
			}
			gotPos, _ := b.Positions()
			gotRec, _ := b.Records()
			if !slices.Equal(gotRec, wantRec) {
				t.Fatalf("records differ from the plain per-particle reference")
			}
			for i := range wantPos {
				if gotPos[i] != wantPos[i] && !(math.IsNaN(gotPos[i]) && math.IsNaN(wantPos[i])) {
					t.Fatalf("position %d: %v, plain reference %v", i, gotPos[i], wantPos[i])
				}
			}
			tally := host.TallyRecords(wantRec)
			t.Logf("of %d particles %d escaped (%d of them diverged later), %d diverged first",
				len(wantRec), len(tally.FirstPassages), tally.LateDiverged, tally.Diverged)
		})
	}
}

// The first-passage check of the suite on the CPU reference itself: a non-absorbing run on pwq's
// open right side keeps the first passage of every particle that runs off afterwards.
func TestFirstPassagesSurviveLaterDivergence(t *testing.T) {
	o := firstPassageCheck(2000, 8000).Run(OpenCPU)
	t.Logf("%s (tolerance: %s)", o.Measured, o.Tolerance)
	if o.Err != "" || !o.Pass {
		t.Fatalf("%s: %s %s", o.Name, o.Measured, o.Err)
	}
}
