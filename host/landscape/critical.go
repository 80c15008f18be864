package landscape

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// AnalyzeOptions are the inputs of Analyze.
type AnalyzeOptions struct {
	Start  []float64 // start guess for the minimum a (nil: the landscape's DefaultStart)
	Target []float64 // optional: a point in the target basin; selects the exit toward it
	// MaxExits > 0 lists only the lowest MaxExits exits by ΔL (and the exit
	// toward Target, if it is not among them); 0 lists every exit found.
	MaxExits int
	// AllowDegenerate accepts a minimum whose Hessian is singular (a *DegenerateError of
	// FindMinimumOrDegenerate): Analysis.Degenerate says so.
	AllowDegenerate bool
	// Escaped is the user's escape region, where one was given. In 1-D, where the loss rises on
	// both sides of a without a local maximum (no barrier), the point of that region nearest a
	// stands in for the saddle (Index1 false, SaddleMethod says so), so that a run can ask its
	// question; nil keeps the error. It is called with the minimum a and the point x.
	Escaped func(a, x []float64) bool
}

// Analysis describes the minimum a, the exits of its basin (index-1 saddles on
// its boundary, docs/theory.md §2) and the quantities the escape-rate theories need
// (docs/theory.md §4). The single-saddle fields (Saddle … TargetMinimum,
// SaddleMethod) describe one exit: the lowest, or the one toward
// AnalyzeOptions.Target; TargetMinimum is then the minimum beyond it (nil if
// the descent beyond it runs off) or the target's minimum.
type Analysis struct {
	// Start is the point the analysis started from; Minimum is the minimum that gradient flow
	// from it reaches (docs/theory.md §2). StartIsMinimum: Start is that minimum (to 10⁻⁹·ℓ).
	Start          []float64 `json:"start"`
	StartIsMinimum bool      `json:"start_is_minimum"`
	// MinimumMethod names how Minimum was reached from Start when it is not gradient flow (a
	// network's minimum is trained: host/minimum); empty for gradient flow.
	MinimumMethod string `json:"minimum_method,omitempty"`
	// Degenerate: H_a is singular (FindMinimumOrDegenerate); DegenerateReason says why.
	Degenerate       bool   `json:"degenerate_minimum,omitempty"`
	DegenerateReason string `json:"degenerate_reason,omitempty"`

	Minimum                  []float64 `json:"minimum"`
	Saddle                   []float64 `json:"saddle"`
	LossMinimum              float64   `json:"loss_minimum"`
	LossSaddle               float64   `json:"loss_saddle"`
	DeltaL                   float64   `json:"delta_l"`
	HessianMin               []float64 `json:"hessian_min"`                // row-major d*d
	HessianSaddle            []float64 `json:"hessian_saddle"`             // row-major d*d
	HessianMinEigenvalues    []float64 `json:"hessian_min_eigenvalues"`    // ascending
	HessianSaddleEigenvalues []float64 `json:"hessian_saddle_eigenvalues"` // ascending
	EscapeDirection          []float64 `json:"escape_direction"`           // unit eigenvector of H_b for its lowest eigenvalue, pointing away from a (Exit.EscapeDirection)
	Index1                   bool      `json:"index1"`                     // H_b has exactly one negative eigenvalue
	TargetMinimum            []float64 `json:"target_minimum,omitempty"`
	SaddleMethod             string    `json:"saddle_method"`

	// Every exit of the basin (docs/theory.md §2), sorted by ΔL, lowest first.
	Exits      []Exit      `json:"exits"`
	ExitSearch *ExitSearch `json:"exit_search,omitempty"` // what the search for exits tried
}

// hessianEigen returns the ascending eigenvalues and the eigenvectors (columns) of the Hessian of
// the d-dimensional loss of ev at x.
func hessianEigen(ev *Evaluator, x []float64, d int) ([]float64, *mat.Dense, error) {
	h := make([]float64, d*d)
	ev.Hessian(x, h)
	return eigen(h, d)
}

