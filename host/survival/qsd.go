package survival

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/kramers-sim/kramers/host/jsonnum"

	"gonum.org/v1/gonum/stat/distuv"
)

// AutoBurnIn as BurnInOptions.BurnIn chooses the burn-in from the data.
const AutoBurnIn = -1

// BurnInLevel is the family-wise level α of the two-sided test of a constant
// hazard after a burn-in (against a rising and a falling one). It bounds the
// rate of a false rejection at a candidate, and so of a burn-in later than
// needed, on data whose hazard is constant (EstimateQuasiStationary;
// qsd_test.go measures it: 13 of 2000 seeds).
const BurnInLevel = 0.01

// burnInSplits is the number of splits of the window after a candidate
// burn-in t0 that the constancy test compares: the remaining window is cut at
// its half, quarter, … 1/64. The finest split sets how short a ramp the test
// sees (EstimateQuasiStationary). With the trend test and both directions the
// family is 2·(6 + 1) = 14 one-sided tests, so Bonferroni rejects one at
// α/14: the critical z is 3.19 (it was 2.94 for the 6 one-sided splits
// alone; each doubling of the family raises it by only about 0.2).
const burnInSplits = 6

// rampBiasTolerance is the largest upper bound on the residual bias of the
// ramp (BurnInCandidate.RampBias), in standard errors of the rate (1/√E'),
// that the automatic burn-in accepts. A bias of b standard errors leaves the
// 95% interval a coverage of Φ(1.96 − b) + Φ(1.96 + b) − 1: 94% at b = 0.3,
// 92% at b = 0.5. The bound is an upper limit (about one standard error up),
// so the bias it lets through is mostly well below it. 0.3 refused real runs
// whose measured bias was about 0.2 standard errors, as the bound's own noise
// is of that size (EstimateQuasiStationary, "Residual bias").
const rampBiasTolerance = 0.5

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
// quasi-stationary distribution of the basin (docs/theory.md §3, "The
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
	// RestrictedMean is the restricted mean first-passage time over the
	// whole window, E[min(τ, t_max)] = X/N (X the window's exposure): like
	// the survival curve it is defined whatever the survival's shape, so it
	// stays well defined when the rate is not (HazardFalls); it is the mean
	// first-passage time itself only when every particle escaped. nil
	// without an exposure.
	RestrictedMean *float64 `json:"restricted_mean_first_passage"`
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
	// t0 is consistent with a constant and the ramp's deficit measured before
	// t0 leaves a bias small against the error. For the automatic rule, a
	// burn-in was found. For a given one, both checks pass.
	Plateau bool `json:"plateau"`
	// PValue is the Bonferroni-adjusted two-sided p-value of the constancy
	// test at t0 (EstimateQuasiStationary), tested at Level.
	PValue float64 `json:"constancy_p"`
	Level  float64 `json:"constancy_level"`
	// Lag is the candidate's lag ℓ at t0 (BurnInCandidate): the time lost
	// to the ramp, which biases the whole-window rate by about −ℓ/t_max. It
	// is reported, not used by the rule.
	Lag *float64 `json:"lag"`
	// Candidates are the burn-ins tested, ascending; for a given burn-in
	// only that one.
	Candidates []BurnInCandidate `json:"candidates"`
	// Hazard is the hazard against time over the whole window.
	Hazard []HazardPoint `json:"hazard"`
	// Reason says in one line why the estimate is unresolved, when it is: Unresolved's text (and
	// detail), which names no remedy. A caller that knows its own options adds the remedy (host
	// does, naming its flags).
	Reason string `json:"reason,omitempty"`
	// Unresolved is the finding behind Reason (Kind None when resolved); Caution the one behind
	// Warning.
	Unresolved Finding `json:"-"`
	Caution    Finding `json:"-"`
	// ShortWindow is set when the estimate is unresolved because the window is too short for its
	// burn-in: no plateau of the hazard within it, or it ends before the minimum or the given
	// burn-in. Running longer is the remedy; too few escapes is another reason, and does not set
	// it.
	ShortWindow bool `json:"short_window,omitempty"`
	// HazardFalls is set when the hazard was seen to fall after a candidate
	// burn-in and no later one settled: the survival is not one exponential,
	// and Reason says how it falls (EstimateQuasiStationary, "Residual fall").
	HazardFalls bool `json:"hazard_falls,omitempty"`
	// Widened is true when no candidate settled, the last one failed only the guard on the ramp's
	// residual bias, and the rate is reported with the upper end of its interval raised by that
	// bound (widen); Warning then says by how much.
	Widened bool `json:"widened_for_ramp,omitempty"`
	// Warning is set when a given burn-in is not Settled, or when the interval was widened:
	// Caution's text, which names no remedy (as Reason).
	Warning string `json:"warning,omitempty"`
}

// FindingKind names what leaves a quasi-stationary estimate unresolved (Reason) or what its
// Warning is about. The estimator states the finding with its numbers; what to do about it
// depends on the caller's options, so the remedy is the caller's to word.
type FindingKind int

const (
	None FindingKind = iota
	// NoData: no particles, no window, more escapes than particles or no step size.
	NoData
	// FewEscapes: fewer than MinEscapesResolved escapes after the burn-in (more particles or a
	// longer window).
	FewEscapes
	// BeforeMinBurnIn: the window ends before BurnInOptions.MinBurnIn (a longer window).
	BeforeMinBurnIn
	// FallingHazard: the hazard fell after a candidate and no later one settled (HazardFalls): a
	// longer window, or the other exits made part of the escape.
	FallingHazard
	// NoPlateau: no candidate settled within the window (a longer window or a given burn-in).
	NoPlateau
	// BurnInPastWindow: the given burn-in is not before the end of the window (a smaller burn-in
	// or a longer window).
	BurnInPastWindow
	// GivenUnsettled (a warning): the given burn-in fails the automatic rule, so the rate may be
	// biased (a larger burn-in or a longer window).
	GivenUnsettled
	// WidenedForRamp (a warning): the interval was widened for the residual ramp (Widened; a
	// longer window removes it).
	WidenedForRamp
)

