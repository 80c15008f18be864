package view

import (
	"fmt"
	"strings"
	"time"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/survival"
	"github.com/kramers-sim/kramers/host/theory"
)

// Session is a live simulation with its renderer: the GPU backend advances the ensemble
// between frames and the renderer draws its buffers. The session estimates nothing itself: κ̂
// is host.Measure on the records, read back at most about once a second (RefreshEstimate), so
// the panel never shows a number a run would not.
type Session struct {
	Problem  *host.Problem
	Backend  *gpu.Backend
	Renderer *Renderer
	// Pace, when set, chooses the iterations per frame from the measured simulation time
	// (Step reports to it); nil means a fixed number chosen by the caller.
	Pace *Pace

	Iteration int // iterations done
	Escaped   int // escapes so far (first passages)
	Diverged  int

	estimate   survival.Estimate
	estimateAt int // iteration of the records behind estimate (-1: none)
	lastRead   time.Time
	theory     []string
	// predictions are computed once; every estimate is compared with them (host.Measure).
	predictions map[string]theory.Prediction

	steps    int64 // particle-steps since the rate window began
	stepTime time.Duration
	stepRate float64 // particle-steps per second (recent)

	simTime, estTime time.Duration // of the frame in progress
	meter            budgetMeter
}

// NewSession loads p (at its seed) on a GPU backend that shares ctx and prepares its renderer.
func NewSession(ctx *gpu.Context, p *host.Problem, opt Options) (*Session, error) {
	b := gpu.NewBackendOn(ctx, p.Config.Precision == "f64")
	first, count := p.Config.Span()
	if err := b.Load(p, first, count); err != nil {
		b.Close()
		return nil, fmt.Errorf("load %d particles: %w", count, err)
	}
	r, err := NewRenderer(b, opt)
	if err != nil {
		b.Close()
		return nil, err
	}
	s := &Session{Problem: p, Backend: b, Renderer: r, estimateAt: -1}
	s.predictions = host.Predictions(p)
	s.theory = theoryLine(s.predictions)
	return s, nil
}

// theoryLine is the first applicable prediction of τ (host.Preferred), as a rate.
func theoryLine(pr map[string]theory.Prediction) []string {
	names := host.Preferred(pr)
	var reasons []string
	for _, k := range names {
		t := pr[k]
		if t.Tau != nil && *t.Tau > 0 {
			return []string{"theory (" + k + ", " + string(t.Kind) + "):", fmt.Sprintf("  κ = %.4g /time, τ = %.4g", 1 / *t.Tau, *t.Tau)}
		}
		reasons = append(reasons, k)
	}
	return []string{"theory: no formula applies", "  (" + strings.Join(reasons, ", ") + ")"}
}

// Close releases the renderer and the backend (not the context).
func (s *Session) Close() {
	s.Renderer.Delete()
	s.Backend.Close()
}

// Particles is the ensemble size.
func (s *Session) Particles() int { _, n := s.Backend.Span(); return n }

// Step advances n iterations (one dispatch per batch) and updates the counts. Its time is the
// frame's simulate phase (Advance returns after reading the chunk's counters back, so the
// dispatch has finished).
func (s *Session) Step(n int) error {
	n = min(n, host.MaxSteps-s.Iteration)
	if n <= 0 {
		return nil
	}
	t0 := time.Now()
	c, err := s.Backend.Advance(s.Iteration, n)
	if err != nil {
		return err
	}
	dt := time.Since(t0)
	s.simTime += dt
	if s.Pace != nil {
		s.Pace.Observe(n, dt)
	}
	s.Iteration += n
	s.Escaped += c.Escaped
	s.Diverged += c.Diverged
	s.steps += int64(n) * int64(s.Particles())
	s.stepTime += dt
	if s.stepTime > 500*time.Millisecond {
		s.stepRate = float64(s.steps) / s.stepTime.Seconds()
		s.steps, s.stepTime = 0, 0
	} else if s.stepRate == 0 && s.stepTime > 0 {
		s.stepRate = float64(s.steps) / s.stepTime.Seconds()
	}
	return nil
}

// Estimate is the last κ̂ the panel shows (host.Measure on the records read at the returned
// iteration; −1: no records read yet).
func (s *Session) Estimate() (survival.Estimate, int) { return s.estimate, s.estimateAt }

// StepRate is the recent throughput in particle-steps per second.
func (s *Session) StepRate() float64 { return s.stepRate }

// Restart puts every particle back at the start with a new seed.
func (s *Session) Restart(seed uint64) error {
	p := reseeded(s.Problem, seed)
	first, count := p.Config.Span()
	if err := s.Backend.Load(p, first, count); err != nil {
		return err
	}
	s.Problem = p
	s.Iteration, s.Escaped, s.Diverged = 0, 0, 0
	s.estimateAt = -1
	return nil
}

// RefreshEstimate reads the records back and recomputes κ̂, if forced or if a second has
// passed since the last read-back.
func (s *Session) RefreshEstimate(force bool) error {
	if s.Iteration == 0 || s.estimateAt == s.Iteration {
		return nil
	}
	if !force && time.Since(s.lastRead) < time.Second {
		return nil
	}
	t0 := time.Now()
	recs, err := s.Backend.Records()
	if err != nil {
		return err
	}
	s.lastRead = time.Now()
	t := host.TallyRecords(recs)
	// The same measurement as a run's result: the quasi-stationary rate after the burn-in, with
	// its checks (docs/theory.md §3), so the panel never shows a number the run would not.
	s.estimate = host.Measure(s.Problem, t, s.Iteration, s.predictions).Estimate
	s.estimateAt = s.Iteration
	s.estTime += time.Since(t0)
	return nil
}