// eigen returns the ascending eigenvalues and the eigenvectors (columns) of
// the symmetric row-major d*d matrix h.
func eigen(h []float64, d int) ([]float64, *mat.Dense, error) {
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), h...)), true) {
		return nil, nil, errors.New("eigen-decomposition of the Hessian failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	return vals, &vecs, nil // gonum returns eigenvalues in ascending order
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if !finite(v) {
			return false
		}
	}
	return true
}

// FindMinimum returns the strict minimum that gradient flow from start reaches (docs/theory.md §2,
// "The minimum that --start flows to"): the flow is integrated with a controlled step (flow.go),
// the limit is polished with Newton steps and the Hessian there must be positive definite (gonum
// mat.EigenSym). A fast optimiser's long line-search steps can jump into another basin (sin(3x) +
// 0.01x² from 2.5 went to −2.612; the flow reaches 1.571); the flow cannot. A degenerate minimum is
// an error here (a *DegenerateError); FindMinimumOrDegenerate accepts it.
func FindMinimum(l *Landscape, start []float64) ([]float64, error) {
	x, err := FindMinimumOrDegenerate(l, start)
	if err != nil {
		return nil, err
	}
	return x, nil
}

// DegenerateError says that gradient flow from Start ends at a minimum Point that is not strict:
// the smallest Hessian eigenvalue there is 0 to round-off (|λ_min| ≤ 10⁻⁹·max|λ|), yet the loss
// rises in every probed direction (degenerateMinimum).
type DegenerateError struct {
	Point, Start []float64
	Eigenvalue   float64
}

func (e *DegenerateError) Error() string {
	return fmt.Sprintf("the point %v reached from start %v is not a strict minimum: the smallest Hessian eigenvalue is %.6g (a degenerate minimum; the Hessian must be positive definite)", e.Point, e.Start, e.Eigenvalue)
}

// FindMinimumOrDegenerate is FindMinimum that also returns a degenerate minimum: then the point
// and a *DegenerateError.
func FindMinimumOrDegenerate(l *Landscape, start []float64) ([]float64, error) {
	if len(start) != l.Dim {
		return nil, fmt.Errorf("start has %d coordinates, the landscape has %d", len(start), l.Dim)
	}
	ev := l.Evaluator()
	if !allFinite(start) || !finite(ev.Loss(start)) {
		return nil, fmt.Errorf("the loss is not finite at the start %v", start)
	}
	w := newWalker(l, start, 0)
	w.box = 1e8 // runaway: farther than 1e8 from the start
	x, end := w.flow(start, nil, nil)
	switch end {
	case flowRanOff:
		return nil, fmt.Errorf("no minimum found from start %v: the loss seems unbounded below there", start)
	case flowStalled:
		return nil, fmt.Errorf("no minimum found from start %v: gradient flow did not settle (stopped at %v)", start, x)
	}
	d := l.Dim
	vals, vecs, err := hessianEigen(ev, x, d)
	if err != nil {
		return nil, err
	}
	hmax := math.Max(math.Abs(vals[0]), math.Abs(vals[d-1]))
	switch {
	case vals[0] < -1e-9*hmax:
		return nil, fmt.Errorf("the point %v reached from start %v is not a minimum: the smallest Hessian eigenvalue is %.6g (gradient flow stops at a saddle or maximum; start off it)", x, start, vals[0])
	case vals[0] <= 1e-9*hmax || !quadraticMinimum(ev, x, vals[0], vecs):
		if !degenerateMinimum(w, x, vecs) {
			return nil, fmt.Errorf("the point %v reached from start %v is not a strict minimum: the smallest Hessian eigenvalue is %.6g and gradient flow from points beside it does not come back (the Hessian must be positive definite)", x, start, vals[0])
		}
		return x, &DegenerateError{Point: x, Start: start, Eigenvalue: vals[0]}
	}
	x = newtonPolish(ev, x, true)
	g := make([]float64, d)
	ev.Gradient(x, g)
	if gn := floats.Norm(g, math.Inf(1)); !(gn <= 1e-6*math.Max(1, hmax)*math.Max(1, floats.Norm(x, math.Inf(1)))) {
		return nil, fmt.Errorf("no minimum found from start %v: the gradient at %v is still %.3g", start, x, gn)
	}
	return x, nil
}

