package view

import (
	"context"
	"fmt"
	"image"
	"math"
	"strings"
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

// patchStats summarises the pixels within radius r of (cx, cy). The particle colours keep their
// hue however dense (draw_resolve.frag.glsl): escaped particles orange, R > G > B by a margin
// of 40 each (colorEscaped is 255, 140, 31), never-escaped ones cyan; no cloud turns white.
type patchStats struct {
	orange    int // pixels with R > 170, R > G + 40 and G > B + 40
	redNotHue int // pixels with R > 200 that are not orange (white or yellow)
	cyan      int // pixels with B > 200, G > 170 and R < B − 80 (colorRunning is 76, 217, 255)
	opaque    int // pixels within 4 of 255·colorRunning in every channel: a fully covered pixel
	white     int // pixels with min(R, G, B) > 200
	maxMinCh  int // max over pixels of min(R, G, B)
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
			R, G, B := int(c.R), int(c.G), int(c.B)
			orange := R > 170 && R > G+40 && G > B+40
			if orange {
				s.orange++
			}
			if R > 200 && !orange {
				s.redNotHue++
			}
			if B > 200 && G > 170 && R < B-80 {
				s.cyan++
			}
			near := func(v int, f float32) bool { return math.Abs(float64(v)-255*float64(f)) <= 4 }
			if near(R, colorRunning[0]) && near(G, colorRunning[1]) && near(B, colorRunning[2]) {
				s.opaque++
			}
			if min(R, G, B) > 200 {
				s.white++
			}
			s.maxMinCh = max(s.maxMinCh, min(R, G, B))
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
	// The whole ensemble on one point at iteration 0: opaque cyan there (its own hue, not the
	// white the additive blend made of it).
	if s := patch(frames[0], ax, ay, 3); s.opaque == 0 || s.white != 0 {
		t.Errorf("frame 0: at the start minimum %d opaque cyan pixels (want some) and %d white ones (want none)", s.opaque, s.white)
	}
	if s := patch(frames[0], bx, by, 12); s.orange != 0 {
		t.Errorf("frame 0: %d orange pixels in the target basin before any iteration", s.orange)
	}
	// After 6000 iterations: the target basin holds escaped particles, and where they are dense
	// they stay orange: no red-dominated pixel there has lost the hue (the additive blend made
	// them yellow and white).
	s := patch(frames[2], bx, by, 25)
	t.Logf("frame 2, target basin: %+v", s)
	if s.orange < 10 || s.redNotHue != 0 || s.white != 0 {
		t.Errorf("frame 2 (iteration 6000), within 25 px of the target minimum: %d orange pixels (want ≥ 10), %d bright ones off the orange hue and %d white (want none)",
			s.orange, s.redNotHue, s.white)
	}
	// The start basin still holds particles (it is the deeper well), cyan (the minimum's marker
	// is a white ring, so white is not counted here).
	if s := patch(frames[2], ax, ay, 25); s.cyan < 10 {
		t.Errorf("frame 2: the start basin has %d cyan pixels, want ≥ 10", s.cyan)
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
			if st := patch(img, x, y, 3); !density && st.cyan == 0 {
				t.Errorf("%s: no dense cyan spot at the minimum's pixel (%.0f, %.0f): %+v", tc.spec, x, y, st)
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
			pos := make([]float64, 2*len(parts))
			recs := make([]uint32, len(parts))
			for i, q := range parts {
				// View coordinates of the pixel position, then θ (the identity in 2-D), in float32
				// as the buffers hold it; the reference uses the position the GPU sees.
				u := m.Box[0] + q.cx/float64(vw)*(m.Box[1]-m.Box[0])
				v := m.Box[2] + q.cy/float64(vh)*(m.Box[3]-m.Box[2])
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
				cx := (pos[2*i] - m.Box[0]) / (m.Box[1] - m.Box[0]) * float64(vw)
				cy := (pos[2*i+1] - m.Box[2]) / (m.Box[3] - m.Box[2]) * float64(vh)
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
				// The isolated escaped particle: its centre pixel is its colour over the
				// background at opacity α (one particle: draw_resolve.frag.glsl).
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
					want := (1-alpha)*float64(pair[1]) + 255*alpha*float64(colorEscaped[ch])
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
	if st := patch(img, x, y, 2*s.Renderer.grid.scale); st.opaque == 0 {
		t.Errorf("grid %+v: no opaque spot at the minimum's pixel (%.0f, %.0f): %+v", s.Renderer.grid, x, y, st)
	}
}

// TestHistogramByStatus places 1000 particles of a 1-D view by hand: 600 never escaped in the
// start minimum's bin, 200 escaped in the target minimum's bin, and 100 of each in a bin
// between the start minimum and the saddle. The bars must be stacked by status (cyan from the
// bottom, orange on top), their heights must follow the scale (the fullest bin holds 60%, so
// the scale ends at 100% and a bin holding the share f is f·histogramHeight of the plot tall),
// and the scale's labels must be drawn right of the plot.
func TestHistogramByStatus(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	p := viewProblem(t, "doublewell", func(cfg *host.Config) { cfg.Particles = 1000; cfg.Temp = 1; cfg.Dim = 0 })
	s, err := NewSession(c, p, Options{PointSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const w, h = 800, 600
	m := s.Renderer.Mapping(w, h)
	lm := s.Renderer.Landmarks()
	bw := m.Box[1] - m.Box[0]
	bin := func(x float64) int { return int((x - m.Box[0]) / bw * float64(s.Renderer.nx)) }
	centre := func(k int) float64 { return m.Box[0] + (float64(k)+0.5)/float64(s.Renderer.nx)*bw }
	ka, kt := bin(lm.Minimum[0]), bin(lm.Target[0])
	km := bin((lm.Minimum[0] + lm.Saddle[0]) / 2)
	if ka == km || km == kt {
		t.Fatalf("bins %d, %d, %d are not distinct", ka, km, kt)
	}
	pos := make([]float64, 1000)
	recs := make([]uint32, 1000)
	for i := range pos {
		switch {
		case i < 600:
			pos[i], recs[i] = centre(ka), host.Running
		case i < 800:
			pos[i], recs[i] = centre(kt), 12
		case i < 900:
			pos[i], recs[i] = centre(km), host.Running
		default:
			pos[i], recs[i] = centre(km), 40
		}
	}
	if err := s.Backend.Restore(pos, recs); err != nil {
		t.Fatal(err)
	}
	s.Renderer.Density = true // the bars alone, without the points on the curve
	if err := s.Renderer.Render(w, h, nil, ""); err != nil {
		t.Fatal(err)
	}
	img, err := s.Renderer.ReadImage()
	if err != nil {
		t.Fatal(err)
	}
	vp := m.Viewport
	bottom := vp[1] + vp[3] - 1
	column := func(k int) int { return vp[0] + int((float64(k)+0.5)/float64(s.Renderer.nx)*float64(vp[2])) }
	height := func(share float64) float64 { return share * histogramHeight * float64(vp[3]) } // the scale's top is 100%
	hue := func(x int, y float64) string {
		px := img.RGBAAt(x, int(y))
		switch R, G, B := int(px.R), int(px.G), int(px.B); {
		case B > R+50 && G > R+30:
			return "cyan"
		case R > B+50 && R > G+20:
			return "orange"
		default:
			return fmt.Sprintf("other %v", px)
		}
	}
	for _, c := range []struct {
		what string
		x    int
		y    float64
		want string
	}{
		{"start bin, middle of its bar", column(ka), float64(bottom) - height(0.6)/2, "cyan"},
		{"start bin, 4 px above its bar", column(ka), float64(bottom) - height(0.6) - 4, "other"},
		{"start bin, 3 px below its bar's top", column(ka), float64(bottom) - height(0.6) + 3, "cyan"},
		{"target bin, middle of its bar", column(kt), float64(bottom) - height(0.2)/2, "orange"},
		{"mixed bin, lower half", column(km), float64(bottom) - height(0.1)/2, "cyan"},
		{"mixed bin, upper half", column(km), float64(bottom) - height(0.1)*1.5, "orange"},
		{"mixed bin, 4 px above", column(km), float64(bottom) - height(0.2) - 4, "other"},
	} {
		if got := hue(c.x, c.y); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s (pixel %d, %.0f): %s, want %s", c.what, c.x, c.y, got, c.want)
		}
	}
	label := 0 // the scale right of the plot: its line and the labels 0%, 50%, 100%
	for y := bottom - int(height(1)) - 8; y <= bottom+4; y++ {
		for x := vp[0] + vp[2]; x < w; x++ {
			if px := img.RGBAAt(x, y); px.R > 120 && px.G > 120 && px.B > 120 {
				label++
			}
		}
	}
	if label < 60 {
		t.Errorf("the histogram's scale right of the plot: %d grey pixels, want its line and labels", label)
	}
}

// TestContoursDoNotAlias renders zhu2d's start basin, whose minimum is sharp (the contours crowd
// towards it), with no particle on the plot, and looks along every row left of the saddle for
// the peaks of the contour lines (a pixel brighter than both neighbours and than the darkest of
// the 3 pixels each side by more than 6 of 765 in R+G+B). Drawn lines are at least 3 pixels
// apart (closer ones are faded out: draw_background.frag.glsl); peaks closer than that are
// aliasing, the ripples of the trial (issue 21).
func TestContoursDoNotAlias(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	p := viewProblem(t, "zhu2d", func(cfg *host.Config) { cfg.Noise, cfg.Batch, cfg.LR, cfg.Temp = host.SGDHessian, 0.3, 0.001, 0 })
	s, err := NewSession(c, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, n := s.Backend.Span()
	far := make([]float64, 2*n) // every particle off the plot
	for i := range far {
		far[i] = 100
	}
	if err := s.Backend.Restore(far, make([]uint32, n)); err != nil {
		t.Fatal(err)
	}
	const w, h = 960, 720
	if err := s.Renderer.Render(w, h, nil, ""); err != nil {
		t.Fatal(err)
	}
	img, err := s.Renderer.ReadImage()
	if err != nil {
		t.Fatal(err)
	}
	m := s.Renderer.Mapping(w, h)
	lm := s.Renderer.Landmarks()
	ax, ay := m.Pixel(lm.Minimum[0], lm.Minimum[1])
	sx, _ := m.Pixel(lm.Saddle[0], lm.Saddle[1])
	vp := m.Viewport
	lum := func(x, y int) int { c := img.RGBAAt(x, y); return int(c.R) + int(c.G) + int(c.B) }
	close, peaks := 0, 0
	for y := vp[1]; y < vp[1]+vp[3]; y++ {
		last := -100
		for x := vp[0] + 4; x < int(sx)-10; x++ {
			if math.Hypot(float64(x)-ax, float64(y)-ay) < 14 { // the start minimum's marker
				continue
			}
			l := lum(x, y)
			low := l
			for d := -3; d <= 3; d++ {
				low = min(low, lum(x+d, y))
			}
			if !(l > lum(x-1, y) && l >= lum(x+1, y) && l-low > 6) {
				continue
			}
			peaks++
			if x-last < 3 {
				close++
			}
			last = x
		}
	}
	t.Logf("%d contour peaks in the start basin, %d closer than 3 px to the previous one", peaks, close)
	if peaks == 0 || close > 0 {
		t.Errorf("%d contour peaks left of the saddle, %d of them closer than 3 px to the previous one: want lines, none aliased", peaks, close)
	}
}
