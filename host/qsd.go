package host

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// AutoBurnIn as BurnInOptions.BurnIn chooses the burn-in from the data.
const AutoBurnIn = -1

// BurnInLevel is the level α of the one-sided test of a constant hazard after
// a burn-in. It bounds the rate of a false "no plateau", and of a burn-in
// later than needed, on data whose hazard is constant (EstimateQuasiStationary;
// qsd_test.go measures it).
const BurnInLevel = 0.01

// burnInSplits is the number of splits of the window after a candidate
// burn-in t0 that the constancy test compares: the remaining window is cut at
// its half, quarter, … 1/64. The finest split sets how short a ramp the test
// sees (EstimateQuasiStationary); each doubling of the number of splits
// raises the Bonferroni critical z by only about 0.2 (one-sided at α = 0.01:
// 2.33 at 1 split, 2.58 at 2, 2.81 at 4, 2.94 at 6).
const burnInSplits = 6

// rampBiasTolerance is the largest residual bias of an exponential ramp,
// in standard errors of the rate, that the automatic burn-in accepts. A bias
// of b standard errors leaves the 95% interval a coverage of
// Φ(1.96 − b) + Φ(1.96 + b) − 1, 94% at b = 0.3.
const rampBiasTolerance = 0.3

// DefaultHazardBins is the number of bins of the hazard series when
// BurnInOptions.HazardBins is 0 or negative.
const DefaultHazardBins = 50

// BurnInOptions sets how EstimateQuasiStationary chooses the burn-in t0.
// The zero value gives t0 = 0: the plain whole-window estimate, with the
// constancy test of the hazard reported.
type BurnInOptions struct {
	// BurnIn is a given t0 in iterations when ≥ 0; AutoBurnIn (any
	// negative value) chooses t0 from the data.
	BurnIn int
	// MinBurnIn is a floor on the automatic t0 in iterations, from the
	// landscape's own time scales (for example a few relaxation times
	// 1/(λ_min(H_a)·η)); 0 for none.
	MinBurnIn int
	// HazardBins is the number of bins of the hazard series;
	// DefaultHazardBins when 0 or negative.
	HazardBins int
}

// QuasiStationary is the escape-rate estimate after a burn-in t0, the decay
// rate of the survival once the ensemble has relaxed into the
// quasi-stationary distribution of the basin (theory.md §3, "The
// quasi-stationary rate"). Times are continuous time (iterations × η) unless
// a name says iterations. Its own float fields are finite; HazardPoint
// writes its non-finite ones as null.
type QuasiStationary struct {
	// Estimate is the censored-exponential estimate with the Garwood
	// interval (EstimateFromCounts) on the left-truncated data: the
	// N' particles alive at t0, the E' escapes with fp > t0 and the exposure
	// X' = Σ_{fp>t0} (fp − t0)·η + (N' − E')·(S − t0)·η. Unresolved, with
	// Rate, Tau and TauIterations nil and Note = Reason, when no burn-in
	// is found; its MeanFirstPassage is left out when t0 > 0, as the mean of
	// fp − t0 is not a first-passage time.
	Estimate Estimate `json:"estimate"`
	// BurnIn is t0 in iterations; BurnInTime is t0·η.
	BurnIn     int     `json:"burn_in_iterations"`
	BurnInTime float64 `json:"burn_in_time"`
	// BurnInRule is "automatic" or "given".
	BurnInRule string `json:"burn_in_rule"`
	// Window is the plain whole-window estimate (EstimateRate), for
	// comparison.
	Window Estimate `json:"window"`
	// WindowBias is κ̂_window/κ̂ − 1, how far the plain estimate lies from
	// the quasi-stationary one (negative: the window is too short for the
	// plain estimate); nil unless both are resolved.
	WindowBias *float64 `json:"window_bias"`
	// RemovedEscapes is the number of escapes at fp ≤ t0, which the burn-in
	// leaves out; RemovedFraction is their fraction of all escapes (0 when
	// there are none).
	RemovedEscapes  int     `json:"removed_escapes"`
	RemovedFraction float64 `json:"removed_fraction"`
	// Plateau is true when t0 is Settled (BurnInCandidate): the hazard after
	// t0 is consistent with a constant and a ramp of the measured lag would
	// leave a negligible bias. For the automatic rule, a burn-in was found.
	// For a given one, both checks pass.
	Plateau bool `json:"plateau"`
	// PValue is the Bonferroni-adjusted one-sided p-value of the constancy
	// test at t0 (EstimateQuasiStationary), tested at Level.
	PValue float64 `json:"constancy_p"`
	Level  float64 `json:"constancy_level"`
	// Lag is the candidate's lag ℓ at t0 (BurnInCandidate): the time lost
	// to the ramp, which biases the whole-window rate by about −ℓ/t_max.
	Lag *float64 `json:"lag"`
	// Candidates are the burn-ins tested, ascending; for a given burn-in
	// only that one.
	Candidates []BurnInCandidate `json:"candidates"`
	// Hazard is the hazard against time over the whole window.
	Hazard []HazardPoint `json:"hazard"`
	// Reason says in one line why the estimate is unresolved, when it is.
	Reason string `json:"reason,omitempty"`
	// Warning is set when a given burn-in is not Settled.
	Warning string `json:"warning,omitempty"`
}

