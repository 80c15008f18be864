package ffs

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/jsonnum"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/rng"
	"github.com/kramers-sim/kramers/host/store"
	"github.com/kramers-sim/kramers/host/survival"
	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// Options configure Run. Zero values take the defaults.
type Options struct {
	// Interfaces are λ_0 < … < λ_n, the last the escape level; nil places them adaptively.
	Interfaces []float64
	// Order is the order parameter λ(θ) in the condition language; "" is the signed distance past
	// the escape surface (DefaultOrder), whose escape level is 0.
	Order string
	// TargetError is the relative standard error of κ̂ aimed at (default 0.1).
	TargetError float64
	// Trials fixes the trials per interface stage (0: from TargetError).
	Trials int
	// FluxTrials is the number of particles of the flux cycles (0: from TargetError).
	FluxTrials int
	// PilotTrials is the size of the pilot ensembles that place the interfaces (default 300).
	PilotTrials int
	// TargetP is the success probability per stage aimed at (default 0.2).
	TargetP float64
	// MaxSteps caps every ensemble run, in iterations (default 2²²).
	MaxSteps int
	// Log, when set, receives a line per stage.
	Log func(format string, args ...any)
	// Checkpoint, when set, receives the run's state after every interface stage but the last.
	Checkpoint func(*store.FFSState) error
	// Resume continues the run saved in a state (from Checkpoint) with its next stage; the
	// problem must be the state's configuration. The state's options replace o's.
	Resume *store.FFSState
}

// ffsStream numbers the streams: stage 0 is the flux (part 0 the relaxation, 1…5 the cycle
// runs), stage k ≥ 1 the interface stage from λ_{k−1}: part j < 2¹⁶ its j-th batch of trials,
// 2¹⁶ + a its a-th pilot, 2²⁰ + j the host-side resampling of batch j (2²⁰ + 2¹⁶ + a of pilot a).
func ffsStream(stage, part int) uint64 { return uint64(stage)<<32 | uint64(part) }

const (
	pilotPart    = 1 << 16
	resamplePart = 1 << 20
	// bootstrapPart (of stage 0) is the host-side stream of the genealogy bootstrap.
	bootstrapPart = 1 << 30
	// bootstrapReplicates is the number of genealogy-bootstrap replicates of Π P_i.
	bootstrapReplicates = 2000
)

// DefaultOrder is the default order parameter of p's escape condition as an expression, with
// escape ⇔ λ > 0: (θ − b)·e − m for the hyperplane, max_i((θ − b_i)·e_i − m_i) over the exits,
// |θ − a| − r for the radius, and for an expression the one landscape.ConditionOrder derives
// (comparisons joined by or/and); other expressions have none (give --order and --interfaces).
func DefaultOrder(p *host.Problem) (string, error) {
	num := func(v float64) string { return "(" + strconv.FormatFloat(v, 'g', -1, 64) + ")" }
	plane := func(b, e []float64, m float64) string {
		var t []string
		for k := range b {
			if e[k] == 0 {
				continue
			}
			t = append(t, fmt.Sprintf("(x%d - %s)*%s", k+1, num(b[k]), num(e[k])))
		}
		return "(" + strings.Join(t, " + ") + " - " + num(m) + ")"
	}
	c := p.Escape
	switch c.Kind {
	case host.EscapeHyperplane:
		return plane(c.Point, c.Normal, c.Margin), nil
	case host.EscapeExits:
		s := ""
		for i, ex := range c.Surfaces {
			if i == 0 {
				s = plane(ex.Point, ex.Normal, ex.Margin)
			} else {
				s = "max(" + s + ", " + plane(ex.Point, ex.Normal, ex.Margin) + ")"
			}
		}
		return s, nil
	case host.EscapeRadius:
		var t []string
		for k := range c.Point {
			t = append(t, fmt.Sprintf("(x%d - %s)^2", k+1, num(c.Point[k])))
		}
		return "(sqrt(" + strings.Join(t, " + ") + ") - " + num(c.Radius) + ")", nil
	case host.EscapeExpression:
		if o, ok := landscape.ConditionOrder(c.Text); ok {
			return o, nil
		}
	}
	return "", inputErr("order", "the escape condition %q has no default order parameter (only comparisons such as 'x > 0.5', joined by or/and, have one); give --order EXPR and --interfaces whose last value is the escape level", c.Text)
}

// ffsOrder is the order parameter of a forward-flux run and its escape level: the user's --order
// with the last of --interfaces; the user's --order alone, when it is an increasing affine function
// c·λ₀ + k (c > 0) of the escape condition's own order parameter λ₀ (then k is the level: --order x
// with --escape 'x > 0.5' climbs x up to 0.5); or λ₀ itself with level 0.
func ffsOrder(p *host.Problem, o Options) (order string, level float64, err error) {
	if o.Order != "" && len(o.Interfaces) > 0 {
		return o.Order, o.Interfaces[len(o.Interfaces)-1], nil
	}
	def, err := DefaultOrder(p)
	if err != nil || o.Order == "" {
		return def, 0, err
	}
	user, err := p.ParseOrder(o.Order)
	if err != nil {
		return "", 0, inputErr("order", "%q: %v", o.Order, err)
	}
	own, err := p.ParseOrder(def)
	if err != nil {
		return "", 0, fmt.Errorf("ffs: the escape condition's order parameter %q: %w", def, err)
	}
	if level, ok := affineLevel(user.Func(), own.Func(), p); ok {
		return o.Order, level, nil
	}
	return "", 0, inputErr("order", "%q is not an increasing function c·λ + k of the escape condition's order parameter λ = %q, so its escape level is unknown; give --interfaces λ_0,…,λ_n whose last value is the level of %q at which a particle has escaped", o.Order, def, o.Order)
}

