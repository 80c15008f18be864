package sweep

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/jsonnum"
	"github.com/kramers-sim/kramers/host/rng"
	"github.com/kramers-sim/kramers/host/survival"
)

// Options describe a sweep. Defaults(backend) gives those of `kramers sweep` without flags.
type Options struct {
	Base   host.Config
	Name   string
	Values []float64
	Axis   string // "" natural axis (NewAxis)
	// Budget is particle-steps per point (0: unlimited); TargetEscapes (0: DefaultEscapes) and
	// Safety (0: DefaultSafety) steer PlanSize. AutoSize false runs Base's particles and steps as
	// given; with AutoSize, SizeParticles replaces Base's particles by SizeFor(target, safety).
	Budget        float64
	TargetEscapes int
	Safety        float64
	AutoSize      bool
	SizeParticles bool
	// Compare and CompareValues repeat the sweep once per value of another run flag, of a
	// landscape parameter, or of "noise" (RunSet, ApplyCompare); "" runs one series.
	Compare       string
	CompareValues []string
	Progress      func(msg string)
	// label and compareValue name the series of a comparison (SeriesOptions), seriesIndex its index.
	label, compareValue string
	seriesIndex         int
}

// normalised fills the defaults. Varying particles or steps turns sizing off: the sizing would
// overwrite the varied value.
func (o Options) normalised() Options {
	if o.TargetEscapes <= 0 {
		o.TargetEscapes = DefaultEscapes
	}
	if o.Safety <= 0 {
		o.Safety = DefaultSafety
	}
	if o.Name == "particles" || o.Name == "steps" {
		o.AutoSize = false
	}
	return o
}

// sized applies the particle rule of the options to cfg (SizeFor when sizing particles).
func (o Options) sized(cfg host.Config) host.Config {
	if o.AutoSize && o.SizeParticles {
		cfg.Particles = SizeFor(o.TargetEscapes, o.Safety)
	}
	return cfg
}

// PointConfig is the configuration the point of value v starts from: Base with NAME set to v
// (ApplyVary) and, when sizing particles, SizeFor's particle count. PlanSize then chooses its
// iterations (and lowers the particles only when the budget cannot pay for the relaxation).
// The command line validates every point with it before any run starts.
func (o Options) PointConfig(v float64) (host.Config, error) {
	o = o.normalised()
	cfg, err := ApplyVary(o.Base, o.Name, v)
	if err != nil {
		return cfg, err
	}
	return o.sized(cfg), nil
}

