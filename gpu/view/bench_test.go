package view

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
)

// BenchmarkViewFrame measures the live view's frame budget as `kramers view` spends it: Müller–Brown
// under SGLD (T = 20, η = 2·10⁻⁴, the example of docs/guide.md, "Watching particles"), 960×720, the iterations per frame chosen
// by the default frame-time target (Pace: simulating for about half of 1/30 s), everything drawn.
// Under a display (xvfb-run) the frame goes to a shown window, so present is the real copy and
// swap; without one the context is headless EGL and present is 0. Each frame is what the window
// loop does: step, estimate (at most once a second), overlay text, render, present. It reports
// the mean of each phase in ms per frame (CPU time up to a glFinish at the end of each phase),
// the whole frame, frames per second and the iterations per frame the pace settled on.
//
//	xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" go test ./gpu/view/ -run - -bench ViewFrame -benchtime 60x
func BenchmarkViewFrame(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("particles=%d", n), func(b *testing.B) { benchFrames(b, n) })
	}
}

func benchFrames(b *testing.B, n int) {
	const w, h = 960, 720
	window := os.Getenv("DISPLAY") != ""
	c := newTestContext(b, gpu.Options{Visible: window, Width: w, Height: h, Title: "kramers view benchmark"})
	p := viewProblem(b, "muller-brown", func(cfg *host.Config) {
		cfg.Noise, cfg.Temp, cfg.LR, cfg.Particles = host.SGLD, 20, 2e-4, n
	})
	s, err := NewSession(c, p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.Pace = NewPace(DefaultFrameTarget, max(1, (1<<21)/n))
	var sum struct {
		sim, est, bg, pts, ovl, pres, frame time.Duration
		iters                               int
	}
	frame := func() {
		t0 := time.Now()
		iters := s.Pace.Iterations()
		sim0, est0 := s.simTime, s.estTime
		if err := s.Step(iters); err != nil {
			b.Fatal(err)
		}
		if err := s.RefreshEstimate(false); err != nil {
			b.Fatal(err)
		}
		if err := s.Renderer.Render(w, h, s.Info("running", iters), "benchmark"); err != nil {
			b.Fatal(err)
		}
		if window {
			if err := s.Renderer.Present(); err != nil {
				b.Fatal(err)
			}
		}
		tm := s.Renderer.Times()
		sum.sim += s.simTime - sim0
		sum.est += s.estTime - est0
		sum.bg += tm.Background
		sum.pts += tm.Points
		sum.ovl += tm.Overlay
		sum.pres += tm.Present
		sum.iters += iters
		d := time.Since(t0)
		sum.frame += d
		s.EndFrame(d)
	}
	// Warm up: the background is drawn once, the pace settles (about 1.5 s).
	for t0 := time.Now(); time.Since(t0) < 1500*time.Millisecond; {
		frame()
	}
	sum = struct {
		sim, est, bg, pts, ovl, pres, frame time.Duration
		iters                               int
	}{}
	builds := s.Renderer.BackgroundBuilds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		frame()
	}
	b.StopTimer()
	if s.Renderer.BackgroundBuilds() != builds {
		b.Errorf("the background was evaluated again during the benchmark (%d → %d builds)", builds, s.Renderer.BackgroundBuilds())
	}
	k := float64(b.N)
	per := func(d time.Duration) float64 { return ms(d) / k }
	b.ReportMetric(per(sum.sim), "simulate-ms")
	b.ReportMetric(per(sum.bg), "background-ms")
	b.ReportMetric(per(sum.pts), "points-ms")
	b.ReportMetric(per(sum.ovl), "overlay-ms")
	b.ReportMetric(per(sum.pres), "present-ms")
	b.ReportMetric(per(sum.est), "estimate-ms")
	b.ReportMetric(per(sum.frame), "frame-ms")
	b.ReportMetric(1000/per(sum.frame), "frames/s")
	b.ReportMetric(float64(sum.iters)/k, "iters/frame")
	b.ReportMetric(float64(sum.iters)*float64(n)/sum.frame.Seconds(), "psteps/s")
	b.ReportMetric(0, "ns/op")
	b.Logf("%s, %d particles, %d×%d, window %t: %.1f frames/s", c.Renderer(), n, w, h, window, 1000/per(sum.frame))
}