// Finding is one finding of EstimateQuasiStationary: its kind, the one-line text with its numbers
// and, for FewEscapes after a fall of the hazard, Detail: how the hazard fell before the burn-in
// ("" otherwise). Reason is Text, followed by "; before it, " and Detail when Detail is set.
type Finding struct {
	Kind   FindingKind
	Text   string
	Detail string
}

// unresolve sets Unresolved, Reason and the estimate's Note from f.
func (q *QuasiStationary) unresolve(f Finding) {
	q.Unresolved = f
	q.Reason = f.Text
	if f.Detail != "" {
		q.Reason += "; before it, " + f.Detail
	}
	q.Estimate.Note = q.Reason
}

// caution sets Caution and Warning from f.
func (q *QuasiStationary) caution(f Finding) {
	q.Caution = f
	q.Warning = f.Text
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
	// Stable rates over a range of t0 are the plateau (docs/theory.md §3).
	Rate *float64 `json:"rate"`
	// Lag is ℓ = t0 + ln(N'/N)/Rate in time units, where the asymptote
	// κ·(t − ℓ) of −ln S(t) meets the time axis: the area of the hazard's
	// deficit 1 − h(t)/κ, the time lost to the ramp; nil with Rate.
	Lag *float64 `json:"lag"`
	// RampBias is an upper bound on the relative bias of Rate (low) that the
	// deficit 1 − h(t)/κ of the hazard leaves after t0, from the deficit
	// measured before t0 and its decay, extrapolated (EstimateQuasiStationary,
	// "Residual bias"); 0 at t0 = 0 and with no escapes to measure it on.
	RampBias float64 `json:"ramp_bias"`
	// TailDeficit is the fitted deficit at t0 and TailTime its fitted decay
	// time (time units). TailTime is nil when no decay is measured: at
	// t0 = 0, or while the hazard is still significantly below half its
	// plateau at t0 (TailDeficit is then the deficit of the last bin).
	TailDeficit float64  `json:"tail_deficit"`
	TailTime    *float64 `json:"tail_time"`
	// ExcessAtBurnIn is the fitted excess h/κ − 1 of the hazard at t0 and
	// ExcessTime its fitted decay time, ExcessBias the upper bound on the
	// relative bias of Rate (high) that the excess leaves after t0
	// (EstimateQuasiStationary, "Residual fall"); measured only after a
	// candidate where the hazard fell, 0 (and ExcessTime nil) otherwise.
	ExcessAtBurnIn float64  `json:"excess_at_burn_in"`
	ExcessTime     *float64 `json:"excess_time"`
	ExcessBias     float64  `json:"excess_bias"`
	// PValue is the Bonferroni-adjusted p-value of the two-sided test of a
	// constant hazard on (t0, S] (the splits and the trend, each against a
	// rising and a falling hazard); Split is the split iteration whose test
	// gave the smallest p (t0 when none did).
	PValue float64 `json:"p_value"`
	Split  int     `json:"split_iteration"`
	// TrendZ is the score statistic of a log-linear trend of the hazard on
	// (t0, S] (passages.trend): negative when escapes come early (a falling
	// hazard); 0 with fewer than two escapes.
	TrendZ float64 `json:"trend_z"`
	// Rising is PValue < BurnInLevel with the smallest p against a rising
	// hazard: the hazard still rises after t0. Falling is the same against a
	// falling hazard: more escape early than a constant hazard predicts.
	Rising  bool `json:"rising"`
	Falling bool `json:"falling"`
	// Settled is true when t0 passes the automatic rule: neither Rising nor
	// Falling, at least MinEscapesResolved escapes after t0, and RampBias and
	// ExcessBias at most rampBiasTolerance standard errors (1/√E').
	Settled bool `json:"settled"`
}