// Point is one measured point. Times are continuous time unless the name says iterations. Its JSON
// keys are the names of the CSV columns of the same numbers (write.go). Its
// numbers are those of the run's host.Measurement, not recomputed: the reported quasi-stationary
// estimate after the burn-in (rate, τ, their Garwood intervals, the escapes after the burn-in it
// is made of), the burn-in itself, the theory values and the comparisons. The τ and rate fields
// are NaN (null in JSON, empty in CSV) when unresolved, and Note says why. Batch, Temp and Floor
// are nil (absent in JSON, no CSV field) where the point's noise model does not use them
// (Applies).
type Point struct {
	Value float64 `json:"value"`
	X     float64 `json:"x"` // on the axis of the point's series (Result.Axis)
	// XByAxis is the point on the axis of every panel of a comparison that applies to it (Set.Panels).
	XByAxis   map[string]float64 `json:"x_by_axis,omitempty"`
	Series    string             `json:"series,omitempty"` // the label of a compared series, "noise=sgld"
	Landscape string             `json:"landscape"`
	Noise     host.NoiseModel    `json:"noise"`
	LR        float64            `json:"lr"`
	Batch     *float64           `json:"batch,omitempty"`
	Temp      *float64           `json:"temp,omitempty"`
	Floor     *float64           `json:"floor,omitempty"`
	Seed      uint64             `json:"seed"`
	Plan      Plan               `json:"plan"`
	Particles int                `json:"particles"`
	Steps     int                `json:"steps"`
	// Escaped counts the escapes after the burn-in, which the rate is made of; EscapedTotal every
	// escape in the window.
	Escaped      int `json:"escaped"`
	EscapedTotal int `json:"escaped_total"`
	Diverged     int `json:"diverged"`
	// BurnIn is the burn-in t0 (continuous time) and BurnInRule how it was chosen; Exposure the
	// particle-time after it that the rate divides by.
	BurnIn     jsonnum.Number `json:"burn_in_time"`
	BurnInRule string         `json:"burn_in_rule"`
	Exposure   jsonnum.Number `json:"exposure_time"`
	Rate       jsonnum.Number `json:"rate"`
	RateLo     jsonnum.Number `json:"rate_lo"` // Garwood 95% interval
	RateHi     jsonnum.Number `json:"rate_hi"`
	Tau        jsonnum.Number `json:"tau_time"`
	TauLo      jsonnum.Number `json:"tau_lo_time"`
	TauHi      jsonnum.Number `json:"tau_hi_time"`
	// TauIterations is Tau/η.
	TauIterations jsonnum.Number `json:"tau_iterations"`
	LnTau         jsonnum.Number `json:"ln_tau"`
	SigmaLogTau   jsonnum.Number `json:"sigma_ln_tau"` // 1/√E, E the escapes after the burn-in (Poisson)
	Resolved      bool           `json:"resolved"`
	Note          string         `json:"note,omitempty"` // the estimate's note: why it is unresolved
	Reached       bool           `json:"reached_target"` // at least TargetEscapes escapes after the burn-in
	// Theory is τ of every applicable prediction and TheoryKinds its kind (exact-discrete,
	// exact-continuous, asymptotic: host/theory.Kind); Comparisons the measured/theory ratios and z.
	Theory      map[string]float64         `json:"theory"`
	TheoryKinds map[string]string          `json:"theory_kinds"`
	Comparisons map[string]host.Comparison `json:"comparisons,omitempty"`
	Warnings    []string                   `json:"warnings,omitempty"`
	Seconds     float64                    `json:"seconds"`
	// Measurement is the run's whole measurement record (host.Measurement), for the JSON document.
	Measurement *Measurement  `json:"measurement,omitempty"`
	Result      *host.Result  `json:"-"`
	Problem     *host.Problem `json:"-"`
}

// Measurement is host.Measurement as it is written into a sweep's JSON: the full estimate, the
// quasi-stationary record (burn-in, window estimate, hazard against time), the step-size
// stability, every prediction (τ, rate, kind, formula, or the reason it does not apply), the
// comparisons and the warnings.
type Measurement struct {
	Estimate        survival.Estimate          `json:"estimate"`
	QuasiStationary survival.QuasiStationary   `json:"quasi_stationary"`
	Stability       host.Stability             `json:"stability"`
	Theory          any                        `json:"theory"` // map[string]theory.Prediction
	Comparisons     map[string]host.Comparison `json:"comparisons"`
	Warnings        []string                   `json:"warnings,omitempty"`
}

// LogTau is ln τ̂ (NaN when unresolved).
func (pt Point) LogTau() float64 { return math.Log(float64(pt.Tau)) }

// Result is a finished sweep: one series of a comparison (Set).
type Result struct {
	Name string `json:"name"`
	// Label names the series of a comparison ("noise=sgld"), CompareValue its value; both empty
	// without --compare.
	Label        string             `json:"label,omitempty"`
	CompareValue string             `json:"compare_value,omitempty"`
	Noise        host.NoiseModel    `json:"noise"`
	Axis         Axis               `json:"axis"`
	Points       []Point            `json:"points"`
	Target       int                `json:"target_escapes"`
	Budget       float64            `json:"budget"`
	Fit          LineFit            `json:"fit"`    // ln τ̂ against the axis, weights 1/σ²
	Theory       map[string]LineFit `json:"theory"` // ln τ of each theory line against the axis
	TheoryKinds  map[string]string  `json:"theory_kinds"`
}