// affineLevel tests whether user = c·own + k with c > 0 at the start, the minimum and 64 points of
// a fixed stream in a box of half-width max(1, 2‖b − a‖) around a (fitted by least squares, every
// residual within 10⁻⁹ of the values' scale), and returns k: the level of user where own crosses 0.
func affineLevel(user, own func([]float64) float64, p *host.Problem) (float64, bool) {
	a := p.Analysis.Minimum
	r := 1.0
	if b := p.Analysis.Saddle; len(b) == len(a) {
		r = math.Max(r, 2*floats.Distance(a, b, 2))
	}
	pts := [][]float64{p.Start, a}
	rng := rand.New(rand.NewPCG(0x6b72616d, 0x6f726465)) // fixed: the test is a pure function of p
	for i := 0; i < 64; i++ {
		x := make([]float64, len(a))
		for k := range x {
			x[k] = a[k] + r*(2*rng.Float64()-1)
		}
		pts = append(pts, x)
	}
	var us, vs []float64
	for _, x := range pts {
		if u, v := user(x), own(x); !math.IsNaN(u) && !math.IsNaN(v) && !math.IsInf(u, 0) && !math.IsInf(v, 0) {
			us, vs = append(us, u), append(vs, v)
		}
	}
	if len(us) < 3 {
		return 0, false
	}
	k, c := stat.LinearRegression(vs, us, nil, false)
	if !(c > 0) {
		return 0, false
	}
	for i := range us {
		if math.Abs(us[i]-c*vs[i]-k) > 1e-9*math.Max(1, math.Max(math.Abs(us[i]), math.Abs(vs[i]))) {
			return 0, false
		}
	}
	return k, true
}

// CheckOptions checks what the user gave: ascending finite interfaces, an order parameter that
// parses, --interfaces with --order, a target error in (0, 1).
func CheckOptions(p *host.Problem, o Options) error {
	for i, v := range o.Interfaces {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return inputErr("interfaces", "value %d is not a finite number", i+1)
		}
		if i > 0 && !(v > o.Interfaces[i-1]) {
			return inputErr("interfaces", "must be strictly ascending (λ_0 < λ_1 < … < λ_n), but %g follows %g", v, o.Interfaces[i-1])
		}
	}
	if o.Order != "" {
		if len(o.Interfaces) == 1 {
			return inputErr("interfaces", "give at least two interfaces λ_0,…,λ_n (the last the escape level), or none to place them adaptively")
		}
		if _, _, err := ffsOrder(p, o); err != nil {
			return err
		}
	} else if n := len(o.Interfaces); n > 0 && o.Interfaces[n-1] > 0 {
		return inputErr("interfaces", "the last interface %g lies past the escape level 0 of the default order parameter (the signed distance past the escape surface); end the list at 0 or below", o.Interfaces[n-1])
	}
	if o.TargetError != 0 && !(o.TargetError > 0 && o.TargetError < 1) {
		return inputErr("target-error", "%g is not a relative error in (0, 1), such as 0.1", o.TargetError)
	}
	return nil
}

type ffsRun struct {
	ctx      context.Context
	p        *host.Problem
	b        host.Backend
	o        Options
	order    string
	lam      func([]float64) float64
	pilotPS  int64
	maxSteps int
}

// ensemble runs the starts (count × dim) under the absorbing condition cond with the Philox seed
// of stream s for the run's step cap, and returns records, positions and the particle-steps taken.
func (f *ffsRun) ensemble(s uint64, cond string, starts []float64) ([]uint32, []float64, int64, error) {
	return f.ensembleFor(f.maxSteps, s, cond, starts)
}

// ensembleFor is ensemble with a cap of steps iterations (the relaxation run's is shorter).
func (f *ffsRun) ensembleFor(steps int, s uint64, cond string, starts []float64) ([]uint32, []float64, int64, error) {
	d := f.p.Dim
	n := len(starts) / d
	esc, err := f.p.ExpressionEscape(cond)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("ffs: stage condition %q: %w", cond, err)
	}
	q := f.trialProblem(rng.StreamSeed(f.p.Config.Seed, s), n, steps, esc)
	if err := f.b.Load(q, 0, n); err != nil {
		return nil, nil, 0, fmt.Errorf("load %d trials on %s: %w", n, f.b.Name(), err)
	}
	rec := make([]uint32, n)
	for i := range rec {
		rec[i] = host.Running
	}
	if err := f.b.Restore(starts, rec); err != nil {
		return nil, nil, 0, err
	}
	st, err := host.Loop(f.ctx, q, f.b, host.RunOptions{})
	if err != nil {
		return nil, nil, 0, err
	}
	if st.Interrupted {
		return nil, nil, 0, f.ctx.Err()
	}
	if rec, err = f.b.Records(); err != nil {
		return nil, nil, 0, err
	}
	pos, err := f.b.Positions()
	if err != nil {
		return nil, nil, 0, err
	}
	var ps int64
	for _, r := range rec {
		switch {
		case r == host.Running:
			ps += int64(steps)
		default:
			ps += int64(host.RecordStep(r))
		}
	}
	return rec, pos, ps, nil
}

