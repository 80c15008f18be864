package host

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/kramers-sim/kramers/host/survival"
	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/mat"
)

// Measurement is what one ensemble's first-passage records say about the escape rate, and how it
// compares with theory: the record that run, sweep, reproduce and the live view all print.
type Measurement struct {
	// Estimate is the reported rate: the quasi-stationary rate after the burn-in, or unresolved
	// with a one-line reason (no plateau, too few escapes, an unstable step size).
	Estimate        survival.Estimate
	QuasiStationary survival.QuasiStationary
	Stability       Stability
	Theory          map[string]theory.Prediction
	Comparisons     map[string]Comparison
	Warnings        []Warning
}

// Measurement returns the measurement record r was made from (Summarise copies its fields into the
// Result): the record that sweeps and reproductions read their numbers from.
func (r *Result) Measurement() Measurement {
	return Measurement{Estimate: r.Estimate, QuasiStationary: r.BurnIn, Stability: r.Stability, Theory: r.Theory,
		Comparisons: r.Comparisons, Warnings: r.Warnings}
}

// Comparison is a measured rate against one theory value. Its JSON (MarshalJSON) has the kind and
// the ratio always, z only where the value's own error is bounded (ZBounded), and otherwise
// z_withheld with the reason and the assumption the value rests on (docs/theory.md §4).
type Comparison struct {
	Kind theory.Kind
	// Ratio is κ̂/κ_theory (equivalently τ_theory/τ̂).
	Ratio float64
	// Z is ln(κ̂/κ_theory)/σ with σ² = 1/E + RelErr² (the relative Poisson error of the censored
	// MLE, docs/theory.md §3, and the theory value's own numerical error). It is a verdict on the
	// measurement only when ZBounded(Kind); read it through Verdict.
	Z float64
	// Assumption is what an approximate or asymptotic value rests on (its reason, else its
	// formula); empty for the exact kinds.
	Assumption string
	Note       string
}

// ZBounded says whether a theory value of kind k has an error that σ can hold, so that a z
// against it judges the measurement (docs/theory.md §4, "Comparisons"). The exact kinds solve the
// model to a stated numerical accuracy (RelErr). An asymptotic formula errs by its low-noise
// corrections, of relative order noise/barrier (+4% at ΔL/T = 10 for Eyring–Kramers, §4.1), and
// an approximate value by its modelling step (the path value was 10× off on a 2-D tilted well
// with anisotropic data noise, §4.6): neither error is bounded in σ, so z would grow as √E against
// a correct measurement. Those values are shown with their ratio and their assumption instead.
func ZBounded(k theory.Kind) bool {
	return k == theory.ExactDiscrete || k == theory.ExactContinuous
}

// Verdict returns z and true where it judges the measurement (ZBounded), else 0 and false.
func (c Comparison) Verdict() (float64, bool) {
	if !ZBounded(c.Kind) {
		return 0, false
	}
	return c.Z, true
}

// ZWithheld is why c has no z (empty where it has one): the kind, what its error is, and the
// assumption the value rests on.
func (c Comparison) ZWithheld() string {
	var why string
	switch {
	case ZBounded(c.Kind):
		return ""
	case c.Kind == theory.Asymptotic:
		why = "asymptotic: a low-noise limit, off by corrections of relative order noise/barrier (docs/theory.md §4.1) that σ does not hold"
	case c.Kind == theory.Approximate:
		why = "approximate: the error of its modelling step is not bounded"
	default:
		why = string(c.Kind) + ": the value's error is not bounded"
	}
	if c.Assumption != "" {
		why += "; it rests on: " + c.Assumption
	}
	return why
}

// comparisonJSON is the written form of a Comparison: z is omitted (null) where it is withheld.
type comparisonJSON struct {
	Kind      theory.Kind `json:"kind"`
	Ratio     float64     `json:"ratio"`
	Z         *float64    `json:"z,omitempty"`
	ZWithheld string      `json:"z_withheld,omitempty"`
	Note      string      `json:"note,omitempty"`
}

