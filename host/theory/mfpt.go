package theory

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/integrate/quad"
)

// QuadOptions controls MeanFirstPassage1D. The zero value selects the
// defaults documented on each field.
type QuadOptions struct {
	// Breaks are points where L' or D, or one of their derivatives, is not
	// smooth (for pwq: the junction c). Panels never straddle a break.
	Breaks []float64
	// Nodes is the Gauss–Legendre order per panel (default 10).
	Nodes int
	// Panels is the initial number of panels n (default 64). The quadrature
	// is repeated with 2n, 4n, … panels until two successive results agree
	// to Tol or MaxPanels is reached.
	Panels int
	// MaxPanels bounds the refinement (default 16384).
	MaxPanels int
	// Tol is the target relative difference between the results with n and
	// 2n panels (default 1e-10).
	Tol float64
	// WallUnits sets the automatic reflecting boundary (left = NaN): the walk
	// to the left stops where Φ exceeds its minimum by WallUnits, i.e. where
	// exp(−Φ) has fallen by exp(−WallUnits) (default 50).
	WallUnits float64
}

func (o QuadOptions) withDefaults() QuadOptions {
	if o.Nodes < 2 {
		o.Nodes = 10
	}
	if o.Panels < 1 {
		o.Panels = 64
	}
	if o.MaxPanels < o.Panels {
		o.MaxPanels = 16384
		if o.MaxPanels < o.Panels {
			o.MaxPanels = o.Panels
		}
	}
	if !(o.Tol > 0) {
		o.Tol = 1e-10
	}
	if !(o.WallUnits > 0) {
		o.WallUnits = 50
	}
	return o
}

// ErrNotConverged is returned (wrapped) by MeanFirstPassage1D when the
// refinement reached QuadOptions.MaxPanels before the tolerance; the value
// and its error estimate are still returned.
var ErrNotConverged = errors.New("quadrature did not reach the requested tolerance")

// MeanFirstPassage1D is the exact mean first-passage time from theta0 to the
// absorbing point thetaE > theta0 of the 1-D Itô diffusion
// dθ = −L'(θ)dt + sqrt(2D(θ))dW, reflecting at left < theta0
// (docs/theory.md §4.3; the standard backward-equation result, e.g. Gardiner,
// Handbook of Stochastic Methods):
//
//	Φ(y) = ∫ L'(u)/D(u) du,
//	T(θ0) = ∫_{θ0}^{θe} exp(Φ(y)) ∫_{left}^{y} exp(−Φ(z))/D(z) dz dy.
//
// When left is NaN it is chosen by ReflectingBoundary. D must be positive on
// [left, thetaE].
//
// Method: [left, thetaE] is cut at theta0 and at opt.Breaks into segments,
// each divided into equal panels with Gauss–Legendre nodes (gonum
// quad.Legendre). Φ is accumulated panel by panel; Φ at a node is the panel's
// start value plus a nested Gauss–Legendre integral of L'/D, so it is exact to
// the order of the rule for smooth pieces. The inner integral is carried
// cumulatively as a logarithm, and every panel sum is a log-sum-exp with its
// largest term factored out, so exp(Φ) is never formed. relErr is
// |T_n/T_2n − 1| for the last two panel counts; it overestimates the error of
// the returned T_2n for smooth integrands.
//
// A result above math.MaxFloat64 is +Inf; LogMeanFirstPassage1D gives its
// logarithm.
func MeanFirstPassage1D(dL, D Func1D, theta0, thetaE, left float64, opt QuadOptions) (tau float64, relErr float64, err error) {
	logTau, relErr, err := LogMeanFirstPassage1D(dL, D, theta0, thetaE, left, opt)
	return math.Exp(logTau), relErr, err
}

