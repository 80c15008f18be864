package reproduce

import (
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/ffs"
	"github.com/kramers-sim/kramers/host/plot"
	"github.com/kramers-sim/kramers/host/sweep"
)

// bruteForceLimit is τ in iterations beyond which brute force stops being practical on the
// development machine (10⁸: 100 escapes need ~10¹⁰ particle-steps, a minute at 3·10⁸ per second
// on llvmpipe; BENCHMARKS.md "Rare events").
const bruteForceLimit = 1e8

// k11FFS is one forward-flux-sampling measurement of K11.
type k11FFS struct {
	run *Run
	res *host.Result
}

// relErr is the run's own σ(ln κ̂).
func (k k11FFS) relErr() float64 { return k.res.FFS.RelErr }

func (k k11FFS) rate() float64 {
	if k.res.Estimate.Rate == nil {
		return math.NaN()
	}
	return *k.res.Estimate.Rate
}

// ffs runs forward flux sampling (ffs.Run, default options: adaptive interfaces, ε = 0.1) on
// the primary backend and records it as a Run of the case.
func (r *runner) ffs(label string, cfg host.Config) (k11FFS, error) {
	cfg.Backend = r.opt.Backend
	p, err := host.Prepare(cfg)
	if err != nil {
		return k11FFS{}, fmt.Errorf("%s: %w", label, err)
	}
	b, err := r.opt.Primary(p.Config)
	if err != nil {
		return k11FFS{}, fmt.Errorf("%s: %w", label, err)
	}
	defer b.Close()
	res, err := ffs.Run(r.ctx, p, b, ffs.Options{})
	if err != nil {
		return k11FFS{}, fmt.Errorf("%s: %w", label, err)
	}
	e := res.Estimate
	run := &Run{Label: label + " [ffs]", Landscape: cfg.Landscape, Noise: string(cfg.Noise), LR: F(cfg.LR), Absorb: true,
		Start: cfg.Start, Particles: res.Particles, Resolved: e.Resolved, Theory: map[string]F{},
		Tau: nan(), TauIterations: nan(), Rate: nan(), TauCI95: [2]F{nan(), nan()},
		Seconds: F(res.FFS.Seconds), Backend: r.opt.Backend}
	if cfg.Noise == host.SGLD {
		run.Temp = F(cfg.Temp)
	} else {
		run.Batch = F(cfg.Batch)
	}
	if e.Rate != nil && e.Tau != nil && e.TauIterations != nil {
		run.Rate, run.Tau, run.TauIterations = F(*e.Rate), F(*e.Tau), F(*e.TauIterations)
		run.TauCI95 = [2]F{F(e.TauCI95[0]), F(e.TauCI95[1])}
	}
	for name, th := range res.Theory {
		if th.Tau != nil {
			run.Theory[name] = F(*th.Tau)
		}
	}
	run.Note = fmt.Sprintf("forward flux sampling: %d interfaces, σ(ln κ̂) = %.3f, %.3g particle-steps, %.2f s",
		len(res.FFS.Interfaces), res.FFS.RelErr, float64(res.FFS.ParticleSteps), res.FFS.Seconds)
	if e.Note != "" {
		run.Note += "; " + e.Note
	}
	r.cur.Runs = append(r.cur.Runs, run)
	r.logf("  %s [ffs]: τ̂ = %.4g iterations, σ(ln κ̂) = %.3f, %d stages, %.3g particle-steps, %.2f s", label,
		float64(run.TauIterations), res.FFS.RelErr, len(res.FFS.Stages), float64(res.FFS.ParticleSteps), res.FFS.Seconds)
	return k11FFS{run: run, res: res}, nil
}

// ffsCheck compares a forward-flux-sampling rate with theory value name within relTol + 3σ,
// σ = κ̂·σ(ln κ̂) the run's own.
func (r *runner) ffsCheck(name, claim string, k k11FFS, theoryName string, relTol float64) *Check {
	c := &Check{Name: name, Claim: claim, Measured: nan(), Sigma: nan(), Predicted: nan(), Kind: Within, RelTol: F(relTol), NSigma: 3}
	th := k.res.Theory[theoryName]
	if th.Rate != nil {
		c.Predicted = F(*th.Rate)
	} else {
		c.Require, c.RequireWhy = boolp(false), "no "+theoryName+" value: "+th.Reason
	}
	if e := k.res.Estimate; e.Rate != nil && e.Resolved {
		c.Measured, c.Sigma = F(*e.Rate), F(*e.Rate*k.relErr())
		if th.Rate != nil {
			c.Note = fmt.Sprintf("τ_%s = %.3g iterations; κ̂/κ = %.3f, σ(ln κ̂) = %.3f; %.3g particle-steps, %.2f s", theoryName,
				1/(*th.Rate*k.res.LR), *e.Rate / *th.Rate, k.relErr(), float64(k.res.FFS.ParticleSteps), k.res.FFS.Seconds)
		}
	} else {
		c.Require, c.RequireWhy = boolp(false), "unresolved: "+e.Note
	}
	return r.check(c)
}