// trialProblem is the problem of one ensemble of trials: the run's problem with the Philox seed
// seed, n particles, a cap of steps iterations, absorption on, and the stage condition esc as its
// escape. It is built from a copy of the prepared problem, not by host.Prepare of a changed Config,
// because the stage condition (an expression on the order parameter) is no Config field, and
// everything else (landscape, analysis, noise, data) is the run's own: preparing again for each
// of a run's hundreds of ensembles would repeat the landscape's analysis every time.
func (f *ffsRun) trialProblem(seed uint64, n, steps int, esc *host.EscapeCondition) *host.Problem {
	q := *f.p
	q.Config.Seed = seed
	q.Config.Particles, q.Config.First, q.Config.Count = n, 0, 0
	q.Config.Steps, q.Config.Absorb = steps, true
	q.Escape = esc
	return &q
}

// cond is "λ ≥ upper || λ ≤ lower" (lower = NaN: only the upper part).
func (f *ffsRun) cond(upper, lower float64) string {
	s := fmt.Sprintf("(%s) >= %s", f.order, strconv.FormatFloat(upper, 'g', -1, 64))
	if !math.IsNaN(lower) {
		s += fmt.Sprintf(" || (%s) <= %s", f.order, strconv.FormatFloat(lower, 'g', -1, 64))
	}
	return s
}

// resample draws n of the k stored points (count × dim) uniformly with replacement, with the
// host-side stream s: a pure function of the seed.
func (f *ffsRun) resample(points []float64, n int, s uint64) []float64 {
	out, _ := f.resampleIdx(points, n, s)
	return out
}

// resampleIdx is resample that also returns the index of the stored point each draw took.
func (f *ffsRun) resampleIdx(points []float64, n int, s uint64) ([]float64, []int) {
	d := f.p.Dim
	k := len(points) / d
	r := rand.New(rand.NewPCG(rng.StreamSeed(f.p.Config.Seed, s), 0x6b72616d657273))
	out := make([]float64, 0, n*d)
	idx := make([]int, n)
	for i := 0; i < n; i++ {
		j := i
		if n != k {
			j = r.IntN(k)
		}
		idx[i] = j
		out = append(out, points[j*d:(j+1)*d]...)
	}
	return out, idx
}

// outcome classifies the trials of a run between lower and upper: frozen on the upper side
// (success), on the lower side (failure), or neither (capped, or diverged).
func (f *ffsRun) outcome(rec []uint32, pos []float64, upper, lower float64) (succ []float64, nS, nF, nC int, times []float64, ok []bool) {
	d := f.p.Dim
	mid := (upper + lower) / 2
	ok = make([]bool, len(rec))
	for i, r := range rec {
		step, esc := host.Escaped(r)
		if !esc {
			nC++
			continue
		}
		x := pos[i*d : (i+1)*d]
		times = append(times, float64(step))
		if f.lam(x) >= mid {
			nS++
			ok[i] = true
			succ = append(succ, x...)
		} else {
			nF++
		}
	}
	return
}

func meanVar(v []float64) (float64, float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	if len(v) > 1 {
		s /= float64(len(v) - 1)
	}
	return m, s
}

// Run estimates p's escape rate by forward flux sampling on b (docs/theory.md §7). The run is a
// pure function of p.Config.Seed and o.
func Run(ctx context.Context, p *host.Problem, b host.Backend, o Options) (*host.Result, error) {
	if o.Resume != nil {
		return resumeFFS(ctx, p, b, o)
	}
	if err := CheckOptions(p, o); err != nil {
		return nil, err
	}
	o = withFFSDefaults(o)
	start := time.Now()
	f, top, err := newFFSRun(ctx, p, b, o)
	if err != nil {
		return nil, err
	}
	fr := &host.FFSResult{Order: f.order, TargetError: o.TargetError, Adaptive: o.Interfaces == nil,
		Interval: "log-normal: exp(ln κ̂ ± 1.96·σ), σ² = σ_boot² + σ_rel(Φ_0)², σ_boot from a bootstrap of ln Π P_i over the trees rooted at the λ_0 configurations (docs/theory.md §7)"}
	fr.LambdaMin = f.lam(p.Start)
	if !(fr.LambdaMin < top) {
		return nil, inputErr("interfaces", "the order parameter at the start (%g) is not below the escape level %g", fr.LambdaMin, top)
	}
	nf := o.FluxTrials
	if nf == 0 {
		nf = max(1000, int(math.Ceil(10/(o.TargetError*o.TargetError))))
	}
	t0 := time.Now()
	a, err := f.placeBasin(fr.LambdaMin, top, nf)
	if err != nil {
		return nil, err
	}
	fr.SigmaL, fr.LambdaA = a.sigma, a.lamA
	o.Log("ffs: λ(a) = %.4g, σ_λ = %.3g, λ_A = %.4g, λ_0 = %.4g, escape level %.4g", fr.LambdaMin, a.sigma, a.lamA, a.lam0, top)
	flux, cross, err := f.fluxCycles(a, top, nf)
	if err != nil {
		return nil, err
	}
	flux.Seconds = time.Since(t0).Seconds()
	o.Log("ffs: flux: T_a = %.4g, T_b = %.4g iterations, Φ_0 = %.4g per unit time (±%.2g%%)", flux.TA, flux.TB, flux.Phi0, 100*flux.RelErr)
	return f.finish(fr, flux, cross, a.lam0, top, start)
}