// LogMeanFirstPassage1D is MeanFirstPassage1D returning log τ, for barriers so
// high that τ overflows float64.
func LogMeanFirstPassage1D(dL, D Func1D, theta0, thetaE, left float64, opt QuadOptions) (logTau float64, relErr float64, err error) {
	opt = opt.withDefaults()
	if math.IsNaN(theta0) || math.IsInf(theta0, 0) || math.IsNaN(thetaE) || math.IsInf(thetaE, 0) {
		return math.NaN(), math.NaN(), fmt.Errorf("mean first passage: start %g and absorbing point %g must be finite", theta0, thetaE)
	}
	if !(thetaE > theta0) {
		return math.NaN(), math.NaN(), fmt.Errorf("mean first passage: absorbing point %g must lie right of the start %g", thetaE, theta0)
	}
	if math.IsNaN(left) {
		left, err = ReflectingBoundary(dL, D, theta0, thetaE, opt)
		if err != nil {
			return math.NaN(), math.NaN(), err
		}
	}
	if !(left < theta0) || math.IsInf(left, 0) {
		return math.NaN(), math.NaN(), fmt.Errorf("mean first passage: reflecting boundary %g must be finite and left of the start %g", left, theta0)
	}
	q := newMFPT(dL, D, opt.Nodes)
	edges := segmentEdges(left, theta0, thetaE, opt.Breaks)

	n := opt.Panels
	prev := q.logT(edges, theta0, n)
	if q.err != nil {
		return math.NaN(), math.NaN(), q.err
	}
	for {
		n *= 2
		cur := q.logT(edges, theta0, n)
		if q.err != nil {
			return math.NaN(), math.NaN(), q.err
		}
		relErr = math.Abs(math.Expm1(prev - cur))
		if math.IsNaN(cur) || math.IsInf(cur, -1) {
			return cur, relErr, fmt.Errorf("mean first passage: result is not finite (log τ = %g)", cur)
		}
		if relErr <= opt.Tol {
			return cur, relErr, nil
		}
		if 2*n > opt.MaxPanels {
			return cur, relErr, fmt.Errorf("mean first passage with %d panels: relative change %.2g > %.2g: %w", n, relErr, opt.Tol, ErrNotConverged)
		}
		prev = cur
	}
}

// ReflectingBoundary picks a reflecting boundary for MeanFirstPassage1D: it
// walks left from theta0 in geometrically growing steps until Φ rises by
// opt.WallUnits above its smallest value on the walked range [z, theta0], so
// that the neglected part of ∫exp(−Φ)/D is below exp(−WallUnits) relative to
// the well (docs/theory.md §4.3: "reflecting far to the left"). Only the walked
// range counts: right of the barrier Φ falls without bound and is irrelevant
// to the wall. The walk starts with steps of (thetaE−theta0)/256 growing by 2%
// and fails when no wall is found within 10⁶ steps.
func ReflectingBoundary(dL, D Func1D, theta0, thetaE float64, opt QuadOptions) (float64, error) {
	opt = opt.withDefaults()
	if !(thetaE > theta0) {
		return math.NaN(), fmt.Errorf("reflecting boundary: absorbing point %g must lie right of the start %g", thetaE, theta0)
	}
	q := newMFPT(dL, D, opt.Nodes)
	h := (thetaE - theta0) / 256
	z, phi, minPhi := theta0, 0.0, 0.0 // Φ relative to Φ(θ0)
	for i := 0; i < 1000000; i++ {
		phi -= q.dPhi(z-h, z)
		z -= h
		if q.err != nil {
			return math.NaN(), fmt.Errorf("reflecting boundary: %w", q.err)
		}
		if math.IsInf(z, 0) || math.IsNaN(phi) {
			break
		}
		minPhi = math.Min(minPhi, phi)
		if phi-minPhi > opt.WallUnits {
			return z, nil
		}
		h *= 1.02
	}
	return math.NaN(), fmt.Errorf("reflecting boundary: Φ = ∫L'/D does not rise by %g left of %g (no confining wall); pass left explicitly", opt.WallUnits, theta0)
}