// The settings of K11: the step size of the 1-D series, its B/η and temperatures, and the two
// 2-D landscapes.
const (
	k11Eta = 0.01
	sep2D  = "(x^2-1)^2 + (y^2-1)^2 + 0.1*x"
	well2D = "(x^2-1)^2 + (1 + x^2)*y^2"
)

var (
	k11BOverEta = []float64{18, 22, 26, 30, 34, 38}
	k11Temps    = []float64{0.05, 0.04, 0.033}
)

// K11: forward flux sampling (docs/theory.md §7) past where brute force stops: ln τ against B/η
// under sgd-hessian and against 1/T under sgld on 1-D pwq up to τ ≈ 10¹¹ iterations, each point
// against the exact discrete-time value; a 2-D case against the exact separable value and one
// against Eyring–Kramers; and, where both run, FFS against brute force.
func caseK11(r *runner) error {
	r.cur.Setup = fmt.Sprintf("Forward flux sampling (docs/theory.md §7; default options: signed distance past the escape surface, "+
		"adaptive interfaces, ε = 0.1) on the primary backend. 1-D: %s at η = %g under sgd-hessian for B/η ∈ %v (τ ≈ 3·10⁶ to 10¹¹ "+
		"iterations) and under sgld for T ∈ %v (τ ≈ 10⁸ to 10¹¹), each against the exact discrete-time rate within 10%% + 3σ "+
		"(σ = κ̂·σ(ln κ̂), the run's own); the weighted slope of ln τ̂ against B/η against the exact values' slope within 5%% + 3σ. "+
		"2-D: the separable %s (two exits, T = 0.08, η = 0.005) against the exact summed 1-D discrete values within 10%% + 3σ, and "+
		"%s from (−1, 0) at T = 0.1 (ΔL/T = 10, η = 0.005) against Eyring–Kramers within 15%% + 3σ. Where brute force runs "+
		"(τ ≈ 2·10⁴–6·10⁴ iterations: sgld T = 0.15 and sgd-hessian B/η = 10 on pwq, the 2-D double well at T = 1/6) FFS "+
		"against the brute-force quasi-stationary rate within 3σ of the combined error, σ² = σ(ln κ̂_FFS)² + 1/E.",
		pwqSpec, k11Eta, k11BOverEta, k11Temps, sep2D, well2D)

	batchFig, err := r.k11BatchSeries()
	if err != nil {
		return err
	}
	sgldFig, err := r.k11SGLDSeries()
	if err != nil {
		return err
	}
	r.figure("ffs", batchFig, sgldFig)
	if err := r.k11TwoD(); err != nil {
		return err
	}
	return r.k11AgainstBruteForce()
}

// k11BruteForceLimit marks where brute force stops in K11's figures.
func k11BruteForceLimit() plot.HLine {
	return plot.HLine{Name: "brute-force limit (τ ≈ 10⁸ iterations)", Y: math.Log(bruteForceLimit), Dashes: 1, Grey: true}
}

