package host

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/theory"
)

// Sweeps (`kramers sweep`): one run per value of a varied run flag or landscape parameter, each
// sized so that it collects about TargetEscapes escapes within a budget of particle-steps, and a
// weighted straight-line fit of log τ̂ against the natural axis of theory.md §4 (1/k, B/η, 1/T…).

// RunVaryNames are the run flags a sweep may vary; every other name is a landscape parameter.
var RunVaryNames = []string{"lr", "batch", "temp", "floor", "particles", "steps", "seed", "margin"}

// SetSpecParam returns spec with the catalogue parameter name set to value: replaced where the
// spec already gives it, appended otherwise ("pwq(ha=4)" with k=2 → "pwq(ha=4,k=2)", "doublewell"
// → "doublewell(k=2)"). Expressions have no parameters: an error says so.
func SetSpecParam(spec, name string, value float64) (string, error) {
	s := strings.TrimSpace(spec)
	i := 0
	for i < len(s) && (s[i] == '-' || s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	base, rest := s[:i], strings.TrimSpace(s[i:])
	var entry *landscape.Entry
	for _, e := range landscape.Catalogue() {
		if e.Name == base {
			e := e
			entry = &e
		}
	}
	if entry == nil || (rest != "" && !(strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")"))) {
		return "", inputErr("vary", "%q is not a run flag (%s) and the landscape %q is not a catalogue entry with parameters; vary a catalogue parameter or a run flag", name, strings.Join(RunVaryNames, ", "), spec)
	}
	known := false
	var names []string
	for _, p := range entry.Params {
		names = append(names, p.Name)
		known = known || p.Name == name
	}
	if !known {
		return "", inputErr("vary", "%q is neither a run flag (%s) nor a parameter of %s (%s)", name, strings.Join(RunVaryNames, ", "), base, strings.Join(names, ", "))
	}
	val := strconv.FormatFloat(value, 'g', -1, 64)
	var args []string
	if rest != "" {
		inner := rest[1 : len(rest)-1]
		depth, start := 0, 0
		for j := 0; j <= len(inner); j++ {
			if j < len(inner) {
				switch inner[j] {
				case '(':
					depth++
				case ')':
					depth--
				}
				if inner[j] != ',' || depth != 0 {
					continue
				}
			}
			if a := strings.TrimSpace(inner[start:j]); a != "" {
				args = append(args, a)
			}
			start = j + 1
		}
	}
	replaced := false
	for j, a := range args {
		if eq := strings.IndexByte(a, '='); eq >= 0 && strings.TrimSpace(a[:eq]) == name {
			args[j] = name + "=" + val
			replaced = true
		}
	}
	if !replaced {
		args = append(args, name+"="+val)
	}
	return base + "(" + strings.Join(args, ",") + ")", nil
}

// ApplyVary returns cfg with NAME set to v: a run flag, or a landscape parameter through
// SetSpecParam.
func ApplyVary(cfg Config, name string, v float64) (Config, error) {
	bad := func(what string) error {
		return inputErr("vary", "%s=%v: %s", name, v, what)
	}
	switch name {
	case "lr":
		cfg.LR = v
	case "batch":
		cfg.Batch = v
	case "temp":
		cfg.Temp = v
	case "floor":
		cfg.Floor = v
	case "margin":
		cfg.Margin = v
	case "particles", "steps", "seed":
		if v != math.Trunc(v) || v < 0 || v > math.MaxInt32 {
			return cfg, bad("needs a non-negative integer")
		}
		switch name {
		case "particles":
			cfg.Particles = int(v)
		case "steps":
			cfg.Steps = int(v)
		default:
			cfg.Seed = uint64(v)
		}
	default:
		spec, err := SetSpecParam(cfg.Landscape, name, v)
		if err != nil {
			return cfg, err
		}
		cfg.Landscape = spec
	}
	return cfg, nil
}

// ParseVary parses NAME=v1,v2,… of --vary.
func ParseVary(s string) (string, []float64, error) {
	eq := strings.IndexByte(s, '=')
	if eq <= 0 {
		return "", nil, inputErr("vary", "expected NAME=v1,v2,… such as batch=0.02,0.04,0.08, got %q", s)
	}
	name := strings.TrimSpace(s[:eq])
	var vals []float64
	for _, part := range strings.Split(s[eq+1:], ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || !isFinite(v) {
			return "", nil, inputErr("vary", "value %q of %s is not a finite number", part, name)
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return "", nil, inputErr("vary", "no values after %s=", name)
	}
	return name, vals, nil
}

// Axis is the x coordinate of a sweep plot and fit: a function of the prepared problem.
type Axis struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	of    func(p *Problem, value float64) float64
}

