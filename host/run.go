package host

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Progress is reported after every chunk.
type Progress struct {
	Iteration int        // iterations done
	Steps     int        // iterations planned
	Escaped   int        // escapes so far
	Diverged  int        // divergences so far
	Beyond    int        // particles beyond the saddle hyperplane now
	Basin     BasinPoint // the occupancy of the far basin now (non-absorbing runs)
	Rate      float64    // current κ̂ per unit time (NaN before the first escape)
	Elapsed   time.Duration
}

// BasinPoint is the occupancy of the far basin at one moment (non-absorbing runs, docs/theory.md §5 K8).
type BasinPoint struct {
	Iteration int     `json:"iteration"`
	Time      float64 `json:"time"`
	Beyond    float64 `json:"fraction_beyond"` // fraction of live particles past the saddle hyperplane
}

// RunOptions are the hooks of the chunk loop.
type RunOptions struct {
	Progress func(Progress)
	// AfterChunk is called between chunks (checkpoints, live drawing); an error stops the run.
	AfterChunk func(iter int) error
	// StartIteration resumes a run whose backend state was restored at this iteration.
	StartIteration int
	// Prior counts carried over from a resumed run.
	PriorEscaped, PriorDiverged int
	// ChunkTarget is the wall time one dispatch aims at (0: DefaultChunkTarget).
	ChunkTarget time.Duration
}

// LoopStats is what the chunk loop measured, besides the records.
type LoopStats struct {
	Iterations   int           // iterations done (Steps unless interrupted)
	Interrupted  bool          // the context was cancelled: the result is partial
	Stepping     time.Duration // wall time of the whole loop
	Dispatch     time.Duration // wall time inside Advance
	Chunks       int
	Basin        []BasinPoint
	Escaped      int
	Diverged     int
	LastChunkLen int

	iterationsAdvanced int
}

// DefaultChunkTarget is the wall time an adaptive chunk aims at, well under the ~1 s watchdog that
// a GPU driving a display applies, and long enough that the host loop is a small part of the wall
// time. chunkRule lengthens chunks beyond it where a dispatch has a large fixed cost.
const DefaultChunkTarget = 200 * time.Millisecond

// MaxFixedShare is the largest part of a dispatch's wall time that its fixed cost may take before
// chunkRule lengthens the chunk (the host loop's own share is measured apart, LoopStats). It was 5%
// until the A/B of BENCHMARKS.md ("Case 1 against a lean kernel") showed the run loop at 0.92× the
// engine's own speed on an idle machine: at 5% each of llvmpipe's dispatches of 2²⁰ particles
// (fixed cost ≈ 20 iterations) held about 380 iterations, and the 10–14 dispatches of a
// 4000-iteration run lost 7% to their fixed costs. At 1% a dispatch holds about 2000 iterations,
// about 2.4 s on llvmpipe, within MaxDispatch (on a real GPU the fixed cost is a memory pass of
// microseconds and the target rules). Same A/B, idle, 5 rounds: the run loop at 0.938× the lean
// kernel with 2%, 0.989× with 1%.
const MaxFixedShare = 0.01

// MaxDispatch bounds the chunks that chunkRule lengthens for a large fixed cost: progress, live
// views and interrupts wait at most about this long.
const MaxDispatch = 10 * time.Second

// MinAdaptiveChunk is the fewest iterations an adaptive chunk holds. A dispatch of a single
// iteration reloads and stores the whole ensemble for one step of work; measured under llvmpipe with
// 2²⁴ particles, 1-iteration chunks ran at 2.4·10⁷ particle-steps/s against 1.2·10⁸ with 50, and
// the adaptive rule could not grow out of it (the slow dispatch looked like a long one). 16
// iterations of even 10⁸ particles stay far below a GPU watchdog on any GPU that runs 10⁹
// particle-steps/s or more.
const MinAdaptiveChunk = 16

// chunkRule sizes adaptive chunks from a model of a dispatch's wall time, t(n) = fixed + n·b for
// n iterations: fixed is measured once, by a dispatch of zero iterations, and b after every chunk.
// A chunk aims at the target, but is lengthened until the fixed cost is at most MaxFixedShare of
// the dispatch, within MaxDispatch. The fixed cost is what a dispatch pays per particle
// besides the iterations: under llvmpipe 40–60 ns per particle (40–63 ms for 2²⁰ particles measured
// with zero-iteration dispatches, the time of some 16–25 iterations; a third to a half of it the stores of
// positions and records), on a real GPU a memory pass of microseconds. Without this rule, a 0.2 s target left llvmpipe a fifth of its time in it.
type chunkRule struct {
	target, fixed time.Duration
}