// BurnInCandidate is one burn-in t0 and its test of a constant hazard on
// (t0, S].
type BurnInCandidate struct {
	BurnIn int     `json:"burn_in_iterations"`
	Time   float64 `json:"burn_in_time"`
	// AtRisk is N', the particles alive at t0; Escaped is E'.
	AtRisk  int `json:"at_risk"`
	Escaped int `json:"escaped"`
	// Rate is E'/X' per unit time, nil when E' < MinEscapesResolved.
	// Stable rates over a range of t0 are the plateau (theory.md §3).
	Rate *float64 `json:"rate"`
	// Lag is ℓ = t0 + ln(N'/N)/Rate in time units, where the asymptote
	// κ·(t − ℓ) of −ln S(t) meets the time axis: the area of the hazard's
	// deficit 1 − h(t)/κ, the time lost to the ramp; nil with Rate.
	Lag *float64 `json:"lag"`
	// RampBias is the relative bias of Rate that an exponential ramp
	// κ(1 − e^{−t/ℓ}) with this lag leaves after t0; 0 when Lag ≤ 0.
	RampBias float64 `json:"ramp_bias"`
	// PValue is the Bonferroni-adjusted one-sided p-value against a rising
	// hazard; Split is the split iteration whose test gave it (t0 when no
	// split fits).
	PValue float64 `json:"p_value"`
	Split  int     `json:"split_iteration"`
	// Rising is PValue < BurnInLevel: the hazard still rises after t0.
	Rising bool `json:"rising"`
	// Settled is true when t0 passes the automatic rule: not Rising, at
	// least MinEscapesResolved escapes after t0, and RampBias at most
	// rampBiasTolerance standard errors (1/√E').
	Settled bool `json:"settled"`
}