// EndFrame closes the accounting of a frame that took d in all: its simulate and estimate time
// since the last EndFrame and the renderer's phases go into the budget.
func (s *Session) EndFrame(d time.Duration) {
	s.meter.add(s.simTime, s.estTime, s.Renderer.Times(), d)
	s.simTime, s.estTime = 0, 0
}

// Budget is the frame budget per phase, averaged over about the last half second of frames.
func (s *Session) Budget() Budget { return s.meter.last }

// Info is the overlay text: the run, the clock, the counts, κ̂ with its 95% interval, the
// theory value, the speed and the frame budget.
func (s *Session) Info(state string, itersPerFrame int) []string {
	cfg := s.Problem.Config
	noise := string(cfg.Noise)
	switch cfg.Noise {
	case host.SGLD:
		noise += fmt.Sprintf(" T=%g", cfg.Temp)
	default:
		noise += fmt.Sprintf(" B=%g", cfg.Batch)
		if cfg.Floor > 0 {
			noise += fmt.Sprintf(" ε=%g", cfg.Floor)
		}
	}
	n := s.Particles()
	stride, drawn := s.Renderer.Sampling()
	drawText := "all drawn"
	if stride > 1 {
		drawText = fmt.Sprintf("drawn: every %d-th, %d", stride, drawn)
	}
	lines := append(wrapTitle(cfg.Landscape, infoColumns, titleLines),
		fmt.Sprintf("%s · η=%g · seed %d", noise, cfg.LR, cfg.Seed),
		fmt.Sprintf("iteration %d · t = %.4g", s.Iteration, float64(s.Iteration)*cfg.LR),
		state,
		fmt.Sprintf("particles %d (%s)", n, drawText),
		fmt.Sprintf("escaped %d (%.1f%%) · diverged %d", s.Escaped, 100*float64(s.Escaped)/float64(max(n, 1)), s.Diverged))
	e := s.estimate
	switch {
	case s.estimateAt < 0:
		lines = append(lines, "κ est.: no records read yet", "")
	case e.Resolved && e.Rate != nil:
		lines = append(lines, fmt.Sprintf("κ est. = %.4g /time", *e.Rate),
			fmt.Sprintf("  95%% CI [%.4g, %.4g] (it. %d)", e.RateCI95[0], e.RateCI95[1], s.estimateAt))
	case e.Escaped < survival.MinEscapesResolved && e.RateUpper95 > 0 && e.RateUpper95.Finite():
		lines = append(lines, fmt.Sprintf("κ unresolved: %d escapes (< %d)", e.Escaped, survival.MinEscapesResolved),
			fmt.Sprintf("  κ < %.3g /time at 95%%", e.RateUpper95))
	default:
		// No plateau of the hazard yet, an unstable step size, or no exposure after the burn-in
		// yet (no bound on κ): the reason's first clause.
		why, _, _ := strings.Cut(strings.TrimPrefix(e.Note, "unresolved: "), ";")
		why, _, _ = strings.Cut(why, ":")
		if r := []rune(why); len(r) > 34 {
			why = string(r[:33]) + "…"
		}
		lines = append(lines, "κ unresolved:", "  "+why)
	}
	lines = append(lines, s.theory...)
	b := s.meter.last
	if b.Frames > 0 {
		lines = append(lines, fmt.Sprintf("frame %.1f ms (%.0f/s) · %.3g steps/s", b.Frame, b.FPS, s.stepRate),
			fmt.Sprintf("  sim %.1f bg %.1f pts %.1f ovl %.1f pres %.1f", b.Simulate, b.Background, b.Points, b.Overlay, b.Present))
	} else {
		lines = append(lines, fmt.Sprintf("frame: measuring · %.3g steps/s", s.stepRate), "")
	}
	if itersPerFrame > 0 {
		how := "fixed"
		if s.Pace != nil {
			how = fmt.Sprintf("auto: sim ≤ %.0f ms", ms(s.Pace.Budget()))
		}
		lines = append(lines, fmt.Sprintf("%d iterations per frame (%s)", itersPerFrame, how))
	}
	return lines
}

// The info lines fit the text panel (PanelWidth, less its 12-pixel indent) in Go Mono at 13
// points, 7.8 pixels a character: infoColumns characters. A landscape's expression takes at
// most titleLines of them.
const (
	infoColumns = 40
	titleLines  = 3
)

// wrapTitle breaks a landscape's name or expression into lines of at most width characters,
// after a space, a comma or an operator where it can (mid-token only where a token is longer
// than a line), continuation lines indented by two spaces; past maxLines the last line ends in
// "…", so a long expression keeps its beginning readable instead of running under the plot.
func wrapTitle(s string, width, maxLines int) []string {
	rest := []rune(s)
	var lines []string
	for len(rest) > 0 {
		indent := ""
		if len(lines) > 0 {
			indent = "  "
		}
		room := width - len(indent)
		if len(lines) == maxLines-1 && len(rest) > room {
			return append(lines, indent+string(rest[:room-1])+"…")
		}
		n := len(rest)
		if n > room {
			n = room
			for i := room; i > room/2; i-- {
				if strings.ContainsRune(" ,+-*/^)", rest[i-1]) {
					n = i
					break
				}
			}
		}
		lines = append(lines, indent+strings.TrimRight(string(rest[:n]), " "))
		rest = []rune(strings.TrimLeft(string(rest[n:]), " "))
	}
	return lines
}

// reseeded is p with the Philox seed seed. It copies the prepared problem instead of preparing the
// changed Config again because nothing that Prepare derives (landscape, analysis, escape, noise,
// theory) depends on the seed: Prepare would give the same problem after repeating the analysis,
// which takes seconds on data landscapes.
func reseeded(p *host.Problem, seed uint64) *host.Problem {
	q := *p
	q.Config.Seed = seed
	return &q
}