// Of evaluates the axis for one point.
func (a Axis) Of(p *Problem, value float64) float64 { return a.of(p, value) }

// AxisNames lists the accepted values of --axis.
var AxisNames = []string{"value", "1/value", "log", "1/k", "logk", "B/eta", "1/T", "log-loss-ratio"}

func sharpness(p *Problem) float64 {
	if k, ok := p.Landscape.Params["k"]; ok && k > 0 {
		return k
	}
	return 1
}

// NewAxis returns the named axis, or the natural one for the varied NAME and the noise model when
// name is "" (theory.md §4.2 and §4.5): 1/k for k, B/η for batch and lr under SGD noise, 1/T for
// temp, ln(L(b)/L(a)) for l0 under sgd-loss (§4.4), the value itself otherwise.
func NewAxis(name, varied string, noise NoiseModel) (Axis, error) {
	if name == "" {
		switch {
		case varied == "k":
			name = "1/k"
		case (varied == "batch" || varied == "lr") && noise != SGLD:
			name = "B/eta"
		case varied == "temp":
			name = "1/T"
		case varied == "l0" && noise == SGDLoss:
			name = "log-loss-ratio"
		default:
			name = "value"
		}
	}
	switch name {
	case "value":
		return Axis{name, varied, func(_ *Problem, v float64) float64 { return v }}, nil
	case "1/value":
		return Axis{name, "1/" + varied, func(_ *Problem, v float64) float64 { return 1 / v }}, nil
	case "log":
		return Axis{name, "ln " + varied, func(_ *Problem, v float64) float64 { return math.Log(v) }}, nil
	case "1/k":
		return Axis{name, "1/k (inverse sharpness, dimensionless)", func(p *Problem, _ float64) float64 { return 1 / sharpness(p) }}, nil
	case "logk":
		return Axis{name, "ln k (sharpness, dimensionless)", func(p *Problem, _ float64) float64 { return math.Log(sharpness(p)) }}, nil
	case "B/eta":
		return Axis{name, "B/η (dimensionless)", func(p *Problem, _ float64) float64 { return p.Config.Batch / p.Config.LR }}, nil
	case "1/T":
		return Axis{name, "1/T (inverse temperature, 1/loss units)", func(p *Problem, _ float64) float64 { return 1 / p.Config.Temp }}, nil
	case "log-loss-ratio":
		return Axis{name, "ln(L(b)/L(a)) (dimensionless)", func(p *Problem, _ float64) float64 {
			return math.Log(p.Analysis.LossSaddle / p.Analysis.LossMinimum)
		}}, nil
	}
	return Axis{}, inputErr("axis", "unknown axis %q; use one of %s", name, strings.Join(AxisNames, ", "))
}

// Plan is the size of one measurement.
type Plan struct {
	Particles int `json:"particles"`
	Steps     int `json:"steps"`
	// TauGuess is the escape time (continuous time) the plan was made for, and TauSource where it
	// came from: a theory name, "pilot", or "none" (then the budget is spent evenly).
	TauGuess  float64 `json:"tau_guess"`
	TauSource string  `json:"tau_source"`
	// Expected is the expected number of escapes, N·(1 − exp(−S·η/τ)).
	Expected float64 `json:"expected_escapes"`
	// Reachable is false when Expected < the target within the budget.
	Reachable bool `json:"reachable"`
}

// PlanSize chooses particles and steps so that the expected number of escapes is safety×target,
// for an exponential escape time tau (continuous time) at step size eta, within budget
// particle-steps. It starts from particles (raised to 2·target when fewer, so that no more than
// half must escape; lowered when even minSteps would exceed the budget) and solves
// N·(1 − exp(−S·η/τ)) = safety·target for S, which for small fractions is S ≈ safety·(target/N)·τ/η;
// the fraction is capped at 0.95. S is at least minSteps (the relaxation in the well, theory.md §3)
// and at most budget/N. A point that cannot expect target escapes is marked not Reachable.
func PlanSize(tau, eta float64, particles int, budget float64, target int, safety float64, minSteps int) Plan {
	if safety < 1 {
		safety = 1
	}
	minSteps = max(minSteps, 1)
	n := max(particles, 2*target, 1)
	if budget > 0 && float64(n)*float64(minSteps) > budget {
		n = max(1, int(budget/float64(minSteps)))
	}
	pl := Plan{Particles: n, TauGuess: tau}
	want := safety * float64(target)
	frac := math.Min(want/float64(n), 0.95)
	steps := float64(minSteps)
	if tau > 0 && isFinite(tau) {
		steps = math.Max(steps, math.Ceil(-tau*math.Log1p(-frac)/eta))
	} else {
		steps = math.Inf(1)
	}
	if budget > 0 {
		steps = math.Min(steps, math.Floor(budget/float64(n)))
	}
	steps = math.Max(1, math.Min(steps, float64(MaxSteps)))
	pl.Steps = int(steps)
	if tau > 0 && isFinite(tau) {
		pl.Expected = float64(n) * -math.Expm1(-float64(pl.Steps)*eta/tau)
	}
	pl.Reachable = pl.Expected >= float64(target)
	return pl
}