// RunSweep measures every value on backends from open.
func RunSweep(ctx context.Context, o Options, open host.BackendFactory) (*Result, error) {
	o = o.normalised()
	axis, err := NewAxis(o.Axis, o.Name, o.Base.Noise)
	if err != nil {
		return nil, err
	}
	res := &Result{Name: o.Name, Label: o.label, CompareValue: o.compareValue, Noise: o.Base.Noise, Axis: axis, Target: o.TargetEscapes,
		Budget: o.Budget, Theory: map[string]LineFit{}, TheoryKinds: map[string]string{}}
	for i, v := range o.Values {
		if ctx.Err() != nil {
			break
		}
		cfg, err := ApplyVary(o.Base, o.Name, v)
		if err != nil {
			return nil, err
		}
		if o.Name != "seed" { // a varied seed is the user's choice of streams
			cfg.Seed = PointSeed(cfg.Seed, o.seriesIndex, i)
		}
		pt, err := MeasurePoint(ctx, cfg, o, open)
		if err != nil {
			return nil, fmt.Errorf("%s=%v: %w", o.Name, v, err)
		}
		pt.Value = v
		pt.X = axis.Of(pt.Problem, v)
		pt.Series = o.label
		res.Points = append(res.Points, *pt)
		for n, k := range pt.TheoryKinds {
			res.TheoryKinds[n] = k
		}
		if o.Progress != nil {
			prefix := ""
			if o.label != "" {
				prefix = o.label + " "
			}
			o.Progress(fmt.Sprintf("%s[%d/%d] %s=%g: %d escaped after t0 = %.4g (%d in all) of %d × %d iterations (seed %d), τ̂ = %.4g (%.1f s)",
				prefix, i+1, len(o.Values), o.Name, v, pt.Escaped, float64(pt.BurnIn), pt.EscapedTotal, pt.Particles, pt.Steps, pt.Seed, float64(pt.Tau), pt.Seconds))
		}
	}
	res.fit()
	return res, nil
}

// PointSeed is the seed that point i of series j of a sweep with the given seed runs with: the
// independent stream rng.StreamSeed(seed, 2⁶³ + j·2³² + i) of the RNG contract (host/rng, "Sweeps").
// The weighted fit of ln τ̂ treats the points' errors as independent; with one seed for all points
// they would share their random numbers and their errors would be correlated. The point's record
// (Point.Seed, the seed column of sweep.csv) holds this seed: `kramers run --seed` with it and the
// point's particles and steps reproduces the point on its own.
func PointSeed(seed uint64, series, point int) uint64 {
	return rng.StreamSeed(seed, 1<<63|uint64(series)<<32|uint64(point))
}

// MeasurePoint sizes cfg (SizeFor's particles when o.SizeParticles, PlanSize's iterations from
// TauGuess, or from a pilot run when no theory applies) and runs it. Without o.AutoSize it runs cfg
// as given.
func MeasurePoint(ctx context.Context, cfg host.Config, o Options, open host.BackendFactory) (*Point, error) {
	o = o.normalised()
	cfg = o.sized(cfg)
	p, err := host.Prepare(cfg)
	if err != nil {
		return nil, err
	}
	plan := Plan{Particles: cfg.Particles, Steps: cfg.Steps, TauGuess: jsonnum.NaN(), TauSource: "fixed", Reachable: true}
	if o.AutoSize {
		tau, src := TauGuess(p)
		if src == "" {
			// Pilot: a tenth of the budget (at most the configured size) with the configured particles.
			pc := cfg
			pc.Steps = max(1, min(cfg.Steps, int(o.Budget/10/float64(cfg.Particles))))
			if o.Budget <= 0 {
				pc.Steps = cfg.Steps
			}
			pp, err := host.Prepare(pc)
			if err != nil {
				return nil, err
			}
			r, err := execute(ctx, pp, open)
			if err != nil {
				return nil, fmt.Errorf("pilot run: %w", err)
			}
			tau, src = float64(r.Estimate.Exposure)/math.Max(1, float64(r.Estimate.Escaped)), "pilot"
		}
		plan = PlanSize(tau, cfg.LR, cfg.Particles, o.Budget, o.TargetEscapes, o.Safety, relaxationSteps(p))
		plan.TauSource = src
		// Only the size changes: p.Config is the validated configuration (with the defaults that
		// Validate writes, such as the sampling law), which cfg is not.
		p.Config.Particles, p.Config.Steps = plan.Particles, plan.Steps
	}
	r, err := execute(ctx, p, open)
	if err != nil {
		return nil, err
	}
	pt := pointFrom(r, plan, o.TargetEscapes)
	pt.Problem = p
	return pt, nil
}

