package landscape

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// Gradient flow dθ/dt = −∇L(θ) (docs/theory.md §2, "The minimum that --start flows to").
//
// The flow is integrated by exponential steps on the local quadratic model: over a time t from x
// with gradient g and Hessian H = Σ λ_k v_k v_kᵀ the model's flow moves by
//
//	Δx = −Σ_k φ(λ_k, t) (v_k·g) v_k,  φ(λ, t) = (1 − e^{−λt})/λ  (φ(0, t) = t),
//
// exact for a quadratic loss, so that stiff directions (λt ≫ 1) cost no stability limit and the
// steps become Newton steps near a strict minimum (φ → 1/λ). The step time t is controlled by the
// local error of the model: the gradient at the end of the step, ∇L(x + Δx), against the model's
// g + HΔx; the position error of the step is at most about t/2 times their distance (the velocity
// error grows from 0 to it along the step). A step is accepted when that estimate is at most
// flowRelTol·‖Δx‖ (a relative path error of 10⁻³ per step) and the loss did not rise (the flow
// lowers the loss); t then grows by 2 when the estimate is below a tenth of the tolerance, and
// a rejected step is retaken with t/4. This is step-size control as for any embedded Runge–Kutta
// pair (Hairer, Nørsett & Wanner, Solving ODEs I, §II.4), with the quadratic model as the lower
// order method.
const (
	flowRelTol   = 1e-3
	flowMaxSteps = 20000 // accepted and rejected steps of one integration
	// flowGradTol ends the flow where ‖∇L‖∞ ≤ 10⁻¹²·ℓ·max(1, max|λ(H)|): at a strict minimum the
	// steps are Newton steps by then (and newtonPolish finishes), at a degenerate one (L ∝ x⁴)
	// the flow approaches only algebraically and this is where it is taken to have arrived.
	flowGradTol = 1e-12
)

// flowEnd is how an integration of the flow ended.
type flowEnd int

const (
	flowConverged flowEnd = iota // the flow reached a critical point (the step fell below round-off)
	flowStopped                  // the caller's stop condition held
	flowRanOff                   // left the walker's box, the loss went below −1e100 or stopped being finite
	flowStalled                  // the step budget ran out, or the step time shrank to nothing
)

// flow integrates the gradient flow from x0 until it converges to a critical point, the
// caller's stop(x, loss) holds, or it runs off. It returns the last point and how it ended; path,
// when not nil, receives every accepted point (x0 first).
func (w *walker) flow(x0 []float64, stop func(x []float64, loss float64) bool, path *[][]float64) ([]float64, flowEnd) {
	cur, nxt := w.newState(), w.newState()
	copy(cur.x, x0)
	if !w.eval(cur) {
		return cur.x, flowRanOff
	}
	if path != nil {
		*path = append(*path, append([]float64(nil), cur.x...))
	}
	d := w.d
	t := 1e-3 / math.Max(math.Max(math.Abs(cur.vals[0]), math.Abs(cur.vals[d-1])), 1e-12)
	for range flowMaxSteps {
		if stop != nil && stop(cur.x, cur.loss) {
			return cur.x, flowStopped
		}
		hmax := math.Max(math.Abs(cur.vals[0]), math.Abs(cur.vals[d-1]))
		if floats.Norm(cur.g, math.Inf(1)) <= flowGradTol*w.ell*math.Max(1, hmax) {
			return cur.x, flowConverged
		}
		w.flowStep(cur, t)
		hn := floats.Norm(w.h, 2)
		if hn <= 1e-15*math.Max(w.ell, floats.Norm(cur.x, math.Inf(1))) {
			return cur.x, flowConverged
		}
		floats.AddTo(nxt.x, cur.x, w.h)
		if !w.inBox(nxt.x) {
			return cur.x, flowRanOff
		}
		ok := w.eval(nxt)
		errEst := math.Inf(1)
		if ok {
			w.hessTimes(cur, w.gm, w.h)
			floats.Add(w.gm, cur.g)
			errEst = 0.5 * t * floats.Distance(nxt.g, w.gm, 2)
		}
		if !ok || errEst > flowRelTol*hn || nxt.loss > cur.loss {
			t /= 4
			if t < 1e-300 {
				return cur.x, flowStalled
			}
			continue
		}
		cur, nxt = nxt, cur
		if path != nil {
			*path = append(*path, append([]float64(nil), cur.x...))
		}
		if cur.loss < -1e100 {
			return cur.x, flowRanOff
		}
		if errEst < 0.1*flowRelTol*hn {
			t *= 2
		}
	}
	return cur.x, flowStalled
}