// EstimateQuasiStationary estimates the quasi-stationary escape rate from
// the same data as EstimateRate (1-based first-passage iterations of the
// escaped particles, N particles, S = steps iterations observed, step size
// η) by left truncation at a burn-in t0 (docs/theory.md §3): a particle that
// enters observation alive at t0 contributes h(t)·S(t)/S(t0), so the
// censored-exponential likelihood is κ^E'·exp(−κX') with the exposure
// counted from t0 (Klein & Moeschberger, Survival Analysis, 2nd ed. 2003,
// §3.4). With t0 = 0 the result is EstimateRate's.
//
// The physical model. Started at a point, a particle first relaxes in the
// well (a time of order 1/λ_min(H_a)), then crosses the barrier at the
// quasi-stationary rate κ, then needs a transit time to roll from the saddle
// to the escape surface. With G the distribution function of the two delays
// together, the first passage is that delay plus an Exp(κ) crossing, whose
// density is f = κ·(S − (1 − G)), S the survival. The hazard is therefore
// h = κ·(1 − d) with the deficit d(t) = (1 − G(t))/S(t) ≈ 1 − G(t): a
// sigmoid that rises from 0 to κ as G does and reaches its plateau as
// abruptly as the delay's tail ends, not an exponential ramp. The whole-window
// estimate is biased low by about ℓ/t_max, ℓ = ∫d dt the lag
// (BurnInCandidate.Lag), and the estimate truncated at t0, E'/X', by
// b = ∫_{t0}^{S} d·S dt / ∫_{t0}^{S} S dt: the deficit left after t0,
// weighted by the exposure it meets, ≈ (1/L)·∫_{t0}^{S} d dt, L = S − t0.
// (qsd_test.go draws this model, delayModel, and computes b exactly.)
//
// The automatic rule takes the first candidate t0 after which the hazard is
// consistent with a constant and the deficit left is small against the
// statistical error:
//
//   - Candidates are MinBurnIn and the points ⌊S/2^j⌋ above it, j ≥ 1,
//     ascending, then ⌊3S/4⌋: 0, 1, 3, 7, …, S/4, S/2, 3S/4. A factor of 2
//     means an accepted t0 follows a rejected t0/2, and a deficit e^{−t/τ}
//     seen at t0/2 is smaller at t0 by e^{−t0/(2τ)}, so the choice does not
//     stop at the edge of detectability as a fine grid would. 3S/4 halves the
//     window left once more: a deficit with a light tail falls by
//     e^{−S/(4τ)} from S/2 to 3S/4 while the error grows by √2, which is
//     what a window of a few lags needs (at t_max = 5, 2.7–3.8% of τ, the
//     bias measured at S/2 over ten seeds is 0.4 and 0.6 standard errors
//     for pwq with sgld and with sgd-hessian at 10⁶ particles, and 0.0 and
//     0.1 at 3S/4, ± 0.3). Beyond, too little window is left to test.
//   - Test. At t0, "the hazard is constant on (t0, S]" is tested against a
//     rising and against a falling hazard. The window is split at
//     s_j = t0 + ⌊(S − t0)/2^j⌋, j = 1 … 6 (half, quarter, … 1/64), into
//     (t0, s_j] with E1 escapes and exposure X1 and (s_j, S] with E2, X2.
//     Given n = E1 + E2, a constant hazard makes E1 ~ Binomial(n, X1/(X1+X2)):
//     the exact conditional test of two Poisson rates (Przyborowski &
//     Wileński, Biometrika 31, 313 (1940); Lehmann & Romano, Testing
//     Statistical Hypotheses, 3rd ed., §4.5). A rising hazard puts too few
//     escapes early, P(Binomial ≤ E1); a falling one too many, P(Binomial ≥
//     E1). In discrete time, with X counted in iterations at risk, E1 given n
//     is nearer a hypergeometric, less spread than the binomial, so the test
//     errs on the safe side. A slow trend moves little across any one split,
//     so the family adds the score test of a log-linear hazard e^{a + b·u} on
//     (t0, S] against b = 0 (passages.trend: the score test, locally most
//     powerful against a small b, Cox & Hinkley, Theoretical Statistics,
//     1974; for grouped rates the test for trend of Breslow & Day,
//     Statistical Methods in Cancer Research II, 1987), one-sided in both
//     directions. Over the 2·(J + 1) one-sided
//     p-values, p = min(1, 2·(J + 1)·min p) (Bonferroni), rejected at
//     p < BurnInLevel: Rising or Falling by the side of the smallest. The
//     half split compares κ̂(t0) with κ̂(s_1), an efficient estimate with a
//     less biased one (Hausman, Econometrica 46, 1251 (1978)); the finer
//     splits see a ramp short against the window 1/√f times more clearly
//     than the half split does. A falling hazard is no transient of the
//     start: it means more escapes early than the slowest mode predicts, so
//     the basin holds more than one metastable state (a fast and a slow
//     exponential: the start well drains into a deeper one), or particles
//     leave into a region that is neither the basin nor the escape.
//   - Residual bias. The test is blind to a deficit that barely changes
//     over (t0, S] yet is not 0 (measured: the ramp κ(1 − e^{−t/1.15}) at
//     t_max = 5, 2¹⁸ particles, passes the test at t0 = S/2 in 52 of 60
//     seeds while 2.7 standard errors low). So t0 must also leave an upper
//     bound on b of at most 0.5 standard errors (rampBiasTolerance), and the
//     bound comes from the deficit measured before t0, where it is large
//     enough to see (passages.tail). (0, t0] is cut into up to 32 bins
//     (each with ≥ 50 escapes expected at the plateau); in each,
//     d_i = 1 − E_i/(κ·X_i) against κ = κ̂/(1 − b) (κ̂ is itself low by b;
//     three passes settle it), with the covariance of a Poisson count in
//     each bin plus 1/E' common to all, from κ̂. The shoulder (the bins up
//     to the last with d_i ≥ 1/2, significantly) says nothing of the tail
//     and is dropped; on the bins past it the tail d(t) = A·e^{−(t−t0)/τ}
//     is fitted by generalised least squares, A (the deficit at t0) in
//     closed form and τ profiled on a grid. Its bias after t0 is
//     b = A·N'·∫_0^L e^{−u/τ}·e^{−κu} du / X', the exposure's weighting (the
//     number at risk falls as N'·e^{−κu}) included. RampBias is the largest
//     b with A raised by one standard error, over the τ within Δχ² = 1 of
//     the best fit: an upper limit, about one standard error up. The exponential tail errs on the safe side for the physical
//     ramp: the delays of relaxation and transit have log-concave
//     distributions (a Gamma of shape ≥ 1, a Gaussian, an exponential, and
//     their sums: Bagnoli & Bergstrom, Econ. Theory 26, 445 (2005)), whose
//     tails 1 − G decay at least as fast later as they do earlier, so the
//     decay measured before t0 is an upper bound after it. (Measured
//     hazards follow this only roughly: pwq with sgld keeps a deficit of
//     about 0.03 from t = 2.1 to 2.9 after its sigmoid; the margin of one
//     standard error has covered it in the runs measured, t_max = 3.7–20.) For the same
//     reason τ is capped by the chord from d = 1 at t = 0 to the first bin
//     past the shoulder (at its upper limit, two standard errors up): a
//     deficit that fell from 1 to d_j in time c_j decays at least at rate
//     ln(1/d_j)/c_j after it. That cap is what keeps out a flat deficit, of
//     the size of the noise and as long as the window, that no data could
//     exclude: on a hazard constant from the start the first bin already
//     shows d ≈ 0, and the bound is negligible. Where the hazard is still
//     significantly below half its plateau at t0, no tail is measured and
//     RampBias is the last bin's deficit.
//   - Residual fall. Once the hazard has fallen after a candidate, a later
//     one must also bound the excess e(t) = h(t)/κ − 1 left after it, the
//     mirror of the ramp's deficit (passages.excess): the bins of (0, t0]
//     against κ = κ̂/(1 + b) (κ̂ is high by b), the bins from the largest
//     significant excess (3 standard errors) on fitted by A·e^{−(t−t0)/τ}
//     exactly as for the deficit, and the upper bound on the bias after t0,
//     at most rampBiasTolerance standard errors. A test on (t0, S] alone
//     cannot see a fall that is slow against what is left of the window
//     (row 1 of issue 20: at t0 = 3S/4 the hazard falls by 20% over the last
//     quarter, z ≈ −2, while its level is still 3.4 times the slow rate). τ
//     is capped by the chord from the peak (at its lower limit, 3 standard
//     errors down) to the last bin (at its upper limit, 2 up): for two
//     exponentials, p·e^{−κ1·t} + (1 − p)·e^{−κ2·t}, the excess over κ2 is
//     (κ1/κ2 − 1)/(1 + (1 − p)/p·e^{(κ1−κ2)t}), whose logarithm is concave,
//     so it decays at least as fast after the chord as along it. No
//     candidate settles: unresolved, HazardFalls, and Reason says how the
//     hazard falls, with numbers (Unresolved.Kind FallingHazard).
//   - The hypotheses are nested (constant on (t0, S] implies constant on
//     (t0', S] for t0' > t0), and the rule tests them in a fixed order and
//     stops at the first that passes. Such a fixed-sequence procedure
//     holds the family-wise error at α with no multiplicity correction
//     (Maurer, Hothorn & Lehmacher 1995; Westfall & Krishen, J. Stat.
//     Plann. Inference 99, 25 (2001)). At t0 = 0 there is no deficit to
//     measure and RampBias is 0, so on a constant hazard the rule goes past
//     t0 = 0 with probability at most α = 1%, and a false "no plateau" is
//     at most as likely, whatever E.
//   - Large E makes the rule exacting, as it should: the bias left must be
//     small against the error, which shrinks as 1/√E'. A deficit
//     A·e^{−(t−t0)/τ} leaves about A·τ/L, which must stay below 0.5/√E', so
//     the t0 needed grows as τ·ln √E'.
//
// A candidate needs at least MinEscapesResolved escapes after it; the scan
// stops at the first one with fewer (later ones have fewer still), and the
// estimate is unresolved. When no candidate passes, the estimate on the
// data after the last one is returned unresolved, with its counts and
// interval, and Reason says why (Unresolved.Kind NoPlateau: the remedy is a
// longer window or a given burn-in, which the caller words).
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
	q.RestrictedMean = RestrictedMean(q.Window)
	if particles <= 0 || steps < 1 || len(firstPassage) > particles || !(eta > 0) || math.IsInf(eta, 0) {
		q.Estimate = q.Window
		q.unresolve(Finding{Kind: NoData, Text: fmt.Sprintf("no estimate: %d particles, %d escaped, %d steps, η = %g", particles, len(firstPassage), steps, eta)})
		return q
	}
	bins := opt.HazardBins
	if bins <= 0 {
		bins = DefaultHazardBins
	}
	p := newPassages(firstPassage, particles, steps)
	q.Hazard = p.hazard(eta, bins)

	if opt.BurnIn >= 0 {
		q.given(p, opt.BurnIn, eta)
		return q
	}

	fell := -1 // the first candidate after which the hazard fell
	for _, t0 := range burnInGrid(steps, opt.MinBurnIn) {
		c := p.candidate(t0, eta, fell >= 0)
		q.Candidates = append(q.Candidates, c)
		if c.Falling && fell < 0 {
			fell = len(q.Candidates) - 1
		}
		if c.Escaped < MinEscapesResolved {
			q.truncate(p, c, eta)
			// EstimateFromCounts has marked E' < 10 unresolved.
			f := Finding{Kind: FewEscapes, Text: fmt.Sprintf("too few escapes after the burn-in t0 = %.4g (%d iterations): %d (< %d)", c.Time, c.BurnIn, c.Escaped, MinEscapesResolved)}
			if fell >= 0 {
				f.Detail = p.fallText(q.Candidates[fell], eta)
				q.HazardFalls = true
			}
			q.unresolve(f)
			return q
		}
		if c.Settled {
			q.truncate(p, c, eta)
			q.Plateau = true
			return q
		}
	}
	q.noSettledBurnIn(p, fell, steps, opt.MinBurnIn, eta)
	return q
}

