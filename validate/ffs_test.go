package validate

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// ffsProblem is pwq(ha=4,hb=2,a=-1,b=0) in 1-D under noise at η = 0.01 with the default escape.
func ffsProblem(t *testing.T, noise host.NoiseModel, temp, batch float64, seed uint64) *host.Problem {
	t.Helper()
	cfg := host.DefaultConfig()
	cfg.Landscape = "pwq(ha=4,hb=2,a=-1,b=0)"
	cfg.Noise, cfg.Temp, cfg.Batch, cfg.Seed = noise, temp, batch, seed
	cfg.Backend = host.CPU
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func runFFS(t *testing.T, p *host.Problem, o host.FFSOptions) *host.Result {
	t.Helper()
	if os.Getenv("FFS_LOG") != "" {
		o.Log = t.Logf
	}
	res, err := host.RunFFS(context.Background(), p, NewCPU(), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func exactRate(t *testing.T, res *host.Result) float64 {
	t.Helper()
	d := res.Theory["discrete"]
	if d.Rate == nil {
		t.Fatalf("no discrete theory value: %s", d.Reason)
	}
	return *d.Rate
}

// checkExact asserts |κ̂/κ_exact − 1| ≤ 10% + 3σ (σ = the reported σ(ln κ̂)), the tolerance.
func checkExact(t *testing.T, name string, p *host.Problem, res *host.Result) {
	t.Helper()
	if !res.Estimate.Resolved {
		t.Fatalf("%s: unresolved: %s", name, res.Estimate.Note)
	}
	k := exactRate(t, res)
	ratio := *res.Estimate.Rate / k
	tol := 0.10 + 3*res.FFS.RelErr
	t.Logf("%s: τ_exact = %.3g iterations, κ̂/κ_exact = %.3f (σ = %.3f, tolerance %.3f), %d stages, %d particle-steps, %.2fs",
		name, 1/(k*p.Config.LR), ratio, res.FFS.RelErr, tol, len(res.FFS.Stages), res.FFS.ParticleSteps, res.FFS.Seconds)
	if math.Abs(ratio-1) > tol {
		t.Errorf("%s: κ̂/κ_exact = %.3f, outside 1 ± %.3f", name, ratio, tol)
	}
}

// TestFFSExact: FFS against the exact discrete-time value (docs/theory.md §3) on 1-D
// pwq(ha=4,hb=2,a=-1,b=0) at η = 0.01, at τ from 10⁸ to 10¹¹ iterations, sgld and sgd-hessian.
func TestFFSExact(t *testing.T) {
	for _, c := range []struct {
		name        string
		noise       host.NoiseModel
		temp, batch float64
	}{
		{"sgld T=0.05", host.SGLD, 0.05, 1},              // τ ≈ 2·10⁸
		{"sgld T=0.035", host.SGLD, 0.035, 1},            // τ ≈ 4·10¹⁰
		{"sgd-hessian B=0.25", host.SGDHessian, 0, 0.25}, // τ ≈ 1.4·10⁸
		{"sgd-hessian B=0.4", host.SGDHessian, 0, 0.4},   // τ ≈ 5·10¹¹
	} {
		p := ffsProblem(t, c.noise, c.temp, c.batch, 7)
		checkExact(t, c.name, p, runFFS(t, p, host.FFSOptions{}))
	}
}

// TestFFSBruteForce: where brute force runs (τ ≈ 2·10⁴ iterations: sgld T = 0.15), FFS and the
// brute-force quasi-stationary rate agree within 3σ (σ² = σ_FFS² + 1/E of brute force).
func TestFFSBruteForce(t *testing.T) {
	for _, c := range []struct {
		name        string
		noise       host.NoiseModel
		temp, batch float64
	}{
		{"sgld T=0.15", host.SGLD, 0.15, 1},
		{"sgd-hessian B=0.1", host.SGDHessian, 0, 0.1},
	} {
		p := ffsProblem(t, c.noise, c.temp, c.batch, 3)
		ffs := runFFS(t, p, host.FFSOptions{})
		q := ffsProblem(t, c.noise, c.temp, c.batch, 3)
		q.Config.Particles, q.Config.Steps = 2000, 100000
		bf, err := host.Execute(context.Background(), q, NewCPU(), host.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !ffs.Estimate.Resolved || !bf.Estimate.Resolved {
			t.Fatalf("%s: unresolved: ffs %q, brute force %q", c.name, ffs.Estimate.Note, bf.Estimate.Note)
		}
		sigma := math.Sqrt(ffs.FFS.RelErr*ffs.FFS.RelErr + 1/float64(bf.Estimate.Escaped))
		z := math.Log(*ffs.Estimate.Rate / *bf.Estimate.Rate) / sigma
		t.Logf("%s: τ_ffs = %.4g, τ_brute = %.4g iterations (E = %d), ratio %.3f, z = %.2f; exact %.4g; ffs %d particle-steps",
			c.name, *ffs.Estimate.TauIterations, *bf.Estimate.TauIterations, bf.Estimate.Escaped,
			*ffs.Estimate.Rate / *bf.Estimate.Rate, z, 1/(exactRate(t, ffs)*p.Config.LR), ffs.FFS.ParticleSteps)
		if math.Abs(z) > 3 {
			t.Errorf("%s: FFS and brute force differ by %.2fσ", c.name, z)
		}
	}
}

// TestFFSCoverage: over 20 seeds, the 95% log-normal interval contains the exact discrete value
// (sgld, T = 0.055, τ ≈ 4·10⁷ iterations). Asserted: at least 16 of 20. With true coverage 95%
// P(≤ 15 of 20) ≈ 0.3%; at 90% it is 4%: the test catches coverage well below 90%.
func TestFFSCoverage(t *testing.T) {
	hits, n := 0, 20
	var zs []float64
	for seed := uint64(1); seed <= uint64(n); seed++ {
		p := ffsProblem(t, host.SGLD, 0.055, 1, 100+seed)
		res := runFFS(t, p, host.FFSOptions{})
		k := exactRate(t, res)
		ci := res.Estimate.RateCI95
		if ci[0] <= k && k <= ci[1] {
			hits++
		}
		zs = append(zs, math.Log(*res.Estimate.Rate/k)/res.FFS.RelErr)
	}
	m, v := 0.0, 0.0
	for _, z := range zs {
		m += z / float64(n)
	}
	for _, z := range zs {
		v += (z - m) * (z - m) / float64(n-1)
	}
	t.Logf("coverage: %d/%d intervals contain the exact value; z = ln(κ̂/κ)/σ has mean %.2f, sd %.2f", hits, n, m, math.Sqrt(v))
	if hits < 16 {
		t.Errorf("coverage %d/%d < 16/20", hits, n)
	}
}

// TestFFSPure: a run is a pure function of the seed.
func TestFFSPure(t *testing.T) {
	a := runFFS(t, ffsProblem(t, host.SGLD, 0.055, 1, 5), host.FFSOptions{})
	b := runFFS(t, ffsProblem(t, host.SGLD, 0.055, 1, 5), host.FFSOptions{})
	if *a.Estimate.Rate != *b.Estimate.Rate {
		t.Errorf("same seed, different rates: %v and %v", *a.Estimate.Rate, *b.Estimate.Rate)
	}
}