// TauGuess returns the best available theory τ for p (host.Preferred: an exact value, else the
// asymptotic formula of its noise model), with its name; 0 and "" when none applies.
func TauGuess(preds map[string]theory.Prediction) (float64, string) {
	for _, name := range Preferred(preds) {
		if pr, ok := preds[name]; ok && pr.Tau != nil && *pr.Tau > 0 && isFinite(*pr.Tau) {
			return *pr.Tau, name
		}
	}
	return 0, ""
}

// relaxationSteps is the number of iterations of 10 relaxation times 1/λ_min(H_a) in the well.
func relaxationSteps(p *Problem) int {
	lmin := p.Analysis.HessianMinEigenvalues[0]
	if !(lmin > 0) {
		return 1
	}
	return int(math.Min(math.Ceil(10/(lmin*p.Config.LR)), 1e7))
}

// SweepOptions describes a sweep.
type SweepOptions struct {
	Base   Config
	Name   string
	Values []float64
	Axis   string // "" natural axis (NewAxis)
	// Budget is particle-steps per point (0: unlimited); TargetEscapes (0: 100) and Safety (0: 2)
	// steer PlanSize. AutoSize false runs Base's particles and steps as given.
	Budget        float64
	TargetEscapes int
	Safety        float64
	AutoSize      bool
	Progress      func(msg string)
}

// SweepPoint is one measured point. Times are continuous time unless the name says iterations;
// the τ fields are NaN (null in JSON through the report writers) when unresolved.
type SweepPoint struct {
	Value         float64            `json:"value"`
	X             float64            `json:"x"`
	Landscape     string             `json:"landscape"`
	LR            float64            `json:"lr"`
	Batch         float64            `json:"batch"`
	Temp          float64            `json:"temp"`
	Plan          Plan               `json:"plan"`
	Particles     int                `json:"particles"`
	Steps         int                `json:"steps"`
	Escaped       int                `json:"escaped"`
	Diverged      int                `json:"diverged"`
	Tau           float64            `json:"tau"`
	TauLo         float64            `json:"tau_lo"`
	TauHi         float64            `json:"tau_hi"`
	TauIterations float64            `json:"tau_iterations"`
	SigmaLogTau   float64            `json:"sigma_log_tau"` // ≈ 1/sqrt(E) (Poisson)
	Resolved      bool               `json:"resolved"`
	Reached       bool               `json:"reached"` // at least TargetEscapes escapes
	Theory        map[string]float64 `json:"theory"`  // τ of every applicable prediction
	Seconds       float64            `json:"seconds"`
	Result        *Result            `json:"-"`
	Problem       *Problem           `json:"-"`
}

// LogTau is ln τ̂ (NaN when unresolved).
func (pt SweepPoint) LogTau() float64 { return math.Log(pt.Tau) }

// SweepResult is a finished sweep.
type SweepResult struct {
	Name   string             `json:"name"`
	Axis   Axis               `json:"axis"`
	Points []SweepPoint       `json:"points"`
	Target int                `json:"target_escapes"`
	Budget float64            `json:"budget"`
	Fit    LineFit            `json:"fit"`    // ln τ̂ against the axis, weights 1/σ²
	Theory map[string]LineFit `json:"theory"` // ln τ of each theory line against the axis
}

// RunSweep measures every value on backends from open.
func RunSweep(ctx context.Context, o SweepOptions, open BackendFactory) (*SweepResult, error) {
	if o.TargetEscapes <= 0 {
		o.TargetEscapes = 100
	}
	if o.Safety <= 0 {
		o.Safety = 2
	}
	if o.Name == "particles" || o.Name == "steps" {
		o.AutoSize = false
	}
	axis, err := NewAxis(o.Axis, o.Name, o.Base.Noise)
	if err != nil {
		return nil, err
	}
	res := &SweepResult{Name: o.Name, Axis: axis, Target: o.TargetEscapes, Budget: o.Budget, Theory: map[string]LineFit{}}
	for i, v := range o.Values {
		if ctx.Err() != nil {
			break
		}
		cfg, err := ApplyVary(o.Base, o.Name, v)
		if err != nil {
			return nil, err
		}
		pt, err := MeasurePoint(ctx, cfg, o, open)
		if err != nil {
			return nil, fmt.Errorf("%s=%v: %w", o.Name, v, err)
		}
		pt.Value = v
		pt.X = axis.Of(pt.Problem, v)
		res.Points = append(res.Points, *pt)
		if o.Progress != nil {
			o.Progress(fmt.Sprintf("[%d/%d] %s=%g: %d escaped of %d × %d iterations, τ̂ = %.4g (%.1f s)",
				i+1, len(o.Values), o.Name, v, pt.Escaped, pt.Particles, pt.Steps, pt.Tau, pt.Seconds))
		}
	}
	res.fit()
	return res, nil
}

