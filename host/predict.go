package host

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host/theory"
)

// Predictions computes every theory of docs/theory.md §4 that has something to say about p, keyed by
// name. A formula that does not apply is present with a nil τ and the reason; so is a value that
// the configuration's Theory selection leaves out ("not computed").
//
// The values depend on the landscape, the noise, η and the escape condition, not on the ensemble's
// size, so they are computed once per Problem and shared; callers must not modify the map.
func Predictions(p *Problem) map[string]theory.Prediction {
	return PredictionsProgress(p, nil)
}

// PredictionsProgress is Predictions that calls started(name) before it computes each value (the
// first call computes them; later calls return the same map and call nothing). The command line
// shows a progress line from it when the theory takes long (on data, the path value's chain
// evaluates the covariance over every row at each node).
func PredictionsProgress(p *Problem, started func(name string)) map[string]theory.Prediction {
	if p.predictions == nil {
		if started == nil {
			started = func(string) {}
		}
		p.predictions = predictions(p, started)
	}
	return p.predictions
}

// TheoryNames are the values --theory selects from, in order of preference.
var TheoryNames = TheoryPreference

// TheorySelection reads a --theory list: "" or "all" selects every value (nil), "none" selects
// none (an empty map), and a comma-separated list of TheoryNames selects those.
func TheorySelection(s string) (map[string]bool, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return nil, nil
	}
	sel := map[string]bool{}
	if s == "none" {
		return sel, nil
	}
	for _, part := range strings.Split(s, ",") {
		name := strings.TrimSpace(part)
		if !slices.Contains(TheoryNames, name) {
			return nil, fmt.Errorf("%q is not a theory value; give all, none, or a comma-separated list of %s", name, strings.Join(TheoryNames, ", "))
		}
		sel[name] = true
	}
	return sel, nil
}

// notComputed is the entry of a value that the Theory selection leaves out.
func notComputed(name, selection string) theory.Prediction {
	return theory.Prediction{Name: name, Reason: fmt.Sprintf("not computed (--theory %s)", selection)}
}

func predictions(p *Problem, started func(string)) map[string]theory.Prediction {
	an, cfg := p.Analysis, p.Config
	sel, _ := TheorySelection(cfg.Theory) // Config.Validate has checked it
	want := func(name string) bool {
		if sel != nil && !sel[name] {
			return false
		}
		started(name)
		return true
	}
	if an.Saddle == nil {
		return p.trainedPredictions() // a trained minimum: no saddle (host/trained.go)
	}
	out := map[string]theory.Prediction{}
	lb := an.HessianSaddleEigenvalues[0]
	switch {
	case cfg.Noise == SGLD && want("eyring_kramers"):
		out["eyring_kramers"] = theory.EyringKramers(an.HessianMinEigenvalues, an.HessianSaddleEigenvalues, an.DeltaL, cfg.Temp)
	case cfg.Noise == SGDHessian && want("xie"):
		out["xie"] = p.xie(lb)
	case cfg.Noise == SGDLoss && want("mori"):
		out["mori"] = theory.Mori(an.HessianMinEigenvalues, an.HessianSaddleEigenvalues, p.escapeQuadratic(an.HessianMin),
			an.LossMinimum, an.LossSaddle, cfg.Batch, cfg.LR, p.Dim)
	}
	if want("quadrature") {
		out["quadrature"] = p.quadrature()
	}
	split := exitSplit{Right: math.NaN()}
	if want("discrete") {
		out["discrete"], split = p.discrete()
	}
	if p.Escape.Kind == EscapeExits && len(out) > 0 {
		p.exitTheory(out, split) // the basin's totals over its exits replace the single-exit values
		keepSelected(out, sel)
		for _, m := range p.perExit {
			keepSelected(m, sel)
		}
	} else if p.Escape.Kind == EscapeExits { // the exits' own values still get their maps
		p.perExit = make([]map[string]theory.Prediction, len(p.Escape.Surfaces))
		for i := range p.perExit {
			p.perExit[i] = map[string]theory.Prediction{}
		}
	}
	if p.Dim >= 2 && want("path") {
		out["path"] = p.pathPrediction()
	}
	p.askQuestions(out)
	tidy := func(m map[string]theory.Prediction) {
		for k, pr := range m {
			m[k] = p.qualify(pr)
		}
	}
	p.withholdStrictMinimumTheories(out)
	for _, m := range p.perExit {
		p.withholdStrictMinimumTheories(m)
	}
	tidy(out)
	for _, m := range p.perExit {
		tidy(m)
	}
	for _, k := range p.theoryCandidates() { // the values the selection left out
		if _, done := out[k]; !done {
			out[k] = notComputed(k, cfg.Theory)
		}
	}
	return out
}