// EstimateQuasiStationary estimates the quasi-stationary escape rate from
// the same data as EstimateRate (1-based first-passage iterations of the
// escaped particles, N particles, S = steps iterations observed, step size
// η) by left truncation at a burn-in t0 (theory.md §3): a particle that
// enters observation alive at t0 contributes h(t)·S(t)/S(t0), so the
// censored-exponential likelihood is κ^E'·exp(−κX') with the exposure
// counted from t0 (Klein & Moeschberger, Survival Analysis, 2nd ed. 2003,
// §3.4). With t0 = 0 the result is EstimateRate's.
//
// The automatic rule. Started at a point, the hazard rises from 0 to its
// plateau κ (relaxation in the well, then the lag from the saddle to the
// escape surface), so the whole-window estimate is biased low by about
// ℓ/t_max, ℓ the lag (BurnInCandidate.Lag). The rule takes the first
// candidate t0 after which the hazard is consistent with a constant and the
// ramp's remainder is small against the statistical error:
//
//   - Candidates are MinBurnIn and the points ⌊S/2^j⌋ above it, j ≥ 1,
//     ascending: 0, 1, 3, 7, …, S/4, S/2. A factor of 2 means an accepted
//     t0 follows a rejected t0/2, and a ramp e^{−t/t_r} seen at t0/2 is
//     smaller at t0 by e^{−t0/(2t_r)}, so the choice does not stop at the
//     edge of detectability as a fine grid would. The last is S/2: beyond,
//     too little window is left to show a plateau.
//   - Test. At t0, "the hazard is constant on (t0, S]" is tested against a
//     rising hazard. The window is split at s_j = t0 + ⌊(S − t0)/2^j⌋,
//     j = 1 … 6 (half, quarter, … 1/64), into (t0, s_j] with E1 escapes and
//     exposure X1 and (s_j, S] with E2, X2. Given n = E1 + E2, a constant
//     hazard makes E1 ~ Binomial(n, X1/(X1+X2)): the exact conditional test
//     of two Poisson rates (Przyborowski & Wileński, Biometrika 31, 313
//     (1940); Lehmann & Romano, Testing Statistical Hypotheses, 3rd ed.,
//     §4.5). The ramp rises, so the test is one-sided, p_j = P(Binomial ≤
//     E1). In discrete time, with X counted in iterations at risk, E1
//     given n is nearer a hypergeometric, less spread than the binomial,
//     so the test errs on the safe side. Over the splits,
//     p = min(1, J·min_j p_j) (Bonferroni); Rising is p < BurnInLevel.
//     The half split compares κ̂(t0) with κ̂(s_1), an efficient estimate
//     with a less biased one (Hausman, Econometrica 46, 1251 (1978)); the
//     finer splits see a ramp short against the window 1/√f times more
//     clearly than the half split does.
//   - Ramp guard. The test is blind to a ramp slow against the window
//     left: its hazard barely changes over (t0, S] yet lies below κ
//     (measured: at t_max = 4.3·t_r, 2²⁰ particles, a t0 = S/2 that passes
//     the test can be 5 standard errors low). So t0 must also leave a small
//     remainder of a ramp of the size the data show: past the ramp,
//     −ln S(t) = κ·(t − ℓ), and the one-mode ramp κ(1 − e^{−t/ℓ}) with that
//     lag (the approach to the quasi-stationary distribution is
//     exponential, at the spectral gap: Collet, Martínez & San Martín,
//     Quasi-Stationary Distributions, Springer 2013) biases the
//     rate after t0 by RampBias = (ℓ/L)·(e^{−t0/ℓ} − e^{−S/ℓ}), L = S − t0.
//     It must be at most 0.3 standard errors (rampBiasTolerance), which
//     keeps the 95% interval's coverage at 94% or more. A ramp that ends
//     sooner for its lag (a delay, then the plateau) is judged as the
//     exponential one would be, which errs on the safe side; a ramp with a
//     longer tail than the exponential is left to the test.
//   - The hypotheses are nested (constant on (t0, S] implies constant on
//     (t0', S] for t0' > t0), and the rule tests them in a fixed order and
//     stops at the first that passes. Such a fixed-sequence procedure
//     holds the family-wise error at α with no multiplicity correction
//     (Maurer, Hothorn & Lehmacher 1995; Westfall & Krishen, J. Stat.
//     Plann. Inference 99, 25 (2001)). On a constant hazard the lag is 0 at
//     t0 = 0, so the rule goes past t0 = 0 with probability at most
//     α = 1%, and a false "no plateau" is at most as likely, whatever E.
//   - Large E makes the rule exacting, as it should: the bias left must
//     be small against the error, which shrinks as 1/√E: the guard needs
//     t0 ≥ ℓ·ln(√E'·ℓ/(0.3·L)), which grows slowly with E.
//
// A candidate needs at least MinEscapesResolved escapes after it; the scan
// stops at the first one with fewer (later ones have fewer still), and the
// estimate is unresolved. When no candidate passes, the estimate on the
// data after the last one is returned unresolved, with its counts and
// interval, and Reason says why and to run longer or give a burn-in.
//
// A given burn-in (opt.BurnIn ≥ 0) is used as it is; its test and guard are
// reported, and a failure sets Warning, not Reason.
func EstimateQuasiStationary(firstPassage []uint32, particles, steps int, eta float64, opt BurnInOptions) QuasiStationary {
	q := QuasiStationary{
		Window:     EstimateRate(firstPassage, particles, steps, eta),
		Level:      BurnInLevel,
		PValue:     1,
		BurnInRule: "automatic",
	}
	if opt.BurnIn >= 0 {
		q.BurnInRule = "given"
	}
	if particles <= 0 || steps < 1 || len(firstPassage) > particles || !(eta > 0) || math.IsInf(eta, 0) {
		q.Estimate = q.Window
		q.Reason = fmt.Sprintf("no estimate: %d particles, %d escaped, %d steps, η = %g", particles, len(firstPassage), steps, eta)
		q.Estimate.Note = q.Reason
		return q
	}
	bins := opt.HazardBins
	if bins <= 0 {
		bins = DefaultHazardBins
	}
	p := newPassages(firstPassage, particles, steps)
	q.Hazard = p.hazard(eta, bins)

	if opt.BurnIn >= 0 {
		c := p.candidate(opt.BurnIn, eta)
		q.Candidates = []BurnInCandidate{c}
		q.truncate(p, c, eta)
		if opt.BurnIn >= steps {
			q.Reason = fmt.Sprintf("the given burn-in of %d iterations is not before the end of the window (%d iterations): give a smaller --burn-in or run longer (--steps)", opt.BurnIn, steps)
			q.Estimate.Note = q.Reason
			return q
		}
		q.Plateau = c.Settled
		if !c.Settled && c.Escaped >= MinEscapesResolved {
			q.Warning = fmt.Sprintf("after the given burn-in t0 = %.4g (%d iterations) %s: the rate may be biased low; give a larger --burn-in or run longer (--steps)", c.Time, c.BurnIn, c.unsettled(eta))
		}
		return q
	}

	for _, t0 := range burnInGrid(steps, opt.MinBurnIn) {
		c := p.candidate(t0, eta)
		q.Candidates = append(q.Candidates, c)
		if c.Escaped < MinEscapesResolved {
			q.truncate(p, c, eta)
			// EstimateFromCounts has marked E' < 10 unresolved.
			q.Reason = fmt.Sprintf("too few escapes after the burn-in t0 = %.4g (%d iterations): %d (< %d); run more particles or longer (--steps)", c.Time, c.BurnIn, c.Escaped, MinEscapesResolved)
			q.Estimate.Note = q.Reason
			return q
		}
		if c.Settled {
			q.truncate(p, c, eta)
			q.Plateau = true
			return q
		}
	}
	if len(q.Candidates) == 0 {
		// MinBurnIn ≥ S: nothing is observed after the floor.
		c := p.candidate(opt.MinBurnIn, eta)
		q.Candidates = []BurnInCandidate{c}
		q.truncate(p, c, eta)
		q.Reason = fmt.Sprintf("the window of %d iterations ends before the minimum burn-in of %d: run longer (--steps)", steps, opt.MinBurnIn)
	} else {
		c := q.Candidates[len(q.Candidates)-1]
		q.truncate(p, c, eta)
		q.Reason = fmt.Sprintf("no plateau of the hazard within the window: after the last burn-in tried, t0 = %.4g, %s; run longer (--steps) or give --burn-in", c.Time, c.unsettled(eta))
	}
	e := &q.Estimate
	e.Rate, e.Tau, e.TauIterations, e.Resolved = nil, nil, nil, false
	e.Note = q.Reason
	q.WindowBias = nil
	return q
}

