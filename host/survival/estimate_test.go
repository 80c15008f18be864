package survival

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func near(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want) }

func TestEstimateNoEscapes(t *testing.T) {
	// N = 100, S = 1000, η = 0.01: X = 100·1000·0.01 = 1000. With E = 0 (docs/theory.md §3):
	// upper 95% CI = χ²_2(0.975)/(2X) = −2·ln(0.025)/2000 = 7.377759/2000 = 3.688879e-3,
	// one-sided 95% bound = χ²_2(0.95)/(2X) = −2·ln(0.05)/2000 = 2.995732e-3 (the "rule of three").
	e := EstimateRate(nil, 100, 1000, 0.01)
	if e.Resolved || e.Rate != nil || e.Tau != nil || e.TauIterations != nil || e.MeanFirstPassage != nil {
		t.Fatalf("E = 0 must be unresolved with no rate: %+v", e)
	}
	if float64(e.Exposure) != 1000 || float64(e.RateCI95[0]) != 0 || !near(float64(e.RateCI95[1]), 3.688879e-3, 1e-6) || !near(float64(e.RateUpper95), 2.995732e-3, 1e-6) {
		t.Fatalf("got exposure %v, CI %v, upper %v", e.Exposure, e.RateCI95, e.RateUpper95)
	}
	if !math.IsInf(float64(e.TauCI95[1]), 1) || !near(float64(e.TauCI95[0]), 1/3.688879e-3, 1e-6) {
		t.Fatalf("τ interval %v, want [271.08, +Inf]", e.TauCI95)
	}
	if !strings.Contains(e.Note, "unresolved: 0 escapes (< 10); κ < 0.003 per unit time at 95%") {
		t.Fatalf("note %q", e.Note)
	}
	// JSON has no Inf: the open end is null, and null reads back as NaN (jsonnum.Number): not
	// finite, as the summary and the figures treat it.
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"tau_ci95":[271.085`) || !strings.Contains(string(b), `,null]`) || !strings.Contains(string(b), `"rate":null`) {
		t.Fatalf("JSON %s", b)
	}
	var back Estimate
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.TauCI95[1].Finite() || back.TauCI95[0] != e.TauCI95[0] || back.RateCI95 != e.RateCI95 || float64(back.Exposure) != float64(e.Exposure) || back.Note != e.Note {
		t.Fatalf("round trip: %+v", back)
	}
}

func TestEstimateOneEscape(t *testing.T) {
	// N = 1, fp = 10, η = 0.1: X = 1. Garwood: lower = χ²_2(0.025)/2 = −ln(0.975) = 0.0253178,
	// upper = χ²_4(0.975)/2 = 11.1433/2 = 5.57164 (χ² table). Every particle escaped, so the mean
	// first passage is 10·0.1 = 1.
	e := EstimateRate([]uint32{10}, 1, 100, 0.1)
	if e.Resolved || e.Rate != nil || !near(float64(e.RateCI95[0]), 0.0253178, 1e-5) || !near(float64(e.RateCI95[1]), 5.57164, 1e-5) {
		t.Fatalf("got %+v", e)
	}
	if e.MeanFirstPassage == nil || !near(*e.MeanFirstPassage, 1, 1e-15) {
		t.Fatalf("mean first passage %v, want 1", e.MeanFirstPassage)
	}
	if !strings.HasPrefix(e.Note, "unresolved: 1 escape (< 10)") {
		t.Fatalf("note %q", e.Note)
	}
}

func TestEstimateResolvedByHand(t *testing.T) {
	// N = 20, S = 1000, η = 0.01, escapes at 100, 200, …, 1000 (sum 5500) and 10 survivors:
	// X = (5500 + 10·1000)·0.01 = 155, κ̂ = 10/155 = 0.0645161, τ = 15.5 = 1550 iterations.
	// Garwood: [χ²_20(0.025), χ²_22(0.975)]/(2X) = [9.59078, 36.7807]/310 = [0.0309380, 0.118647].
	fp := []uint32{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}
	e := EstimateRate(fp, 20, 1000, 0.01)
	if !e.Resolved || e.Rate == nil || e.Note != "" || e.MeanFirstPassage != nil {
		t.Fatalf("E = 10 must be resolved: %+v", e)
	}
	if !near(float64(e.Exposure), 155, 1e-14) || !near(*e.Rate, 10.0/155, 1e-14) || !near(*e.Tau, 15.5, 1e-14) || !near(*e.TauIterations, 1550, 1e-12) {
		t.Fatalf("X %v, κ̂ %v, τ %v, τ_it %v", e.Exposure, *e.Rate, *e.Tau, *e.TauIterations)
	}
	if !near(float64(e.RateCI95[0]), 0.0309380, 1e-5) || !near(float64(e.RateCI95[1]), 0.118647, 1e-5) {
		t.Fatalf("CI %v", e.RateCI95)
	}
	if !near(float64(e.TauCI95[0]), 1/float64(e.RateCI95[1]), 1e-15) || !near(float64(e.TauCI95[1]), 1/float64(e.RateCI95[0]), 1e-15) {
		t.Fatalf("τ CI %v", e.TauCI95)
	}
	// The same from sufficient statistics (a merged shard) is identical.
	if f := EstimateFromCounts(20, 10, 15500, 0.01); *f.Rate != *e.Rate || f.RateCI95 != e.RateCI95 {
		t.Fatalf("EstimateFromCounts differs: %+v", f)
	}
}

func TestEstimateTenEscapeRule(t *testing.T) {
	// docs/theory.md §3: E < 10 is unresolved, E ≥ 10 is resolved.
	for e := 0; e <= 12; e++ {
		est := EstimateFromCounts(100, e, 1e5, 0.01)
		if est.Resolved != (e >= 10) || (est.Rate == nil) == (e >= 10) || (est.Tau == nil) == (e >= 10) {
			t.Errorf("E = %d: resolved %v, rate %v", e, est.Resolved, est.Rate)
		}
		if !(est.RateUpper95 > 0) || !(est.RateCI95[1] > est.RateUpper95) {
			t.Errorf("E = %d: upper bounds %v, %v", e, est.RateUpper95, est.RateCI95)
		}
		if (est.Note != "") == (e >= 10) {
			t.Errorf("E = %d: note %q", e, est.Note)
		}
	}
	if est := EstimateFromCounts(0, 0, 0, 0.01); est.Rate != nil || est.Note == "" {
		t.Errorf("no particles: %+v", est)
	}
	if _, err := json.Marshal(EstimateFromCounts(0, 0, 0, 0.01)); err != nil {
		t.Errorf("an undefined estimate must still marshal: %v", err)
	}
}

func TestEstimateCoverage(t *testing.T) {
	// 1000 fixed seeds; each draws N = 200 exponential escape times with κ = 1, observed for
	// t_max = ln 2 (so half escape on average), discretised to iterations with η = t_max/10⁴
	// (fp = ceil(t/η), a bias of η/2 per escape, 1e-4 of the mean). The Garwood 95% interval must
	// cover κ = 1 in [93%, 97%] of the seeds: the binomial sd of the coverage over 1000 seeds is
	// sqrt(0.95·0.05/1000) ≈ 0.7%, so the band is ±3σ.
	const n, steps, seeds = 200, 10000, 1000
	tmax := math.Ln2
	eta := tmax / steps
	covered := 0
	fp := make([]uint32, 0, n)
	for seed := uint64(1); seed <= seeds; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x6b72616d657273))
		fp = fp[:0]
		for i := 0; i < n; i++ {
			if t := r.ExpFloat64(); t < tmax {
				fp = append(fp, uint32(math.Ceil(t/eta)))
			}
		}
		e := EstimateRate(fp, n, steps, eta)
		if e.RateCI95[0] <= 1 && 1 <= e.RateCI95[1] {
			covered++
		}
	}
	c := float64(covered) / seeds
	t.Logf("coverage of the 95%% interval: %.1f%%", 100*c)
	if c < 0.93 || c > 0.97 {
		t.Fatalf("coverage %.3f outside [0.93, 0.97]", c)
	}
}

func TestSurvival(t *testing.T) {
	// N = 4, fp = {3, 1, 3, 7}, S = 8, 4 points, η = 0.5: iterations 0, 2, 4, 6, 8 have
	// 0, 1, 3, 3, 4 escapes (fp ≤ i), so S = 1, 3/4, 1/4, 1/4, 0 at times 0, 1, 2, 3, 4.
	got := Curve([]uint32{3, 1, 3, 7}, 4, 8, 0.5, 4)
	want := []CurvePoint{{0, 0, 1}, {1, 2, 0.75}, {2, 4, 0.25}, {3, 6, 0.25}, {4, 8, 0}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("point %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	// Monotone on a random sample with survivors, and duplicates dropped when points > S.
	r := rand.New(rand.NewPCG(7, 7))
	var fp []uint32
	for i := 0; i < 500; i++ {
		if v := r.IntN(2000) + 1; v <= 1000 {
			fp = append(fp, uint32(v))
		}
	}
	s := Curve(fp, 500, 1000, 0.01, 37)
	if s[0].Survival != 1 || len(s) != 38 || s[37].Iteration != 1000 {
		t.Fatalf("start %+v, %d points, last %+v", s[0], len(s), s[len(s)-1])
	}
	if want := float64(500-len(fp)) / 500; s[37].Survival != want {
		t.Fatalf("final survival %v, want %v", s[37].Survival, want)
	}
	for i := 1; i < len(s); i++ {
		if s[i].Survival > s[i-1].Survival || s[i].Iteration <= s[i-1].Iteration {
			t.Fatalf("not monotone at %d: %+v after %+v", i, s[i], s[i-1])
		}
	}
	if s := Curve(nil, 3, 2, 1, 10); len(s) != 3 {
		t.Fatalf("S = 2 with 10 points: %v, want iterations 0, 1, 2", s)
	}
}

func TestHistogramMerge(t *testing.T) {
	// 10 steps in 3 bins: width ceil(10/3) = 4, bins [1,4], [5,8], [9,12].
	h := NewHistogram(10, 3)
	if h.BinWidth != 4 || len(h.Counts) != 3 {
		t.Fatalf("got %+v", h)
	}
	all := []uint32{1, 4, 5, 10, 13, 8}
	for _, v := range all[:3] {
		h.Add(v)
	}
	o := NewHistogram(10, 3)
	for _, v := range all[3:] {
		o.Add(v) // 13 lies beyond the covered range and extends o to 4 bins
	}
	one := NewHistogram(10, 3)
	for _, v := range all {
		one.Add(v)
	}
	if err := h.Merge(o); err != nil {
		t.Fatal(err)
	}
	want := []int64{2, 2, 1, 1}
	for i := range want {
		if h.Counts[i] != want[i] || one.Counts[i] != want[i] {
			t.Fatalf("merged %v, single %v, want %v", h.Counts, one.Counts, want)
		}
	}
	if h.Total() != 6 {
		t.Fatalf("total %d", h.Total())
	}
	if err := h.Merge(NewHistogram(100, 3)); err == nil {
		t.Fatal("merging different bin widths must fail")
	}
}
