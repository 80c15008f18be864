package minimum

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// polishSteps is the number of Newton–CG steps tried after L-BFGS: Newton's method converges
// quadratically near a strict minimum, so a handful take a gradient at the L-BFGS tolerance down
// to round-off (docs/theory.md §9).
const polishSteps = 6

// polish takes Newton–CG steps x ← x + p, H(x)·p ≈ −∇L(x) solved by conjugate gradients on
// Hessian-vector products (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.1;
// docs/theory.md §9). A step is kept only if it lowers ‖∇L‖₂ and does not raise L beyond its
// round-off, so that the polish cannot leave a minimum or climb; it returns the point, the steps
// kept and the products used.
func polish(m Model, x []float64) ([]float64, int, int) {
	d := len(x)
	g, gt, trial := make([]float64, d), make([]float64, d), make([]float64, d)
	steps, products := 0, 0
	for range polishSteps {
		m.Gradient(x, g)
		gn := floats.Norm(g, 2)
		if gn == 0 {
			break
		}
		p, used := newtonCG(m, x, g)
		products += used
		if p == nil {
			break
		}
		floats.AddTo(trial, x, p)
		m.Gradient(trial, gt)
		lx, lt := m.Loss(x), m.Loss(trial)
		if !(floats.Norm(gt, 2) < gn) || !(lt <= lx+8*eps*math.Max(1, math.Abs(lx))) {
			break
		}
		copy(x, trial)
		steps++
	}
	return x, steps, products
}

// eps is float64's machine epsilon, 2⁻⁵².
const eps = 0x1p-52

// newtonCG solves H·p = −g approximately by conjugate gradients (Nocedal & Wright, Algorithm
// 7.1): to a residual of 10⁻⁸·‖g‖, at most min(d, 200) products, stopping at a direction of
// non-positive curvature (then the step so far, or nil if there is none). It returns p and the
// number of Hessian-vector products.
func newtonCG(m Model, x, g []float64) ([]float64, int) {
	d := len(x)
	p, r, dir, hd := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	for i := range g {
		r[i] = -g[i]
		dir[i] = -g[i]
	}
	rr := floats.Dot(r, r)
	stop := 1e-16 * rr // residual 10⁻⁸·‖g‖
	limit := min(d, 200)
	for k := range limit {
		m.HessianVector(x, dir, hd)
		curv := floats.Dot(dir, hd)
		if !(curv > 0) {
			if k == 0 {
				return nil, 1
			}
			return p, k + 1
		}
		alpha := rr / curv
		floats.AddScaled(p, alpha, dir)
		floats.AddScaled(r, -alpha, hd)
		next := floats.Dot(r, r)
		if next <= stop {
			return p, k + 1
		}
		floats.Scale(next/rr, dir)
		floats.Add(dir, r)
		rr = next
	}
	return p, limit
}