// quadraticMinimum reports whether the quadratic model ½λ_min·r² predicts the rise of the loss at
// x ± r·v_min (r = 10⁻³·max(1, ‖x‖∞), v_min the softest eigenvector of H(x)) within half of it.
// Where it does not, the higher-order terms dominate at that scale and the minimum is taken as
// degenerate although λ_min is not 0 to round-off: the flow reaches a minimum like x⁴ only
// algebraically and stops where λ_min = 3x² is small but not 0 (docs/theory.md §2).
func quadraticMinimum(ev *Evaluator, x []float64, lmin float64, vecs interface{ At(i, j int) float64 }) bool {
	d := len(x)
	r := 1e-3 * math.Max(1, floats.Norm(x, math.Inf(1)))
	lx := ev.Loss(x)
	model := 0.5 * lmin * r * r
	p := make([]float64, d)
	for _, sgn := range []float64{1, -1} {
		for i := range d {
			p[i] = x[i] + sgn*r*vecs.At(i, 0)
		}
		if !(math.Abs(ev.Loss(p)-lx-model) <= 0.5*model) {
			return false
		}
	}
	return true
}

// degenerateMinimum reports whether the critical point x with a singular Hessian is a minimum:
// gradient flow from x ± r·v, for every eigenvector v of H(x) (columns of vecs) and r = 10⁻³ of
// max(1, ‖x‖∞), must settle within 2r of x. At x⁴/4 − x⁵/5's 0 it does; at x²y's origin the flow
// from (r, 0) runs off to y → −∞, and at x³'s 0 the flow from −r runs off.
func degenerateMinimum(w *walker, x []float64, vecs interface{ At(i, j int) float64 }) bool {
	d := len(x)
	r := 1e-3 * math.Max(1, floats.Norm(x, math.Inf(1)))
	p := make([]float64, d)
	for k := range d {
		for _, sgn := range []float64{1, -1} {
			for i := range d {
				p[i] = x[i] + sgn*r*vecs.At(i, k)
			}
			end, how := w.flow(p, nil, nil)
			if how != flowConverged || distance(end, x) > 2*r {
				return false
			}
		}
	}
	return true
}

// newtonPolish takes a few Newton steps x ← x − H⁻¹∇L, solved in the
// eigenbasis of H. minimum: accept a step only if it does not raise the
// loss (for minima); otherwise accept steps that reduce |∇L|.
func newtonPolish(ev *Evaluator, x []float64, minimum bool) []float64 {
	d := len(x)
	x = append([]float64(nil), x...)
	g := make([]float64, d)
	h := make([]float64, d*d)
	trial := make([]float64, d)
	gt := make([]float64, d)
	for range 30 {
		ev.Gradient(x, g)
		ev.Hessian(x, h)
		if !allFinite(g) || !allFinite(h) {
			return x
		}
		vals, vecs, err := eigen(h, d)
		if err != nil {
			return x
		}
		step := make([]float64, d)
		for k := range d {
			lam := vals[k]
			if math.Abs(lam) < 1e-12*math.Max(1, math.Abs(vals[d-1])) {
				continue
			}
			c := 0.0
			for i := range d {
				c += vecs.At(i, k) * g[i]
			}
			for i := range d {
				step[i] -= c / lam * vecs.At(i, k)
			}
		}
		if floats.Norm(step, 2) == 0 {
			return x
		}
		floats.AddTo(trial, x, step)
		ev.Gradient(trial, gt)
		ok := allFinite(gt)
		if minimum {
			ok = ok && ev.Loss(trial) <= ev.Loss(x)+1e-12*math.Abs(ev.Loss(x))
		} else {
			ok = ok && floats.Norm(gt, 2) < floats.Norm(g, 2)
		}
		if !ok {
			return x
		}
		copy(x, trial)
		if floats.Norm(step, math.Inf(1)) < 1e-15*math.Max(1, floats.Norm(x, math.Inf(1))) {
			return x
		}
	}
	return x
}

