package survival

import (
	"fmt"
	"math"
	"sort"

	"github.com/kramers-sim/kramers/host/jsonnum"
	"gonum.org/v1/gonum/stat/distuv"
)

// MinEscapesResolved is the number of escapes below which a rate is reported
// as unresolved: an upper bound, not a number (docs/theory.md §3).
const MinEscapesResolved = 10

// Estimate is the escape-rate estimate from a censored ensemble
// (docs/theory.md §3). Times are continuous time (iterations × η) unless a name
// says iterations. Non-finite values (the +Inf upper end of TauCI95 when no
// particle escaped, anything undefined without exposure) are written to JSON
// as null and read back as NaN: the fields that may hold them are jsonnum.Numbers.
type Estimate struct {
	Particles int            `json:"particles"`
	Escaped   int            `json:"escaped"`
	Exposure  jsonnum.Number `json:"exposure_time"` // Σ t_i + (N−E)·t_max
	// Rate is κ̂ = E/X per unit time; nil when unresolved (E < 10).
	Rate *float64 `json:"rate"`
	// RateCI95 is the exact (Garwood) 95% interval of κ; lower is 0 when E = 0.
	RateCI95 [2]jsonnum.Number `json:"rate_ci95"`
	// RateUpper95 is the one-sided 95% upper bound χ²_{2E+2}(0.95)/(2X).
	RateUpper95 jsonnum.Number `json:"rate_upper95"`
	// Tau is 1/κ̂; nil when unresolved.
	Tau *float64 `json:"tau"`
	// TauIterations is Tau/η; nil when unresolved.
	TauIterations *float64 `json:"tau_iterations"`
	// TauCI95 is [1/upper, 1/lower] of RateCI95; its upper end is +Inf when
	// E = 0 (null in JSON).
	TauCI95 [2]jsonnum.Number `json:"tau_ci95"`
	// Resolved is true when E ≥ MinEscapesResolved.
	Resolved bool   `json:"resolved"`
	Note     string `json:"note,omitempty"`
	// MeanFirstPassage is the plain mean of the escape times, set only when
	// every particle escaped (docs/theory.md §3).
	MeanFirstPassage *float64 `json:"mean_first_passage,omitempty"`
}

// EstimateRate estimates the escape rate from the first-passage iterations
// of the escaped particles (1-based: fp means the particle crossed during
// step fp, time fp·η), the number of particles N (escaped plus survivors;
// the caller excludes diverged ones), the observation length steps = S in
// iterations and the step size eta. Every entry of firstPassage counts as an
// escape (docs/theory.md §3: X = Σ fp_i·η + (N−E)·S·η).
func EstimateRate(firstPassage []uint32, particles int, steps int, eta float64) Estimate {
	sum := 0.0
	for _, fp := range firstPassage {
		sum += float64(fp)
	}
	e := len(firstPassage)
	return EstimateFromCounts(particles, e, sum+float64(particles-e)*float64(steps), eta)
}

// EstimateFromCounts is EstimateRate from sufficient statistics, for merged
// shards: the number of particles, of escapes, and the exposure in
// iterations (Σ fp_i + survivors·S). The censored-exponential likelihood
// depends on the data only through E and X, so merging shards by adding
// these is exact (docs/theory.md §3).
func EstimateFromCounts(particles, escaped int, exposureIterations float64, eta float64) Estimate {
	x := exposureIterations * eta
	est := Estimate{Particles: particles, Escaped: escaped, Exposure: jsonnum.Number(x)}
	if particles <= 0 || escaped < 0 || escaped > particles || !(x > 0) || math.IsInf(x, 0) || !(eta > 0) {
		nan := jsonnum.NaN()
		est.RateCI95 = [2]jsonnum.Number{nan, nan}
		est.TauCI95 = [2]jsonnum.Number{nan, nan}
		est.RateUpper95 = nan
		est.Note = fmt.Sprintf("no estimate: %d particles, %d escaped, exposure %g (η = %g)", particles, escaped, x, eta)
		return est
	}
	// Garwood (1936) exact Poisson interval, treating E as Poisson with mean
	// κX, the form the censored-exponential likelihood κ^E·exp(−κX) has
	// (docs/theory.md §3); estimate_test.go measures its coverage:
	// [χ²_{2E}(0.025)/(2X), χ²_{2E+2}(0.975)/(2X)], lower 0 when E = 0.
	e := float64(escaped)
	lo := 0.0
	if escaped > 0 {
		lo = distuv.ChiSquared{K: 2 * e}.Quantile(0.025) / (2 * x)
	}
	upper := distuv.ChiSquared{K: 2*e + 2}
	hi := upper.Quantile(0.975) / (2 * x)
	est.RateCI95 = [2]jsonnum.Number{jsonnum.Number(lo), jsonnum.Number(hi)}
	est.RateUpper95 = jsonnum.Number(upper.Quantile(0.95) / (2 * x))
	est.TauCI95 = [2]jsonnum.Number{jsonnum.Number(1 / hi), jsonnum.Number(1 / lo)} // 1/0 = +Inf when E = 0
	if escaped == particles {
		// Every particle escaped: X = Σ t_i, so the mean is X/N.
		m := x / float64(particles)
		est.MeanFirstPassage = &m
	}
	if escaped < MinEscapesResolved {
		word := "escapes"
		if escaped == 1 {
			word = "escape"
		}
		est.Note = fmt.Sprintf("unresolved: %d %s (< %d); κ < %.3g per unit time at 95%%", escaped, word, MinEscapesResolved, est.RateUpper95)
		return est
	}
	rate := e / x
	tau := 1 / rate
	tauIt := tau / eta
	est.Rate, est.Tau, est.TauIterations = &rate, &tau, &tauIt
	est.Resolved = true
	return est
}

