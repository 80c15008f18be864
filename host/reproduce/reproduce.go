package reproduce

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/sweep"
)

// Options configure a reproduction.
type Options struct {
	Quick bool
	Out   string
	// Primary runs every case; Reference is the CPU reference of K6.
	Primary, Reference host.BackendFactory
	// Backend names the primary backend in Config.Backend (host.GPU or host.CPU).
	Backend host.BackendKind
	// Scale multiplies every escape target and budget (default 1); tests shrink it.
	Scale float64
	// Cases selects a subset such as {"K1", "K6"}; nil runs all.
	Cases []string
	// Log receives one progress line per measurement (nil: none).
	Log io.Writer
	// Picture, when set, draws one view of the particles per case landscape into Out
	// (cmd wires gpu's headless renderer); nil leaves the report without pictures.
	Picture PictureFunc
}

// Run is one measurement in the report. Times are continuous time; *Iterations are iterations.
// Its numbers are those of the sweep point it was measured as (sweep.Point), which carries the
// run's host.Measurement: the quasi-stationary estimate after the burn-in, its Garwood interval,
// the escapes after the burn-in it is made of, the theory values.
type Run struct {
	Label         string           `json:"label"`
	Landscape     string           `json:"landscape"`
	Noise         string           `json:"noise"`
	LR            F                `json:"lr"`
	Batch         F                `json:"batch,omitempty"`
	Temp          F                `json:"temp,omitempty"`
	Start         []float64        `json:"start,omitempty"`
	Absorb        bool             `json:"absorb"`
	X             F                `json:"x"`
	Particles     int              `json:"particles"`
	Steps         int              `json:"steps"`
	Escaped       int              `json:"escaped"` // after the burn-in: the escapes the rate is made of
	EscapedTotal  int              `json:"escaped_total"`
	Diverged      int              `json:"diverged"`
	BurnIn        F                `json:"burn_in"` // t0
	Resolved      bool             `json:"resolved"`
	Note          string           `json:"note,omitempty"`
	Tau           F                `json:"tau"`
	TauCI95       [2]F             `json:"tau_ci95"`
	TauIterations F                `json:"tau_iterations"`
	Rate          F                `json:"rate"`
	Reached       bool             `json:"reached_target"`
	Target        int              `json:"target_escapes"`
	Plan          sweep.Plan       `json:"plan"`
	Theory        map[string]F     `json:"theory"`
	Seconds       F                `json:"seconds"`
	Backend       host.BackendKind `json:"backend"`
	// pt keeps the point for fits and figures.
	pt *sweep.Point
}

// Case is one K case of the report.
type Case struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Setup   string   `json:"setup"`
	Notes   []string `json:"notes,omitempty"`
	Figures []string `json:"figures,omitempty"`
	Runs    []*Run   `json:"runs"`
	Checks  []*Check `json:"checks"`
	Status  string   `json:"status"` // "run", "not run", "error"
	Error   string   `json:"error,omitempty"`
	Seconds F        `json:"seconds"`
}

// Report is the whole reproduction, written as results.json.
type Report struct {
	Version  string           `json:"version"`
	Backend  host.BackendKind `json:"backend"`
	Renderer string           `json:"renderer"`
	Quick    bool             `json:"quick"`
	Scale    F                `json:"scale"`
	Started  time.Time        `json:"started"`
	Seconds  F                `json:"seconds"`
	Cases    []*Case          `json:"cases"`
}

// Checks lists every check of every case in order.
func (r *Report) Checks() []*Check {
	var out []*Check
	for _, c := range r.Cases {
		out = append(out, c.Checks...)
	}
	return out
}

// Failed counts the checks that failed or errored.
func (r *Report) Failed() int {
	n := 0
	for _, c := range r.Checks() {
		if c.Status == StatusFail || c.Status == StatusError {
			n++
		}
	}
	return n
}

type runner struct {
	ctx    context.Context
	opt    Options
	rep    *Report
	cur    *Case
	budget float64 // particle-steps per point
	target int     // escapes per point for slopes
	many   int     // escapes per point for quadrature comparisons
}

type caseFunc func(r *runner) error

var allCases = []struct {
	id, title string
	fn        caseFunc
}{
	{"K1", "sgld on 1-D landscapes against the exact quadrature", caseK1},
	{"K2", "sgd-hessian on pwq: quadrature and the B/η exponent of Xie et al.", caseK2},
	{"K3", "sharpness k: SGD exponential in 1/k, SGLD τ ∝ 1/k (the headline)", caseK3},
	{"K4", "2-D double well under sgld against Eyring–Kramers", caseK4},
	{"K5", "Zhu et al. 2-D basin: Hessian-shaped against isotropic noise of equal trace", caseK5},
	{"K6", "primary backend against the CPU reference", caseK6},
	{"K7", "sgd-loss on pwq with offset: the power law of Mori et al.", caseK7},
	{"K8", "minima selection on twowell: SGD against SGLD", caseK8},
	{"K9", "the engine against the exact discrete-time rate, short windows included", caseK9},
	{"K10", "basins with several exits: the total rate and each exit's share", caseK10},
	{"K11", "forward flux sampling past where brute force stops, against exact values and brute force", caseK11},
	{"K12", "finite data: true minibatch SGD against sgd-cov, sgd-hessian and theory on a one-neuron regression", caseK12},
}