// k11BatchSeries checks FFS under sgd-hessian over B/η on pwq, point by point against the exact
// discrete-time value and in the slope of ln τ̂, and returns the series' figure.
func (r *runner) k11BatchSeries() (plot.Figure, error) {
	bOverEta := k11BOverEta
	var xs, ys, ws, exact []float64
	pts := plot.Points{Name: "FFS τ̂ (95% interval)", ColourIndex: 0}
	ex := plot.Line{Name: "exact discrete-time τ", ColourIndex: 1}
	for _, be := range bOverEta {
		cfg := r.base(pwqSpec, host.SGDHessian, k11Eta)
		cfg.Batch = be * k11Eta
		k, err := r.ffs(fmt.Sprintf("pwq sgd-hessian B/η=%g", be), cfg)
		if err != nil {
			return plot.Figure{}, err
		}
		k.run.X = F(be)
		c := r.ffsCheck(fmt.Sprintf("K11 pwq sgd-hessian B/η = %g: FFS against the exact discrete value", be),
			"forward flux sampling gives the exact discrete-time rate at any rarity (docs/theory.md §7)", k, "discrete", 0.10)
		d := k.res.Theory["discrete"]
		if d.Rate != nil {
			exact = append(exact, math.Log(1/(*d.Rate*k11Eta)))
			ex.X, ex.Y = append(ex.X, be), append(ex.Y, math.Log(1/(*d.Rate*k11Eta)))
		} else {
			exact = append(exact, math.NaN())
		}
		if rate := k.rate(); !math.IsNaN(float64(c.Measured)) {
			lt, s := math.Log(1/(rate*k11Eta)), k.relErr()
			xs, ys, ws = append(xs, be), append(ys, lt), append(ws, 1/(s*s))
			pts.X, pts.Y = append(pts.X, be), append(pts.Y, lt)
			pts.YLo, pts.YHi = append(pts.YLo, lt-1.96*s), append(pts.YHi, lt+1.96*s)
		}
	}
	fit := sweep.FitLine(xs, ys, ws)
	var exs, eys []float64
	for i, be := range bOverEta {
		if !math.IsNaN(exact[i]) {
			exs, eys = append(exs, be), append(eys, exact[i])
		}
	}
	efit := sweep.FitLine(exs, eys, nil)
	top := 0.0
	for _, y := range eys {
		top = math.Max(top, y)
	}
	r.check(&Check{Name: "K11 pwq sgd-hessian: slope of ln τ̂ (FFS) against B/η",
		Claim:    "the exponent of the B/η law is followed past where brute force stops (docs/theory.md §4.2, §7)",
		Measured: F(fit.Slope), Sigma: F(fit.SlopeErr), Predicted: F(efit.Slope), Kind: Within, RelTol: 0.05, NSigma: 3,
		Require: boolp(fit.N == len(bOverEta) && top >= math.Log(1e11)), RequireWhy: "every point resolved and the exact τ reaching 10¹¹ iterations",
		Note: fmt.Sprintf("%d points, exact τ from %.3g to %.3g iterations; FFS intercept %.4g (exact fit %.4g), R² %.4f", fit.N,
			math.Exp(eys[0]), math.Exp(top), fit.Intercept, efit.Intercept, fit.R2)})
	fitLine := plot.Line{Name: fmt.Sprintf("FFS fit: slope %.4g (exact %.4g)", fit.Slope, efit.Slope), ColourIndex: 5, Dashes: 2}
	for _, x := range exs {
		fitLine.X, fitLine.Y = append(fitLine.X, x), append(fitLine.Y, fit.Intercept+fit.Slope*x)
	}
	return plot.Figure{Title: "K11: ln τ against B/η, pwq sgd-hessian η = 0.01 (forward flux sampling)", XLabel: "B/η",
		YLabel: "ln τ (iterations)", Points: []plot.Points{pts}, Lines: []plot.Line{ex, fitLine}, HLines: []plot.HLine{k11BruteForceLimit()}}, nil

}

// k11SGLDSeries checks FFS under sgld over 1/T on pwq against the exact discrete-time value and
// returns the series' figure.
func (r *runner) k11SGLDSeries() (plot.Figure, error) {
	spts := plot.Points{Name: "FFS τ̂ (95% interval)", ColourIndex: 0}
	sex := plot.Line{Name: "exact discrete-time τ", ColourIndex: 1}
	for _, T := range k11Temps {
		cfg := r.base(pwqSpec, host.SGLD, k11Eta)
		cfg.Temp = T
		k, err := r.ffs(fmt.Sprintf("pwq sgld T=%g", T), cfg)
		if err != nil {
			return plot.Figure{}, err
		}
		k.run.X = F(1 / T)
		c := r.ffsCheck(fmt.Sprintf("K11 pwq sgld T = %g: FFS against the exact discrete value", T),
			"forward flux sampling gives the exact discrete-time rate at any rarity (docs/theory.md §7)", k, "discrete", 0.10)
		if d := k.res.Theory["discrete"]; d.Rate != nil {
			sex.X, sex.Y = append(sex.X, 1/T), append(sex.Y, math.Log(1/(*d.Rate*k11Eta)))
		}
		if !math.IsNaN(float64(c.Measured)) {
			lt, s := math.Log(1/(k.rate()*k11Eta)), k.relErr()
			spts.X, spts.Y = append(spts.X, 1/T), append(spts.Y, lt)
			spts.YLo, spts.YHi = append(spts.YLo, lt-1.96*s), append(spts.YHi, lt+1.96*s)
		}
	}
	return plot.Figure{Title: "K11: ln τ against 1/T, pwq sgld η = 0.01 (forward flux sampling)", XLabel: "1/T",
		YLabel: "ln τ (iterations)", Points: []plot.Points{spts}, Lines: []plot.Line{sex}, HLines: []plot.HLine{k11BruteForceLimit()}}, nil

}