// unsettled says in a clause why c fails the automatic rule.
func (c BurnInCandidate) unsettled(eta float64) string {
	if c.Rising {
		return fmt.Sprintf("the hazard is still rising at t = %.4g (one-sided p = %.2g < %g)", float64(c.Split)*eta, c.PValue, BurnInLevel)
	}
	if c.Lag != nil && c.Escaped > 0 {
		return fmt.Sprintf("a ramp with the measured lag ℓ = %.3g would still bias the rate by %.2g%% (%.2g standard errors, > %g)", *c.Lag, 100*c.RampBias, c.RampBias*math.Sqrt(float64(c.Escaped)), rampBiasTolerance)
	}
	return fmt.Sprintf("%d escapes are too few (< %d)", c.Escaped, MinEscapesResolved)
}

// truncate sets the estimate and the burn-in fields of q from the data after
// the candidate c.
func (q *QuasiStationary) truncate(p passages, c BurnInCandidate, eta float64) {
	q.BurnIn, q.BurnInTime, q.PValue, q.Lag = c.BurnIn, c.Time, c.PValue, c.Lag
	e, x := p.after(c.BurnIn)
	q.Estimate = EstimateFromCounts(c.AtRisk, e, x, eta)
	if c.BurnIn > 0 {
		q.Estimate.MeanFirstPassage = nil
	}
	q.RemovedEscapes = len(p.fp) - e
	if len(p.fp) > 0 {
		q.RemovedFraction = float64(q.RemovedEscapes) / float64(len(p.fp))
	}
	q.WindowBias = nil
	if q.Window.Rate != nil && q.Estimate.Rate != nil {
		b := *q.Window.Rate / *q.Estimate.Rate - 1
		q.WindowBias = &b
	}
}

