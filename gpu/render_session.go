package gpu

import (
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"os"
	"strings"
	"time"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/theory"
)

// Session is a live simulation with its renderer: the GPU backend advances the ensemble
// between frames and the renderer draws its buffers. The host keeps the counts of the chunk
// loop; the exact censored exposure (theory.md §3) comes from reading the records back, at
// most about once a second (RefreshEstimate).
type Session struct {
	Problem  *host.Problem
	Backend  *Backend
	Renderer *Renderer

	Iteration int // iterations done
	Escaped   int // escapes so far (first passages)
	Diverged  int

	estimate   host.Estimate
	estimateAt int // iteration of the records behind estimate (-1: none)
	lastRead   time.Time
	theory     []string
	// predictions are computed once; every estimate is compared with them (host.Measure).
	predictions map[string]theory.Prediction

	steps     int64 // particle-steps since the rate window began
	stepTime  time.Duration
	stepRate  float64 // particle-steps per second (recent)
	frameTime time.Duration
}

// NewSession loads p (at its seed) on a GPU backend that shares ctx and prepares its renderer.
func NewSession(ctx *Context, p *host.Problem, opt ViewOptions) (*Session, error) {
	b := NewBackendOn(ctx, p.Config.Precision == "f64")
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

// Step advances n iterations (one dispatch per batch) and updates the counts.
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

// Estimate is the last κ̂ the panel shows (host.Measure on the records read at EstimateAt) and
// that iteration (−1: no records read yet).
func (s *Session) Estimate() (host.Estimate, int) { return s.estimate, s.estimateAt }

// StepRate is the recent throughput in particle-steps per second.
func (s *Session) StepRate() float64 { return s.stepRate }

// Restart puts every particle back at the start with a new seed.
func (s *Session) Restart(seed uint64) error {
	p := *s.Problem
	p.Config.Seed = seed
	first, count := p.Config.Span()
	if err := s.Backend.Load(&p, first, count); err != nil {
		return err
	}
	s.Problem = &p
	s.Renderer.p = &p
	s.Iteration, s.Escaped, s.Diverged = 0, 0, 0
	s.estimateAt = -1
	return nil
}

// RefreshEstimate reads the records back and recomputes κ̂ with the exact exposure, if forced
// or if a second has passed since the last read-back.
func (s *Session) RefreshEstimate(force bool) error {
	if s.Iteration == 0 || s.estimateAt == s.Iteration {
		return nil
	}
	if !force && time.Since(s.lastRead) < time.Second {
		return nil
	}
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
	return nil
}

// SetFrameTime records the wall time of the last frame, for the overlay.
func (s *Session) SetFrameTime(d time.Duration) { s.frameTime = d }

// Info is the overlay text: the run, the clock, the counts, κ̂ with its 95% interval, the
// theory value, and the speed.
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
	lines := []string{
		cfg.Landscape,
		fmt.Sprintf("%s · η=%g · seed %d", noise, cfg.LR, cfg.Seed),
		fmt.Sprintf("iteration %d · t = %.4g", s.Iteration, float64(s.Iteration)*cfg.LR),
		state,
		fmt.Sprintf("particles %d (%s)", n, drawText),
		fmt.Sprintf("escaped %d (%.1f%%) · diverged %d", s.Escaped, 100*float64(s.Escaped)/float64(max(n, 1)), s.Diverged),
	}
	e := s.estimate
	switch {
	case s.estimateAt < 0:
		lines = append(lines, "κ est.: no records read yet", "")
	case e.Resolved && e.Rate != nil:
		lines = append(lines, fmt.Sprintf("κ est. = %.4g /time", *e.Rate),
			fmt.Sprintf("  95%% CI [%.4g, %.4g] (it. %d)", e.RateCI95[0], e.RateCI95[1], s.estimateAt))
	case e.Escaped < host.MinEscapesResolved:
		lines = append(lines, fmt.Sprintf("κ unresolved: %d escapes (< %d)", e.Escaped, host.MinEscapesResolved),
			fmt.Sprintf("  κ < %.3g /time at 95%%", e.RateUpper95))
	default:
		// No plateau of the hazard yet, or an unstable step size: the reason's first clause.
		why, _, _ := strings.Cut(strings.TrimPrefix(e.Note, "unresolved: "), ";")
		why, _, _ = strings.Cut(why, ":")
		if r := []rune(why); len(r) > 34 {
			why = string(r[:33]) + "…"
		}
		lines = append(lines, "κ unresolved:", "  "+why)
	}
	lines = append(lines, s.theory...)
	lines = append(lines, fmt.Sprintf("frame %.1f ms · %.3g steps/s", float64(s.frameTime.Microseconds())/1000, s.stepRate))
	if itersPerFrame > 0 {
		lines = append(lines, fmt.Sprintf("%d iterations per frame", itersPerFrame))
	}
	return lines
}