// segmentEdges returns the sorted segment ends: left, the breaks inside
// (left, thetaE), theta0, thetaE.
func segmentEdges(left, theta0, thetaE float64, breaks []float64) []float64 {
	e := []float64{left, theta0, thetaE}
	for _, b := range breaks {
		if b > left && b < thetaE && !math.IsNaN(b) {
			e = append(e, b)
		}
	}
	sort.Float64s(e)
	out := e[:1]
	for _, v := range e[1:] {
		if v > out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// mfpt evaluates the double integral of docs/theory.md §4.3 on a panel grid.
type mfpt struct {
	dL, D Func1D
	x, w  []float64 // Gauss–Legendre nodes and weights on [−1, 1]
	err   error
	// scratch
	u, v []float64
}

func newMFPT(dL, D Func1D, nodes int) *mfpt {
	q := &mfpt{dL: dL, D: D, x: make([]float64, nodes), w: make([]float64, nodes),
		u: make([]float64, nodes), v: make([]float64, nodes)}
	quad.Legendre{}.FixedLocations(q.x, q.w, -1, 1)
	return q
}

// diff evaluates D and reports a non-positive or non-finite value once.
func (q *mfpt) diff(x float64) float64 {
	d := q.D(x)
	if !(d > 0) || math.IsInf(d, 0) {
		if q.err == nil {
			q.err = fmt.Errorf("mean first passage: D(%g) = %g; the diffusion must be positive and finite on the whole interval", x, d)
		}
		return math.NaN()
	}
	return d
}

// dPhi is ∫_{x0}^{x1} L'/D by Gauss–Legendre.
func (q *mfpt) dPhi(x0, x1 float64) float64 {
	half, mid := (x1-x0)/2, (x1+x0)/2
	s := 0.0
	for i, t := range q.x {
		y := mid + half*t
		s += q.w[i] * q.dL(y) / q.diff(y)
	}
	return half * s
}

// logInner is log ∫_{x0}^{y} exp(−Φ(z))/D(z) dz with Φ(x0) = phi0.
func (q *mfpt) logInner(x0, y, phi0 float64) float64 {
	half, mid := (y-x0)/2, (y+x0)/2
	for m, t := range q.x {
		z := mid + half*t
		q.v[m] = math.Log(q.w[m]*half) - (phi0 + q.dPhi(x0, z)) - math.Log(q.diff(z))
	}
	return floats.LogSumExp(q.v)
}

// logT returns log T(theta0) on a grid of about n panels over the segments.
func (q *mfpt) logT(edges []float64, theta0 float64, n int) float64 {
	total := edges[len(edges)-1] - edges[0]
	phi := 0.0           // Φ at the current panel start; Φ(left) = 0
	logI := math.Inf(-1) // log ∫_{left}^{x0} exp(−Φ)/D
	logT := math.Inf(-1) // log of the outer integral so far
	u := make([]float64, len(q.x))
	for s := 0; s+1 < len(edges); s++ {
		a, b := edges[s], edges[s+1]
		np := int(math.Round(float64(n) * (b - a) / total))
		if np < 1 {
			np = 1
		}
		h := (b - a) / float64(np)
		outer := a >= theta0
		for p := 0; p < np; p++ {
			x0 := a + float64(p)*h
			x1 := x0 + h
			if p == np-1 {
				x1 = b
			}
			half, mid := (x1-x0)/2, (x1+x0)/2
			if outer {
				for k, t := range q.x {
					y := mid + half*t
					phiY := phi + q.dPhi(x0, y)
					li := logAddExp(logI, q.logInner(x0, y, phi))
					u[k] = math.Log(q.w[k]*half) + phiY + li
				}
				logT = logAddExp(logT, floats.LogSumExp(u))
			}
			// Inner integral over the whole panel.
			for k, t := range q.x {
				z := mid + half*t
				q.u[k] = math.Log(q.w[k]*half) - (phi + q.dPhi(x0, z)) - math.Log(q.diff(z))
			}
			logI = logAddExp(logI, floats.LogSumExp(q.u))
			phi += q.dPhi(x0, x1)
			if q.err != nil {
				return math.NaN()
			}
		}
	}
	return logT
}

// logAddExp is log(exp(a) + exp(b)) without overflow.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}
