package host

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/kramers-sim/kramers/host/survival"
)

// Merge combines the results of the shards of one ensemble (kramers run --shard i/n) into the
// result of the whole ensemble. The censored-exponential likelihood depends on the data only
// through the number of escapes E and the exposure X (docs/theory.md §3), so adding them is exact:
// the merged κ̂ and interval equal those of the unsharded run bit for bit (exposures are whole
// numbers of iterations, added exactly). Histograms add bin by bin and the survival curve is
// recomputed from the summed counts at the same iterations.
//
// Merge refuses results of different models (Config.Hash, which covers the Model only) or program
// versions, partial results, and particle ranges that overlap or leave gaps in [0, Particles).
// Shards may differ in their Execution: run on other backends or at another --precision they
// merge validly (each shard's records are a valid sample of the model), but the merged result is
// then not bit-identical to an unsharded run on one backend; its backend field names them all.
// The merged estimate is finished as Measure finishes one (an unstable step leaves it
// unresolved), and its warnings and comparisons are recomputed from the merged data
// (mergeWarnings).
func Merge(shards []*Result) (*Result, error) {
	if len(shards) == 0 {
		return nil, inputErr("", "merge needs at least one shard result; give the JSON files written by kramers run --shard i/n --json FILE")
	}
	rs := append([]*Result(nil), shards...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].First < rs[j].First })
	if err := checkShardsOfOneRun(rs); err != nil {
		return nil, err
	}
	if err := checkShardsTile(rs); err != nil {
		return nil, err
	}
	sum, err := sumShards(rs)
	if err != nil {
		return nil, err
	}
	return mergedResult(rs, sum), nil
}

// checkShardsOfOneRun refuses shards (sorted by First) of different program versions or
// configurations, edited files, partial results and short runs.
func checkShardsOfOneRun(rs []*Result) error {
	base := rs[0]
	cfg := base.Config
	hash := cfg.Hash()
	for _, r := range rs {
		if r.Version != base.Version {
			return inputErr("", "shard results come from kramers %s and %s; rerun the shards with one version", base.Version, r.Version)
		}
		if h := r.Config.Hash(); h != hash {
			return inputErr("", "shard %s has configuration %s but shard %s has %s; merge only shards of one run (same flags apart from --shard)", ShardLabel(r.Config), h, ShardLabel(cfg), hash)
		}
		if r.ConfigHash != "" && r.ConfigHash != r.Config.Hash() {
			if r.Version != Version {
				return inputErr("", "shard %s was written by kramers %s, whose configuration hash is not this version's; merge it with kramers %s", ShardLabel(r.Config), r.Version, r.Version)
			}
			return inputErr("", "shard %s says config_hash %s but its configuration hashes to %s; the file was edited, rerun the shard", ShardLabel(r.Config), r.ConfigHash, r.Config.Hash())
		}
		if r.Partial {
			return inputErr("", "shard %s is partial (stopped at iteration %d of %d); finish it with kramers run --resume CHECKPOINT before merging", ShardLabel(r.Config), r.Steps, r.Config.Steps)
		}
		if r.Steps != cfg.Steps || r.Particles < 1 {
			return inputErr("", "shard %s ran %d of %d iterations with %d particles; rerun it", ShardLabel(r.Config), r.Steps, cfg.Steps, r.Particles)
		}
	}
	return nil
}

// checkShardsTile refuses shards (sorted by First) that overlap or leave gaps in [0, Particles).
func checkShardsTile(rs []*Result) error {
	next := 0
	for _, r := range rs {
		switch {
		case r.First < next:
			return inputErr("", "shards overlap: particles [%d, %d) are covered twice; merge each shard once", r.First, next)
		case r.First > next:
			return inputErr("", "shards leave a gap: particles [%d, %d) are missing; add the missing shard's result", next, r.First)
		}
		next = r.First + r.Particles
	}
	if particles := rs[0].Config.Particles; next != particles {
		return inputErr("", "shards leave a gap: particles [%d, %d) are missing; add the missing shard's result", next, particles)
	}
	return nil
}

// shardSums are the counts of the shards added up: the sufficient statistics of the merged
// estimate, histogram and survival curve.
type shardSums struct {
	escaped, diverged, lateDiverged, live int
	exposureIt, seconds                   float64
	hist                                  survival.Histogram
	escapedBy                             []int // escapes by each survival point, live particles
	backends, renderers                   map[string]bool
}