// CurvePoint is one point of the survival curve.
type CurvePoint struct {
	Time      float64 `json:"time"`
	Iteration int     `json:"iteration"`
	Survival  float64 `json:"survival"`
}

// Curve returns the survival curve S(t) = (particles not yet escaped)/N (docs/theory.md §3) at
// iteration 0 and at `points` equally spaced iterations up to steps
// (rounded to whole iterations; duplicates dropped when steps < points). A
// particle with first passage fp has escaped at iteration i when fp ≤ i.
func Curve(firstPassage []uint32, particles int, steps int, eta float64, points int) []CurvePoint {
	if particles <= 0 || steps < 0 {
		return nil
	}
	if points < 1 {
		points = 1
	}
	fp := make([]uint32, len(firstPassage))
	copy(fp, firstPassage)
	sort.Slice(fp, func(i, j int) bool { return fp[i] < fp[j] })
	out := make([]CurvePoint, 0, points+1)
	for k := 0; k <= points; k++ {
		it := int(math.Round(float64(k) * float64(steps) / float64(points)))
		if len(out) > 0 && out[len(out)-1].Iteration == it {
			continue
		}
		escaped := sort.Search(len(fp), func(i int) bool { return int64(fp[i]) > int64(it) })
		out = append(out, CurvePoint{
			Time:      float64(it) * eta,
			Iteration: it,
			Survival:  float64(particles-escaped) / float64(particles),
		})
	}
	return out
}

// Histogram counts first-passage iterations in bins of BinWidth iterations:
// bin k holds fp in [k·BinWidth+1, (k+1)·BinWidth]. Sums holds the sum of the
// fp of each bin, so that the exposure after a burn-in at a bin edge follows
// exactly (Merge). Histograms with the same bin width merge by adding.
type Histogram struct {
	BinWidth int     `json:"bin_width"`
	Counts   []int64 `json:"counts"`
	Sums     []int64 `json:"sums"`
}

// NewHistogram covers iterations 1..steps with at most bins bins of equal
// width ceil(steps/bins).
func NewHistogram(steps, bins int) Histogram {
	if steps < 1 {
		steps = 1
	}
	if bins < 1 {
		bins = 1
	}
	w := (steps + bins - 1) / bins
	n := (steps + w - 1) / w
	return Histogram{BinWidth: w, Counts: make([]int64, n), Sums: make([]int64, n)}
}

// Add counts one escape at iteration fp. A value beyond the covered range
// extends the histogram; fp = 0 is counted in the first bin.
func (h *Histogram) Add(fp uint32) {
	if h.BinWidth < 1 {
		h.BinWidth = 1
	}
	k := 0
	if fp > 0 {
		k = int((int64(fp) - 1) / int64(h.BinWidth))
	}
	h.grow(k + 1)
	h.Counts[k]++
	h.Sums[k] += int64(fp)
}

// grow extends Counts and Sums to at least n bins.
func (h *Histogram) grow(n int) {
	if len(h.Counts) < n {
		h.Counts = append(h.Counts, make([]int64, n-len(h.Counts))...)
	}
	if len(h.Sums) < n {
		h.Sums = append(h.Sums, make([]int64, n-len(h.Sums))...)
	}
}

// Merge adds the counts of o, which must have the same bin width.
func (h *Histogram) Merge(o Histogram) error {
	if h.BinWidth != o.BinWidth {
		return fmt.Errorf("merge histograms: bin widths differ (%d and %d iterations)", h.BinWidth, o.BinWidth)
	}
	h.grow(max(len(o.Counts), len(o.Sums)))
	for i, c := range o.Counts {
		h.Counts[i] += c
	}
	for i, s := range o.Sums {
		h.Sums[i] += s
	}
	return nil
}

// Total is the number of escapes counted.
func (h Histogram) Total() int64 {
	var n int64
	for _, c := range h.Counts {
		n += c
	}
	return n
}