// Analyze finds the minimum a from opt.Start (or l.DefaultStart) and the exits
// of its basin (searchExits for d ≥ 2; in 1-D the nearest local maximum on
// each side), sorted by ΔL. The single-saddle fields come from the lowest exit,
// or from the exit toward opt.Target (in 1-D the nearest maximum on the side of
// the target; in d ≥ 2 the lowest exit whose far minimum is the target's, else
// a climbing-image nudged elastic band between a and the target minimum,
// refined by Newton iterations on ∇L = 0, as before exits were searched for).
// When no exit validates, the single-saddle fields come from that older search
// (toward the nearest other minimum) and Exits is empty.
//
// Budget (searchExits): 2·min(d, 32) + 8 mode-following runs of at most 400
// steps (2·16 + 16 above d = 32; all 2·d + 8 when the Hessian is diagonal), two
// descents of at most 600 steps per distinct candidate, at most 32 CI-NEB runs
// (8 above d = 32); each step evaluates the Hessian and, unless it is diagonal,
// decomposes it, O(d³). The CI-NEB runs dominate. Measured on one core
// (TestExitsDeterministicAndTiming): Müller–Brown ≈ 5 ms, styblinski-tang(d=10)
// ≈ 40 ms, d = 32 ≈ 0.4 s, d = 128 ≈ 2 s (the single-saddle search took 16 s
// there).
func Analyze(l *Landscape, opt AnalyzeOptions) (*Analysis, error) {
	start := opt.Start
	if start == nil {
		start = l.DefaultStart
	}
	if start == nil {
		return nil, errors.New("no start point: give a start guess for the minimum (an expression has no default start)")
	}
	if opt.Target != nil && len(opt.Target) != l.Dim {
		return nil, fmt.Errorf("target has %d coordinates, the landscape has %d", len(opt.Target), l.Dim)
	}
	a, err := FindMinimumOrDegenerate(l, start)
	var degen *DegenerateError
	if errors.As(err, &degen) && opt.AllowDegenerate {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	an, err := analyzeExits(l, a, opt)
	if err != nil {
		return nil, err
	}
	an.Start = append([]float64(nil), start...)
	an.StartIsMinimum = distance(start, a) <= 1e-9*math.Max(1, floats.Norm(a, math.Inf(1)))
	if degen != nil {
		an.Degenerate, an.DegenerateReason = true, degen.Error()
	}
	return an, nil
}

// StartNote is the sentence that says which minimum the analysis used: "start [2.5] flows to the
// minimum a = [1.571]" when the start is not itself the minimum, "minimum a = […]" otherwise.
func (an *Analysis) StartNote() string {
	a := fmtPoint(an.Minimum)
	note := "minimum a = " + a
	if an.Start != nil && !an.StartIsMinimum {
		note = fmt.Sprintf("start %s flows to the minimum a = %s (gradient flow)", fmtPoint(an.Start), a)
		if an.MinimumMethod != "" {
			note = fmt.Sprintf("training from the start %s reaches the minimum a = %s (%s)", fmtPoint(an.Start), a, an.MinimumMethod)
		}
	}
	if an.Degenerate {
		note += fmt.Sprintf(", a degenerate minimum (smallest eigenvalue of H_a %.3g)", an.HessianMinEigenvalues[0])
	}
	return note
}

func describe(l *Landscape, a, b, target []float64, method string) (*Analysis, error) {
	ev := l.Evaluator()
	d := l.Dim
	an := &Analysis{Minimum: a, Saddle: b, TargetMinimum: target, SaddleMethod: method}
	an.LossMinimum = ev.Loss(a)
	an.LossSaddle = ev.Loss(b)
	an.DeltaL = an.LossSaddle - an.LossMinimum
	an.HessianMin = make([]float64, d*d)
	an.HessianSaddle = make([]float64, d*d)
	ev.Hessian(a, an.HessianMin)
	ev.Hessian(b, an.HessianSaddle)
	var err error
	if an.HessianMinEigenvalues, _, err = eigen(an.HessianMin, d); err != nil {
		return nil, err
	}
	vals, vecs, err := eigen(an.HessianSaddle, d)
	if err != nil {
		return nil, err
	}
	an.HessianSaddleEigenvalues = vals
	neg := 0
	for _, v := range vals {
		if v < 0 {
			neg++
		}
	}
	an.Index1 = neg == 1
	e := make([]float64, d)
	dot := 0.0
	for i := range d {
		e[i] = vecs.At(i, 0)
		dot += e[i] * (b[i] - a[i])
	}
	if dot < 0 {
		floats.Scale(-1, e)
	}
	floats.Scale(1/floats.Norm(e, 2), e)
	an.EscapeDirection = e
	return an, nil
}

// saddle1D returns the nearest local maximum of L on either side of a (or on
// the side of target, between a and it), found by scanning L' outward on a
// geometric grid for a sign change and bisecting on L'.
func saddle1D(l *Landscape, a float64, target []float64) ([]float64, []float64, error) {
	ev := l.Evaluator()
	find := func(dir, limit float64) (float64, bool) { return nearestMaximum1D(ev, a, dir, limit) }
	var tm []float64
	if target != nil {
		t, err := FindMinimum(l, target)
		if err != nil {
			return nil, nil, fmt.Errorf("target: %w", err)
		}
		if math.Abs(t[0]-a) < 1e-9*math.Max(1, math.Abs(a)) {
			return nil, nil, fmt.Errorf("the target %v lies in the basin of the start minimum %v", target, a)
		}
		dir := math.Copysign(1, t[0]-a)
		b, ok := find(dir, math.Abs(t[0]-a))
		if !ok {
			return nil, nil, fmt.Errorf("no local maximum of the loss between the minimum %g and the target minimum %g", a, t[0])
		}
		return []float64{b}, t, nil
	}
	const limit = 1e4
	right, okR := find(1, limit*math.Max(1, math.Abs(a)))
	left, okL := find(-1, limit*math.Max(1, math.Abs(a)))
	var b float64
	switch {
	case okR && (!okL || right-a <= a-left):
		b = right
	case okL:
		b = left
	default:
		return nil, nil, NoBarrierError{Minimum: a}
	}
	// The minimum on the far side, if any, is reported for information.
	if t, err := FindMinimum(l, []float64{b + (b-a)*1e-3}); err == nil && math.Abs(t[0]-a) > 1e-9*math.Max(1, math.Abs(a)) {
		tm = t
	}
	return []float64{b}, tm, nil
}

// NoBarrierError is the error of a 1-D analysis where the loss has no local maximum on either side of a.
type NoBarrierError struct{ Minimum float64 }

func (e NoBarrierError) Error() string {
	return fmt.Sprintf("no local maximum of the loss on either side of the minimum %g: there is no barrier to escape over", e.Minimum)
}

// nearestEscaped1D is the point of the region escaped nearest a on either side, within
// limit·max(1, |a|): the outward scan of nearestMaximum1D (steps growing by 2%) finds the first
// point inside, and bisection narrows the crossing to the last float before it. ok is false when
// the region lies beyond the limit on both sides.
func nearestEscaped1D(a float64, escaped func(a, x []float64) bool, limit float64) (float64, bool) {
	in := func(x float64) bool { return escaped([]float64{a}, []float64{x}) }
	for t := 1e-6 * math.Max(1, math.Abs(a)); t <= limit*math.Max(1, math.Abs(a)); t *= 1.02 {
		for _, dir := range []float64{1, -1} {
			x := a + dir*t
			if !in(x) {
				continue
			}
			lo, hi := a+dir*t/1.02, x // lo outside (the previous step), hi inside
			for range 200 {
				mid := lo + (hi-lo)/2
				if mid == lo || mid == hi {
					break
				}
				if in(mid) {
					hi = mid
				} else {
					lo = mid
				}
			}
			return hi, true
		}
	}
	return 0, false
}

// saddleND finds the target minimum and the saddle between it and a.
func saddleND(l *Landscape, a, target []float64) ([]float64, []float64, string, error) {
	var tm []float64
	var err error
	if target != nil {
		tm, err = FindMinimum(l, target)
		if err != nil {
			return nil, nil, "", fmt.Errorf("target: %w", err)
		}
		if distance(tm, a) < sameTol(a) {
			return nil, nil, "", fmt.Errorf("the target %v lies in the basin of the start minimum %v", target, a)
		}
	} else {
		tm, err = nearestOtherMinimum(l, a)
		if err != nil {
			return nil, nil, "", err
		}
	}
	b, method, err := climbingImageNEB(l, a, tm)
	if err != nil {
		return nil, nil, "", err
	}
	return b, tm, method, nil
}

func distance(p, q []float64) float64 { return floats.Distance(p, q, 2) }

func sameTol(a []float64) float64 { return 1e-5 * math.Max(1, floats.Norm(a, math.Inf(1))) }

// nearestOtherMinimum minimises from points displaced from a along ± each
// eigenvector of H_a at geometrically growing distances and returns the
// distinct minimum nearest to a.
func nearestOtherMinimum(l *Landscape, a []float64) ([]float64, error) {
	d := l.Dim
	ev := l.Evaluator()
	_, vecs, err := hessianEigen(ev, a, d)
	if err != nil {
		return nil, err
	}
	scale := math.Max(1, floats.Norm(a, math.Inf(1)))
	var found [][]float64
	best := math.Inf(1)
	p := make([]float64, d)
	for r := 0.01 * scale; r <= 20*scale; r *= math.Sqrt2 {
		if r > 3*best {
			break
		}
		for k := range d {
			for _, sgn := range []float64{1, -1} {
				for i := range d {
					p[i] = a[i] + sgn*r*vecs.At(i, k)
				}
				m, err := FindMinimum(l, p)
				if err != nil || distance(m, a) < sameTol(a) {
					continue
				}
				dup := false
				for _, f := range found {
					if distance(f, m) < sameTol(a) {
						dup = true
					}
				}
				if !dup {
					found = append(found, m)
				}
				best = math.Min(best, distance(m, a))
			}
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("no other minimum found near the minimum %v: give a target point in the basin to escape to", a)
	}
	sort.SliceStable(found, func(i, j int) bool { return distance(found[i], a) < distance(found[j], a) })
	return found[0], nil
}

// nearestMaximum1D returns the nearest local maximum of L at most limit from a
// in the direction dir (±1): the first sign change of L′ on a geometric grid
// outward from a, bisected on L′.
func nearestMaximum1D(ev *Evaluator, a, dir, limit float64) (float64, bool) {
	g := make([]float64, 1)
	grad := func(x float64) float64 { ev.Gradient([]float64{x}, g); return g[0] }
	prev := a
	for t := 1e-6 * math.Max(1, math.Abs(a)); t <= limit; t *= 1.02 {
		x := a + dir*t
		gx := grad(x)
		if !finite(gx) {
			return 0, false
		}
		if dir*gx <= 0 { // the slope turned: a maximum lies in [prev, x]
			lo, hi := prev, x
			for range 200 {
				mid := lo + (hi-lo)/2
				if mid == lo || mid == hi {
					break
				}
				if dir*grad(mid) > 0 {
					lo = mid
				} else {
					hi = mid
				}
			}
			if dir*grad(hi) == 0 {
				return hi, true
			}
			return lo + (hi-lo)/2, true
		}
		prev = x
	}
	return 0, false
}
