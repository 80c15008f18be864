package view

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/shaders"
	"gonum.org/v1/gonum/floats"
)

// The geometry is a plain value built without GL: these tests need no context.

func geometryOf(t *testing.T, spec string, box [4]float64) (Geometry, *host.Problem) {
	t.Helper()
	p := viewProblem(t, spec, func(cfg *host.Config) { cfg.Temp = 1; cfg.Dim = 0 })
	g, err := NewGeometry(p, box)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	return g, p
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// TestGeometryLandmarks: the landmarks are the analysis' points projected as the shaders project
// them. In 2-D the projection is the identity; for d > 2 the start minimum a is the origin of the
// view plane, the saddle b lies at u = (b − a)·e > 0 along the escape direction, U and V are
// orthonormal, and a point of the plane unprojects and projects back to itself; in 1-D the view
// coordinates are (x, L(x)).
func TestGeometryLandmarks(t *testing.T) {
	g, p := geometryOf(t, "muller-brown", [4]float64{})
	an := p.Analysis
	for _, c := range []struct {
		name string
		got  []float64
		want []float64
	}{{"minimum", g.Marks.Minimum, an.Minimum}, {"saddle", g.Marks.Saddle, an.Saddle}, {"target", g.Marks.Target, an.TargetMinimum}} {
		if c.got == nil || c.got[0] != c.want[0] || c.got[1] != c.want[1] {
			t.Errorf("muller-brown %s: view point %v, want the identity %v", c.name, c.got, c.want)
		}
	}
	if g.Axes != [2]string{"x", "y"} {
		t.Errorf("2-D axes %v", g.Axes)
	}

	g, p = geometryOf(t, "styblinski-tang(d=4)", [4]float64{})
	an = p.Analysis
	if g.Dim != 4 || g.OneD {
		t.Fatalf("styblinski-tang(d=4): dim %d, 1-D %t", g.Dim, g.OneD)
	}
	if u, v := g.ViewPoint(an.Minimum); u != 0 || v != 0 {
		t.Errorf("d = 4: the start minimum projects to (%g, %g), want the origin", u, v)
	}
	ba := make([]float64, 4)
	floats.SubTo(ba, an.Saddle, an.Minimum)
	if u := g.Marks.Saddle[0]; !near(u, floats.Dot(ba, an.EscapeDirection), 1e-12) || !(u > 0) {
		t.Errorf("d = 4: saddle at u = %g, want (b − a)·e = %g > 0", u, floats.Dot(ba, an.EscapeDirection))
	}
	if nu, nv, uv := floats.Norm(g.U, 2), floats.Norm(g.V, 2), floats.Dot(g.U, g.V); !near(nu, 1, 1e-12) || !near(nv, 1, 1e-12) || math.Abs(uv) > 1e-12 {
		t.Errorf("d = 4: |U| = %g, |V| = %g, U·V = %g; want orthonormal", nu, nv, uv)
	}
	for _, q := range [][2]float64{{0.3, -1.2}, {-2, 0.7}} {
		x := g.Unproject(q[0], q[1])
		if u, v := g.ViewPoint(x); !near(u, q[0], 1e-12) || !near(v, q[1], 1e-12) {
			t.Errorf("d = 4: (%g, %g) → θ → (%g, %g)", q[0], q[1], u, v)
		}
	}

	g, p = geometryOf(t, "pwq(ha=4,hb=2,a=-1,b=0)", [4]float64{})
	an = p.Analysis
	if !g.OneD || g.Axes[1] != "L(x)" {
		t.Fatalf("pwq: 1-D %t, axes %v", g.OneD, g.Axes)
	}
	if m := g.Marks.Minimum; m[0] != an.Minimum[0] || m[1] != p.Eval.Loss(an.Minimum) {
		t.Errorf("1-D minimum at %v, want (a, L(a)) = (%g, %g)", m, an.Minimum[0], p.Eval.Loss(an.Minimum))
	}
}

// TestGeometryBox: the automatic box frames every landmark; an explicit box is kept and a box
// with u0 ≥ u1 or v0 ≥ v1 is refused.
func TestGeometryBox(t *testing.T) {
	for _, spec := range []string{"muller-brown", "zhu2d", "styblinski-tang(d=4)", "pwq(ha=4,hb=2,a=-1,b=0)"} {
		g, _ := geometryOf(t, spec, [4]float64{})
		b := g.Box
		for _, m := range [][]float64{g.Marks.Minimum, g.Marks.Saddle, g.Marks.Target} {
			if m != nil && !(m[0] > b[0] && m[0] < b[1] && m[1] > b[2] && m[1] < b[3]) {
				t.Errorf("%s: landmark %v outside the automatic box %v", spec, m, b)
			}
		}
	}
	box := [4]float64{-1.5, 1.1, -0.35, 2.05}
	if g, _ := geometryOf(t, "muller-brown", box); g.Box != box {
		t.Errorf("explicit box %v became %v", box, g.Box)
	}
	p := viewProblem(t, "muller-brown", nil)
	for _, bad := range [][4]float64{{1, 0, 0, 1}, {0, 1, 1, 1}} {
		if _, err := NewGeometry(p, bad); err == nil {
			t.Errorf("box %v accepted", bad)
		}
	}
}

// TestMappingRoundTrip: Pixel and View are inverse to each other, the box's corners land on the
// viewport's corners, and the landmarks land inside the viewport.
func TestMappingRoundTrip(t *testing.T) {
	g, _ := geometryOf(t, "muller-brown", [4]float64{})
	for _, size := range [][2]int{{960, 720}, {700, 520}, {500, 900}, {1920, 300}} {
		m := g.Mapping(size[0], size[1])
		vp := m.Viewport
		if x, y := m.Pixel(m.Box[0], m.Box[3]); x != float64(vp[0]) || y != float64(vp[1]) {
			t.Errorf("%v: top left corner of the box at (%g, %g), want (%d, %d)", size, x, y, vp[0], vp[1])
		}
		if x, y := m.Pixel(m.Box[1], m.Box[2]); !near(x, float64(vp[0]+vp[2]), 1e-12) || !near(y, float64(vp[1]+vp[3]), 1e-12) {
			t.Errorf("%v: bottom right corner of the box at (%g, %g), want (%d, %d)", size, x, y, vp[0]+vp[2], vp[1]+vp[3])
		}
		for _, q := range [][2]float64{{-0.5, 1.4}, {0.62, 0.03}, {m.Box[0], m.Box[2]}} {
			x, y := m.Pixel(q[0], q[1])
			if u, v := m.View(x, y); !near(u, q[0], 1e-12) || !near(v, q[1], 1e-12) {
				t.Errorf("%v: (%g, %g) → pixel (%g, %g) → (%g, %g)", size, q[0], q[1], x, y, u, v)
			}
		}
		for _, px := range [][2]float64{{0, 0}, {412.5, 300.25}, {float64(size[0]), float64(size[1])}} {
			u, v := m.View(px[0], px[1])
			if x, y := m.Pixel(u, v); !near(x, px[0], 1e-9) || !near(y, px[1], 1e-9) {
				t.Errorf("%v: pixel (%g, %g) → view (%g, %g) → pixel (%g, %g)", size, px[0], px[1], u, v, x, y)
			}
		}
		for _, lm := range [][]float64{g.Marks.Minimum, g.Marks.Saddle, g.Marks.Target} {
			x, y := m.Pixel(lm[0], lm[1])
			if !(x >= float64(vp[0]) && x <= float64(vp[0]+vp[2]) && y >= float64(vp[1]) && y <= float64(vp[1]+vp[3])) {
				t.Errorf("%v: landmark %v at pixel (%g, %g), outside the viewport %v", size, lm, x, y, vp)
			}
		}
	}
}

// TestMappingFillsPlotArea: the plot fills the whole plot area (no empty bands beside it, issue
// 21); in 2-D it shows the geometry's box widened about its centre along one axis, with equal
// pixels per unit on both axes; in 1-D it shows the box as it is, with a margin right for the
// histogram's scale. The text panel is left of the plot, or over it when the frame is narrower
// than two panels.
func TestMappingFillsPlotArea(t *testing.T) {
	g, _ := geometryOf(t, "muller-brown", [4]float64{})
	for _, size := range [][2]int{{960, 720}, {700, 520}, {1920, 300}, {600, 900}, {400, 400}} {
		w, h := size[0], size[1]
		m := g.Mapping(w, h)
		vp, b := m.Viewport, m.Box
		left := PanelWidth + 58
		if w < 2*PanelWidth {
			left = 58
		}
		if want := [4]int{left, 10, w - left - 14, h - 10 - 40}; vp != want {
			t.Errorf("%dx%d: viewport %v, want the whole plot area %v", w, h, vp, want)
		}
		sx, sy := float64(vp[2])/(b[1]-b[0]), float64(vp[3])/(b[3]-b[2])
		if math.Abs(sx/sy-1) > 1e-12 {
			t.Errorf("%dx%d: %.6f px per unit in u, %.6f in v; want equal", w, h, sx, sy)
		}
		same := func(i, j int) bool { return b[i] == g.Box[i] && b[j] == g.Box[j] }
		centred := func(i, j int) bool {
			return near(b[i]+b[j], g.Box[i]+g.Box[j], 1e-12) && b[i] <= g.Box[i] && b[j] >= g.Box[j]
		}
		if !(same(0, 1) && centred(2, 3) || same(2, 3) && centred(0, 1)) {
			t.Errorf("%dx%d: box %v is not the geometry's box %v widened about its centre along one axis", w, h, b, g.Box)
		}
		if m.Framebuffer != [2]int{w, h} || m.Axes != g.Axes {
			t.Errorf("%dx%d: mapping %+v", w, h, m)
		}
	}
	g1, _ := geometryOf(t, "pwq(ha=4,hb=2,a=-1,b=0)", [4]float64{})
	if m := g1.Mapping(960, 720); m.Viewport != [4]int{PanelWidth + 58, 10, 960 - PanelWidth - 58 - histogramMargin, 720 - 50} || m.Box != g1.Box {
		t.Errorf("1-D mapping %+v, want the whole plot area and the box %v", m, g1.Box)
	}
}

// TestWrapTitle: a long expression is broken after operators into lines that fit the panel,
// continuation lines indented, and ends in "…" past the last line; a short name stays one line.
func TestWrapTitle(t *testing.T) {
	if got := wrapTitle("muller-brown", 40, 3); len(got) != 1 || got[0] != "muller-brown" {
		t.Errorf("short name: %q", got)
	}
	expr := "exp(-(x^2+y^2)) - 1.2*exp(-((x-2)^2+(y-0.3)^2)/0.05) + 0.05*(x^2+y^2) + 0.3*sin(3*x)*cos(2*y) + 0.01*x^4 + 0.02*y^4 + 0.1*cos(x*y)"
	got := wrapTitle(expr, 40, 3)
	if len(got) != 3 || !strings.HasSuffix(got[2], "…") {
		t.Fatalf("long expression: %q, want 3 lines, the last ending in …", got)
	}
	joined := ""
	for i, l := range got {
		if n := len([]rune(l)); n > 40 {
			t.Errorf("line %d %q: %d characters, want ≤ 40", i, l, n)
		}
		if i > 0 && !strings.HasPrefix(l, "  ") {
			t.Errorf("continuation line %d %q not indented", i, l)
		}
		joined += strings.TrimSpace(l)
	}
	compact := strings.ReplaceAll(expr, " ", "")
	if shown := strings.ReplaceAll(strings.TrimSuffix(joined, "…"), " ", ""); !strings.HasPrefix(compact, shown) {
		t.Errorf("the lines %q do not show the expression's beginning", got)
	}
	if got := wrapTitle(expr[:60], 40, 3); len(got) != 2 || strings.Contains(got[1], "…") {
		t.Errorf("60 characters: %q, want two lines without …", got)
	}
}

// TestHistogramTop: the histogram's scale ends at the smallest 1, 2, 5 × 10^k at or above the
// fullest bin's share.
func TestHistogramTop(t *testing.T) {
	for _, c := range []struct {
		fullest, drawn int
		want           float64
	}{{90, 1000, 0.1}, {100, 1000, 0.1}, {101, 1000, 0.2}, {3, 1000, 0.005}, {1000, 1000, 1}, {0, 1000, 0.01}, {17, 100000, 0.0002}} {
		if got := histogramTop(c.fullest, c.drawn); !near(got, c.want, 1e-12) {
			t.Errorf("histogramTop(%d, %d) = %g, want %g", c.fullest, c.drawn, got, c.want)
		}
	}
}

// TestDrawProgramsValidate assembles every draw program for each catalogue landscape (the view's
// generated code: landscape in float, escape condition, projection, record constants), with
// float and double positions, and compiles it with glslangValidator (the Khronos reference front
// end; no GL context needed). It also checks that the stand-in record constants of
// shaders/draw_landscape.glsl are host.RecordGLSL's.
func TestDrawProgramsValidate(t *testing.T) {
	bin, err := exec.LookPath("glslangValidator")
	if err != nil {
		t.Fatalf("glslangValidator not found: install glslang-tools (make deps): %v", err)
	}
	standIn, err := shaders.Source("draw_landscape.glsl")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(standIn, host.RecordGLSL()) {
		t.Errorf("shaders/draw_landscape.glsl's record constants differ from host.RecordGLSL():\n%s", host.RecordGLSL())
	}
	dir := t.TempDir()
	n := 0
	for _, spec := range []string{"doublewell(k=2,dl=1)", "tilted(c=0.1)", "pwq(ha=4,hb=2,a=-1,b=0)", "styblinski-tang(d=5)",
		"zhu2d", "muller-brown", "twowell"} {
		p := viewProblem(t, spec, func(cfg *host.Config) { cfg.Temp = 1; cfg.Dim = 0 })
		for _, double := range []bool{false, true} {
			units, err := DrawUnits(p, double)
			if err != nil {
				t.Fatalf("%s: %v", spec, err)
			}
			for name, u := range units {
				stage := name[strings.LastIndex(strings.TrimSuffix(name, ".glsl"), ".")+1 : len(name)-len(".glsl")]
				path := filepath.Join(dir, fmt.Sprintf("draw%d.%s", n, stage))
				n++
				if err := os.WriteFile(path, []byte(u.Text), 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(bin, "-S", stage, path).CombinedOutput(); err != nil {
					t.Errorf("%s %s (double %t): glslangValidator: %v\n%s", spec, name, double, err, out)
				}
			}
		}
	}
}