// k11TwoD checks FFS at rare settings in 2-D: the separable landscape against its exact summed
// discrete values, the double well against Eyring–Kramers.
func (r *runner) k11TwoD() error {
	cfg := r.base(sep2D, host.SGLD, 0.005)
	cfg.Temp, cfg.Start = 0.08, []float64{-1, -1}
	k, err := r.ffs("separable 2-D sgld T=0.08", cfg)
	if err != nil {
		return err
	}
	r.ffsCheck("K11 separable 2-D (two exits), T = 0.08: FFS against the exact summed discrete values",
		"forward flux sampling in 2-D with several exits (order parameter the max over the exits) gives the exact rate", k, "discrete", 0.10)
	cfg = r.base(well2D, host.SGLD, 0.005)
	cfg.Temp, cfg.Start = 0.1, []float64{-1, 0}
	k, err = r.ffs("2-D double well sgld T=0.1", cfg)
	if err != nil {
		return err
	}
	dl := k.res.Analysis.DeltaL
	c := r.ffsCheck("K11 2-D double well, T = 0.1 (ΔL/T = 10): FFS against Eyring–Kramers",
		"forward flux sampling in 2-D agrees with Eyring–Kramers (docs/theory.md §4.1, §7)", k, "eyring_kramers", 0.15)
	if dl/cfg.Temp < 6-1e-9 {
		c.Require, c.RequireWhy = boolp(false), "ΔL/T must be ≥ 6"
	}

	return nil
}

// k11AgainstBruteForce checks FFS against brute force where both run.
func (r *runner) k11AgainstBruteForce() error {
	type bf struct {
		label, spec string
		noise       host.NoiseModel
		lr, temp, b float64
		start       []float64
	}
	for _, s := range []bf{
		{"pwq sgld T=0.15", pwqSpec, host.SGLD, k11Eta, 0.15, 0, nil},
		{"pwq sgd-hessian B/η=10", pwqSpec, host.SGDHessian, k11Eta, 0, 10 * k11Eta, nil},
		{"2-D double well sgld T=1/6", well2D, host.SGLD, 0.005, 1.0 / 6, 0, []float64{-1, 0}},
	} {
		cfg := r.base(s.spec, s.noise, s.lr)
		cfg.Temp, cfg.Start = s.temp, s.start
		if s.b > 0 {
			cfg.Batch = s.b
		}
		k, err := r.ffs(s.label, cfg)
		if err != nil {
			return err
		}
		brute, err := r.measure(s.label+" [brute force]", cfg, r.many)
		if err != nil {
			return err
		}
		e := brute.pt.Result.Estimate
		c := &Check{Name: fmt.Sprintf("K11 %s: FFS against brute force, ln(κ̂_FFS/κ̂_brute)", s.label),
			Claim:    "where both run, forward flux sampling and brute force agree (docs/theory.md §7)",
			Measured: nan(), Sigma: nan(), Predicted: 0, Kind: Within, NSigma: 3}
		if e.Rate != nil && e.Escaped > 0 && k.res.Estimate.Rate != nil && k.res.Estimate.Resolved {
			c.Measured = F(math.Log(k.rate() / *e.Rate))
			c.Sigma = F(math.Hypot(k.relErr(), 1/math.Sqrt(float64(e.Escaped))))
			c.Note = fmt.Sprintf("τ̂_FFS = %.4g, τ̂_brute = %.4g iterations (E = %d); FFS %.3g particle-steps, brute force %.3g",
				float64(k.run.TauIterations), *e.TauIterations, e.Escaped, float64(k.res.FFS.ParticleSteps),
				float64(brute.Particles)*float64(brute.Steps))
		} else {
			c.Require, c.RequireWhy = boolp(false), fmt.Sprintf("unresolved: ffs %q, brute force %q", k.res.Estimate.Note, e.Note)
		}
		r.check(c)
	}
	return nil
}