// noSettledBurnIn finishes q where no candidate burn-in settled: the floor lies beyond the window,
// the rate is reported with a widened interval (a constant hazard with only the ramp's bound too
// large), or it is unresolved because the hazard falls or finds no plateau.
func (q *QuasiStationary) noSettledBurnIn(p passages, fell, steps, minBurnIn int, eta float64) {
	if len(q.Candidates) == 0 {
		// MinBurnIn ≥ S: nothing is observed after the floor.
		c := p.candidate(minBurnIn, eta, false)
		q.Candidates = []BurnInCandidate{c}
		q.truncate(p, c, eta)
		q.Unresolved = Finding{Kind: BeforeMinBurnIn, Text: fmt.Sprintf("the window of %d iterations ends before the minimum burn-in of %d", steps, minBurnIn)}
		q.ShortWindow = true
	} else {
		c := q.Candidates[len(q.Candidates)-1]
		q.truncate(p, c, eta)
		if fell < 0 && c.widenable() {
			// The hazard is constant after t0 by the test, and only the bound on what is left of
			// the ramp exceeds rampBiasTolerance: report the rate with the upper end of its
			// interval raised by that bound instead of refusing it (the ramp can only make κ̂ low).
			q.widen(c)
			return
		}
		q.ShortWindow = true
		if fell >= 0 {
			// A rate that still falls is no rate: not a plateau that a
			// longer burn-in finds, nor a ramp that a widened interval covers.
			q.HazardFalls = true
			q.Unresolved = Finding{Kind: FallingHazard, Text: p.fallText(q.Candidates[fell], eta) + ": the survival is not one exponential (the basin holds more than one metastable state, or particles leave into a region that is neither basin nor escape); " +
				fmt.Sprintf("after the last burn-in tried, t0 = %.4g, %s", c.Time, c.unsettled(eta))}
		} else {
			q.Unresolved = Finding{Kind: NoPlateau, Text: fmt.Sprintf("no plateau of the hazard within the window: after the last burn-in tried, t0 = %.4g, %s", c.Time, c.unsettled(eta))}
		}
	}
	e := &q.Estimate
	e.Rate, e.Tau, e.TauIterations, e.Resolved = nil, nil, nil, false
	q.unresolve(q.Unresolved)
	q.WindowBias = nil
}

// RestrictedMean is E[min(τ, t_max)] = X/N of the whole-window estimate w
// (QuasiStationary.RestrictedMean); nil without particles or exposure.
func RestrictedMean(w Estimate) *float64 {
	if w.Particles <= 0 || !(w.Exposure > 0) || !w.Exposure.Finite() {
		return nil
	}
	m := float64(w.Exposure) / float64(w.Particles)
	return &m
}

