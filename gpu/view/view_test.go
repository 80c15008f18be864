package view

import (
	"context"
	"image"
	"math"
	"testing"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
)

// newTestContext opens a GL context for the test (under xvfb-run a hidden GLFW window, else
// headless EGL) and closes it afterwards; a missing GL fails the test, as everywhere in kramers.
func newTestContext(t testing.TB, opt gpu.Options) *gpu.Context {
	t.Helper()
	c, err := gpu.NewContext(opt)
	if err != nil {
		t.Fatalf("no OpenGL 4.3 context for the view tests (run under `xvfb-run -a`, or install libegl1-mesa / xvfb): %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Logf("context: %s", c.Describe())
	return c
}

// viewProblem prepares a small problem for the renderer tests.
func viewProblem(t testing.TB, spec string, mut func(*host.Config)) *host.Problem {
	t.Helper()
	cfg := host.DefaultConfig()
	cfg.Landscape = spec
	cfg.Absorb = false
	cfg.Particles = 2048
	if mut != nil {
		mut(&cfg)
	}
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatalf("prepare %s: %v", spec, err)
	}
	return p
}

// patchStats summarises the pixels within radius r of (cx, cy): the largest red value among
// pixels that are clearly orange (escaped particles: red well above blue), and the brightest
// pixel's smallest channel (white where a dense cloud saturates).
type patchStats struct {
	orange   int // pixels with R > 170 and R > B + 60
	maxMinCh int // max over pixels of min(R, G, B)
}

func patch(img *image.RGBA, cx, cy float64, r int) patchStats {
	var s patchStats
	x0, y0 := int(cx), int(cy)
	for y := y0 - r; y <= y0+r; y++ {
		for x := x0 - r; x <= x0+r; x++ {
			if !image.Pt(x, y).In(img.Rect) {
				continue
			}
			c := img.RGBAAt(x, y)
			if int(c.R) > 170 && int(c.R) > int(c.B)+60 {
				s.orange++
			}
			s.maxMinCh = max(s.maxMinCh, int(min(c.R, c.G, c.B)))
		}
	}
	return s
}

// TestHeadlessFramesMullerBrownSGLD renders Müller–Brown under SGLD without a window and checks
// the pictures against what the analysis predicts, not against golden images: at iteration 0
// every particle sits on the start minimum a (a saturated spot there, nothing at the target
// minimum); after 6000 iterations, t = 1.2 ≈ 1.5 Eyring–Kramers times (τ ≈ 0.79 at T = 20,
// docs/theory.md §4.1), about 3/4 of the particles have escaped at least once, and escaped (orange)
// particles occupy the target basin.
func TestHeadlessFramesMullerBrownSGLD(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	p := viewProblem(t, "muller-brown", func(c *host.Config) {
		c.Noise, c.Temp, c.LR = host.SGLD, 20, 2e-4
	})
	const w, h = 800, 600
	m, lm, err := MappingOf(p, Options{}, w, h)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := RenderFrames(p, FramesOptions{Frames: 3, Every: 3000, Width: w, Height: h, Context: c})
	if err != nil {
		t.Fatalf("RenderFrames: %v", err)
	}
	if len(frames) != 3 {
		t.Fatalf("%d frames, want 3", len(frames))
	}
	ax, ay := m.Pixel(lm.Minimum[0], lm.Minimum[1])
	bx, by := m.Pixel(lm.Target[0], lm.Target[1])
	t.Logf("mapping %+v: start minimum at pixel (%.0f, %.0f), target minimum at (%.0f, %.0f)", m, ax, ay, bx, by)
	// The whole ensemble on one point at iteration 0: saturated (white) there.
	if s := patch(frames[0], ax, ay, 3); s.maxMinCh < 200 {
		t.Errorf("frame 0: no saturated particle spot at the start minimum (brightest min channel %d)", s.maxMinCh)
	}
	if s := patch(frames[0], bx, by, 12); s.orange != 0 {
		t.Errorf("frame 0: %d orange pixels in the target basin before any iteration", s.orange)
	}
	// After 6000 iterations: the target basin holds escaped particles.
	s := patch(frames[2], bx, by, 25)
	if s.orange < 10 {
		t.Errorf("frame 2 (iteration 6000): only %d orange pixels within 25 px of the target minimum; want ≥ 10", s.orange)
	}
	// The start basin still holds particles (it is the deeper well).
	if s := patch(frames[2], ax, ay, 25); s.maxMinCh < 120 && s.orange < 10 {
		t.Errorf("frame 2: the start basin looks empty")
	}
	// The text panel is drawn: bright pixels left of the plot.
	bright := 0
	for y := 0; y < 200; y++ {
		for x := 0; x < PanelWidth; x++ {
			if c := frames[2].RGBAAt(x, y); c.R > 180 && c.G > 180 && c.B > 180 {
				bright++
			}
		}
	}
	if bright < 200 {
		t.Errorf("text panel: %d bright pixels, want the overlay text", bright)
	}
}

// TestRendererOtherDimensions draws a 1-D landscape (curve and live histogram) and a d > 2 one
// (projection onto the escape direction and an H_a eigenvector), with the density view and a
// stride subsample, and checks the particles land where the projection puts the minimum.
func TestRendererOtherDimensions(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	for _, tc := range []struct {
		spec string
		dim  int
	}{{"pwq(ha=4,hb=2,a=-1,b=0)", 1}, {"styblinski-tang(d=4)", 4}} {
		p := viewProblem(t, tc.spec, func(cfg *host.Config) { cfg.Temp = 1; cfg.Dim = 0 })
		if p.Dim != tc.dim {
			t.Fatalf("%s: dimension %d, want %d", tc.spec, p.Dim, tc.dim)
		}
		s, err := NewSession(c, p, Options{MaxPoints: 1000})
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if stride, n := s.Renderer.Sampling(); stride != 3 || n != 683 {
			t.Errorf("%s: subsample stride %d, %d points; want 3 and 683 for 2048 particles at most 1000", tc.spec, stride, n)
		}
		for _, density := range []bool{false, true} {
			s.Renderer.Density = density
			if err := s.Renderer.Render(640, 480, s.Info("test", 1), "footer"); err != nil {
				t.Fatalf("%s: render: %v", tc.spec, err)
			}
			img, err := s.Renderer.ReadImage()
			if err != nil {
				t.Fatal(err)
			}
			m := s.Renderer.Mapping(640, 480)
			lm := s.Renderer.Landmarks()
			x, y := m.Pixel(lm.Minimum[0], lm.Minimum[1])
			if st := patch(img, x, y, 3); !density && st.maxMinCh < 200 {
				t.Errorf("%s: no saturated spot at the minimum's pixel (%.0f, %.0f): %d", tc.spec, x, y, st.maxMinCh)
			}
			if math.IsNaN(x) || math.IsNaN(y) {
				t.Errorf("%s: minimum maps to NaN", tc.spec)
			}
		}
		if err := s.Step(200); err != nil {
			t.Fatal(err)
		}
		if err := s.Renderer.Render(640, 480, nil, ""); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// TestSessionEstimateIsTheRunsEstimate: the live view's κ̂ is the run's, not one of its own. The
// view runs non-absorbing by default; on pwq's open right side escaped particles run off and
// diverge, and the panel once showed κ̂ = 0.00034 against 0.0075 because those escapes were lost
// (issue: trustworthy rates). The session and a non-absorbing run on the same problem draw the
// same Philox stream, so their records and estimates must be identical; the rate must also agree
// with the exact discrete-time value within 2% + 3σ (docs/theory.md §3).
func TestSessionEstimateIsTheRunsEstimate(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	p := viewProblem(t, "pwq(ha=4,hb=2,a=-1,b=0)", func(cfg *host.Config) {
		cfg.Noise, cfg.Batch, cfg.LR, cfg.Particles, cfg.Steps = host.SGDHessian, 0.04, 0.005, 20000, 12000
	})
	s, err := NewSession(c, p, Options{MaxPoints: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for s.Iteration < p.Config.Steps {
		if err := s.Step(min(3000, p.Config.Steps-s.Iteration)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RefreshEstimate(true); err != nil {
		t.Fatal(err)
	}
	got, at := s.Estimate()
	b := gpu.NewBackendOn(c, false)
	defer b.Close()
	res, err := host.Execute(context.Background(), p, b, host.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := res.Estimate
	t.Logf("view κ̂ %v (iteration %d, %d escapes), run κ̂ %v (%d escapes, %d diverged after escaping)",
		ptrVal(got.Rate), at, got.Escaped, ptrVal(want.Rate), want.Escaped, res.DivergedAfterEscape)
	if at != p.Config.Steps || got.Rate == nil || want.Rate == nil || *got.Rate != *want.Rate || got.Escaped != want.Escaped {
		t.Fatalf("view estimate %+v differs from the run's %+v", got, want)
	}
	if res.DivergedAfterEscape == 0 {
		t.Error("no particle ran off after escaping: the case does not exercise the lost-escape bug")
	}
	d := res.Theory["discrete"]
	if d.Rate == nil {
		t.Fatalf("no exact discrete value: %s", d.Reason)
	}
	sigma := *want.Rate / math.Sqrt(float64(want.Escaped))
	if diff := math.Abs(*want.Rate - *d.Rate); diff > 0.02**d.Rate+3*sigma {
		t.Errorf("κ̂ %.5g vs exact discrete %.5g: |Δ| = %.3g > 2%% + 3σ (σ = %.3g)", *want.Rate, *d.Rate, diff, sigma)
	}
}

func ptrVal(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// splatReference is the OpenGL rule for a point of side size centred at pixel position (cx, cy)
// of a w×h plot (4.3 core §14.4: the pixels whose centres lie in the square), with the sprite's
// disc test (|d|² ≤ 0.3 in units of the size), and a point whose centre is outside the plot
// left out. tie reports a pixel within 1e-3 of a boundary, where float32 may decide otherwise.
func splatReference(cx, cy, size float64, w, h int) (pix [][2]int, tie bool) {
	if !(cx >= 0 && cx < float64(w) && cy >= 0 && cy < float64(h)) {
		return nil, false
	}
	hs := size / 2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			px, py := float64(x)+0.5, float64(y)+0.5
			dx, dy := math.Abs(px-cx), math.Abs(py-cy)
			if math.Abs(dx-hs) < 1e-3 || math.Abs(dy-hs) < 1e-3 {
				tie = true
			}
			if dx > hs || dy > hs {
				continue
			}
			d2 := (dx*dx + dy*dy) / (size * size)
			if math.Abs(d2-0.3) < 1e-3 {
				tie = true
			}
			if d2 <= 0.3 {
				pix = append(pix, [2]int{x, y})
			}
		}
	}
	return pix, tie
}

// TestSplatFollowsThePointRule places particles at chosen pixel positions (with every record
// class, a NaN, one outside the plot, and a stride subsample), renders, reads the per-pixel
// counts back and compares them with the OpenGL point rule computed here in float64, for sprite
// sizes 1, 2, 3 and 5. It also checks the colour the resolve pass adds for an isolated particle.
func TestSplatFollowsThePointRule(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	const w, h = 800, 600
	type part struct {
		cx, cy float64 // pixel position in the plot (GL orientation: y up)
		rec    uint32
	}
	parts := []part{
		{40.37, 60.61, host.Running}, {41.12, 60.2, host.Running}, {200.5 + 0.13, 100.5 - 0.21, 12},
		{300.77, 250.42, host.DivergedFlag | 7}, {301.3, 251.9, host.LateDivergedFlag | 9},
		{1.2, 0.3, host.Running}, {-3.3, 50.6, host.Running}, {math.NaN(), 10, host.Running},
	}
	for _, size := range []float32{1, 2, 3, 5} {
		for _, stride := range []int{1, 2} {
			p := viewProblem(t, "muller-brown", func(cfg *host.Config) { cfg.Particles = len(parts) })
			s, err := NewSession(c, p, Options{PointSize: size, MaxPoints: (len(parts) + stride - 1) / stride})
			if err != nil {
				t.Fatal(err)
			}
			m := s.Renderer.Mapping(w, h)
			vw, vh := m.Viewport[2], m.Viewport[3]
			g := s.Renderer.Geometry()
			pos := make([]float64, 2*len(parts))
			recs := make([]uint32, len(parts))
			for i, q := range parts {
				// View coordinates of the pixel position, then θ (the identity in 2-D), in float32
				// as the buffers hold it; the reference uses the position the GPU sees.
				u := g.Box[0] + q.cx/float64(vw)*(g.Box[1]-g.Box[0])
				v := g.Box[2] + q.cy/float64(vh)*(g.Box[3]-g.Box[2])
				pos[2*i], pos[2*i+1] = float64(float32(u)), float64(float32(v))
				recs[i] = q.rec
			}
			if err := s.Backend.Restore(pos, recs); err != nil {
				t.Fatal(err)
			}
			if st, _ := s.Renderer.Sampling(); st != stride {
				t.Fatalf("stride %d, want %d", st, stride)
			}
			if err := s.Renderer.Render(w, h, nil, ""); err != nil {
				t.Fatal(err)
			}
			got := make([]uint32, 3*vw*vh)
			if err := gpu.Download(s.Renderer.counts, 0, got); err != nil {
				t.Fatal(err)
			}
			want := make([]uint32, 3*vw*vh)
			for i, q := range parts {
				if i%stride != 0 {
					continue
				}
				cx := (pos[2*i] - g.Box[0]) / (g.Box[1] - g.Box[0]) * float64(vw)
				cy := (pos[2*i+1] - g.Box[2]) / (g.Box[3] - g.Box[2]) * float64(vh)
				pix, tie := splatReference(cx, cy, float64(size), vw, vh)
				if tie {
					t.Fatalf("particle %d at (%g, %g) sits on a boundary of the rule; move it", i, cx, cy)
				}
				plane := 1
				switch {
				case q.rec == host.Running:
					plane = 0
				case q.rec&host.DivergedFlag != 0:
					plane = 2
				}
				for _, px := range pix {
					want[plane*vw*vh+px[1]*vw+px[0]]++
				}
			}
			bad := 0
			for k := range want {
				if got[k] != want[k] {
					if bad < 5 {
						t.Errorf("size %g stride %d: plane %d pixel (%d, %d): count %d, want %d", size, stride, k/(vw*vh), k%(vw*vh)%vw, k%(vw*vh)/vw, got[k], want[k])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("size %g stride %d: %d counters differ", size, stride, bad)
			}
			if size == 5 && stride == 1 {
				// The isolated escaped particle: its centre pixel is the background plus α·colour.
				img, err := s.Renderer.ReadImage()
				if err != nil {
					t.Fatal(err)
				}
				x, y := m.Viewport[0]+200, m.Viewport[1]+vh-1-100
				withP := img.RGBAAt(x, y)
				far := make([]float64, len(pos)) // every particle far off the plot: the background alone
				for k := range far {
					far[k] = 100
				}
				if err := s.Backend.Restore(far, recs); err != nil {
					t.Fatal(err)
				}
				if err := s.Renderer.Render(w, h, nil, ""); err != nil {
					t.Fatal(err)
				}
				img, err = s.Renderer.ReadImage()
				if err != nil {
					t.Fatal(err)
				}
				bg := img.RGBAAt(x, y)
				alpha := math.Min(0.8, math.Max(0.08, 0.3*math.Sqrt(20000/4.0)))
				for ch, pair := range [][2]uint8{{withP.R, bg.R}, {withP.G, bg.G}, {withP.B, bg.B}} {
					want := math.Min(255, float64(pair[1])+255*alpha*float64(colorEscaped[ch]))
					if math.Abs(float64(pair[0])-want) > 2 {
						t.Errorf("escaped particle's pixel channel %d: %d over background %d, want %.0f", ch, pair[0], pair[1], want)
					}
				}
			}
			s.Close()
		}
	}
}

// TestBackgroundCache: the landscape is evaluated per pixel once per plot size, and a frame drawn
// from the cache after a resize and back is the same picture as a fresh renderer's.
func TestBackgroundCache(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	p := viewProblem(t, "muller-brown", nil)
	s, err := NewSession(c, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	render := func(s *Session, w, h int) *image.RGBA {
		t.Helper()
		if err := s.Renderer.Render(w, h, []string{"fixed text"}, "footer"); err != nil {
			t.Fatal(err)
		}
		img, err := s.Renderer.ReadImage()
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	for i := 0; i < 3; i++ {
		render(s, 800, 600)
	}
	if n := s.Renderer.BackgroundBuilds(); n != 1 {
		t.Errorf("3 frames of one size evaluated the background %d times, want 1", n)
	}
	render(s, 640, 480)
	s.Renderer.Density = true
	render(s, 640, 480)
	s.Renderer.Density = false
	got := render(s, 800, 600)
	if n := s.Renderer.BackgroundBuilds(); n != 3 {
		t.Errorf("800×600, 640×480, 800×600: %d evaluations, want 3", n)
	}
	fresh, err := NewSession(c, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	want := render(fresh, 800, 600)
	diff := 0
	for i := range want.Pix {
		if got.Pix[i] != want.Pix[i] {
			diff++
		}
	}
	if diff > 0 {
		t.Errorf("after resizing and back, %d bytes differ from a fresh renderer's frame", diff)
	}
}

// TestCountGridFallback: a plot whose per-pixel counters would exceed the storage block limit is
// counted in cells of k×k pixels (the smallest k that fits), and the particles still land on
// their pixels.
func TestCountGridFallback(t *testing.T) {
	if g := newCountGrid(3400, 2110, 128<<20); g != (countGrid{3400, 2110, 1}) {
		t.Errorf("4K plot under 128 MiB: %+v, want one cell per pixel", g)
	}
	if g := newCountGrid(7800, 8140, 128<<20); g.scale != 3 || g.w != 2600 || g.h != 2714 {
		t.Errorf("8192² plot under 128 MiB: %+v, want 3×3-pixel cells (2×2 would need 190 MB)", g)
	}
	c := newTestContext(t, gpu.Options{})
	p := viewProblem(t, "muller-brown", nil)
	s, err := NewSession(c, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Renderer.maxCountBytes = 12 * 100 * 100 // forces 4×4-pixel cells on an 800×600 frame
	if err := s.Renderer.Render(800, 600, nil, ""); err != nil {
		t.Fatal(err)
	}
	if g := s.Renderer.grid; g.scale < 3 {
		t.Fatalf("grid %+v: want cells of several pixels", g)
	}
	img, err := s.Renderer.ReadImage()
	if err != nil {
		t.Fatal(err)
	}
	m := s.Renderer.Mapping(800, 600)
	lm := s.Renderer.Landmarks()
	x, y := m.Pixel(lm.Minimum[0], lm.Minimum[1])
	if st := patch(img, x, y, 2*s.Renderer.grid.scale); st.maxMinCh < 200 {
		t.Errorf("grid %+v: no saturated spot at the minimum's pixel (%.0f, %.0f): %d", s.Renderer.grid, x, y, st.maxMinCh)
	}
}