// CaseIDs lists the case identifiers in order.
func CaseIDs() []string {
	var ids []string
	for _, c := range allCases {
		ids = append(ids, c.id)
	}
	return ids
}

// Execute runs the selected cases and writes the report files into opt.Out (when not empty).
func Execute(ctx context.Context, opt Options) (*Report, error) {
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	if opt.Backend == "" {
		opt.Backend = host.GPU
	}
	if opt.Primary == nil {
		return nil, fmt.Errorf("reproduce: no primary backend")
	}
	rep := &Report{Version: host.Version, Backend: opt.Backend, Quick: opt.Quick, Scale: F(opt.Scale), Started: time.Now()}
	r := &runner{ctx: ctx, opt: opt, rep: rep}
	// Sizes (docs/theory.md §3: σ(ln τ̂) ≈ 1/sqrt(E)). Quick: E ≈ 600 per slope point (4%), 4000 per
	// quadrature comparison (1.6%); full: 4000 and 20000.
	if opt.Quick {
		r.budget, r.target, r.many = 1.5e9, 600, 4000
	} else {
		r.budget, r.target, r.many = 2e10, 4000, 20000
	}
	r.budget *= opt.Scale
	r.target = max(30, int(float64(r.target)*opt.Scale))
	r.many = max(50, int(float64(r.many)*opt.Scale))
	if b, err := opt.Primary(host.DefaultConfig()); err == nil {
		rep.Renderer = b.Renderer()
		b.Close()
	} else {
		return nil, err
	}
	want := map[string]bool{}
	for _, c := range opt.Cases {
		want[strings.ToUpper(strings.TrimSpace(c))] = true
	}
	for _, c := range allCases {
		cs := &Case{ID: c.id, Title: c.title, Status: "run"}
		rep.Cases = append(rep.Cases, cs)
		if len(want) > 0 && !want[c.id] {
			cs.Status = StatusNotRun
			cs.Notes = append(cs.Notes, "not selected")
			continue
		}
		r.cur = cs
		r.logf("%s: %s", c.id, c.title)
		t0 := time.Now()
		if err := c.fn(r); err != nil {
			cs.Status, cs.Error = StatusError, err.Error()
			cs.Checks = append(cs.Checks, &Check{Case: c.id, Name: c.id + " run", Claim: c.title, Status: StatusError, Note: err.Error(),
				Measured: nan(), Sigma: nan(), Predicted: nan()})
			r.logf("%s: error: %v", c.id, err)
		}
		cs.Seconds = F(time.Since(t0).Seconds())
		interrupted := ctx.Err() != nil
		for _, ch := range cs.Checks {
			ch.Case = c.id
			ch.Evaluate()
			if interrupted && ch.Status == StatusFail {
				// The runs after the signal stopped at once: a check on them measured nothing.
				ch.Status, ch.Note = StatusNotRun, strings.TrimPrefix(ch.Note+"; interrupted during this case: its runs did not finish", "; ")
			}
			r.logf("  %-5s %-8s %s", c.id, ch.Status, ch.Name)
		}
		if ctx.Err() != nil {
			break
		}
	}
	r.addPictures()
	rep.Seconds = F(time.Since(rep.Started).Seconds())
	if opt.Out != "" {
		if err := Write(rep, opt.Out); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (r *runner) logf(format string, args ...any) {
	if r.opt.Log != nil {
		fmt.Fprintf(r.opt.Log, "[%6.1fs] %s\n", time.Since(r.rep.Started).Seconds(), fmt.Sprintf(format, args...))
	}
}

func (r *runner) note(format string, args ...any) {
	r.cur.Notes = append(r.cur.Notes, fmt.Sprintf(format, args...))
}

func (r *runner) check(c *Check) *Check {
	c.Case = r.cur.ID
	r.cur.Checks = append(r.cur.Checks, c)
	return c
}

// base returns a configuration on the primary backend.
func (r *runner) base(spec string, noise host.NoiseModel, lr float64) host.Config {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR = spec, noise, lr
	cfg.Backend = r.opt.Backend
	cfg.Seed = 20260501
	return cfg
}

// measure sizes cfg for about target escapes with the sweep's rule (sweep.SizeFor's particles,
// about sweep.EscapeFraction of them escaping, and sweep.PlanSize's iterations from the theory τ or
// a pilot run) and runs it on the primary backend.
func (r *runner) measure(label string, cfg host.Config, target int) (*Run, error) {
	return r.measureOn(label, cfg, target, r.opt.Primary, r.opt.Backend)
}

// safety is the planned escapes over the target in reproduce's measurements (sweep.PlanSize).
const safety = 1.3

func (r *runner) measureOn(label string, cfg host.Config, target int, open host.BackendFactory, backend host.BackendKind) (*Run, error) {
	cfg.Backend = backend
	o := sweep.Options{Budget: r.budget, TargetEscapes: target, Safety: safety, AutoSize: true, SizeParticles: true}
	pt, err := sweep.MeasurePoint(r.ctx, cfg, o, open)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	run := newRun(label, pt, target, backend)
	r.cur.Runs = append(r.cur.Runs, run)
	th := ""
	if q, ok := pt.Theory["quadrature"]; ok {
		th = fmt.Sprintf(" (quadrature %.4g)", q)
	}
	mark := ""
	if !pt.Reached {
		mark = fmt.Sprintf(" [below the target of %d escapes within the budget]", target)
	}
	r.logf("  %s: %d/%d escaped in %d iterations (%d after t0 = %.3g), τ̂ = %.4g%s, %.1f s%s", label, pt.EscapedTotal, pt.Particles, pt.Steps,
		pt.Escaped, float64(pt.BurnIn), float64(pt.Tau), th, pt.Seconds, mark)
	return run, nil
}

func newRun(label string, pt *sweep.Point, target int, backend host.BackendKind) *Run {
	cfg := pt.Problem.Config
	run := &Run{Label: label, Landscape: cfg.Landscape, Noise: string(cfg.Noise), LR: F(cfg.LR), Absorb: cfg.Absorb,
		Start: cfg.Start, X: F(pt.X), Particles: pt.Particles, Steps: pt.Steps, Escaped: pt.Escaped, EscapedTotal: pt.EscapedTotal,
		Diverged: pt.Diverged, BurnIn: pt.BurnIn, Resolved: pt.Resolved, Note: pt.Note,
		Tau: pt.Tau, TauCI95: [2]F{pt.TauLo, pt.TauHi}, TauIterations: pt.TauIterations, Rate: pt.Rate,
		Reached: pt.Reached, Target: target, Plan: pt.Plan, Theory: map[string]F{}, Seconds: F(pt.Seconds), Backend: backend, pt: pt}
	if cfg.Noise == host.SGLD {
		run.Temp = F(cfg.Temp)
	} else {
		run.Batch = F(cfg.Batch)
	}
	for k, v := range pt.Theory {
		run.Theory[k] = F(v)
	}
	return run
}

// sigmaRel is the relative statistical uncertainty of τ̂ (and κ̂): 1/sqrt(E), E the escapes after
// the burn-in (docs/theory.md §3).
func (run *Run) sigmaRel() float64 {
	if run.Escaped == 0 {
		return math.Inf(1)
	}
	return 1 / math.Sqrt(float64(run.Escaped))
}

func (run *Run) tau() float64 { return float64(run.Tau) }

func (run *Run) theory(name string) float64 {
	if v, ok := run.Theory[name]; ok {
		return float64(v)
	}
	return math.NaN()
}

// richardson combines τ̂ at η and η/2 into 2τ(η/2) − τ(η) (docs/theory.md §4.3: the bias is close
// to linear in η), with σ² = 4σ(η/2)² + σ(η)².
func richardson(coarse, fine *Run) (tau, sigma float64) {
	t1, t2 := coarse.tau(), fine.tau()
	s1, s2 := t1*coarse.sigmaRel(), t2*fine.sigmaRel()
	return 2*t2 - t1, math.Sqrt(4*s2*s2 + s1*s1)
}

// fitLog fits ln(y(run)) against x(run) with weights 1/σ², σ(ln τ̂) = 1/sqrt(E).
func fitLog(runs []*Run, x func(*Run) float64, y func(*Run) float64) sweep.LineFit {
	var xs, ys, ws []float64
	for _, run := range runs {
		if !run.Resolved {
			continue
		}
		xs, ys, ws = append(xs, x(run)), append(ys, math.Log(y(run))), append(ws, float64(run.Escaped))
	}
	return sweep.FitLine(xs, ys, ws)
}

// decades is log10 of the largest over the smallest resolved τ̂.
func decades(runs []*Run) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, run := range runs {
		if run.Resolved {
			lo, hi = math.Min(lo, run.tau()), math.Max(hi, run.tau())
		}
	}
	return math.Log10(hi / lo)
}