// given sets q from the given burn-in t0 (iterations): used as it is, with its
// test and guards reported; a failure sets Warning, not Reason.
func (q *QuasiStationary) given(p passages, t0 int, eta float64) {
	// The excess before t0 is measured when the hazard falls over the whole
	// window.
	c := p.candidate(t0, eta, t0 > 0 && p.candidate(0, eta, false).Falling)
	q.Candidates = []BurnInCandidate{c}
	q.truncate(p, c, eta)
	if t0 >= p.steps {
		q.unresolve(Finding{Kind: BurnInPastWindow, Text: fmt.Sprintf("the given burn-in of %d iterations is not before the end of the window (%d iterations)", t0, p.steps)})
		q.ShortWindow = true
		return
	}
	q.Plateau = c.Settled
	if !c.Settled && c.Escaped >= MinEscapesResolved {
		// A ramp biases the rate low, a fall high (EstimateQuasiStationary).
		dir := "low"
		if c.Falling || c.ExcessBias > rampBiasTolerance/math.Sqrt(float64(c.Escaped)) {
			dir = "high: the survival may not be one exponential yet"
		}
		q.caution(Finding{Kind: GivenUnsettled, Text: fmt.Sprintf("after the given burn-in t0 = %.4g (%d iterations) %s: the rate may be biased %s", c.Time, c.BurnIn, c.unsettled(eta), dir)})
	}
}

// Widening: the largest bound on the residual ramp bias (RampBias) for which a rate that fails
// only the bias guard at the last candidate is still reported, with its interval widened.
// maxWidenSigma: at most 3 standard errors (beyond, the interval would be mostly bias);
// maxWidenRelative: at most 5% (beyond, the number says more about the window than the rate).
const (
	maxWidenSigma    = 3
	maxWidenRelative = 0.05
)

// widenable says whether the last candidate's rate can be reported with a widened interval:
// the constancy test passes, there are enough escapes, and the bias bound is moderate.
func (c BurnInCandidate) widenable() bool {
	if c.Rising || c.Falling || c.Escaped < MinEscapesResolved || c.Rate == nil || c.ExcessBias > rampBiasTolerance/math.Sqrt(float64(c.Escaped)) {
		return false
	}
	return c.RampBias <= maxWidenRelative && c.RampBias*math.Sqrt(float64(c.Escaped)) <= maxWidenSigma
}

// widen keeps the estimate after c, raises the upper end of the rate's 95% interval (and lowers
// the lower end of τ's) by the bias bound b, κ_hi/(1 − b), and says so in Warning.
func (q *QuasiStationary) widen(c BurnInCandidate) {
	e := &q.Estimate
	b := c.RampBias
	e.RateCI95[1] = jsonnum.Number(float64(e.RateCI95[1]) / (1 - b))
	e.TauCI95[0] = 1 / e.RateCI95[1]
	q.Widened, q.Plateau = true, false
	q.caution(Finding{Kind: WidenedForRamp, Text: fmt.Sprintf("short window: after the last burn-in tried, t0 = %.4g, the hazard may still be below its plateau, so the rate may be up to %.2g%% low (%.2g standard errors); the upper end of its 95%% interval is raised by that bound.", c.Time, 100*b, b*math.Sqrt(float64(c.Escaped)))})
}

// unsettled says in a clause why c fails the automatic rule.
func (c BurnInCandidate) unsettled(eta float64) string {
	if c.Rising {
		return fmt.Sprintf("the hazard is still rising at t = %.4g (p = %.2g < %g)", float64(c.Split)*eta, c.PValue, BurnInLevel)
	}
	if c.Falling {
		return fmt.Sprintf("the hazard is still falling after it (p = %.2g < %g, trend z = %.3g)", c.PValue, BurnInLevel, c.TrendZ)
	}
	if c.Escaped > 0 && c.ExcessBias > rampBiasTolerance/math.Sqrt(float64(c.Escaped)) {
		tt := "no decay measured"
		if c.ExcessTime != nil {
			tt = fmt.Sprintf("decaying in %.3g", *c.ExcessTime)
		}
		return fmt.Sprintf("the hazard is constant after it by the test, but the fall measured before it (an excess over the plateau it extrapolates to of %.2g%% at t0, %s) would still bias the rate by up to +%.2g%% (%.2g standard errors, > %g)", 100*c.ExcessAtBurnIn, tt, 100*c.ExcessBias, c.ExcessBias*math.Sqrt(float64(c.Escaped)), rampBiasTolerance)
	}
	if c.Rate != nil && c.Escaped > 0 {
		se := c.RampBias * math.Sqrt(float64(c.Escaped))
		if c.TailTime == nil {
			return fmt.Sprintf("the hazard just before it is still %.2g%% below its plateau (no tail of the ramp is measured, so a bias of that size is left: %.2g standard errors, > %g)", 100*c.TailDeficit, se, rampBiasTolerance)
		}
		return fmt.Sprintf("the ramp's deficit measured before it (%.2g%% at t0, decaying in %.3g) would still bias the rate by up to %.2g%% (%.2g standard errors, > %g)", 100*c.TailDeficit, *c.TailTime, 100*c.RampBias, se, rampBiasTolerance)
	}
	return fmt.Sprintf("%d escapes are too few (< %d)", c.Escaped, MinEscapesResolved)
}

// fallText says how the hazard falls after the candidate c where the fall was
// first seen: its rate on the first and on the last eighth of (t0, S], per
// unit time.
func (p passages) fallText(c BurnInCandidate, eta float64) string {
	w := max((p.steps-c.BurnIn)/8, 1)
	first := p.rateBetween(c.BurnIn, c.BurnIn+w, eta)
	last := p.rateBetween(p.steps-w, p.steps, eta)
	return fmt.Sprintf("the hazard falls from %.2g to %.2g per unit time after t0 = %.4g (first and last eighth of the window after it; p = %.2g, trend z = %.3g)", first, last, c.Time, c.PValue, c.TrendZ)
}