// MeasurePoint sizes (PlanSize, with a pilot run when no theory applies) and runs one
// configuration.
func MeasurePoint(ctx context.Context, cfg Config, o SweepOptions, open BackendFactory) (*SweepPoint, error) {
	if o.TargetEscapes <= 0 {
		o.TargetEscapes = 100
	}
	if o.Safety <= 0 {
		o.Safety = 2
	}
	p, err := Prepare(cfg)
	if err != nil {
		return nil, err
	}
	preds := Predictions(p)
	plan := Plan{Particles: cfg.Particles, Steps: cfg.Steps, TauSource: "fixed", Reachable: true}
	if o.AutoSize {
		tau, src := TauGuess(preds)
		if src == "" {
			// Pilot: a tenth of the budget (at most the configured size) with the configured particles.
			pc := cfg
			pc.Steps = max(1, min(cfg.Steps, int(o.Budget/10/float64(cfg.Particles))))
			if o.Budget <= 0 {
				pc.Steps = cfg.Steps
			}
			pp, err := Prepare(pc)
			if err != nil {
				return nil, err
			}
			r, err := execute(ctx, pp, open)
			if err != nil {
				return nil, fmt.Errorf("pilot run: %w", err)
			}
			tau, src = r.Estimate.Exposure/math.Max(1, float64(r.Estimate.Escaped)), "pilot"
		}
		plan = PlanSize(tau, cfg.LR, cfg.Particles, o.Budget, o.TargetEscapes, o.Safety, relaxationSteps(p))
		plan.TauSource = src
		cfg.Particles, cfg.Steps = plan.Particles, plan.Steps
		p.Config = cfg
	}
	r, err := execute(ctx, p, open)
	if err != nil {
		return nil, err
	}
	pt := pointFrom(r, plan, o.TargetEscapes)
	pt.Problem = p
	return pt, nil
}

func execute(ctx context.Context, p *Problem, open BackendFactory) (*Result, error) {
	b, err := open(p.Config)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	r, err := Execute(ctx, p, b, RunOptions{})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func pointFrom(r *Result, plan Plan, target int) *SweepPoint {
	nan := math.NaN()
	e := r.Estimate
	pt := &SweepPoint{Landscape: r.Config.Landscape, LR: r.Config.LR, Batch: r.Config.Batch, Temp: r.Config.Temp,
		Plan: plan, Particles: r.Particles, Steps: r.Steps, Escaped: e.Escaped, Diverged: r.Diverged,
		Tau: nan, TauLo: e.TauCI95[0], TauHi: e.TauCI95[1], TauIterations: nan, SigmaLogTau: nan,
		Resolved: e.Resolved, Reached: e.Escaped >= target, Theory: map[string]float64{}, Seconds: r.Seconds, Result: r}
	if e.Tau != nil {
		pt.Tau, pt.TauIterations = *e.Tau, *e.TauIterations
		pt.SigmaLogTau = 1 / math.Sqrt(float64(e.Escaped))
	}
	for name, pr := range r.Theory {
		if pr.Tau != nil && isFinite(*pr.Tau) {
			pt.Theory[name] = *pr.Tau
		}
	}
	return pt
}

// fit fills the weighted fit of ln τ̂ and the fits of the theory lines.
func (s *SweepResult) fit() {
	var x, y, w []float64
	names := map[string]bool{}
	for _, pt := range s.Points {
		if pt.Resolved {
			x, y, w = append(x, pt.X), append(y, pt.LogTau()), append(w, 1/(pt.SigmaLogTau*pt.SigmaLogTau))
		}
		for n := range pt.Theory {
			names[n] = true
		}
	}
	s.Fit = FitLine(x, y, w)
	for _, n := range sortedKeys(names) {
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
func (s *SweepResult) TheoryNames() []string {
	names := map[string]bool{}
	for _, pt := range s.Points {
		for n := range pt.Theory {
			names[n] = true
		}
	}
	return sortedKeys(names)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