// next is the length of the chunk after one of n iterations that took dt. It grows at most 4× per
// chunk, so that one mismeasured dispatch cannot produce a very long one.
func (r chunkRule) next(n int, dt time.Duration) int {
	perIteration := float64(dt-r.fixed) / float64(n)
	if perIteration <= 0 {
		perIteration = float64(dt) / float64(n) // the model does not fit: ignore the fixed part
	}
	want := float64(r.target-r.fixed) / perIteration
	want = math.Max(want, (1-MaxFixedShare)/MaxFixedShare*float64(r.fixed)/perIteration)
	want = math.Min(want, float64(MaxDispatch-r.fixed)/perIteration)
	return clampInt(int(math.Min(want, 4*float64(n))), MinAdaptiveChunk, 1<<16)
}

// Loop advances the backend from opt.StartIteration to p.Config.Steps in chunks. Cancelling ctx
// finishes the current chunk and returns with Interrupted set: nothing computed is lost.
func Loop(ctx context.Context, p *Problem, b Backend, opt RunOptions) (LoopStats, error) {
	cfg := p.Config
	_, count := cfg.Span()
	st := LoopStats{Iterations: opt.StartIteration, Escaped: opt.PriorEscaped, Diverged: opt.PriorDiverged}
	target := opt.ChunkTarget
	if target == 0 {
		target = DefaultChunkTarget
	}
	chunk := cfg.Chunk
	adaptive := chunk == 0
	if adaptive {
		// First guess: about 2²² particle-steps, then adapt to the measured speed. The chunk
		// length changes only when dispatches happen, never which random numbers are drawn.
		chunk = clampInt(int(math.Ceil(float64(1<<22)/float64(count))), MinAdaptiveChunk, 4096)
	}
	start := time.Now()
	rule := chunkRule{target: target}
	if adaptive && st.Iterations < cfg.Steps {
		// The fixed cost of a dispatch: zero iterations change no particle (chunkRule).
		t0 := time.Now()
		if _, err := b.Advance(st.Iterations, 0); err != nil {
			return st, fmt.Errorf("advance zero iterations at %d on %s: %w", st.Iterations, b.Name(), err)
		}
		rule.fixed = time.Since(t0)
		st.Dispatch += rule.fixed
	}
	for st.Iterations < cfg.Steps {
		if ctx.Err() != nil {
			st.Interrupted = true
			break
		}
		n := min(chunk, cfg.Steps-st.Iterations)
		t0 := time.Now()
		c, err := b.Advance(st.Iterations, n)
		dt := time.Since(t0)
		if err != nil {
			return st, fmt.Errorf("advance iterations %d–%d on %s: %w", st.Iterations, st.Iterations+n, b.Name(), err)
		}
		st.Dispatch += dt
		st.Chunks++
		st.LastChunkLen = n
		st.Iterations += n
		st.iterationsAdvanced += n
		st.Escaped += c.Escaped
		st.Diverged += c.Diverged
		// The basin fraction, counted over the particles still moving (docs/theory.md §5, K8).
		live := count - st.Diverged
		frac := 0.0
		if live > 0 {
			frac = float64(c.Beyond) / float64(live)
		}
		bp := BasinPoint{Iteration: st.Iterations, Time: float64(st.Iterations) * cfg.LR, Beyond: frac}
		st.Basin = append(st.Basin, bp)
		if opt.Progress != nil {
			opt.Progress(Progress{Iteration: st.Iterations, Steps: cfg.Steps, Escaped: st.Escaped,
				Diverged: st.Diverged, Beyond: c.Beyond, Basin: bp, Rate: roughRate(st, count, cfg), Elapsed: time.Since(start)})
		}
		if opt.AfterChunk != nil {
			if err := opt.AfterChunk(st.Iterations); err != nil {
				return st, err
			}
		}
		if adaptive && dt > 0 {
			chunk = rule.next(n, dt)
		}
		if cfg.Absorb && st.Escaped+st.Diverged >= count {
			// Every particle is frozen: the remaining iterations would change nothing.
			st.Iterations = cfg.Steps
		}
	}
	st.Stepping = time.Since(start)
	return st, nil
}

// roughRate is the progress line's κ̂: escapes over an exposure that counts every particle
// that escaped as exposed for half the elapsed time (the exact exposure needs the records).
func roughRate(st LoopStats, count int, cfg Config) float64 {
	if st.Escaped == 0 {
		return math.NaN()
	}
	t := float64(st.Iterations) * cfg.LR
	x := float64(count-st.Escaped-st.Diverged)*t + float64(st.Escaped)*t/2
	return float64(st.Escaped) / x
}

func clampInt(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