// MarshalJSON writes kind, ratio, z or z_withheld, and the note.
func (c Comparison) MarshalJSON() ([]byte, error) {
	out := comparisonJSON{Kind: c.Kind, Ratio: c.Ratio, Note: c.Note}
	if z, ok := c.Verdict(); ok {
		out.Z = &z
	} else {
		out.ZWithheld = c.ZWithheld()
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON wrote (merge and sweep read results back); the assumption
// stays inside z_withheld's text.
func (c *Comparison) UnmarshalJSON(b []byte) error {
	var in comparisonJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*c = Comparison{Kind: in.Kind, Ratio: in.Ratio, Note: in.Note}
	if in.Z != nil {
		c.Z = *in.Z
	}
	return nil
}

// Too-small and O(η) thresholds of the warnings, stated where they are used.
const (
	// minEscapesPrecise is the escape count below which the warning "too small" is given: with
	// fewer than 100 escapes the relative error 1/√E exceeds 10%.
	minEscapesPrecise = 100
	// biasEtaLambda is the η·λ_max above which a continuous-time comparison gets the O(η) caution:
	// docs/theory.md §4.3 measured −13% at η·H_a = 0.06 and −6% at 0.03 on pwq.
	biasEtaLambda = 0.01
)

// Measure turns a tally of first-passage records after `iterations` iterations into the
// reported estimate with its checks. predictions are Predictions(p), computed once by the caller.
func Measure(p *Problem, t Tally, iterations int, predictions map[string]theory.Prediction) Measurement {
	cfg := p.Config
	m := Measurement{Theory: predictions, Stability: p.StepStability()}
	m.QuasiStationary = survival.EstimateQuasiStationary(t.FirstPassages, t.Live(), iterations, cfg.LR, p.burnInOptions())
	adviseBurnIn(&m.QuasiStationary)
	m.Estimate = m.QuasiStationary.Estimate
	FinishEstimate(&m.Estimate, m.Stability)
	escapedInRelaxation(&m.Estimate, m.QuasiStationary, m.Stability, p.Analysis.HessianMinEigenvalues[0])
	monitoringUnresolved(&m.Estimate, p.Escape.Period())
	if w, ok := StabilityWarning(m.Stability); ok {
		m.Warnings = append(m.Warnings, w)
	}
	if w := PrecisionWarning(p); w != "" {
		m.Warnings = append(m.Warnings, Warning{Kind: WarnPrecision, Message: w})
	}
	m.Warnings = append(m.Warnings, p.EscapeWarnings...)
	if t.Diverged > 0 {
		m.Warnings = append(m.Warnings, divergedWarning(fmt.Sprintf("%d of %d particles diverged before escaping (NaN, Inf or more than %g from the minimum); they are left out of the rate", t.Diverged, t.Particles, p.Bound), m.Stability))
	}
	if t.LateDiverged > 0 {
		m.Warnings = append(m.Warnings, lateDivergedWarning(t.LateDiverged))
	}
	if w, ok := quasiStationaryWarning(m.QuasiStationary); ok {
		m.Warnings = append(m.Warnings, w)
	}
	m.Warnings = append(m.Warnings, estimateWarnings(m.QuasiStationary, m.Estimate)...)
	agreeQuasiStationary(&m.QuasiStationary, m.Estimate, m.Stability)
	var bias []Warning
	m.Comparisons, bias = compare(m.Estimate, m.Theory, p.RunQuestion(), m.Stability, cfg.LR)
	m.Warnings = append(m.Warnings, bias...)
	refutedByExact(&m.Estimate, m.Comparisons)
	agreeQuasiStationary(&m.QuasiStationary, m.Estimate, m.Stability)
	return m
}

// exactRefutation is how far a resolved rate may lie from the exact discrete-time value of its
// own question before the exact value refutes it: 2% (the trust suite's allowance for what the
// burn-in leaves, docs/theory.md §3) plus 4σ (σ the rate's own error with the value's accuracy;
// a correct rate lies beyond 4σ once in 16 000 runs).
const exactRefutationSigmas, exactRefutationRelative = 4.0, 0.02

// refutedByExact withdraws a rate that the exact discrete-time value of the same question refutes.
// That value solves the very chain the run simulates (docs/theory.md §3), so a rate beyond 2% + 4σ
// of it is no rate of the quasi-stationary distribution: the randomized trust suite found such runs
// where a broad flank of the well fills slowly, so the hazard still falls late in the window when
// few particles are left to show it (docs/trust.md). The exact value stays beside the note.
func refutedByExact(e *survival.Estimate, cmp map[string]Comparison) {
	c, ok := cmp["discrete"]
	if !e.Resolved || !ok || c.Kind != theory.ExactDiscrete {
		return
	}
	if math.Abs(c.Z) <= exactRefutationSigmas || math.Abs(c.Ratio-1) <= exactRefutationRelative {
		return
	}
	e.Rate, e.Tau, e.TauIterations, e.Resolved = nil, nil, nil, false
	e.Note = fmt.Sprintf("unresolved: the rate after the burn-in, %.4g times the exact discrete-time value of this very question (z = %+.1f, beyond %g%% + %gσ), is no quasi-stationary rate: "+
		"the window has not reached the quasi-stationary distribution (a part of the basin that fills slowly, so the hazard still falls where few particles are left to show it); "+
		"the exact value (theory discrete) is the rate; to measure it, run a longer window with more particles", c.Ratio, c.Z, 100*exactRefutationRelative, exactRefutationSigmas)
}

// escapedInRelaxation gives the real cause when an estimate is unresolved because nearly every
// particle escaped before the burn-in: at least 90% of the particles at risk, with too few left
// after t0. Escapes that fast take no longer than the well's own relaxation (the burn-in's floor is
// one relaxation time 1/λ_min(H_a), docs/theory.md §3): the escape surface lies inside the spread
// that the noise gives the particles around the minimum, and more particles or a longer run cannot
// help. lmin is λ_min(H_a).
func escapedInRelaxation(e *survival.Estimate, q survival.QuasiStationary, st Stability, lmin float64) {
	live := q.Window.Particles
	if e.Resolved || st.Unstable || live == 0 || e.Escaped >= survival.MinEscapesResolved || float64(q.RemovedEscapes) < 0.9*float64(live) {
		return
	}
	e.Note = fmt.Sprintf("unresolved: %d of %d particles escaped before the burn-in t0 = %.3g (%d iterations; the relaxation time 1/λ_min(H_a) is %.3g), %d after it: "+
		"the escape surface lies inside the noise's own spread around the minimum, so escaping it is no rare event; put the escape condition farther from the minimum (the default lies beyond the saddle) or lower the noise",
		q.RemovedEscapes, live, q.BurnInTime, q.BurnIn, 1/lmin, e.Escaped)
}

// agreeQuasiStationary makes the quasi-stationary record say what the reported estimate e says:
// its estimate is e, and under an unstable step its whole-window estimate is unresolved with the
// same reason (there is no metastable well, so no rate of any window). No nested resolved: true
// then stands under a top-level resolved: false in the JSON.
func agreeQuasiStationary(q *survival.QuasiStationary, e survival.Estimate, st Stability) {
	q.Estimate = e
	if st.Unstable {
		FinishEstimate(&q.Window, st)
	}
}

// FinishEstimate makes e the reported estimate: unresolved, with the step-size reason, when the
// step is unstable (no metastable well, so no rate), and every unresolved note starting with
// "unresolved: ".
func FinishEstimate(e *survival.Estimate, st Stability) {
	if st.Unstable {
		e.Rate, e.Tau, e.TauIterations, e.Resolved = nil, nil, nil, false
		e.Note = "unresolved: " + st.Reason()
		return
	}
	if !e.Resolved && !strings.HasPrefix(e.Note, "unresolved") {
		e.Note = "unresolved: " + e.Note
	}
}

// burnInOptions fixes the burn-in: the one given in the configuration, or automatic with the
// floor of relaxationFloor (docs/theory.md §3).
func (p *Problem) burnInOptions() survival.BurnInOptions {
	opt := survival.BurnInOptions{BurnIn: -1}
	if p.Config.BurnIn != nil {
		opt.BurnIn = int(math.Round(*p.Config.BurnIn / p.Config.LR))
		return opt
	}
	opt.MinBurnIn = p.burnInFloor
	return opt
}

// Constants of relaxationFloor.
const (
	// rampResidual is the relative deficit of the hazard that the floor leaves at t0.
	rampResidual = 0.01
	// maxBarrierRatio caps ΔL/D where the noise at the minimum vanishes (sgd-loss at L(a) = 0).
	maxBarrierRatio = 1e4
)

// relaxationFloor is the automatic burn-in's floor in iterations: the time the well needs before
// the escape hazard comes within rampResidual of its quasi-stationary value (docs/theory.md §3).
// Started at a, the ensemble's spread along the well grows toward its stationary value; a
// relative deficit δ of the variance lowers the hazard over a barrier ΔL at diffusion D by about
// the factor exp(−(ΔL/D)·δ), so the hazard is within ε once δ < ε·D/ΔL. Under the linearised step
// θ → θ − η·H_a·θ the deficit decays as c^{2n} after n iterations, c = max_i |1 − η·λ_i(H_a)|, so
// n = ln(ΔL/(D·ε)) / (−2·ln c). In continuous time that is ln(ΔL/(D·ε))/2 relaxation times
// 1/λ_min; the floor was one relaxation time until small ensembles showed the ramp it left
// (1000 particles on doublewell(k=1) at η = 0.2: mean z = −0.66 against the exact discrete value
// over 60 seeds, the ramp lasting 8 iterations where the floor was 1). At least one relaxation time.
func (p *Problem) relaxationFloor() int {
	an := p.Analysis
	ev := an.HessianMinEigenvalues
	if len(ev) == 0 || !(ev[0] > 0) {
		return 0
	}
	eta := p.Config.LR
	oneRelaxation := int(math.Ceil(1 / (ev[0] * eta)))
	c := 0.0
	for _, l := range ev {
		c = math.Max(c, math.Abs(1-eta*l))
	}
	if !(c > 0 && c < 1) {
		return oneRelaxation
	}
	if an.Saddle == nil && an.HessianMin != nil && p.Dim <= maxFloorEigenDim {
		return p.lossRelaxationFloor()
	}
	if an.EscapeDirection == nil {
		return oneRelaxation
	}
	e := an.EscapeDirection
	ratio := maxBarrierRatio
	if d := p.diffusionAlong(an.Minimum, e, quadForm(an.HessianMin, e), an.LossMinimum); d > 0 && an.DeltaL > 0 {
		ratio = math.Min(an.DeltaL/d, maxBarrierRatio)
	}
	n := math.Log(math.Max(ratio, 1)/rampResidual) / (-2 * math.Log(c))
	return max(oneRelaxation, int(math.Ceil(n)))
}

// maxFloorEigenDim is the largest d at which lossRelaxationFloor decomposes H_a with its
// eigenvectors (gonum's EigenSym: about 1 s at d = 513, 75 s at d = 2000 on the 2-core machine);
// above it a trained minimum keeps the floor of one relaxation time of its softest mode.
const maxFloorEigenDim = 1000

// trainedLevelRatio is the escape level above L(a), in units of the stationary mean of L − L(a),
// that lossRelaxationFloor allows for: the pilot proposes about 6 standard deviations (host
// escapecheck.go), and 100 leaves a wide margin.
const trainedLevelRatio = 100

// lossRelaxationFloor is the floor of a trained minimum (a network: no saddle, an escape by loss
// level or distance, docs/theory.md §9). One relaxation time of the softest mode is of no use there:
// λ_min(H_a) is tiny (10⁻⁴ on the d = 513 breast-cancer network), so it would ask for 10⁵ and more
// iterations, while the softest modes carry almost none of the loss's fluctuation. In the
// linearised model mode i (eigenvalue λ_i, diffusion D_i along its eigenvector) holds a stationary
// mean D_i/2 of L − L(a), and its deficit after n iterations decays as c_i^{2n}, c_i = |1 − ηλ_i|.
// The floor is the least n at which the weighted deficit Σ D_i c_i^{2n} / Σ D_i falls below
// rampResidual/trainedLevelRatio: the hazard over a level δ then lies within rampResidual of its
// plateau for every δ up to trainedLevelRatio stationary means (the argument of relaxationFloor
// with ΔL/D replaced by δ over the mean loss excess).
func (p *Problem) lossRelaxationFloor() int {
	an, d, eta := p.Analysis, p.Dim, p.Config.LR
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), an.HessianMin...)), true) {
		return 0
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	weights, rates := make([]float64, 0, d), make([]float64, 0, d)
	total := 0.0
	for i, l := range vals {
		c := math.Abs(1 - eta*l)
		if !(l > 0) || c >= 1 {
			continue
		}
		w := p.diffusionAlong(an.Minimum, mat.Col(nil, i, &vecs), l, an.LossMinimum)
		if !(w > 0) {
			continue
		}
		weights, rates = append(weights, w), append(rates, c*c)
		total += w
	}
	if total == 0 {
		return 0
	}
	deficit := func(n float64) float64 {
		s := 0.0
		for i, w := range weights {
			s += w * math.Pow(rates[i], n)
		}
		return s / total
	}
	target := rampResidual / trainedLevelRatio
	hi := 1.0
	for deficit(hi) > target && hi < 1e9 {
		hi *= 2
	}
	lo := 0.0
	for hi-lo > 1 {
		mid := math.Floor((lo + hi) / 2)
		if deficit(mid) > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return int(hi)
}

// ValueAssumption is what a value of a kind without a bounded error rests on: its reason (which says
// why it is approximate or where it may err), else its formula; empty for the exact kinds.
func ValueAssumption(t theory.Prediction) string {
	if ZBounded(t.Kind) {
		return ""
	}
	if t.Reason != "" {
		return strings.TrimPrefix(t.Reason, "approximate: ")
	}
	return t.Formula
}

// compare returns the comparisons of the estimate e with every theory value that has a rate and
// answers the run's question (a value whose Question is another is never compared; docs/theory.md
// §4), and the bias warning (at most one) when a continuous-time value is more than 3σ away at an
// η·λ_max where the O(η) bias matters.
func compare(e survival.Estimate, th map[string]theory.Prediction, question string, st Stability, lr float64) (map[string]Comparison, []Warning) {
	out := map[string]Comparison{}
	if !e.Resolved || e.Rate == nil {
		return out, nil
	}
	names := slices.Sorted(maps.Keys(th))
	_, haveDiscrete := th["discrete"]
	var warnings []Warning
	for _, k := range names {
		t := th[k]
		if t.Rate == nil || !(*t.Rate > 0) || question != "" && t.Question != "" && t.Question != question {
			continue
		}
		lr0 := math.Log(*e.Rate / *t.Rate)
		sigma := math.Sqrt(1/float64(e.Escaped) + t.RelErr*t.RelErr)
		c := Comparison{Kind: t.Kind, Ratio: *e.Rate / *t.Rate, Z: lr0 / sigma, Assumption: ValueAssumption(t)}
		if t.Kind != theory.ExactDiscrete && st.LambdaMax*lr >= biasEtaLambda {
			c.Note = fmt.Sprintf("a continuous-time value: discrete SGD at η·λ_max = %.3g differs from it by its O(η) bias", st.LambdaMax*lr)
			if haveDiscrete {
				c.Note += "; the exact-discrete value has no such bias"
			} else {
				c.Note += "; use --extrapolate for η → 0"
			}
			if t.Kind == theory.Asymptotic {
				c.Note += "; an asymptotic formula also errs by its own low-noise corrections"
			}
			// Only an exact continuous value isolates the O(η) bias; an asymptotic one far off
			// may be its own error (a modest barrier in noise units).
			if t.Kind == theory.ExactContinuous && math.Abs(c.Z) > 3 && len(warnings) == 0 {
				warnings = append(warnings, Warning{Kind: WarnBias, Message: fmt.Sprintf("the rate differs from the continuous-time %s value by %.1fσ (ratio %.3f) at η·λ_max = %.3g: the O(η) discretisation bias (docs/theory.md §4.3); compare with the exact-discrete value or run --extrapolate", k, c.Z, c.Ratio, st.LambdaMax*lr)})
			}
		}
		out[k] = c
	}
	return out, warnings
}