// sumShards adds up the counts of the shards, refusing histograms and survival curves sampled
// differently.
func sumShards(rs []*Result) (shardSums, error) {
	base := rs[0]
	cfg := base.Config
	sum := shardSums{hist: survival.Histogram{BinWidth: base.Histogram.BinWidth}, escapedBy: make([]int, len(base.Survival)),
		backends: map[string]bool{}, renderers: map[string]bool{}}
	for _, r := range rs {
		rLive := r.Particles - r.Diverged
		sum.escaped += r.BurnIn.Window.Escaped
		sum.diverged += r.Diverged
		sum.lateDiverged += r.DivergedAfterEscape
		sum.live += rLive
		// The window's exposure is Σ fp + survivors·S iterations, a whole number; the JSON value
		// went through ·η/η, so rounding recovers it exactly (well below 2⁵²).
		sum.exposureIt += math.Round(float64(r.BurnIn.Window.Exposure) / cfg.LR)
		sum.seconds += r.Seconds
		if err := sum.hist.Merge(r.Histogram); err != nil {
			return sum, inputErr("", "shard %s: %v; the shards are not of one run", ShardLabel(r.Config), err)
		}
		if len(r.Survival) != len(sum.escapedBy) {
			return sum, inputErr("", "shard %s has %d survival points, shard %s %d; the shards are not of one run", ShardLabel(r.Config), len(r.Survival), ShardLabel(cfg), len(sum.escapedBy))
		}
		for k, sp := range r.Survival {
			if sp.Iteration != base.Survival[k].Iteration {
				return sum, inputErr("", "shard %s samples its survival curve at other iterations; the shards are not of one run", ShardLabel(r.Config))
			}
			sum.escapedBy[k] += rLive - int(math.Round(sp.Survival*float64(rLive)))
		}
		sum.backends[r.Backend] = true
		sum.renderers[r.Renderer] = true
	}
	return sum, nil
}

// mergedResult is the result of the whole ensemble from the shards' sums, finished as Measure
// finishes one.
func mergedResult(rs []*Result, sum shardSums) *Result {
	base := rs[0]
	cfg := base.Config
	hash := cfg.Hash()
	cfg.First, cfg.Count = 0, 0
	window := survival.EstimateFromCounts(sum.live, sum.escaped, sum.exposureIt, cfg.LR)
	window.Particles = sum.live
	qs := mergeQuasiStationary(rs, sum.hist, window, cfg)
	est := qs.Estimate
	out := &Result{
		Version: base.Version, Config: cfg, ConfigHash: hash, Particles: cfg.Particles, First: 0,
		Steps: cfg.Steps, LR: cfg.LR, Estimate: est, ExposureIterations: float64(est.Exposure) / cfg.LR,
		Diverged: sum.diverged, DivergedAfterEscape: sum.lateDiverged, Backend: joinKeys(sum.backends), Renderer: joinKeys(sum.renderers),
		Seconds: sum.seconds, Theory: base.Theory, Question: base.Question, Analysis: base.Analysis, Escape: base.Escape, Noise: base.Noise,
		Histogram: sum.hist, BurnIn: qs, Stability: base.Stability, EscapedTotal: sum.escaped, EscapeCautions: base.EscapeCautions,
	}
	if sum.seconds > 0 {
		out.ParticleStepsPerSecond = float64(cfg.Particles) * float64(cfg.Steps) / sum.seconds
	}
	for k, sp := range base.Survival {
		s := sp
		if sum.live > 0 {
			s.Survival = float64(sum.live-sum.escapedBy[k]) / float64(sum.live)
		}
		out.Survival = append(out.Survival, s)
	}
	FinishEstimate(&out.Estimate, out.Stability)
	out.Warnings = mergeWarnings(rs, out, sum.diverged, sum.lateDiverged)
	agreeQuasiStationary(&out.BurnIn, out.Estimate, out.Stability)
	return out
}

// mergeWarnings gives the merged result the warnings that Measure would give the whole ensemble,
// kind by kind, in Measure's order: the step-size caution (one Model, so one Stability), float32
// resolution (once per distinct message: shards may differ in backend and precision), the
// escape region's cautions (the model's, from the first shard), the divergences with the counts added, the burn-in caution (mergeQuasiStationary's: the first
// shard's whose given burn-in did not settle), the window and escape-count cautions and the bias warning
// of the merged estimate. The shards' own warnings are not copied: their counts and estimates are
// the shards', and a warning read back from JSON has no kind.
func mergeWarnings(rs []*Result, out *Result, diverged, lateDiverged int) []Warning {
	var ws []Warning
	if w, ok := StabilityWarning(out.Stability); ok {
		ws = append(ws, w)
	}
	seen := map[string]bool{}
	for _, r := range rs {
		dim := 0
		if r.Analysis != nil {
			dim = len(r.Analysis.Minimum)
		}
		if msg := precisionWarning(r.Config, r.Analysis, dim, math.NaN()); msg != "" && !seen[msg] {
			seen[msg] = true
			ws = append(ws, Warning{Kind: WarnPrecision, Message: msg})
		}
	}
	for _, msg := range out.EscapeCautions {
		ws = append(ws, Warning{Kind: WarnOther, Message: msg})
	}
	if diverged > 0 {
		ws = append(ws, divergedWarning(fmt.Sprintf("%d of %d particles diverged; they are excluded from the rate", diverged, out.Config.Particles), out.Stability))
	}
	if lateDiverged > 0 {
		ws = append(ws, lateDivergedWarning(lateDiverged))
	}
	if w, ok := quasiStationaryWarning(out.BurnIn); ok {
		ws = append(ws, w)
	}
	ws = append(ws, estimateWarnings(out.BurnIn, out.Estimate)...)
	var bias []Warning
	out.Comparisons, bias = compare(out.Estimate, out.Theory, out.Question, out.Stability, out.LR)
	refutedByExact(&out.Estimate, out.Comparisons)
	return append(ws, bias...)
}

