package view

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/kramers-sim/kramers/host"
	"gonum.org/v1/gonum/mat"
)

// The view of a trained minimum (host/trained.go: a network above d = 64 on data), which has no
// saddle, no escape direction and no target minimum: the analysis holds only a, L(a) and H_a.
// The view plane is spanned by H_a's two leading eigenvectors (the stiffest directions, where the
// noise pushes hardest against the walls), the box is the stationary spread along them, and the
// contours are drawn relative to the escape level where --escape is a loss threshold.

// trainedSpreads is the box's half-width in stationary standard deviations sqrt(D/λ) of the
// linearised well (docs/theory.md §1): 6σ holds all but ~1e-9 of a Gaussian's mass along each axis.
const trainedSpreads = 6

// escapeLossRE and escapeDistRE read the two --escape forms of issue 22 whose level the view can
// draw: a loss threshold 'loss - loss_a > δ' and a distance 'dist > r'.
var (
	escapeLossRE = regexp.MustCompile(`^\s*loss\s*-\s*loss_a\s*>=?\s*([0-9.eE+-]+)\s*$`)
	escapeDistRE = regexp.MustCompile(`^\s*dist\s*>=?\s*([0-9.eE+-]+)\s*$`)
)

// escapeLevels returns δ of an escape 'loss - loss_a > δ' and r of 'dist > r' or radius(r); 0
// where the escape is of another form.
func escapeLevels(c *host.EscapeCondition) (delta, radius float64) {
	if c == nil {
		return 0, 0
	}
	if c.Kind == host.EscapeRadius {
		return 0, c.Radius
	}
	num := func(re *regexp.Regexp) float64 {
		m := re.FindStringSubmatch(c.Text)
		if m == nil {
			return 0
		}
		x, err := strconv.ParseFloat(m[1], 64)
		if err != nil || !(x > 0) || math.IsInf(x, 0) {
			return 0
		}
		return x
	}
	return num(escapeLossRE), num(escapeDistRE)
}

// trainedProjection puts the view plane through a, spanned by the eigenvectors of H_a with the
// largest and second-largest eigenvalues (gonum's EigenSym returns them in ascending order), and
// records those eigenvalues in Curvatures.
func (g *Geometry) trainedProjection(hess []float64) {
	d := g.Dim
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), hess...)), true) {
		// No decomposition: the first two coordinate axes, so that the view still draws.
		g.U[0], g.V[1] = 1, 1
		g.Axes = [2]string{"θ₁ (H_a not decomposed)", "θ₂"}
		return
	}
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	vals := es.Values(nil)
	mat.Col(g.U, d-1, &vecs)
	mat.Col(g.V, d-2, &vecs)
	g.Curvatures = [2]float64{vals[d-1], vals[d-2]}
	g.Axes = [2]string{
		fmt.Sprintf("u: leading eigenvector of H_a (λ = %.3g)", vals[d-1]),
		fmt.Sprintf("v: second (λ = %.3g)", vals[d-2]),
	}
}

// trainedBox is ±trainedSpreads·sqrt(D/λ) along each axis about a, widened to hold the escape level
// along it (the loss contour at sqrt(2δ/λ) of the quadratic well, or the circle of radius r) with a
// 15% margin. Where neither gives a positive width (a flat or negative curvature, no diffusion),
// the other axis's width is used, and failing both 10⁻³·max(1, |a|): never a zero-width box.
func (g Geometry) trainedBox(p *host.Problem) [4]float64 {
	delta, radius := escapeLevels(p.Escape)
	var half [2]float64
	for i, e := range [][]float64{g.U, g.V} {
		lam := g.Curvatures[i]
		if lam > 0 {
			if dif := p.MinimumDiffusion(e, lam); dif > 0 {
				half[i] = trainedSpreads * math.Sqrt(dif/lam)
			}
			if delta > 0 {
				half[i] = math.Max(half[i], 1.15*math.Sqrt(2*delta/lam))
			}
		}
		half[i] = math.Max(half[i], 1.15*radius)
		if math.IsNaN(half[i]) || math.IsInf(half[i], 0) {
			half[i] = 0
		}
	}
	for i := range half {
		if !(half[i] > 0) {
			half[i] = half[1-i]
		}
	}
	if !(half[0] > 0) {
		a := 0.0
		for _, x := range p.Analysis.Minimum {
			a += x * x
		}
		half[0] = 1e-3 * math.Max(1, math.Sqrt(a))
		half[1] = half[0]
	}
	return [4]float64{-half[0], half[0], -half[1], half[1]}
}

// trainedLossRange is the range of L over a 33×33 grid of the view box's plane.
func (g Geometry) trainedLossRange(box [4]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	const n = 32
	for i := 0; i <= n; i++ {
		for j := 0; j <= n; j++ {
			u := box[0] + (box[1]-box[0])*float64(i)/n
			v := box[2] + (box[3]-box[2])*float64(j)/n
			if l := g.loss(g.Unproject(u, v)); !math.IsNaN(l) && !math.IsInf(l, 0) {
				lo, hi = math.Min(lo, l), math.Max(hi, l)
			}
		}
	}
	return lo, hi
}

// trainedContours is the colour scale of a trained minimum's view in box: contours every δ/6 from
// L(a) with the escape level L(a) + δ as the marked contour 6 where the escape is a loss threshold;
// otherwise every eighth of the loss range in the box, none marked. The colour map spans the loss
// range in the box.
func (g Geometry) trainedContours(p *host.Problem, box [4]float64) (ColourScale, string) {
	la := p.Analysis.LossMinimum
	lo, hi := g.trainedLossRange(box)
	span := hi - la
	if !(span > 0) {
		span = math.Max(math.Abs(la)*1e-6, 1e-12)
	}
	c := ColourScale{LossMin: la, Lo: math.Min(la, lo), Span: span, Mark: -1}
	if delta, _ := escapeLevels(p.Escape); delta > 0 {
		c.Step, c.Mark = delta/6, 6
		return c, fmt.Sprintf("contours every δ/6 = %.3g; bright: L(a) + δ", delta/6)
	}
	c.Step = span / 8
	return c, fmt.Sprintf("contours every %.3g (1/8 of L's range here)", c.Step)
}