func execute(ctx context.Context, p *host.Problem, open host.BackendFactory) (*host.Result, error) {
	b, err := open(p.Config)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return host.Execute(ctx, p, b, host.RunOptions{})
}

// pointFrom copies the numbers of r's measurement into a Point.
func pointFrom(r *host.Result, plan Plan, target int) *Point {
	m := r.Measurement()
	e := m.Estimate
	nan := jsonnum.NaN()
	cfg := r.Config
	pt := &Point{Landscape: cfg.Landscape, Noise: cfg.Noise, LR: cfg.LR, Seed: cfg.Seed,
		Plan: plan, Particles: r.Particles, Steps: r.Steps, Escaped: e.Escaped, EscapedTotal: r.EscapedTotal, Diverged: r.Diverged,
		BurnIn: jsonnum.Number(m.QuasiStationary.BurnInTime), BurnInRule: m.QuasiStationary.BurnInRule, Exposure: jsonnum.Number(e.Exposure),
		Rate: nan, RateLo: jsonnum.Number(e.RateCI95[0]), RateHi: jsonnum.Number(e.RateCI95[1]),
		Tau: nan, TauLo: jsonnum.Number(e.TauCI95[0]), TauHi: jsonnum.Number(e.TauCI95[1]), TauIterations: nan, LnTau: nan, SigmaLogTau: nan,
		Resolved: e.Resolved, Note: e.Note, Reached: e.Escaped >= target, Theory: map[string]float64{}, TheoryKinds: map[string]string{},
		Comparisons: m.Comparisons, Seconds: r.Seconds, Result: r}
	for _, w := range m.Warnings {
		pt.Warnings = append(pt.Warnings, fmt.Sprint(w)) // the message
	}
	pt.Measurement = &Measurement{Estimate: e, QuasiStationary: m.QuasiStationary, Stability: m.Stability, Theory: m.Theory,
		Comparisons: m.Comparisons, Warnings: pt.Warnings}
	param := func(name string, v float64) *float64 {
		if !Applies(name, cfg.Noise) {
			return nil
		}
		return &v
	}
	pt.Batch, pt.Temp, pt.Floor = param("batch", cfg.Batch), param("temp", cfg.Temp), param("floor", cfg.Floor)
	if e.Rate != nil {
		pt.Rate = jsonnum.Number(*e.Rate)
	}
	if e.Tau != nil {
		pt.Tau, pt.TauIterations = jsonnum.Number(*e.Tau), jsonnum.Number(*e.TauIterations)
		pt.LnTau = jsonnum.Number(math.Log(*e.Tau))
		pt.SigmaLogTau = jsonnum.Number(1 / math.Sqrt(float64(e.Escaped)))
	}
	for name, pr := range m.Theory {
		if pr.Tau != nil && isFinite(*pr.Tau) {
			pt.Theory[name] = *pr.Tau
			pt.TheoryKinds[name] = string(pr.Kind)
		}
	}
	return pt
}

// fit fills the weighted fit of ln τ̂ and the fits of the theory lines.
func (s *Result) fit() {
	var x, y, w []float64
	for _, pt := range s.Points {
		if pt.Resolved {
			sg := float64(pt.SigmaLogTau)
			x, y, w = append(x, pt.X), append(y, pt.LogTau()), append(w, 1/(sg*sg))
		}
	}
	s.Fit = FitLine(x, y, w)
	for _, n := range s.TheoryNames() {
		var tx, ty []float64
		for _, pt := range s.Points {
			if v, ok := pt.Theory[n]; ok {
				tx, ty = append(tx, pt.X), append(ty, math.Log(v))
			}
		}
		if len(tx) >= 2 {
			s.Theory[n] = FitLine(tx, ty, nil)
		}
	}
}

// TheoryNames lists the theories with a value at some point, sorted.
func (s *Result) TheoryNames() []string {
	names := map[string]bool{}
	for _, pt := range s.Points {
		for n := range pt.Theory {
			names[n] = true
		}
	}
	out := slices.Sorted(maps.Keys(names))
	return out
}
