package view

import (
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// trainedNet is a network above d = 64 on data (8·8 + 8 + 8 + 1 = 81 parameters), whose minimum
// host.Prepare trains without searching a saddle (host/trained.go).
const (
	trainedNet  = "mlp(h1=8,wd=0.01)"
	trainedData = "gen:mlp(n=50,seed=1,d=8,h=3)"
)

func trainedProblem(t testing.TB, escape string) *host.Problem {
	t.Helper()
	p := viewProblem(t, trainedNet, func(cfg *host.Config) {
		cfg.Data = trainedData
		cfg.Noise = host.Minibatch
		cfg.Batch = 8
		cfg.LR = 0.05
		cfg.Escape = escape
		cfg.Dim = 0
	})
	if p.Dim <= 64 || p.Analysis.Saddle != nil {
		t.Fatalf("%s on %s: d = %d, saddle %v; want a trained minimum above d = 64 without a saddle", trainedNet, trainedData, p.Dim, p.Analysis.Saddle)
	}
	return p
}

// TestGeometryTrainedMinimum: a minimum without a saddle is viewed in the plane of H_a's two
// leading eigenvectors through a, in a finite, non-degenerate box that holds the escape level,
// with contours relative to that level, and no saddle or target landmark.
func TestGeometryTrainedMinimum(t *testing.T) {
	p := trainedProblem(t, "loss - loss_a > 0.05")
	g, err := NewGeometry(p, [4]float64{})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Trained || g.Marks.Saddle != nil || g.Marks.Target != nil {
		t.Errorf("trained: %t, saddle mark %v, target mark %v; want a trained view without either", g.Trained, g.Marks.Saddle, g.Marks.Target)
	}
	if u, v := g.ViewPoint(p.Analysis.Minimum); u != 0 || v != 0 {
		t.Errorf("a projects to (%g, %g), want the origin", u, v)
	}
	d := p.Dim
	h := mat.NewSymDense(d, append([]float64(nil), p.Analysis.HessianMin...))
	hNorm := mat.Norm(h, 2)
	// U and V are orthonormal eigenvectors of H_a: residual |H·w − λ·w| within 1e-9·‖H‖ (float64
	// rounding of a d = 81 decomposition is ~1e-13·‖H‖; 1e-9 leaves room and still catches any
	// vector that is not an eigenvector).
	for i, w := range [][]float64{g.U, g.V} {
		var hw mat.VecDense
		hw.MulVec(h, mat.NewVecDense(d, w))
		res := make([]float64, d)
		floats.AddScaledTo(res, hw.RawVector().Data, -g.Curvatures[i], w)
		if r := floats.Norm(res, 2); !(r <= 1e-9*hNorm) || math.Abs(floats.Norm(w, 2)-1) > 1e-12 {
			t.Errorf("axis %d: |H·w − λ·w| = %g, |w| = %g; want an eigenvector (λ = %g)", i, r, floats.Norm(w, 2), g.Curvatures[i])
		}
	}
	if dot := floats.Dot(g.U, g.V); math.Abs(dot) > 1e-12 {
		t.Errorf("U·V = %g, want 0", dot)
	}
	// Leading (Courant–Fischer): no coordinate direction has a larger Rayleigh quotient than λ_u,
	// and none orthogonalised against U a larger one than λ_v (tolerance: float64 rounding).
	for k := 0; k < d; k++ {
		x := make([]float64, d)
		x[k] = 1
		if q := mat.Inner(mat.NewVecDense(d, x), h, mat.NewVecDense(d, x)); q > g.Curvatures[0]+1e-9*hNorm {
			t.Errorf("e_%d·H·e_%d = %g above λ_u = %g: U is not the leading eigenvector", k, k, q, g.Curvatures[0])
		}
		x = orthogonalPart(x, g.U)
		if n := floats.Norm(x, 2); n > 1e-6 {
			floats.Scale(1/n, x)
			if q := mat.Inner(mat.NewVecDense(d, x), h, mat.NewVecDense(d, x)); q > g.Curvatures[1]+1e-9*hNorm {
				t.Errorf("e_%d ⊥ U: Rayleigh quotient %g above λ_v = %g: V is not the second eigenvector", k, q, g.Curvatures[1])
			}
		}
	}
	if !strings.Contains(g.Axes[0], "leading eigenvector of H_a") || !strings.Contains(g.Axes[1], "second") {
		t.Errorf("axes %q", g.Axes)
	}
	checkTrainedBox(t, g, p)
	// The escape level L(a) + δ is the marked contour 6, δ/6 apart.
	if c := g.Colours; c.Mark != 6 || !near(c.Step, 0.05/6, 1e-12) || !(c.Span > 0) || c.LossMin != p.Analysis.LossMinimum {
		t.Errorf("colour scale %+v: want contours every δ/6 from L(a) = %g with the escape level marked", c, p.Analysis.LossMinimum)
	}
	// Along each axis the box reaches past the escape contour of the quadratic well, sqrt(2δ/λ).
	for i := range 2 {
		if reach := math.Sqrt(2 * 0.05 / g.Curvatures[i]); !(g.Box[2*i+1] >= reach) {
			t.Errorf("axis %d: box half-width %g short of the escape contour at %g", i, g.Box[2*i+1], reach)
		}
	}
	checkTrainedLegend(t, g, p, "L = L(a) + 0.05")

	// A distance escape: the circle of radius r fits, and the contours mark no level.
	p = trainedProblem(t, "dist > 0.3")
	if g, err = NewGeometry(p, [4]float64{}); err != nil {
		t.Fatal(err)
	}
	checkTrainedBox(t, g, p)
	if c := g.Colours; c.Mark != -1 || !(c.Step > 0) || math.IsInf(c.Step, 0) {
		t.Errorf("dist escape: colour scale %+v, want finite contours with no marked level", c)
	}
	if !(g.Box[1] >= 0.3 && g.Box[3] >= 0.3) {
		t.Errorf("dist escape: box %v does not hold the circle of radius 0.3", g.Box)
	}
	checkTrainedLegend(t, g, p, "|θ − a| = 0.3")
}

// checkTrainedBox: the box is centred on a, finite, of positive width, and at least the 6σ
// stationary spread sqrt(D/λ) of the linearised well along each axis (docs/theory.md §1).
func checkTrainedBox(t *testing.T, g Geometry, p *host.Problem) {
	t.Helper()
	b := g.Box
	for i, w := range [][]float64{g.U, g.V} {
		lo, hi := b[2*i], b[2*i+1]
		if !(hi > 0) || lo != -hi || math.IsInf(hi, 0) {
			t.Errorf("axis %d: box [%g, %g], want a finite, positive width about a", i, lo, hi)
		}
		spread := math.Sqrt(p.MinimumDiffusion(w, g.Curvatures[i]) / g.Curvatures[i])
		if !(hi >= 6*spread*(1-1e-12)) {
			t.Errorf("axis %d: half-width %g below 6σ = %g", i, hi, 6*spread)
		}
	}
}

// checkTrainedLegend: the legend names the trained minimum and the escape level, and no saddle,
// target minimum or ΔL.
func checkTrainedLegend(t *testing.T, g Geometry, p *host.Problem, escape string) {
	t.Helper()
	var all []string
	for _, it := range landmarkLegend(g, p.Escape) {
		all = append(all, it.text)
	}
	text := strings.Join(all, "\n")
	for _, bad := range []string{"saddle b", "target minimum", "ΔL"} {
		if strings.Contains(text, bad) {
			t.Errorf("legend names %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{"minimum a (trained", escape} {
		if !strings.Contains(text, want) {
			t.Errorf("legend lacks %q:\n%s", want, text)
		}
	}
}

// TestHeadlessTrainedMinimum renders the trained network's view and finds the particles: a dense
// cyan cloud in the plot before any step and after 100 iterations, gathered about a by then.
func TestHeadlessTrainedMinimum(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	p := trainedProblem(t, "loss - loss_a > 0.05")
	s, err := NewSession(c, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const w, h = 640, 480
	m := s.Renderer.Mapping(w, h)
	for _, steps := range []int{0, 100} {
		if err := s.Step(steps); err != nil {
			t.Fatal(err)
		}
		if err := s.Renderer.Render(w, h, s.Info("test", 1), "footer"); err != nil {
			t.Fatal(err)
		}
		img, err := s.Renderer.ReadImage()
		if err != nil {
			t.Fatal(err)
		}
		ax, ay := m.Pixel(0, 0)
		near := patch(img, ax, ay, 8)
		all := patch(img, float64(m.Viewport[0]+m.Viewport[2]/2), float64(m.Viewport[1]+m.Viewport[3]/2), max(m.Viewport[2], m.Viewport[3]))
		t.Logf("iteration %d: %d cyan pixels within 8 px of a, %d in the plot; box %v", s.Iteration, near.cyan, all.cyan, m.Box)
		// 2048 particles within the box cover hundreds of pixels (253 at iteration 0, 449 at 100 on
		// llvmpipe); 100 is a floor that a view drawing them off-plot or in a zero-width box cannot
		// reach. After 100 iterations the cloud has gathered about a (146 pixels within 8 px).
		if all.cyan < 100 {
			t.Errorf("iteration %d: %d cyan pixels in the plot, want ≥ 100", s.Iteration, all.cyan)
		}
		if steps > 0 && near.cyan < 20 {
			t.Errorf("iteration %d: %d cyan pixels within 8 px of a's pixel (%.0f, %.0f), want ≥ 20", s.Iteration, near.cyan, ax, ay)
		}
	}
}