// keepSelected removes from m the values that the selection sel (nil: all) leaves out: the exits'
// theory (exitTheory) fills in values beside the one asked for.
func keepSelected(m map[string]theory.Prediction, sel map[string]bool) {
	for k := range m {
		if sel != nil && !sel[k] {
			delete(m, k)
		}
	}
}

// theoryCandidates are the values predictions computes for p when every one is selected: the
// asymptotic formula of its noise model, the exact 1-D values, and the path value in d ≥ 2.
func (p *Problem) theoryCandidates() []string {
	names := []string{"quadrature", "discrete"}
	switch p.Config.Noise {
	case SGLD:
		names = append(names, "eyring_kramers")
	case SGDHessian:
		names = append(names, "xie")
	case SGDLoss:
		names = append(names, "mori")
	}
	if p.Dim >= 2 {
		names = append(names, "path")
	}
	return names
}

// xie is Xie et al.'s value for sgd-hessian (docs/theory.md §4.2): exact s only for 1-D pwq.
func (p *Problem) xie(lb float64) theory.Prediction {
	an, cfg := p.Analysis, p.Config
	if p.Landscape.Name == "pwq" && p.Dim == 1 {
		pr := theory.XiePWQ(an.HessianMinEigenvalues[0], math.Abs(lb), an.DeltaL, cfg.Batch, cfg.LR)
		if cfg.Floor > 0 && pr.Tau != nil {
			pr.Reason = "the floor ε is not part of Xie et al.'s formula; compare at ε = 0"
		}
		return pr
	}
	return theory.Prediction{Name: "xie", Kind: theory.Asymptotic, Formula: "docs/theory.md §4.2",
		Reason: "the path-dependent s is exact only for pwq; fit it from a sweep over --batch or --lr (kramers sweep)"}
}

// qualify is the last word on a prediction before anyone reads it. A τ beyond float64 (an
// exponent of thousands of noise units) is no number to compare with: it is withheld, with the
// reason, rather than printed as +Inf or a rate of 0. And under true minibatch noise the "exact"
// discrete chain is the chain of its Gaussian model (sgd-cov), whose steps are Gaussian where
// minibatch steps are not: the value is labelled approximate (docs/theory.md §8).
func (p *Problem) qualify(pr theory.Prediction) theory.Prediction {
	if pr.Tau != nil && (math.IsInf(*pr.Tau, 0) || math.IsNaN(*pr.Tau) || !(*pr.Tau > 0)) ||
		pr.Rate != nil && (math.IsInf(*pr.Rate, 0) || math.IsNaN(*pr.Rate) || !(*pr.Rate > 0)) {
		pr.Tau, pr.Rate, pr.MeanFirstPassage = nil, nil, nil
		pr.Reason = strings.TrimPrefix(pr.Reason+"; the value lies beyond float64 (τ overflows: the barrier is thousands of noise units high); no rate to compare with", "; ")
	}
	if p.Config.Noise == Minibatch && (pr.Kind == theory.ExactDiscrete || pr.Kind == theory.ExactContinuous) {
		// Exact for the Gaussian model of the same covariance, not for the minibatch chain itself.
		what := "the exact chain of the Gaussian model (sgd-cov) at this η"
		if pr.Kind == theory.ExactContinuous {
			what = "exact for the diffusion of the Gaussian model (sgd-cov)"
		}
		pr.Kind = theory.Approximate
		pr.Reason = strings.TrimPrefix(pr.Reason+"; "+what+": true minibatch steps are not Gaussian", "; ")
	}
	if p.Config.Noise == Minibatch && p.Config.Sampling == SampleEpoch && (pr.Tau != nil || pr.Rate != nil) {
		pr.Kind = theory.Approximate
		pr.Reason = strings.TrimPrefix(pr.Reason+"; under sampling epoch the rows of an epoch are drawn without repetition, so the steps' noises are anti-correlated (they sum to a fixed total over an epoch), which every Gaussian model ignores: the value can be far from the run (a tilted well measured 0 escapes against a predicted τ of 860 iterations)", "; ")
	}
	return pr
}

// TheoryPreference is the order in which theory values are preferred where one is shown or used
// alone: the exact value of the discrete chain the simulator runs, then the exact continuous
// limit, then the asymptotic formulas (docs/theory.md §4). The one definition of that order.
var TheoryPreference = []string{"discrete", "quadrature", "xie", "eyring_kramers", "mori", "path"}

