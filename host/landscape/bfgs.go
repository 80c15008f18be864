package landscape

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// bfgs minimises the loss from start with the BFGS quasi-Newton method
// (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 6.1) and a
// backtracking Armijo line search, using the analytic gradient. It reports
// runaway when the iterate leaves every bounded region (loss unbounded below).
//
// gonum's optimize package is not used because it imports
// gonum/stat/distmv, which needs golang.org/x/tools, a module this project
// does not require; the algorithm here is the textbook one and the result is
// polished by Newton steps and checked with gonum/mat afterwards.
func bfgs(ev *Evaluator, start []float64) (x []float64, runaway bool) {
	const (
		bound    = 1e8
		maxIter  = 20000
		armijo   = 1e-4
		gradStop = 1e-13
	)
	d := len(start)
	x = append([]float64(nil), start...)
	g := make([]float64, d)
	ev.Gradient(x, g)
	f := ev.Loss(x)
	// Initial inverse Hessian: the identity divided by the largest curvature
	// at the start, so that the first step cannot leap far out of the basin.
	hinv := identity(d) // inverse Hessian approximation, row-major
	{
		h := make([]float64, d*d)
		ev.Hessian(x, h)
		if vals, _, err := eigen(h, d); err == nil {
			if c := math.Max(math.Abs(vals[0]), math.Abs(vals[d-1])); c > 0 && finite(c) {
				floats.Scale(1/c, hinv)
			}
		}
	}
	lastStep := math.Inf(1) // steps may grow at most 4-fold per iteration
	p := make([]float64, d)
	xn := make([]float64, d)
	gn := make([]float64, d)
	s := make([]float64, d)
	y := make([]float64, d)
	hy := make([]float64, d)
	for it := 0; it < maxIter; it++ {
		if floats.Norm(g, math.Inf(1)) < gradStop*math.Max(1, math.Abs(f)) {
			break
		}
		for i := range d {
			p[i] = -floats.Dot(hinv[i*d:(i+1)*d], g)
		}
		slope := floats.Dot(p, g)
		if !(slope < 0) { // not a descent direction: restart from steepest descent
			hinv = identity(d)
			for i := range d {
				p[i] = -g[i]
			}
			slope = -floats.Dot(g, g)
		}
		t := 1.0
		if pn := floats.Norm(p, 2); pn > 4*lastStep {
			t = 4 * lastStep / pn
		}
		accepted := false
		var fn float64
		for range 60 {
			floats.AddScaledTo(xn, x, t, p)
			fn = ev.Loss(xn)
			if finite(fn) && fn <= f+armijo*t*slope {
				accepted = true
				break
			}
			t /= 2
		}
		if !accepted {
			break // no progress possible at this precision
		}
		ev.Gradient(xn, gn)
		floats.SubTo(s, xn, x)
		floats.SubTo(y, gn, g)
		lastStep = floats.Norm(s, 2)
		copy(x, xn)
		copy(g, gn)
		fPrev := f
		f = fn
		if floats.Norm(x, math.Inf(1)) > bound || f < -1e100 {
			return x, true
		}
		sy := floats.Dot(s, y)
		if sy > 1e-300 {
			for i := range d {
				hy[i] = floats.Dot(hinv[i*d:(i+1)*d], y)
			}
			yhy := floats.Dot(y, hy)
			rho := 1 / sy
			// H ← H − ρ(H y sᵀ + s yᵀ H) + (ρ² yᵀHy + ρ) s sᵀ
			for i := range d {
				for j := range d {
					hinv[i*d+j] += -rho*(hy[i]*s[j]+s[i]*hy[j]) + (rho*rho*yhy+rho)*s[i]*s[j]
				}
			}
		}
		if math.Abs(fPrev-f) <= 1e-16*math.Max(1, math.Abs(f)) && floats.Norm(s, math.Inf(1)) <= 1e-15*math.Max(1, floats.Norm(x, math.Inf(1))) {
			break
		}
	}
	return x, false
}

func identity(d int) []float64 {
	m := make([]float64, d*d)
	for i := range d {
		m[i*d+i] = 1
	}
	return m
}