// burnInGrid returns the candidate burn-ins in iterations, ascending:
// minBurnIn (0 when negative) and ⌊steps/2^j⌋ > minBurnIn for j ≥ 1; empty
// when minBurnIn ≥ steps.
func burnInGrid(steps, minBurnIn int) []int {
	if minBurnIn < 0 {
		minBurnIn = 0
	}
	if minBurnIn >= steps {
		return nil
	}
	var desc []int
	for t := steps / 2; t > minBurnIn; t /= 2 {
		desc = append(desc, t)
	}
	grid := []int{minBurnIn}
	for i := len(desc) - 1; i >= 0; i-- {
		grid = append(grid, desc[i])
	}
	return grid
}

// passages holds the first passages sorted, with prefix sums, to count the
// escapes and the exposure after any iteration in O(log E).
type passages struct {
	fp        []uint32 // ascending
	cum       []uint64 // cum[i] = Σ fp[:i], exact below 2^64
	particles int
	steps     int
}

func newPassages(firstPassage []uint32, particles, steps int) passages {
	fp := slices.Clone(firstPassage)
	slices.Sort(fp)
	cum := make([]uint64, len(fp)+1)
	for i, v := range fp {
		cum[i+1] = cum[i] + uint64(v)
	}
	return passages{fp: fp, cum: cum, particles: particles, steps: steps}
}

// escapedBy is the number of escapes at fp ≤ t; 0 when t ≤ 0, so that every
// particle is alive at t = 0 (a first passage of 0, which the simulator does
// not write, then counts as an escape at time 0, as in EstimateRate).
func (p passages) escapedBy(t int) int {
	if t <= 0 {
		return 0
	}
	return sort.Search(len(p.fp), func(i int) bool { return int64(p.fp[i]) > int64(t) })
}

// atRisk is the number of particles alive at iteration t.
func (p passages) atRisk(t int) int { return p.particles - p.escapedBy(t) }