// resumeFFS continues the run saved in o.Resume with its next stage, under the state's options.
func resumeFFS(ctx context.Context, p *host.Problem, b host.Backend, o Options) (*host.Result, error) {
	r := o.Resume
	if err := checkFFSState(r, p); err != nil {
		return nil, err
	}
	o.TargetError, o.Trials, o.TargetP, o.MaxSteps = r.TargetError, r.Trials, r.TargetP, r.MaxSteps
	o.Interfaces, o.Order = r.Result.Interfaces, r.Result.Order
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	f := &ffsRun{ctx: ctx, p: p, b: b, o: o, order: r.Result.Order, maxSteps: r.MaxSteps}
	sc, err := p.ParseOrder(f.order)
	if err != nil {
		return nil, inputErr("resume", "order parameter %q: %v", f.order, err)
	}
	f.lam = sc.Func()
	o.Log("ffs: resuming at stage %d of %d", r.Next+1, len(r.Result.Interfaces)-1)
	return f.stages(r, time.Now().Add(-time.Duration(r.Seconds*float64(time.Second))))
}

// checkFFSState checks that the state r is a forward-flux-sampling state of p's configuration
// with a next stage to run.
func checkFFSState(r *store.FFSState, p *host.Problem) error {
	if r.Format != store.FFSStateFormat {
		return inputErr("resume", "not a forward-flux-sampling state (format %q, want %q)", r.Format, store.FFSStateFormat)
	}
	if r.Config.Hash() != p.Config.Hash() {
		return inputErr("resume", "the state belongs to another configuration (%s, hash %s); resume it with its own configuration", r.Config.Landscape, r.Config.Hash())
	}
	if r.Next < 1 || r.Next >= len(r.Result.Interfaces)-1 || len(r.Configs) != len(r.Ancestors)*p.Dim {
		return inputErr("resume", "the state is inconsistent (next stage %d of %d, %d points for %d ancestors)", r.Next+1, len(r.Result.Interfaces)-1, len(r.Configs)/max(p.Dim, 1), len(r.Ancestors))
	}
	return nil
}