// FramesOptions configure RenderFrames.
type FramesOptions struct {
	Frames        int // frames to render (≥ 1); frame 0 shows iteration 0
	Every         int // iterations between frames (≥ 1)
	Width, Height int // frame size (default 800×600)
	View          ViewOptions
	// NoText leaves the overlay's info box out (axes and legend stay).
	NoText bool
	// Context to draw on; nil opens a headless one (EGL, or a hidden window on $DISPLAY, or a
	// private Xvfb) for the call and closes it afterwards.
	Context *Context
	// Each receives every frame as it is rendered (the image is reused afterwards: copy it to
	// keep it). With Each nil, RenderFrames returns all frames.
	Each func(frame, iteration int, img *image.RGBA) error
}

// RenderFrames runs p from its start and renders Frames pictures, Every iterations apart, into
// an offscreen framebuffer: no window is needed. It is the API behind `kramers view --headless`
// and the pictures of `kramers reproduce`.
func RenderFrames(p *host.Problem, opt FramesOptions) ([]*image.RGBA, error) {
	if opt.Frames < 1 || opt.Every < 1 {
		return nil, fmt.Errorf("render frames: need frames ≥ 1 and every ≥ 1, got %d and %d", opt.Frames, opt.Every)
	}
	if opt.Width <= 0 {
		opt.Width = 800
	}
	if opt.Height <= 0 {
		opt.Height = 600
	}
	ctx := opt.Context
	if ctx == nil {
		var err error
		if ctx, err = NewContext(Options{Width: opt.Width, Height: opt.Height, Title: "kramers frames"}); err != nil {
			return nil, err
		}
		defer ctx.Close()
	}
	s, err := NewSession(ctx, p, opt.View)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []*image.RGBA
	for f := 0; f < opt.Frames; f++ {
		if f > 0 {
			t0 := time.Now()
			if err := s.Step(opt.Every); err != nil {
				return out, err
			}
			s.SetFrameTime(time.Since(t0))
		}
		if err := s.RefreshEstimate(true); err != nil {
			return out, err
		}
		var info []string
		if !opt.NoText {
			info = s.Info("(headless)", opt.Every)
		}
		if err := s.Renderer.Render(opt.Width, opt.Height, info, ""); err != nil {
			return out, err
		}
		img, err := s.Renderer.ReadImage()
		if err != nil {
			return out, err
		}
		if opt.Each != nil {
			if err := opt.Each(f, s.Iteration, img); err != nil {
				return out, err
			}
		} else {
			out = append(out, img)
		}
	}
	return out, nil
}

// SavePNG writes img as a PNG file.
func SavePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}

// GIFFrame quantises img to the Plan 9 palette (image/color/palette) with Floyd–Steinberg
// dithering, for an animated GIF.
func GIFFrame(img image.Image) *image.Paletted {
	pm := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.FloydSteinberg.Draw(pm, img.Bounds(), img, img.Bounds().Min)
	return pm
}

// SaveGIF writes the paletted frames as an endlessly looping animated GIF, delay in 1/100 s.
func SaveGIF(path string, frames []*image.Paletted, delay int) error {
	g := &gif.GIF{}
	for _, f := range frames {
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, delay)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gif.EncodeAll(f, g); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}

// Picture renders p after the given number of iterations (from its start) as one w×h image
// with the full overlay: the call behind the one-picture-per-landscape figures of a report.
// It opens and closes its own headless context (see FramesOptions.Context).
func Picture(p *host.Problem, iterations, w, h int) (*image.RGBA, error) {
	if iterations < 1 {
		iterations = 1
	}
	frames, err := RenderFrames(p, FramesOptions{Frames: 2, Every: iterations, Width: w, Height: h})
	if err != nil {
		return nil, err
	}
	return frames[len(frames)-1], nil
}