// after returns the escapes after iteration t and their exposure from t in
// iterations, Σ_{fp>t} (fp − t) + survivors·(S − t) (none past S). Every
// entry of fp counts as an escape, as in EstimateRate, so after(0) is its
// (E, X) exactly: the sums are integers, exact in float64 below 2^53.
func (p passages) after(t int) (escapes int, exposure float64) {
	k := p.escapedBy(t)
	escapes = len(p.fp) - k
	if t < 0 {
		t = 0
	}
	sum := p.cum[len(p.fp)] - p.cum[k] - uint64(escapes)*uint64(t)
	survivors := p.particles - len(p.fp)
	return escapes, float64(sum) + float64(survivors)*float64(max(p.steps-t, 0))
}

// candidate evaluates the burn-in t0 (EstimateQuasiStationary): the test of
// a constant hazard on (t0, S] against a rising one at the splits
// s_j = t0 + ⌊(S − t0)/2^j⌋, j = 1 … burnInSplits, and the lag and the
// residual bias of an exponential ramp.
func (p passages) candidate(t0 int, eta float64) BurnInCandidate {
	c := BurnInCandidate{BurnIn: t0, Time: float64(t0) * eta, AtRisk: p.atRisk(t0), PValue: 1, Split: t0}
	e, x := p.after(t0)
	c.Escaped = e
	minP, tests := 1.0, 0
	for j := 1; j <= burnInSplits; j++ {
		w := (p.steps - t0) >> j
		if w < 1 {
			break
		}
		s := t0 + w
		e2, x2 := p.after(s)
		e1, x1 := e-e2, x-x2
		tests++
		if e == 0 || !(x1 > 0) {
			continue // no escape, or nobody at risk: p_j = 1
		}
		// One-sided: a rising hazard puts too few escapes before s.
		pj := distuv.Binomial{N: float64(e), P: x1 / x}.CDF(float64(e1))
		if pj < minP {
			minP, c.Split = pj, s
		}
	}
	if tests > 0 {
		c.PValue = math.Min(1, float64(tests)*minP)
	}
	c.Rising = c.PValue < BurnInLevel
	if e < MinEscapesResolved || !(x > 0) || c.AtRisk <= 0 {
		return c
	}
	rate := float64(e) / (x * eta)
	c.Rate = &rate
	// The lag: past the ramp, −ln S(t) = κ·(t − ℓ), so ℓ = t0 + ln(N'/N)/κ̂.
	lag := c.Time + math.Log(float64(c.AtRisk)/float64(p.particles))/rate
	c.Lag = &lag
	if lag > 0 && t0 < p.steps {
		// The deficit of an exponential ramp κ(1 − e^{−t/ℓ}) averaged over
		// (t0, S]: (ℓ/L)·(e^{−t0/ℓ} − e^{−S/ℓ}), L = S − t0 (in time).
		l := float64(p.steps-t0) * eta
		c.RampBias = lag / l * (math.Exp(-c.Time/lag) - math.Exp(-float64(p.steps)*eta/lag))
	}
	c.Settled = !c.Rising && c.RampBias <= rampBiasTolerance/math.Sqrt(float64(e))
	return c
}

// HazardPoint is one bin of the hazard against time: the escapes over the
// exposure of the particles at risk in the bin.
type HazardPoint struct {
	// Start and End bound the bin, iterations (Start, End].
	Start int `json:"start_iteration"`
	End   int `json:"end_iteration"`
	// Time is the midpoint of the bin, (Start + End)·η/2.
	Time float64 `json:"time"`
	// AtRisk is the number of particles alive at Start.
	AtRisk  int `json:"at_risk"`
	Escapes int `json:"escapes"`
	// Exposure is Σ (fp − Start)·η over the escapes in the bin plus
	// (AtRisk − Escapes)·(End − Start)·η.
	Exposure float64 `json:"exposure_time"`
	// Hazard is Escapes/Exposure per unit time, the piecewise-constant
	// hazard's maximum-likelihood value; NaN (null in JSON) with no one at
	// risk.
	Hazard float64 `json:"hazard"`
	// HazardCI95 is the exact (Garwood) 95% interval of the bin's hazard,
	// as in EstimateFromCounts; NaN with no one at risk.
	HazardCI95 [2]float64 `json:"hazard_ci95"`
}