// rateBetween is the hazard on (a, b]: its escapes over its exposure, per
// unit time (NaN when nobody is at risk).
func (p passages) rateBetween(a, b int, eta float64) float64 {
	ea, xa := p.after(a)
	eb, xb := p.after(b)
	if b >= p.steps {
		eb, xb = 0, 0
	}
	return float64(ea-eb) / ((xa - xb) * eta)
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
// minBurnIn (0 when negative), ⌊steps/2^j⌋ > minBurnIn for j ≥ 1, and
// ⌊3·steps/4⌋ when above them all; empty when minBurnIn ≥ steps.
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
	if t := 3 * steps / 4; t > grid[len(grid)-1] {
		grid = append(grid, t)
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

// candidate evaluates the burn-in t0 (EstimateQuasiStationary): the
// two-sided test of a constant hazard on (t0, S] (constancy), the lag, the
// bound on the residual bias from the deficit measured before t0
// (passages.tail) and, when afterFall (the hazard fell after an earlier
// candidate), the bound on the bias from the excess measured before t0
// (passages.excess).
func (p passages) candidate(t0 int, eta float64, afterFall bool) BurnInCandidate {
	c := BurnInCandidate{BurnIn: t0, Time: float64(t0) * eta, AtRisk: p.atRisk(t0)}
	e, x := p.after(t0)
	c.Escaped = e
	p.constancy(&c)
	if e < MinEscapesResolved || !(x > 0) || c.AtRisk <= 0 {
		return c
	}
	rate := float64(e) / (x * eta)
	c.Rate = &rate
	// The lag: past the ramp, −ln S(t) = κ·(t − ℓ), so ℓ = t0 + ln(N'/N)/κ̂.
	lag := c.Time + math.Log(float64(c.AtRisk)/float64(p.particles))/rate
	c.Lag = &lag
	if t0 > 0 {
		amp, tau, bias := p.tail(t0, e, x)
		c.TailDeficit, c.RampBias = amp, bias
		if !math.IsInf(tau, 0) {
			tt := tau * eta
			c.TailTime = &tt
		}
		if afterFall {
			amp, tau, bias := p.excess(t0, e, x)
			c.ExcessAtBurnIn, c.ExcessBias = amp, bias
			if !math.IsInf(tau, 0) {
				tt := tau * eta
				c.ExcessTime = &tt
			}
		}
	}
	tol := rampBiasTolerance / math.Sqrt(float64(e))
	c.Settled = !c.Rising && !c.Falling && c.RampBias <= tol && c.ExcessBias <= tol
	return c
}

// constancy sets c's test of "the hazard is constant on (t0, S]" against a
// rising and against a falling one (EstimateQuasiStationary, "Test"): the
// exact conditional comparison of the rates before and after each split
// s_j = t0 + ⌊(S − t0)/2^j⌋, j = 1 … burnInSplits, and the score test of a
// log-linear trend (passages.trend), each one-sided in both directions, so
// 2·(J + 1) one-sided p-values combined by Bonferroni.
func (p passages) constancy(c *BurnInCandidate) {
	var minRise, minFall float64
	var tests int
	minRise, minFall, tests, c.Split = p.splits(c.BurnIn)
	if z, ok := p.trend(c.BurnIn); ok {
		c.TrendZ = z
		tests++
		std := distuv.UnitNormal
		minRise, minFall = math.Min(minRise, std.Survival(z)), math.Min(minFall, std.CDF(z))
	}
	c.PValue = 1
	if tests > 0 {
		c.PValue = math.Min(1, float64(2*tests)*math.Min(minRise, minFall))
	}
	reject := c.PValue < BurnInLevel
	c.Rising = reject && minRise <= minFall
	c.Falling = reject && minFall < minRise
}

// splits returns the smallest one-sided p-values of the split tests at t0
// against a rising and a falling hazard (constancy), the number of splits,
// and the split with the smallest p (t0 when none).
func (p passages) splits(t0 int) (minRise, minFall float64, tests, split int) {
	e, x := p.after(t0)
	minRise, minFall, split = 1, 1, t0
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
		// A rising hazard puts too few escapes before s (E1 small), a falling
		// one too many (E2 = n − E1 small, Binomial(n, X2/X) by symmetry).
		rise := distuv.Binomial{N: float64(e), P: x1 / x}.CDF(float64(e1))
		fall := distuv.Binomial{N: float64(e), P: x2 / x}.CDF(float64(e2))
		if math.Min(rise, fall) < math.Min(minRise, minFall) {
			split = s
		}
		minRise, minFall = math.Min(minRise, rise), math.Min(minFall, fall)
	}
	return minRise, minFall, tests, split
}

// trend is the score test of a log-linear hazard h = e^{a + b·u}, u the
// iterations since t0, against b = 0 on (t0, S], given the exposure
// (docs/theory.md §3, "The constancy test"). With left truncation at t0, the
// profile log-likelihood in b has the score Σ_{escapes} u_i − E'·m and the
// information E'·v, where m and v are the mean and the variance of the
// iteration at risk weighted by the exposure (each particle at risk at
// u = 1 … u_j, u_j = fp − t0 for an escape and S − t0 for a survivor): under
// a constant hazard an escape's iteration is drawn from that weighting. z is
// the score over the square root of the information, N(0, 1) under a
// constant hazard; z < 0 means escapes come early, a falling hazard. ok is
// false with fewer than two escapes or no spread of exposure.
func (p passages) trend(t0 int) (z float64, ok bool) {
	k := p.escapedBy(t0)
	escapes := p.fp[k:]
	if len(escapes) < 2 {
		return 0, false
	}
	var x, w1, w2, score float64
	add := func(u, n float64) { // n particles at risk for u iterations
		x += n * u
		w1 += n * u * (u + 1) / 2
		w2 += n * u * (u + 1) * (2*u + 1) / 6
	}
	for _, f := range escapes {
		u := float64(int64(f) - int64(t0))
		add(u, 1)
		score += u
	}
	add(float64(p.steps-t0), float64(p.particles-len(p.fp)))
	m := w1 / x
	v := w2/x - m*m
	if !(v > 0) {
		return 0, false
	}
	e := float64(len(escapes))
	return (score - e*m) / math.Sqrt(e*v), true
}

// tailBins is the number of bins of (0, t0] on which tail measures the
// deficit of the hazard (fewer when t0 has fewer iterations).
const tailBins = 32

// tailBinEscapes is the least number of escapes a bin of tail would hold at
// the plateau rate.
const tailBinEscapes = 50

// tailBin is one bin of (0, t0] on which the deficit (passages.tail) or the
// excess (passages.excess) of the hazard is measured: its centre, escapes and
// exposure, in iterations.
type tailBin struct{ c, e, x float64 }

// binsBefore cuts (0, t0] into at most tailBins bins of equal width, each
// with at least tailBinEscapes escapes at the plateau rate e/x of the data
// after t0 (e escapes, exposure x iterations); nil when there is no room.
func (p passages) binsBefore(t0, e int, x float64) []tailBin {
	if e <= 0 || !(x > 0) {
		return nil
	}
	_, x0 := p.after(0)
	k := min(tailBins, t0, int(float64(e)/x*(x0-x)/tailBinEscapes))
	if k < 1 {
		return nil
	}
	bins := make([]tailBin, 0, k)
	a := 0
	ea, xa := p.after(0)
	for i := 1; i <= k; i++ {
		b := int(math.Round(float64(i) * float64(t0) / float64(k)))
		eb, xb := p.after(b)
		if xa-xb > 0 {
			bins = append(bins, tailBin{c: float64(a+b) / 2, e: float64(ea - eb), x: xa - xb})
		}
		a, ea, xa = b, eb, xb
	}
	return bins
}

// meetAfter is the share of the exposure after t0 that a relative change
// A·e^{−u/τ} of the hazard at u = t − t0 meets, per unit A: a change at u
// alters κ·A·∫e^{−u/τ}·N'e^{−κu} du of the κ·X' expected escapes, N'e^{−κu}
// the number at risk, over the L = S − t0 left. Iterations throughout.
func (p passages) meetAfter(t0 int, x float64) func(kappa, tau float64) float64 {
	atRisk := float64(p.atRisk(t0))
	l := float64(p.steps - t0)
	return func(kappa, tau float64) float64 {
		r := 1/tau + kappa
		return -math.Expm1(-l*r) / r / (x / atRisk)
	}
}

// decayFit is the fit of d_i = A·e^{(t0 − c_i)/τ} at one decay time τ: the
// amplitude A at t0, its standard error, and the residual χ².
type decayFit struct{ tau, a, se, rss float64 }

// profileDecay fits d_i = A·e^{(t0 − c_i)/τ} to the bins from..len−1 by
// generalised least squares, with the variance v_i of each d_i and c common
// to all (the error of κ̂; inverted by Sherman–Morrison), A in closed form,
// over a log grid of τ from lo to hi (step 5%).
func profileDecay(bins []tailBin, d, v []float64, c float64, from int, t0, lo, hi float64) []decayFit {
	var fits []decayFit
	for tt := lo; tt <= hi; tt *= 1.05 {
		var s1, sg, sgg, sd, sgd, sdd float64
		for i := from; i < len(bins); i++ {
			ai := 1 / v[i]
			g := math.Exp((t0 - bins[i].c) / tt)
			s1 += ai
			sg += ai * g
			sgg += ai * g * g
			sd += ai * d[i]
			sgd += ai * g * d[i]
			sdd += ai * d[i] * d[i]
		}
		f := c / (1 + c*s1)
		gg, gd, dd := sgg-f*sg*sg, sgd-f*sg*sd, sdd-f*sd*sd
		fits = append(fits, decayFit{tau: tt, a: gd / gg, se: 1 / math.Sqrt(gg), rss: dd - gd*gd/gg})
	}
	return fits
}

// decayBound returns the best of fits, its bias meet(τ)·max(A, 0), and the
// upper bound on the bias: the largest (A + 1 standard error)·meet(τ) over
// the τ within Δχ² = 1 of the best.
func decayBound(fits []decayFit, meet func(tau float64) float64) (best decayFit, point, bound float64) {
	best = fits[0]
	for _, f := range fits {
		if f.rss < best.rss {
			best = f
		}
	}
	for _, f := range fits {
		if f.rss <= best.rss+1 {
			bound = max(bound, (f.a+f.se)*meet(f.tau))
		}
	}
	return best, max(0, best.a) * meet(best.tau), bound
}

// tail measures the deficit d(t) = 1 − h(t)/κ of the hazard on (0, t0] and
// extrapolates it past t0 (EstimateQuasiStationary, "Residual bias"); e and
// x are the escapes and the exposure (iterations) after t0. It returns the
// fitted deficit at t0 and its decay time in iterations (+Inf when no decay
// is measured), and the upper bound b on the relative bias of κ̂ = e/x that
// the tail leaves after t0, ≥ 0.
func (p passages) tail(t0, e int, x float64) (amp, tau, bias float64) {
	bins := p.binsBefore(t0, e, x)
	if len(bins) == 0 {
		return 0, math.Inf(1), 0
	}
	n := len(bins) - 1
	T0 := float64(t0)
	meet := p.meetAfter(t0, x)
	// The deficits' covariance: a bin's escapes are Poisson, variance
	// 1/(κ·x_i) on d_i, and the common κ̂ adds c = 1/e to every entry.
	c := 1 / float64(e)
	d := make([]float64, len(bins))
	v := make([]float64, len(bins)) // 1/(κ·x_i)
	point, bound := 0.0, 0.0        // the fitted bias, and its bound
	for range 3 {
		// The reference κ is κ̂/(1 − b), as κ̂ itself is low by b.
		kappa := float64(e) / x / (1 - point)
		h := -1 // the last bin of the shoulder
		for i, b := range bins {
			d[i] = 1 - b.e/(kappa*b.x)
			v[i] = 1 / (kappa * b.x)
			if d[i] >= 0.5 && d[i] > 2*math.Sqrt(v[i]+c) {
				h = i
			}
		}
		if h == n {
			// Still significantly below half the plateau at t0: no tail to
			// measure, and at least the last bin's deficit is left.
			return d[n], math.Inf(1), min(d[n], 1)
		}
		// Log-concavity caps the decay time: from d = 1 at the start, the
		// tail decays at least as fast as the chord to the first bin past
		// the shoulder (at its upper limit, 2 standard errors up).
		j := h + 1
		tauMax := math.Inf(1)
		if u := d[j] + 2*math.Sqrt(v[j]+c); u < 1 {
			tauMax = bins[j].c / math.Log(1/max(u, 1e-300))
		}
		// Profile the fit over a log grid of τ from a quarter bin (also when
		// the cap is shorter, which errs on the safe side and keeps g_i
		// below e^{4k}) up to the cap or four windows.
		lo := T0 / float64(len(bins)) / 4
		hi := max(lo, math.Min(tauMax, 4*float64(p.steps)))
		best, pt, bd := decayBound(profileDecay(bins, d, v, c, j, T0, lo, hi), func(tau float64) float64 { return meet(kappa, tau) })
		amp, tau, point, bound = best.a, best.tau, pt, bd
		if point >= 1 {
			break
		}
	}
	return amp, tau, min(bound, 1)
}

// excessSignificance is the number of standard errors by which a bin's
// hazard must exceed the rate after t0 for passages.excess to see an excess:
// over up to tailBins = 32 bins of a constant hazard, P(some bin beyond 3σ)
// ≈ 32·0.00135 ≈ 4%.
const excessSignificance = 3

// excess measures the excess e(t) = h(t)/κ − 1 of the hazard on (0, t0] over
// the rate after t0, and extrapolates it past t0 (EstimateQuasiStationary,
// "Residual fall"): the mirror of tail for a falling hazard, which biases κ̂
// high. It returns the fitted excess at t0 and its decay time in iterations
// (+Inf when no decay is measured), and the upper bound b on the relative
// bias of κ̂ = e/x (high) that the excess leaves after t0, ≥ 0; all 0 (and
// +Inf) when no bin is significantly above the rate after t0.
func (p passages) excess(t0, e int, x float64) (amp, tau, bias float64) {
	bins := p.binsBefore(t0, e, x)
	if len(bins) == 0 {
		return 0, math.Inf(1), 0
	}
	n := len(bins) - 1
	T0 := float64(t0)
	meet := p.meetAfter(t0, x)
	c := 1 / float64(e)
	ex := make([]float64, len(bins))
	v := make([]float64, len(bins))
	tau = math.Inf(1)
	point, bound := 0.0, 0.0
	for range 3 {
		// The reference κ is κ̂/(1 + b), as κ̂ itself is high by b.
		kappa := float64(e) / x / (1 + point)
		peak, peakLow := -1, 0.0 // the bin of the largest significant excess
		for i, b := range bins {
			ex[i] = b.e/(kappa*b.x) - 1
			v[i] = 1 / (kappa * b.x)
			if low := ex[i] - excessSignificance*math.Sqrt(v[i]+c); low > peakLow {
				peak, peakLow = i, low
			}
		}
		if peak < 0 {
			return 0, math.Inf(1), 0
		}
		// Cap the decay time by the chord from the peak (at its lower limit)
		// to the last bin (at its upper limit, 2 standard errors up): the
		// log-excess of a mixture of two exponential survivals is concave
		// (docs/theory.md §3), so it decays at least as fast after the chord
		// as along it. No decay measured: up to four windows.
		tauMax := math.Inf(1)
		if u := ex[n] + 2*math.Sqrt(v[n]+c); peak < n && u < peakLow {
			tauMax = (bins[n].c - bins[peak].c) / math.Log(peakLow/max(u, 1e-300))
		}
		lo := T0 / float64(len(bins)) / 4
		hi := max(lo, math.Min(tauMax, 4*float64(p.steps)))
		best, pt, bd := decayBound(profileDecay(bins, ex, v, c, peak, T0, lo, hi), func(tau float64) float64 { return meet(kappa, tau) })
		amp, tau, point, bound = best.a, best.tau, pt, bd
		if point >= 1 {
			break
		}
	}
	return amp, tau, min(bound, 1)
}

// HazardPoint is one bin of the hazard against time: the escapes over the
// exposure of the particles at risk in the bin.
type HazardPoint struct {
	// Start and End bound the bin, iterations (Start, End].
	Start int `json:"start_iteration"`
	End   int `json:"end_iteration"`
	// Time is the midpoint of the bin, (Start + End)·η/2.
	Time jsonnum.Number `json:"time"`
	// AtRisk is the number of particles alive at Start.
	AtRisk  int `json:"at_risk"`
	Escapes int `json:"escapes"`
	// Exposure is Σ (fp − Start)·η over the escapes in the bin plus
	// (AtRisk − Escapes)·(End − Start)·η.
	Exposure jsonnum.Number `json:"exposure_time"`
	// Hazard is Escapes/Exposure per unit time, the piecewise-constant
	// hazard's maximum-likelihood value; NaN (null in JSON) with no one at
	// risk.
	Hazard jsonnum.Number `json:"hazard"`
	// HazardCI95 is the exact (Garwood) 95% interval of the bin's hazard,
	// as in EstimateFromCounts; NaN with no one at risk.
	HazardCI95 [2]jsonnum.Number `json:"hazard_ci95"`
}

// HazardSeries returns the hazard in bins of equal width over iterations
// 0 … steps: bin k covers (⌊k·S/bins⌉, ⌊(k+1)·S/bins⌉] (rounded, empty
// bins dropped when S < bins). A rising hazard is the ramp that the burn-in
// removes; a flat one is the plateau κ (docs/theory.md §3). Each bin is the
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
		h := HazardPoint{Start: a, End: b, Time: jsonnum.Number(float64(a+b) * eta / 2), AtRisk: p.atRisk(a), Escapes: ea - eb}
		est := EstimateFromCounts(h.AtRisk, h.Escapes, xa-xb, eta)
		h.Exposure = est.Exposure
		h.Hazard = jsonnum.Number(float64(h.Escapes) / float64(h.Exposure))
		h.HazardCI95 = est.RateCI95
		if h.AtRisk <= 0 || !(h.Exposure > 0) {
			h.Hazard = jsonnum.NaN()
		}
		out = append(out, h)
		a = b
	}
	return out
}