// mergeQuasiStationary combines the shards' quasi-stationary estimates (docs/theory.md §3).
// When every shard used the same burn-in t0 (a given --burn-in, or automatic choices that agree),
// the truncated counts E', N' and the exposure X' (whole iterations) add exactly, as the window's
// do. Otherwise the merged burn-in is the latest of the shards', rounded up to an edge of the
// histogram: each shard found its hazard constant after its own t0, so after the latest one too,
// and the histogram's counts and sums of first passages give E', N' and X' exactly at a bin
// edge. A shard that found no burn-in (Reason), or reported its rate only with an interval
// widened for the residual ramp, leaves the merged rate unresolved with a reason; a given burn-in
// that did not settle in a shard leaves it resolved, with the shard's warning, as it would an
// unsharded run.
func mergeQuasiStationary(rs []*Result, hist survival.Histogram, window survival.Estimate, cfg Config) survival.QuasiStationary {
	q := survival.QuasiStationary{Window: window, Level: survival.BurnInLevel, PValue: 1, Plateau: true, BurnInRule: rs[0].BurnIn.BurnInRule,
		RestrictedMean: survival.RestrictedMean(window)}
	t0, same := rs[0].BurnIn.BurnIn, true
	for _, r := range rs {
		if r.BurnIn.BurnIn != t0 {
			same = false
		}
		t0 = max(t0, r.BurnIn.BurnIn)
		rq := r.BurnIn
		if !rq.Plateau {
			q.Plateau = false
		}
		switch {
		case q.Reason != "":
		case rq.Reason != "":
			// The shard found no burn-in (no plateau, too few escapes, a window shorter than the
			// burn-in): nor does the ensemble.
			q.Reason = fmt.Sprintf("shard %s: %s", ShardLabel(r.Config), rq.Reason)
			q.ShortWindow, q.HazardFalls = rq.ShortWindow, rq.HazardFalls
		case rq.Widened:
			// The shard's rate was reported with an interval widened for the ramp left after its
			// last candidate; the merged counts carry no such widening.
			q.Reason = fmt.Sprintf("shard %s: no plateau of the hazard within the window (its own rate was reported with a widened interval, which a merge does not reproduce); run longer (--steps) or give --burn-in", ShardLabel(r.Config))
			q.ShortWindow = true
		}
		// A given burn-in that did not settle in a shard is a warning, as in an unsharded run.
		if rq.Warning != "" && !rq.Widened && q.Warning == "" {
			q.Warning = rq.Warning
		}
	}
	var escaped, atRisk int
	var exposureIt float64
	if same {
		for _, r := range rs {
			escaped += r.BurnIn.Estimate.Escaped
			atRisk += r.BurnIn.Estimate.Particles
			exposureIt += math.Round(float64(r.BurnIn.Estimate.Exposure) / cfg.LR)
		}
	} else {
		w := hist.BinWidth
		k := (t0 + w - 1) / w
		t0 = k * w
		q.BurnInRule = "merged: the latest of the shards' burn-ins, rounded up to a histogram bin edge"
		atRisk = window.Particles
		var sum int64
		for i, c := range hist.Counts {
			if i < k {
				atRisk -= int(c)
				continue
			}
			escaped += int(c)
			sum += hist.Sums[i]
		}
		exposureIt = float64(sum-int64(escaped)*int64(t0)) + float64(atRisk-escaped)*float64(cfg.Steps-t0)
	}
	q.BurnIn, q.BurnInTime = t0, float64(t0)*cfg.LR
	q.RemovedEscapes = window.Escaped - escaped
	if window.Escaped > 0 {
		q.RemovedFraction = float64(q.RemovedEscapes) / float64(window.Escaped)
	}
	q.Estimate = survival.EstimateFromCounts(atRisk, escaped, exposureIt, cfg.LR)
	q.Estimate.Particles = atRisk
	if q.Reason != "" {
		e := &q.Estimate
		e.Rate, e.Tau, e.TauIterations, e.Resolved = nil, nil, nil, false
		e.Note = q.Reason
	} else if q.Estimate.Rate != nil && window.Rate != nil {
		b := *window.Rate / *q.Estimate.Rate - 1
		q.WindowBias = &b
	}
	return q
}

func joinKeys(m map[string]bool) string {
	keys := slices.Sorted(maps.Keys(m))
	return strings.Join(keys, "+")
}