// HazardSeries returns the hazard in bins of equal width over iterations
// 0 … steps: bin k covers (⌊k·S/bins⌉, ⌊(k+1)·S/bins⌉] (rounded, empty
// bins dropped when S < bins). A rising hazard is the ramp that the burn-in
// removes; a flat one is the plateau κ (theory.md §3). Each bin is the
// censored-exponential estimate on the data left-truncated at Start and
// censored at End.
func HazardSeries(firstPassage []uint32, particles, steps int, eta float64, bins int) []HazardPoint {
	if particles <= 0 || steps < 1 || len(firstPassage) > particles {
		return nil
	}
	if bins < 1 {
		bins = 1
	}
	return newPassages(firstPassage, particles, steps).hazard(eta, bins)
}

// hazard is HazardSeries on sorted passages.
func (p passages) hazard(eta float64, bins int) []HazardPoint {
	steps := p.steps
	out := make([]HazardPoint, 0, bins)
	a := 0
	for k := 1; k <= bins; k++ {
		b := int(math.Round(float64(k) * float64(steps) / float64(bins)))
		if b <= a {
			continue
		}
		ea, xa := p.after(a)
		eb, xb := p.after(b)
		if b >= steps {
			eb, xb = 0, 0 // the last bin keeps every later entry, as after(a) does
		}
		h := HazardPoint{Start: a, End: b, Time: float64(a+b) * eta / 2, AtRisk: p.atRisk(a), Escapes: ea - eb}
		est := EstimateFromCounts(h.AtRisk, h.Escapes, xa-xb, eta)
		h.Exposure = est.Exposure
		h.Hazard = float64(h.Escapes) / h.Exposure
		h.HazardCI95 = est.RateCI95
		if h.AtRisk <= 0 || !(h.Exposure > 0) {
			h.Hazard = math.NaN()
		}
		out = append(out, h)
		a = b
	}
	return out
}

// hazardPointJSON is the wire form of HazardPoint, with the float fields
// that may be non-finite as pointers.
type hazardPointJSON struct {
	Start      int         `json:"start_iteration"`
	End        int         `json:"end_iteration"`
	Time       *float64    `json:"time"`
	AtRisk     int         `json:"at_risk"`
	Escapes    int         `json:"escapes"`
	Exposure   *float64    `json:"exposure_time"`
	Hazard     *float64    `json:"hazard"`
	HazardCI95 [2]*float64 `json:"hazard_ci95"`
}

// MarshalJSON writes non-finite numbers as null, since JSON has no Inf or
// NaN.
func (h HazardPoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(hazardPointJSON{
		Start: h.Start, End: h.End, Time: finite(h.Time), AtRisk: h.AtRisk, Escapes: h.Escapes,
		Exposure: finite(h.Exposure), Hazard: finite(h.Hazard),
		HazardCI95: [2]*float64{finite(h.HazardCI95[0]), finite(h.HazardCI95[1])},
	})
}

// UnmarshalJSON reads what MarshalJSON writes; a null becomes NaN.
func (h *HazardPoint) UnmarshalJSON(b []byte) error {
	var v hazardPointJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	nan := math.NaN()
	*h = HazardPoint{
		Start: v.Start, End: v.End, Time: orValue(v.Time, nan), AtRisk: v.AtRisk, Escapes: v.Escapes,
		Exposure: orValue(v.Exposure, nan), Hazard: orValue(v.Hazard, nan),
		HazardCI95: [2]float64{orValue(v.HazardCI95[0], nan), orValue(v.HazardCI95[1], nan)},
	}
	return nil
}