// flowStep writes into w.h the exponential step of the quadratic model over time t (see above).
func (w *walker) flowStep(s *state, t float64) {
	for i := range w.h {
		w.h[i] = 0
	}
	for m := range w.d {
		lam := s.vals[m]
		phi := t
		if lt := lam * t; math.Abs(lt) > 1e-8 {
			phi = -math.Expm1(-lt) / lam
		}
		s.addMode(w.h, m, -phi*s.comp(m, s.g))
	}
}

// flowToMinimum integrates the flow from x0 and returns the minimum it reaches, Newton-polished,
// or nil when it runs off, stalls or ends at a critical point that is not a minimum (a Hessian
// eigenvalue below −10⁻⁹ of the largest |λ|).
func (w *walker) flowToMinimum(x0 []float64) []float64 {
	x, end := w.flow(x0, nil, nil)
	if end != flowConverged {
		return nil
	}
	st := w.newState()
	copy(st.x, x)
	if !w.eval(st) {
		return nil
	}
	hmax := math.Max(math.Abs(st.vals[0]), math.Abs(st.vals[w.d-1]))
	if st.vals[0] < -1e-9*hmax {
		return nil
	}
	if st.vals[0] > 1e-9*hmax {
		return newtonPolish(w.ev, x, true)
	}
	return x
}

// BasinCheck answers whether gradient flow from a point reaches the minimum a: the basin of a
// in the sense of docs/theory.md §2. A flow that is within 10⁻³·ℓ of a strict minimum a
// (ℓ = max(1, ‖a‖∞)) is taken to end there; one whose loss falls below L(a) − 10⁻¹²·max(1, |L(a)|)
// cannot end there (the flow lowers the loss) and is stopped.
type BasinCheck struct {
	w      *walker
	a      []float64
	strict bool
	near   float64
}

// NewBasinCheck prepares basin checks for the minimum a.
func NewBasinCheck(l *Landscape, a []float64) *BasinCheck {
	w := newWalker(l, a, 0)
	st := w.newState()
	copy(st.x, a)
	strict := w.eval(st) && st.vals[0] > 1e-9*math.Max(math.Abs(st.vals[0]), math.Abs(st.vals[w.d-1]))
	return &BasinCheck{w: w, a: a, strict: strict, near: 1e-3 * w.ell}
}

// FlowsToMinimum reports whether gradient flow from x ends at a.
func (b *BasinCheck) FlowsToMinimum(x []float64) bool {
	below := b.w.la - 1e-12*math.Max(1, math.Abs(b.w.la))
	reached := false
	stop := func(p []float64, loss float64) bool {
		if loss < below {
			return true
		}
		if b.strict && distance(p, b.a) <= b.near {
			reached = true
			return true
		}
		return false
	}
	end, how := b.w.flow(x, stop, nil)
	if reached {
		return true
	}
	return how == flowConverged && distance(end, b.a) <= b.near
}

// FlowPath integrates the gradient flow from x0 until it converges (or runs off, or stalls) and
// returns the accepted points, x0 first.
func FlowPath(l *Landscape, x0 []float64) [][]float64 {
	w := newWalker(l, x0, 0)
	var path [][]float64
	w.flow(x0, nil, &path)
	return path
}