// withFFSDefaults fills o's zero values with the defaults documented at Options.
func withFFSDefaults(o Options) Options {
	if o.TargetError == 0 {
		o.TargetError = 0.1
	}
	if o.PilotTrials == 0 {
		o.PilotTrials = 300
	}
	if o.TargetP == 0 {
		o.TargetP = 0.2
	}
	if o.MaxSteps == 0 {
		o.MaxSteps = 1 << 22
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	return o
}

// newFFSRun sets up a fresh run: its order parameter and the escape level top (the last of
// o.Interfaces where given).
func newFFSRun(ctx context.Context, p *host.Problem, b host.Backend, o Options) (*ffsRun, float64, error) {
	f := &ffsRun{ctx: ctx, p: p, b: b, o: o, maxSteps: min(o.MaxSteps, host.MaxSteps)}
	var top float64
	var err error
	if f.order, top, err = ffsOrder(p, o); err != nil {
		return nil, 0, err
	}
	if n := len(o.Interfaces); n > 0 {
		top = o.Interfaces[n-1]
	}
	sc, err := p.ParseOrder(f.order)
	if err != nil {
		return nil, 0, inputErr("order", "%q: %v", f.order, err)
	}
	f.lam = sc.Func()
	return f, top, nil
}

// repeatPoint is n copies of the point x, one after the other.
func repeatPoint(x []float64, n int) []float64 {
	out := make([]float64, 0, n*len(x))
	for i := 0; i < n; i++ {
		out = append(out, x...)
	}
	return out
}

// ffsBasin is the basin A (λ ≤ lamA) and the first interface lam0 of a run, from the spread sigma
// of λ in the relaxed basin; steps are the particle-steps of the relaxation.
type ffsBasin struct {
	sigma, lamA, lam0 float64
	steps             int64
}

// placeBasin relaxes nf particles from the start for 5/(λ_min(H_a)·η) iterations and places the
// basin A and λ_0 from the spread of λ: λ_A = min(λ̄, λ(a) + 0.2·span) + min(σ_λ, 0.2·span) and
// λ_0 = λ_A + min(σ_λ/2, 0.1·span), span = top − λ(a), or λ_0 the first of o.Interfaces.
func (f *ffsRun) placeBasin(lamMin, top float64, nf int) (ffsBasin, error) {
	p, d := f.p, f.p.Dim
	relax := 1000
	if ev := p.Analysis.HessianMinEigenvalues; len(ev) > 0 && ev[0] > 0 {
		relax = int(math.Ceil(5 / (ev[0] * p.Config.LR)))
	}
	relax = min(max(relax, 50), 100000)
	rec, pos, ps, err := f.ensembleFor(relax, ffsStream(0, 0), f.cond(top, math.NaN()), repeatPoint(p.Start, nf))
	if err != nil {
		return ffsBasin{}, err
	}
	var ls []float64
	for i, r := range rec {
		if r == host.Running {
			ls = append(ls, f.lam(pos[i*d:(i+1)*d]))
		}
	}
	lbar, lvar := meanVar(ls)
	sig := math.Sqrt(lvar)
	if len(ls) < 2 || !(sig > 0) {
		sig = 0.05 * (top - lamMin)
		lbar = lamMin
	}
	span := top - lamMin
	lamA := math.Min(lbar, lamMin+0.2*span) + math.Min(sig, 0.2*span)
	lam0 := lamA + math.Min(sig/2, 0.1*span)
	if f.o.Interfaces != nil {
		lam0 = f.o.Interfaces[0]
		if !(lam0 > lamMin) {
			return ffsBasin{}, inputErr("interfaces", "λ_0 = %g must lie above the order parameter at the start (%g)", lam0, lamMin)
		}
		if lamA >= lam0 {
			lamA = lam0 - math.Min(sig, (lam0-lamMin)/2)
		}
	}
	return ffsBasin{sigma: sig, lamA: lamA, lam0: lam0, steps: ps}, nil
}

// fluxCycles is stage 0: renewal cycles (a) A → λ_0, (b) λ_0 → A, as a1 b1 a2 b2 a3 from the
// minimum with nf particles; the flux Φ_0 = 1/((T_a + T_b)·η) from the last (a) and (b). It returns
// the flux (without its seconds) and the last cycle's crossing points of λ_0.
func (f *ffsRun) fluxCycles(a ffsBasin, top float64, nf int) (host.FFSFlux, []float64, error) {
	flux := host.FFSFlux{Particles: nf, ParticleSteps: a.steps}
	starts := repeatPoint(f.p.Start, nf)
	var cross []float64
	var varA, varB float64
	for part := 1; part <= 5; part++ {
		var err error
		if part%2 == 1 {
			cross, starts, err = f.fluxToLambda0(&flux, &varA, part, a, nf, starts)
		} else {
			starts, err = f.fluxBackToA(&flux, &varB, part, a, top, nf, starts)
		}
		if err != nil {
			return flux, nil, err
		}
	}
	cycle := flux.TA + flux.TB
	flux.Phi0 = 1 / (cycle * f.p.Config.LR)
	flux.RelErr = math.Sqrt(varA+varB) / cycle
	return flux, cross, nil
}

// fluxToLambda0 is a part (a) of the flux cycles: starts run until λ ≥ λ_0. It returns the
// crossing points and the next part's starts resampled from them; the last part (5) sets T_a and
// its variance *varA.
func (f *ffsRun) fluxToLambda0(flux *host.FFSFlux, varA *float64, part int, a ffsBasin, nf int, starts []float64) (cross, next []float64, err error) {
	rec, pos, ps, err := f.ensemble(ffsStream(0, part), f.cond(a.lam0, math.NaN()), starts)
	if err != nil {
		return nil, nil, err
	}
	flux.ParticleSteps += ps
	succ, nS, _, nC, times, _ := f.outcome(rec, pos, a.lam0, math.Inf(-1))
	if nS == 0 {
		return nil, nil, fmt.Errorf("ffs: no trajectory from A reached λ_0 = %g within %d iterations", a.lam0, f.maxSteps)
	}
	if part == 5 {
		flux.TA, *varA = meanVar(times)
		*varA /= float64(len(times))
		flux.Capped += nC
	}
	return succ, f.resample(succ, nf, ffsStream(0, resamplePart+part)), nil
}

// fluxBackToA is a part (b) of the flux cycles: starts on λ_0 run until λ ≤ λ_A or escape. It
// returns the next part's starts, resampled from the points back in A; part 4 sets T_b, its
// variance *varB, and the escapes and capped trajectories of the return.
func (f *ffsRun) fluxBackToA(flux *host.FFSFlux, varB *float64, part int, a ffsBasin, top float64, nf int, starts []float64) ([]float64, error) {
	d := f.p.Dim
	rec, pos, ps, err := f.ensemble(ffsStream(0, part), f.cond(top, a.lamA), starts)
	if err != nil {
		return nil, err
	}
	flux.ParticleSteps += ps
	_, nS, nF, nC, times, ok := f.outcome(rec, pos, top, a.lamA)
	if nF == 0 {
		return nil, fmt.Errorf("ffs: no trajectory from λ_0 = %g returned to A (λ ≤ %g)", a.lam0, a.lamA)
	}
	var back []float64
	for i := range rec {
		if _, e := host.Escaped(rec[i]); e && !ok[i] {
			back = append(back, pos[i*d:(i+1)*d]...)
		}
	}
	if part == 4 {
		flux.TB, *varB = meanVar(times)
		*varB /= float64(len(times))
		flux.Escaped, flux.Capped = nS, nC
	}
	return f.resample(back, nf, ffsStream(0, resamplePart+part)), nil
}

// pilot runs PilotTrials trials from configs (resampled with pilot stream a of stage k) to
// level L, and returns the success fraction and the successes' points.
func (f *ffsRun) pilot(k, a int, configs []float64, L, lamA float64) (float64, []float64, error) {
	starts := f.resample(configs, f.o.PilotTrials, ffsStream(k, resamplePart+pilotPart+a))
	rec, pos, ps, err := f.ensemble(ffsStream(k, pilotPart+a), f.cond(L, lamA), starts)
	if err != nil {
		return 0, nil, err
	}
	f.pilotPS += ps
	succ, nS, nF, _, _, _ := f.outcome(rec, pos, L, lamA)
	if nS+nF == 0 {
		return 0, nil, nil
	}
	return float64(nS) / float64(nS+nF), succ, nil
}

// place puts the interfaces above lam0 adaptively: from the pilot configurations at λ_k, the next
// level is bisected between λ_k and the escape level until a pilot's success fraction lies in
// [0.1, 0.35] (the escape level itself is taken once its fraction is ≥ 0.1).
func (f *ffsRun) place(cross []float64, lam0, top, lamA float64) ([]float64, []float64, error) {
	const pLow, pHigh = 0.1, 0.35
	levels, pilotP := []float64{lam0}, []float64{}
	configs := cross
	inc := 0.0
	for k := 0; levels[k] < top; k++ {
		if k >= 64 {
			return nil, nil, fmt.Errorf("ffs: more than 64 interfaces; the event is too rare for this order parameter")
		}
		cur := levels[k]
		lo, hi := cur, top
		L := top
		var acceptL, acceptP float64
		var acceptS []float64
		found := false
		for a := 0; a < 16; a++ {
			pp, succ, err := f.pilot(k+1, a, configs, L, lamA)
			if err != nil {
				return nil, nil, err
			}
			if pp > 0 {
				acceptL, acceptP, acceptS = L, pp, succ
			}
			if (L == top && pp >= pLow) || (pp >= pLow && pp <= pHigh) {
				found = true
				break
			}
			if pp > pHigh {
				lo = L
			} else {
				hi = L
			}
			if a == 0 && inc > 0 && cur+inc < hi && cur+inc > lo {
				L = cur + inc
			} else {
				L = (lo + hi) / 2
			}
			if hi-lo < 1e-9*math.Max(1, math.Abs(top-lam0)) {
				break
			}
		}
		if !found && acceptS == nil {
			return nil, nil, fmt.Errorf("ffs: no pilot trial from λ = %g reached any level above it", cur)
		}
		inc = acceptL - cur
		levels = append(levels, acceptL)
		pilotP = append(pilotP, acceptP)
		configs = acceptS
		f.o.Log("ffs: interface %d at λ = %.5g (pilot P = %.3f)", k+1, acceptL, acceptP)
	}
	return levels, pilotP, nil
}

func (f *ffsRun) finish(fr *host.FFSResult, flux host.FFSFlux, cross []float64, lam0, top float64, start time.Time) (*host.Result, error) {
	levels := f.o.Interfaces
	var pilotP []float64
	if levels == nil {
		var err error
		if levels, pilotP, err = f.place(cross, lam0, top, fr.LambdaA); err != nil {
			return nil, err
		}
	}
	fr.Interfaces = levels
	fr.Flux = flux
	fr.PilotSteps = f.pilotPS
	// The genealogy: Ancestors[j] is the stage-0 crossing point (λ_0 configuration) that stored point
	// j of the current stage descends from.
	st := &store.FFSState{Format: store.FFSStateFormat, Config: f.p.Config, TargetError: f.o.TargetError, Trials: f.o.Trials,
		TargetP: f.o.TargetP, MaxSteps: f.maxSteps, Result: *fr, PilotP: pilotP, Configs: cross,
		NRoots: len(cross) / f.p.Dim, RelVar: flux.RelErr * flux.RelErr, Kappa: flux.Phi0}
	st.Ancestors = make([]int32, st.NRoots)
	for j := range st.Ancestors {
		st.Ancestors[j] = int32(j)
	}
	return f.stages(st, start)
}

// stages runs the interface stages from S.Next on, updating S after each, and assembles the
// Result.
func (f *ffsRun) stages(S *store.FFSState, start time.Time) (*host.Result, error) {
	o := f.o
	fr := &S.Result
	n := len(fr.Interfaces) - 1
	// Trials per stage: the variance budget left after the flux, shared equally among the stages,
	// at each stage's pilot fraction (0.2 without pilots).
	budget := math.Max(o.TargetError*o.TargetError-fr.Flux.RelErr*fr.Flux.RelErr, o.TargetError*o.TargetError/2)
	unresolved := ""
	upper := math.NaN()
	for i := S.Next; i < n; i++ {
		kappa := S.Kappa
		sr, err := f.runStage(S, i, f.stageTrials(S.PilotP, i, n, budget))
		if err != nil {
			return nil, err
		}
		st := sr.stage
		fr.Stages = append(fr.Stages, st)
		o.Log("ffs: stage %d/%d  λ %.5g → %.5g  %d trials  %d successes  %d failures  %d capped  P = %.4g  κ̂ ≈ %.4g /time (flux to λ_%d)  %.1fs",
			st.Stage, n, st.From, st.To, st.Trials, st.Successes, st.Failures, st.Capped, st.P, kappa*st.P, i+1, time.Since(start).Seconds())
		S.Warnings = append(S.Warnings, f.stageWarnings(st)...)
		if float64(st.Capped) > 0.05*float64(st.Trials) && unresolved == "" {
			unresolved = fmt.Sprintf("stage %d: %d of %d trials capped", st.Stage, st.Capped, st.Trials)
		}
		mi := st.Successes + st.Failures
		if st.Successes == 0 {
			upper = kappa * 3 / float64(max(mi, 1))
			unresolved = fmt.Sprintf("stage %d (λ %.4g → %.4g) had no success in %d trials; κ < %.3g per unit time (rule of three)", st.Stage, st.From, st.To, st.Trials, upper)
			break
		}
		S.Kappa = kappa * st.P
		S.RelVar += (1 - st.P) / (st.P * float64(mi))
		S.Configs, S.Ancestors = sr.configs, sr.ancestors
		S.TreeN, S.TreeS = append(S.TreeN, sr.treeN), append(S.TreeS, sr.treeS)
		S.Next = i + 1
		S.Seconds = time.Since(start).Seconds()
		if o.Checkpoint != nil && S.Next < n {
			if err := o.Checkpoint(S); err != nil {
				return nil, fmt.Errorf("ffs: checkpoint after stage %d: %w", st.Stage, err)
			}
		}
	}
	return f.result(S, unresolved, upper, start), nil
}

// stageTrials is the number of trials of stage i of n: o.Trials, or enough for the variance
// budget at the stage's pilot fraction (o.TargetP without pilots), at least 200.
func (f *ffsRun) stageTrials(pilotP []float64, i, n int, budget float64) int {
	if f.o.Trials != 0 {
		return f.o.Trials
	}
	pg := f.o.TargetP
	if pilotP != nil {
		pg = math.Min(math.Max(pilotP[i], 0.05), 0.9)
	}
	return max(200, int(math.Ceil(float64(n)*(1-pg)/(pg*budget))))
}

// ffsStageRun is one finished interface stage: its record, the successes' points (the next
// stage's stored configurations) with their stage-0 roots, and per root the counted trials and
// successes.
type ffsStageRun struct {
	stage        host.FFSStage
	configs      []float64
	ancestors    []int32
	treeN, treeS []int32
}

// runStage runs stage i from the state's stored configurations to λ_{i+1} (or back to λ_A) in
// batches of m trials, repeated up to 8 times while it has fewer than 20 successes.
func (f *ffsRun) runStage(S *store.FFSState, i, m int) (ffsStageRun, error) {
	levels, lamA := S.Result.Interfaces, S.Result.LambdaA
	ts := time.Now()
	sr := ffsStageRun{stage: host.FFSStage{Stage: i + 1, From: levels[i], To: levels[i+1]},
		treeN: make([]int32, S.NRoots), treeS: make([]int32, S.NRoots)}
	st := &sr.stage
	if S.PilotP != nil {
		st.PilotP = S.PilotP[i]
	}
	for batch := 0; batch == 0 || (st.Successes < 20 && batch < 8); batch++ {
		starts, idx := f.resampleIdx(S.Configs, m, ffsStream(i+1, resamplePart+batch))
		rec, pos, ps, err := f.ensemble(ffsStream(i+1, batch), f.cond(levels[i+1], lamA), starts)
		if err != nil {
			return sr, err
		}
		succ, nS, nF, nC, _, ok := f.outcome(rec, pos, levels[i+1], lamA)
		for t, r := range rec {
			if _, e := host.Escaped(r); !e {
				continue
			}
			a := S.Ancestors[idx[t]]
			sr.treeN[a]++
			if ok[t] {
				sr.treeS[a]++
				sr.ancestors = append(sr.ancestors, a)
			}
		}
		st.Trials += len(rec)
		st.Successes += nS
		st.Failures += nF
		st.Capped += nC
		st.ParticleSteps += ps
		st.Batches++
		sr.configs = append(sr.configs, succ...)
	}
	st.Seconds = time.Since(ts).Seconds()
	if mi := st.Successes + st.Failures; mi > 0 {
		st.P = float64(st.Successes) / float64(mi)
	}
	return sr, nil
}

// stageWarnings are the warnings a finished stage gives: repeated batches, capped trials.
func (f *ffsRun) stageWarnings(st host.FFSStage) []host.Warning {
	var out []host.Warning
	if st.Batches > 1 {
		out = append(out, host.Warning{Kind: host.WarnFFS, Message: fmt.Sprintf("stage %d had fewer than 20 successes in %d trials and was run %d times as long", st.Stage, st.Trials/st.Batches, st.Batches)})
	}
	if st.Capped > 0 {
		out = append(out, host.Warning{Kind: host.WarnFFS, Message: fmt.Sprintf("stage %d: %d of %d trials reached neither interface within %d iterations; they count as neither outcome", st.Stage, st.Capped, st.Trials, f.maxSteps)})
	}
	return out
}

// result assembles the Result of a run whose stages are done: the error of κ̂ from the genealogy
// bootstrap and the flux, the estimate (unresolved, with the bound upper, where unresolved says
// why), the theory and the warnings.
func (f *ffsRun) result(S *store.FFSState, unresolved string, upper float64, start time.Time) *host.Result {
	p, fr := f.p, &S.Result
	flux := fr.Flux
	warnings := S.Warnings
	if flux.Capped > 0 {
		warnings = append(warnings, host.Warning{Kind: host.WarnFFS, Message: fmt.Sprintf("flux: %d trajectories reached neither side within %d iterations; left out of T_a, T_b", flux.Capped, f.maxSteps)})
	}
	fr.RelErrBinomial = math.Sqrt(S.RelVar)
	fr.RelErrStages, fr.Trees = f.treeBootstrap(S.TreeN, S.TreeS, S.NRoots)
	fr.RelErr = math.Sqrt(fr.RelErrStages*fr.RelErrStages + flux.RelErr*flux.RelErr)
	if math.IsNaN(fr.RelErr) || len(S.TreeN) == 0 {
		fr.RelErr = fr.RelErrBinomial
	}
	fr.TauBiasRelBias = fr.RelErr * fr.RelErr
	fr.ParticleSteps = flux.ParticleSteps + fr.PilotSteps
	trials := flux.Particles * 6
	for _, st := range fr.Stages {
		fr.ParticleSteps += st.ParticleSteps
		trials += st.Trials
	}
	fr.Seconds = time.Since(start).Seconds()
	escaped := 0
	if len(fr.Stages) > 0 {
		escaped = fr.Stages[len(fr.Stages)-1].Successes
	}
	stab := p.StepStability()
	est := ffsEstimate(S.Kappa, fr.RelErr, p.Config.LR, trials, escaped, unresolved, upper)
	host.FinishEstimate(&est, stab)
	th := host.Predictions(p)
	res := &host.Result{Version: host.Version, Config: p.Config, ConfigHash: p.Config.Hash(), Particles: trials, LR: p.Config.LR,
		Estimate: est, Backend: f.b.Name(), Renderer: f.b.Renderer(), Seconds: fr.Seconds,
		Analysis: p.Analysis, Escape: p.Escape, Noise: p.Noise, Theory: th, Stability: stab,
		Comparisons: ffsCompare(est, fr.RelErr, th), Method: "ffs", FFS: fr, Warnings: warnings}
	if fr.Seconds > 0 {
		res.ParticleStepsPerSecond = float64(fr.ParticleSteps) / fr.Seconds
	}
	if w, ok := host.StabilityWarning(stab); ok {
		res.Warnings = append(res.Warnings, w)
	}
	if w := host.PrecisionWarning(p); w != "" {
		res.Warnings = append(res.Warnings, host.Warning{Kind: host.WarnPrecision, Message: w})
	}
	return res
}

// ffsEstimate is the estimate of a forward-flux-sampling run: the rate kappa (per unit time, step
// eta) with the log-normal interval of σ(ln κ̂) = relErr, or, where unresolved says why (or kappa
// is not positive), no rate and the upper bound upper.
func ffsEstimate(kappa, relErr, eta float64, trials, escaped int, unresolved string, upper float64) survival.Estimate {
	est := survival.Estimate{Particles: trials, Escaped: escaped}
	if unresolved == "" && kappa > 0 {
		sg := relErr
		rate := kappa
		tau := 1 / rate
		tauIt := tau / eta
		est.Rate, est.Tau, est.TauIterations = &rate, &tau, &tauIt
		est.RateCI95 = [2]jsonnum.Number{jsonnum.Number(rate * math.Exp(-1.96*sg)), jsonnum.Number(rate * math.Exp(1.96*sg))}
		est.RateUpper95 = jsonnum.Number(rate * math.Exp(1.645*sg))
		est.TauCI95 = [2]jsonnum.Number{1 / est.RateCI95[1], 1 / est.RateCI95[0]}
		est.Exposure = jsonnum.Number(float64(max(est.Escaped, 1)) / rate)
		est.Resolved = true
		return est
	}
	est.RateCI95 = [2]jsonnum.Number{0, jsonnum.Number(upper)}
	est.RateUpper95 = jsonnum.Number(upper)
	est.TauCI95 = [2]jsonnum.Number{jsonnum.Number(1 / upper), jsonnum.Number(math.Inf(1))}
	est.Exposure = jsonnum.NaN()
	if unresolved == "" {
		unresolved = "no estimate"
	}
	est.Note = "unresolved: " + unresolved
	return est
}

// ffsCompare is compare for a forward-flux-sampling estimate: z = ln(κ̂/κ_theory)/σ with
// σ² = σ(ln κ̂)² + the theory value's own relative error².
func ffsCompare(e survival.Estimate, relErr float64, th map[string]theory.Prediction) map[string]host.Comparison {
	out := map[string]host.Comparison{}
	if !e.Resolved || e.Rate == nil {
		return out
	}
	names := slices.Sorted(maps.Keys(th))
	for _, k := range names {
		t := th[k]
		if t.Rate == nil || !(*t.Rate > 0) {
			continue
		}
		sigma := math.Sqrt(relErr*relErr + t.RelErr*t.RelErr)
		out[k] = host.Comparison{Kind: t.Kind, Ratio: *e.Rate / *t.Rate, Z: math.Log(*e.Rate / *t.Rate) / sigma}
	}
	return out
}

// treeBootstrap is the spread of ln Π P_i under a bootstrap over the genealogy: the trees of
// trials rooted at the nAnc stage-0 configurations are the independent units (docs/theory.md §7).
// A replicate draws nAnc roots with replacement and recomputes every P_i from the trials that
// descend from them; σ_boot is half the 15.87–84.13% range of ln Π P_i* (a replicate with an
// empty stage counts as −∞), which is the standard deviation for a normal ln Π P_i and is not
// undone by a few degenerate replicates. The draws use a host-side stream of their own: the
// run stays a pure function of the seed.
func (f *ffsRun) treeBootstrap(treeN, treeS [][]int32, nAnc int) (float64, int) {
	if len(treeN) == 0 || nAnc == 0 {
		return math.NaN(), 0
	}
	// Only the roots with any counted trial matter; map them to dense indices.
	dense := make([]int32, nAnc)
	var roots []int
	for a := 0; a < nAnc; a++ {
		dense[a] = -1
		for i := range treeN {
			if treeN[i][a] > 0 {
				dense[a] = int32(len(roots))
				roots = append(roots, a)
				break
			}
		}
	}
	ns := len(treeN)
	cn := make([]float64, len(roots)*ns)
	cs := make([]float64, len(roots)*ns)
	for k, a := range roots {
		for i := 0; i < ns; i++ {
			cn[k*ns+i] = float64(treeN[i][a])
			cs[k*ns+i] = float64(treeS[i][a])
		}
	}
	r := rand.New(rand.NewPCG(rng.StreamSeed(f.p.Config.Seed, ffsStream(0, bootstrapPart)), 0x6b72616d657273))
	ln := make([]float64, bootstrapReplicates)
	sn, ss := make([]float64, ns), make([]float64, ns)
	for b := range ln {
		clear(sn)
		clear(ss)
		for j := 0; j < nAnc; j++ {
			k := dense[r.IntN(nAnc)]
			if k < 0 {
				continue
			}
			row := int(k) * ns
			for i := 0; i < ns; i++ {
				sn[i] += cn[row+i]
				ss[i] += cs[row+i]
			}
		}
		v := 0.0
		for i := 0; i < ns; i++ {
			if !(ss[i] > 0) {
				v = math.Inf(-1)
				break
			}
			v += math.Log(ss[i] / sn[i])
		}
		ln[b] = v
	}
	sort.Float64s(ln)
	q := func(x float64) float64 { return ln[min(len(ln)-1, int(x*float64(len(ln))))] }
	return (q(0.8413) - q(0.1587)) / 2, len(roots)
}

// inputErr is a host.InputError naming the flag of the bad value.
func inputErr(flag, format string, args ...any) error {
	return &host.InputError{Flag: flag, Msg: fmt.Sprintf(format, args...)}
}
