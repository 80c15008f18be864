package view

import (
	"fmt"
	"time"
)

// Budget is where the time of a frame goes, in milliseconds per frame, averaged over the frames
// of about the last half second. Every phase is timed on the CPU up to a glFinish at its end, so
// it includes the GPU work it issued (under llvmpipe the GPU work runs on the same cores anyway).
type Budget struct {
	// Simulate is Backend.Advance: the step dispatch and the read-back of its counters.
	Simulate float64 `json:"simulate"`
	// Background is the plot's background: the cached landscape copied in (evaluated per pixel
	// only after a resize) or, in the density view, composed with the bins.
	Background float64 `json:"background"`
	// Points is the particles: splatted into per-pixel counts and added to the frame (the bins
	// in the density view and for the 1-D histogram).
	Points float64 `json:"points"`
	// Overlay is the markers and the text (changed lines rasterised and uploaded) drawn on top.
	Overlay float64 `json:"overlay"`
	// Present is the copy to the window and the swap (0 for headless frames).
	Present float64 `json:"present"`
	// Estimate is the read-back of the records and host.Measure, at most once a second, spread
	// over the frames.
	Estimate float64 `json:"estimate"`
	// Frame is the wall time of a whole frame (the phases and whatever else the loop does:
	// events, the status file).
	Frame float64 `json:"frame"`
	// FPS is frames per second, 1000/Frame.
	FPS float64 `json:"fps"`
	// Frames is how many frames the averages cover.
	Frames int `json:"frames"`
}

// Line is the budget as one panel line.
func (b Budget) Line() string {
	if b.Frames == 0 {
		return "frame budget: measuring"
	}
	return fmt.Sprintf("%.0f fps: sim %.1f bg %.1f pts %.1f ovl %.1f pres %.1f ms", b.FPS, b.Simulate, b.Background, b.Points, b.Overlay, b.Present)
}

// budgetMeter sums the phases of frames and publishes their averages every half second.
type budgetMeter struct {
	sum    Budget // phase sums (milliseconds) over n frames
	n      int
	since  time.Time
	last   Budget
	window time.Duration
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func (m *budgetMeter) add(simulate, estimate time.Duration, t Times, frame time.Duration) {
	if m.window == 0 {
		m.window = 500 * time.Millisecond
	}
	if m.n == 0 {
		m.since = time.Now()
	}
	m.sum.Simulate += ms(simulate)
	m.sum.Background += ms(t.Background)
	m.sum.Points += ms(t.Points)
	m.sum.Overlay += ms(t.Overlay)
	m.sum.Present += ms(t.Present)
	m.sum.Estimate += ms(estimate)
	m.sum.Frame += ms(frame)
	m.n++
	if time.Since(m.since) < m.window && m.last.Frames > 0 {
		return
	}
	k := float64(m.n)
	m.last = Budget{Simulate: m.sum.Simulate / k, Background: m.sum.Background / k, Points: m.sum.Points / k,
		Overlay: m.sum.Overlay / k, Present: m.sum.Present / k, Estimate: m.sum.Estimate / k, Frame: m.sum.Frame / k, Frames: m.n}
	if m.last.Frame > 0 {
		m.last.FPS = 1000 / m.last.Frame
	}
	m.sum, m.n = Budget{}, 0
}

// DefaultFrameTarget is the frame time the automatic iterations per frame aim at: 25 ms (40
// frames/s), so that the simulation gets 12.5 ms and a view of 10⁵ particles keeps 30 frames/s
// under llvmpipe on two cores even when drawing takes 17 ms instead of its usual 9
// (BENCHMARKS.md, "Live view").
const DefaultFrameTarget = 25 * time.Millisecond

// Pace chooses the iterations per frame so that simulating takes about half of the target frame
// time (the other half draws the frame). It measures the simulation time of the frames and, every
// quarter second, rescales the iterations by budget/measured, at most doubling and at least
// quartering them, within [1, MaxItersPerFrame]. Under a fixed cost per dispatch a, the rule
// converges to the iterations that fill the budget B (or to 1 when a ≥ B): with time a + b·n,
// n' = n·B/(a + b·n) has its fixed point at a + b·n = B with slope a/B < 1.
type Pace struct {
	Target time.Duration // frame time aimed at (0: DefaultFrameTarget)
	iters  int
	sumT   time.Duration
	sumN   int
	frames int
	since  time.Time
}

// MaxItersPerFrame caps the iterations of one frame (the + key too).
const MaxItersPerFrame = 1 << 20

// NewPace starts at the given iterations per frame.
func NewPace(target time.Duration, start int) *Pace {
	return &Pace{Target: target, iters: min(max(start, 1), MaxItersPerFrame)}
}

// Iterations is the number of iterations for the next frame.
func (p *Pace) Iterations() int { return p.iters }

// Budget is the simulation's share of the frame: half the target.
func (p *Pace) Budget() time.Duration {
	t := p.Target
	if t <= 0 {
		t = DefaultFrameTarget
	}
	return t / 2
}

// Observe records that n iterations took d and adapts the iterations per frame.
func (p *Pace) Observe(n int, d time.Duration) {
	if n <= 0 {
		return
	}
	if p.frames == 0 {
		p.since = time.Now()
	}
	p.sumT += d
	p.sumN += n
	p.frames++
	if p.frames < 3 || time.Since(p.since) < 250*time.Millisecond {
		return
	}
	meanT := p.sumT.Seconds() / float64(p.frames)
	meanN := float64(p.sumN) / float64(p.frames)
	p.sumT, p.sumN, p.frames = 0, 0, 0
	if meanT <= 0 {
		return
	}
	next := meanN * p.Budget().Seconds() / meanT
	next = min(max(next, meanN/4), 2*meanN)
	p.iters = min(max(int(next), 1), MaxItersPerFrame)
}