// Preferred lists the names of preds in TheoryPreference order, others after them by name.
func Preferred(preds map[string]theory.Prediction) []string {
	rank := map[string]int{}
	for i, k := range TheoryPreference {
		rank[k] = i
	}
	names := slices.Collect(maps.Keys(preds))
	sort.Slice(names, func(i, j int) bool {
		ri, oki := rank[names[i]]
		rj, okj := rank[names[j]]
		if oki != okj {
			return oki
		}
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	return names
}

// escapeQuadratic is eᵀ M e for a row-major d×d matrix M and the escape direction e.
func (p *Problem) escapeQuadratic(m []float64) float64 {
	e := p.Analysis.EscapeDirection
	s := 0.0
	for i := range e {
		for j := range e {
			s += e[i] * m[i*p.Dim+j] * e[j]
		}
	}
	return s
}

// Diffusion1D returns D(θ) of docs/theory.md §1 for a 1-D problem.
func (p *Problem) Diffusion1D() func(float64) float64 {
	cfg, an := p.Config, p.Analysis
	ev := p.Eval
	h := make([]float64, 1)
	x := make([]float64, 1)
	switch cfg.Noise {
	case SGLD:
		return func(float64) float64 { return cfg.Temp }
	case SGDHessian:
		return func(t float64) float64 {
			x[0] = t
			ev.Hessian(x, h)
			return cfg.LR / (2 * cfg.Batch) * (math.Abs(h[0]) + cfg.Floor)
		}
	case SGDHessianMin:
		return func(float64) float64 { return cfg.LR / (2 * cfg.Batch) * an.HessianMin[0] }
	case Minibatch, SGDCov:
		return func(t float64) float64 {
			x[0] = t
			return p.dataDiffusion(x, []float64{1})
		}
	default:
		return func(t float64) float64 {
			x[0] = t
			return cfg.LR / cfg.Batch * ev.Loss(x) * an.HessianMin[0]
		}
	}
}

// reduced1D is a 1-D escape problem in the coordinate u = sign·θ, in which escape is u > UE:
// the drift L'(u), the diffusion D(u), the start, the reflecting wall (NaN: chosen by
// theory.ReflectingBoundary) and the points where L” or D jump (docs/theory.md §3 and §4.3).
// With TwoSided, sign is +1 and Left is an absorbing threshold (escape is also u < Left). The
// exact continuous value (quadrature) and the exact discrete value (discrete) share it.
type reduced1D struct {
	dL, D        theory.Func1D
	U0, UE, Left float64
	TwoSided     bool
	Interval     interval1D // the escape set read as the outside of an interval, in θ
	Breaks       []float64
	QuadTol      float64 // 0: the quadrature's default
}

// reduce1D builds the reduced problem, or says why there is none.
func (p *Problem) reduce1D() (*reduced1D, string) {
	if p.Dim != 1 {
		return nil, "exact values are 1-D only"
	}
	iv, why := p.escapeInterval1D()
	if why != "" {
		return nil, why
	}
	sign, thetaE := 1.0, iv.Hi
	if math.IsInf(iv.Hi, 0) {
		sign, thetaE = -1, iv.Lo
	}
	ev := p.Eval
	d := p.Diffusion1D()
	x := make([]float64, 1)
	g := make([]float64, 1)
	r := &reduced1D{
		dL: func(u float64) float64 {
			x[0] = sign * u
			ev.Gradient(x, g)
			return sign * g[0]
		},
		D:        func(u float64) float64 { return d(sign * u) },
		U0:       sign * p.Start[0],
		UE:       sign * thetaE,
		Left:     math.NaN(), // theory.ReflectingBoundary walks out until Φ has risen by 50
		Interval: iv,
	}
	if iv.twoSided() {
		r.TwoSided, r.Left = true, iv.Lo
	}
	if p.Landscape.Name == "pwq" || p.Landscape.Name == "twowell" {
		// The piecewise landscapes switch formula where their curvature jumps; put panel
		// boundaries (quadrature) and double nodes (discrete chain) there.
		for _, c := range junctions(p) {
			r.Breaks = append(r.Breaks, sign*c)
		}
	}
	if p.Config.Noise == SGDLoss {
		// Loss-proportional noise: Φ grows only like (B/(η·h_a))·ln L, so exp(−Φ) has a power-law
		// tail and the automatic wall lies so far out that the panels cannot resolve the well. Put
		// the wall at 200 well widths w = sqrt(2·L(a)/h_a) left of the start, with panel breaks at
		// geometric distances; the neglected tail is below 1e-8 of the integral for the pwq family
		// with B/(η·h_a) ≥ 2 (checked against a wall twice as far in reproduce's K7).
		ha := p.escapeQuadratic(p.Analysis.HessianMin)
		w := math.Sqrt(2 * math.Max(p.Analysis.LossMinimum, 1e-12) / ha)
		for _, f := range []float64{1, 3, 10, 30, 100} {
			r.Breaks = append(r.Breaks, r.U0-f*w)
		}
		r.QuadTol = 1e-7
		if !r.TwoSided {
			r.Left = r.U0 - 200*w
		}
	}
	return r, ""
}

// quadrature is the exact 1-D mean first-passage time of docs/theory.md §4.3 to the escape point.
func (p *Problem) quadrature() theory.Prediction {
	pr := theory.Prediction{Name: "quadrature", Kind: theory.ExactContinuous, Formula: "exact 1-D mean first-passage time of the η → 0 diffusion, docs/theory.md §4.3"}
	r, why := p.reduce1D()
	if r == nil {
		pr.Reason = why
		return pr
	}
	if r.TwoSided {
		pr.Reason = "the escape set absorbs on both sides (" + r.Interval.text() + "); the exact continuous value of docs/theory.md §4.3 has one absorbing side: the exact-discrete value answers this question"
		return pr
	}
	if p.Config.Noise == SGDHessian && p.Config.Floor == 0 {
		if th, nu, ok := p.inflection(); ok {
			// D = (η/2B)|L''| vanishes at the inflection point θ_i while the drift −L' points back
			// into the well on both sides of it. Near θ_i the diffusion is a Feller (CIR-type)
			// process: from the well side it reaches θ_i only when ν = 2B·L'/(η·|L'''|) < 1, and
			// from θ_i it can only move back, so it never crosses (docs/theory.md §1). The
			// continuous-time escape time is infinite for every ν.
			pr.Reason = fmt.Sprintf("pure sgd-hessian noise vanishes at the inflection point θ = %.4g (ν = 2B·L'/(η·|L'''|) = %.3g), where the drift points back into the well, so the η → 0 diffusion never crosses it and its escape time is infinite (docs/theory.md §1); the discrete chain escapes by finite jumps (see the exact-discrete value), or add --floor ε", th, nu)
			return pr
		}
	}
	for u := r.U0; u < r.UE; u += (r.UE - r.U0) / 64 {
		if v := r.D(u); v <= 0 || math.IsNaN(v) {
			pr.Reason = "D(θ) is not positive between the start and the escape point (docs/theory.md §1: the continuous-time escape time diverges); use --floor"
			return pr
		}
	}
	tau, relErr, err := theory.MeanFirstPassage1D(r.dL, r.D, r.U0, r.UE, r.Left, theory.QuadOptions{Breaks: r.Breaks, Tol: r.QuadTol})
	if err != nil && !errors.Is(err, theory.ErrNotConverged) {
		pr.Reason = err.Error()
		return pr
	}
	// A value that missed the tolerance is kept with the accuracy it reached.
	pr.Tau = &tau
	rate := 1 / tau
	pr.Rate = &rate
	pr.RelErr = relErr
	if relErr > 1e-6 {
		pr.Reason = "estimated relative quadrature error " + formatG(relErr)
	}
	return pr
}

// discrete is the exact value of the discrete chain the simulator runs, at its own η (docs/theory.md
// §3): the quasi-stationary escape rate (1 − λ_max)/η, which the burn-in estimate measures, with
// the mean first-passage time from the start beside it. It has no O(η) bias to allow for. With two
// absorbing sides it also returns the share of the quasi-stationary escapes through the right one
// (1 otherwise), from which each exit's competing-risks rate follows.
func (p *Problem) discrete() (theory.Prediction, exitSplit) {
	pr := theory.Prediction{Name: "discrete", Kind: theory.ExactDiscrete,
		Formula: "quasi-stationary escape rate (1 − λ_max)/η of the discrete chain at this η, by collocation with exact Gaussian weights, docs/theory.md §3"}
	r, why := p.reduce1D()
	if r == nil {
		pr.Reason = why
		return pr, exitSplit{Right: math.NaN()}
	}
	eta := p.Config.LR
	var res theory.ChainResult
	var err error
	if r.TwoSided {
		res, err = theory.DiscreteChain1DTwoSided(r.dL, r.D, eta, r.U0, r.Left, r.UE, theory.ChainOptions{Breaks: r.Breaks})
	} else {
		res, err = theory.DiscreteChain1D(r.dL, r.D, eta, r.U0, r.UE, r.Left, theory.ChainOptions{Breaks: r.Breaks})
	}
	if err != nil && !errors.Is(err, theory.ErrNotConverged) {
		pr.Reason = err.Error()
		return pr, exitSplit{Right: math.NaN()}
	}
	if !(res.QSDEscapeProbability > 0) {
		pr.Reason = fmt.Sprintf("the chain's escape probability per iteration is %g: no escape to compare with", res.QSDEscapeProbability)
		return pr, exitSplit{Right: math.NaN()}
	}
	pr.Formula += "; " + r.Interval.text()
	// A value that missed the tolerance is kept with the accuracy it reached.
	rate := res.QSDEscapeProbability / eta
	tau := 1 / rate
	mfp := res.MeanIterations * eta
	pr.Rate, pr.Tau, pr.MeanFirstPassage = &rate, &tau, &mfp
	pr.RelErr = res.QSDRelErr
	if res.QSDRelErr > 1e-3 {
		pr.Reason = fmt.Sprintf("estimated relative error %s (grid of %d nodes)", formatG(res.QSDRelErr), res.Nodes)
	}
	split := exitSplit{Right: res.ShareRight, RelErr: res.ShareRelErr}
	if !r.TwoSided && r.UE != r.Interval.Hi { // one-sided to the left: everything leaves on the left
		split.Right = 0
	}
	return pr, split
}

// exitSplit is the share of the quasi-stationary escapes of a 1-D chain through its right side,
// with its estimated relative error (theory.ChainResult.ShareRight).
type exitSplit struct{ Right, RelErr float64 }

// inflection finds a zero of L” between the start and the saddle of a 1-D problem (where pure
// sgd-hessian noise vanishes, docs/theory.md §1) by a sign scan on 1024 points and bisection, and
// returns it with the exponent 2B·|L'(θ_i)|/(η·|L”'(θ_i)|) (L”' by a central difference).
func (p *Problem) inflection() (theta, exponent float64, ok bool) {
	x, h, g := make([]float64, 1), make([]float64, 1), make([]float64, 1)
	hess := func(t float64) float64 {
		x[0] = t
		p.Eval.Hessian(x, h)
		return h[0]
	}
	grad := func(t float64) float64 {
		x[0] = t
		p.Eval.Gradient(x, g)
		return g[0]
	}
	return p.inflectionOn(hess, grad, p.Start[0], p.Analysis.Saddle[0])
}

// inflectionOn is inflection for a 1-D curvature hess and slope grad on [lo, hi].
func (p *Problem) inflectionOn(hess, grad func(float64) float64, lo, hi float64) (theta, exponent float64, ok bool) {
	const n = 1024
	prev := hess(lo)
	for i := 1; i <= n; i++ {
		t := lo + (hi-lo)*float64(i)/n
		cur := hess(t)
		if prev != 0 && cur != 0 && math.Signbit(cur) != math.Signbit(prev) {
			a, b := t-(hi-lo)/n, t
			for k := 0; k < 60; k++ {
				m := 0.5 * (a + b)
				if math.Signbit(hess(m)) == math.Signbit(prev) {
					a = m
				} else {
					b = m
				}
			}
			theta = 0.5 * (a + b)
			d := 1e-5 * math.Max(1, math.Abs(theta))
			// A jump of L'' across zero (pwq's junction) is no inflection: |L''| stays away from 0,
			// and so does the noise.
			scale := math.Max(math.Abs(hess(lo)), math.Abs(hess(hi)))
			if math.Max(math.Abs(hess(theta-d)), math.Abs(hess(theta+d))) > 1e-3*scale {
				prev = cur
				continue
			}
			third := math.Abs(hess(theta+d)-hess(theta-d)) / (2 * d)
			return theta, 2 * p.Config.Batch * math.Abs(grad(theta)) / (p.Config.LR * third), true
		}
		prev = cur
	}
	return 0, 0, false
}

// junctions are the points where the piecewise catalogue landscapes switch formula
// (catalogue definitions in host/landscape), scaled by the sharpness k.
func junctions(p *Problem) []float64 {
	pr := p.Landscape.Params
	k := pr["k"]
	if k == 0 {
		k = 1
	}
	s := 1 / math.Sqrt(k)
	switch p.Landscape.Name {
	case "pwq":
		ha, hb, a, b := pr["ha"], pr["hb"], pr["a"], pr["b"]
		return []float64{s * (ha*a + hb*b) / (ha + hb)}
	case "twowell":
		hs, hf, hb, dl := pr["hs"], pr["hf"], pr["hb"], pr["dl"]
		xs := -math.Sqrt(2 * dl * (hs + hb) / (hs * hb))
		xf := math.Sqrt(2 * dl * (hf + hb) / (hf * hb))
		return []float64{s * hs * xs / (hs + hb), s * hf * xf / (hf + hb)}
	}
	return nil
}

func formatG(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
