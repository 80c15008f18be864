package host

import (
	"errors"
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The path-based value (docs/theory.md §4.6): for any landscape, dimension and noise model, each
// exit's escape reduced to one dimension along its minimum-energy path, the steepest-descent curve
// from the saddle b down to the minimum a (the MEP is a gradient line: its tangent is parallel to
// ∇L). In the arc length s of the path the reduced problem has drift dL/ds and diffusion tᵀD(θ(s))t
// along the tangent t, and its exact discrete chain (theory.DiscreteChain1D) at the run's own η
// gives the exit's rate. It neglects the motion across the path (the transverse modes are assumed
// to stay in quasi-equilibrium about it), so its kind is approximate; on a separable landscape,
// where the path of each exit is a straight coordinate line, it equals the exact value.

// pathPoints is how many arc-length steps the descent from the saddle to the minimum takes.
const pathPoints = 2000

// meanPath traces the minimum-energy path of an exit (saddle b, escape direction e pointing away
// from a): from b − δe down to a, and from b + δe onwards until (θ − b)·e exceeds the margin m.
// It returns the points from a to past the escape surface and their arc lengths (s = 0 at a).
func (p *Problem) meanPath(b, e []float64, m float64) (pts [][]float64, s []float64, err error) {
	a := p.Analysis.Minimum
	d := p.Dim
	dist := floats.Distance(a, b, 2)
	h := dist / pathPoints
	g := make([]float64, d)
	descend := func(start []float64, stop func(x []float64) bool, maxSteps int) ([][]float64, bool) {
		x := append([]float64(nil), start...)
		out := [][]float64{append([]float64(nil), x...)}
		for i := 0; i < maxSteps; i++ {
			if stop(x) {
				return out, true
			}
			p.Eval.Gradient(x, g)
			n := floats.Norm(g, 2)
			if !(n > 0) || math.IsNaN(n) {
				return out, stop(x)
			}
			floats.AddScaled(x, -h/n, g)
			out = append(out, append([]float64(nil), x...))
		}
		return out, false
	}
	delta := 1e-3 * dist
	back := make([]float64, d)
	fwd := make([]float64, d)
	for k := range b {
		back[k], fwd[k] = b[k]-delta*e[k], b[k]+delta*e[k]
	}
	down, ok := descend(back, func(x []float64) bool { return floats.Distance(x, a, 2) < h }, 20*pathPoints)
	if !ok {
		return nil, nil, errors.New("the steepest descent from the saddle does not reach the minimum")
	}
	over, ok := descend(fwd, func(x []float64) bool {
		s := 0.0
		for k := range x {
			s += (x[k] - b[k]) * e[k]
		}
		return s > m*1.05
	}, 20*pathPoints)
	if !ok {
		return nil, nil, errors.New("the descent past the saddle does not cross the escape surface")
	}
	pts = append(pts, append([]float64(nil), a...))
	for i := len(down) - 1; i >= 0; i-- {
		pts = append(pts, down[i])
	}
	pts = append(pts, append([]float64(nil), b...))
	pts = append(pts, over...)
	s = make([]float64, len(pts))
	for i := 1; i < len(pts); i++ {
		s[i] = s[i-1] + floats.Distance(pts[i], pts[i-1], 2)
	}
	return pts, s, nil
}

// pathExit is the path-based discrete value of one exit, and the rate it gives.
func (p *Problem) pathExit(b, e []float64, m float64) (theory.Prediction, float64) {
	cfg, d := p.Config, p.Dim
	pr := theory.Prediction{Name: "path", Kind: theory.Approximate,
		Formula: "exact discrete chain of the escape reduced to the minimum-energy path (drift dL/ds, diffusion tᵀD t), docs/theory.md §4.6"}
	pts, s, err := p.meanPath(b, e, m)
	if err != nil {
		pr.Reason = err.Error()
		return pr, 0
	}
	path := polyline{pts: pts, s: s, d: d}
	g := make([]float64, d)
	dL := func(u float64) float64 {
		x, t := path.at(u)
		p.Eval.Gradient(x, g)
		return floats.Dot(g, t)
	}
	diff := tangentDiffusion{p: p, hm: make([]float64, d*d)}
	D := func(u float64) float64 { return diff.at(path.at(u)) }
	uE := path.escapeArc(b, e, m)
	res, err := theory.DiscreteChain1D(dL, D, cfg.LR, 0, uE, math.NaN(), theory.ChainOptions{})
	if err != nil && !errors.Is(err, theory.ErrNotConverged) {
		pr.Reason = err.Error()
		return pr, 0
	}
	if !(res.QSDEscapeProbability > 0) {
		pr.Reason = "no escape probability along the path"
		return pr, 0
	}
	rate := res.QSDEscapeProbability / cfg.LR
	tau := 1 / rate
	pr.Rate, pr.Tau, pr.RelErr = &rate, &tau, res.QSDRelErr
	pr.Reason = fmt.Sprintf("approximate: the escape reduced to the minimum-energy path (%.4g long to the escape point)", uE)
	return pr, res.QSDEscapeProbability
}

// polyline is the path θ(s) through pts by arc length s (s[i] at pts[i]), piecewise linear.
type polyline struct {
	pts [][]float64
	s   []float64
	d   int
}

// at is θ(u) and the unit tangent there; before the first point, the straight line back along
// the first tangent (the well's wall, where the reflecting boundary goes), and beyond the last,
// the last segment continued.
func (c polyline) at(u float64) (x, t []float64) {
	n := len(c.pts)
	i := 0
	switch {
	case u <= 0:
		i = 0
	case u >= c.s[n-1]:
		i = n - 2
	default:
		lo, hi := 0, n-1
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			if c.s[mid] <= u {
				lo = mid
			} else {
				hi = mid
			}
		}
		i = lo
	}
	l := c.s[i+1] - c.s[i]
	t = make([]float64, c.d)
	x = make([]float64, c.d)
	for k := range t {
		t[k] = (c.pts[i+1][k] - c.pts[i][k]) / l
		x[k] = c.pts[i][k] + (u-c.s[i])*t[k]
	}
	return x, t
}

// escapeArc is the arc length of the escape point along the path: the first point where
// (θ(s) − b)·e exceeds m, or the path's end.
func (c polyline) escapeArc(b, e []float64, m float64) float64 {
	for i, pt := range c.pts {
		proj := 0.0
		for k := range b {
			proj += (pt[k] - b[k]) * e[k]
		}
		if proj > m {
			return c.s[i]
		}
	}
	return c.s[len(c.s)-1]
}

// tangentDiffusion is the diffusion tᵀDt of the run's noise model along a unit direction t
// (docs/theory.md §1), with the scratch space of the Hessian and its eigendecomposition.
type tangentDiffusion struct {
	p   *Problem
	hm  []float64
	eig mat.EigenSym
}

// at is tᵀDt at x.
func (td *tangentDiffusion) at(x, t []float64) float64 {
	p := td.p
	cfg := p.Config
	switch cfg.Noise {
	case SGLD:
		return cfg.Temp
	case Minibatch, SGDCov:
		return p.dataDiffusion(x, t)
	case SGDHessianMin:
		return cfg.LR / (2 * cfg.Batch) * quadForm(p.Analysis.HessianMin, t)
	case SGDLoss:
		return cfg.LR / cfg.Batch * math.Max(p.Eval.Loss(x), 0) * quadForm(p.Analysis.HessianMin, t)
	}
	// sgd-hessian: tᵀ|H|t, |H| = V|Λ|Vᵀ (docs/theory.md §1).
	d := len(t)
	p.Eval.Hessian(x, td.hm)
	if !td.eig.Factorize(mat.NewSymDense(d, append([]float64(nil), td.hm...)), true) {
		return math.NaN()
	}
	vals := td.eig.Values(nil)
	var v mat.Dense
	td.eig.VectorsTo(&v)
	sum := 0.0
	for k := range vals {
		c := 0.0
		for i := range t {
			c += v.At(i, k) * t[i]
		}
		sum += math.Abs(vals[k]) * c * c
	}
	return cfg.LR / (2 * cfg.Batch) * (sum + cfg.Floor)
}

// pathPrediction is the path-based value of the whole basin for d ≥ 2: each exit's along its own
// path, combined as for independent exits (p = 1 − Π(1 − p_i)). Each exit's own value goes into
// its theory (perExit) when the escape has several exits.
func (p *Problem) pathPrediction() theory.Prediction {
	pr := theory.Prediction{Name: "path", Kind: theory.Approximate,
		Formula: "exits' escapes reduced to their minimum-energy paths, each an exact 1-D discrete chain at this η (docs/theory.md §4.6)"}
	if p.Dim < 2 {
		pr.Reason = "in 1-D the exact values apply"
		return pr
	}
	type exitSurface struct {
		b, e []float64
		m    float64
	}
	var exits []exitSurface
	switch p.Escape.Kind {
	case EscapeHyperplane:
		exits = []exitSurface{{p.Escape.Point, p.Escape.Normal, p.Escape.Margin}}
	case EscapeExits:
		for _, s := range p.Escape.Surfaces {
			exits = append(exits, exitSurface{s.Point, s.Normal, s.Margin})
		}
	default:
		pr.Reason = "the path-based value needs the default escape (the exits' hyperplanes)"
		return pr
	}
	stay := 1.0
	for i, ex := range exits {
		one, q := p.pathExit(ex.b, ex.e, ex.m)
		if i < len(p.perExit) && p.perExit[i] != nil {
			p.perExit[i]["path"] = one
		}
		if one.Rate == nil {
			pr.Reason = fmt.Sprintf("exit %d: %s", i+1, one.Reason)
			return pr
		}
		stay *= 1 - q
	}
	rate := (1 - stay) / p.Config.LR
	tau := 1 / rate
	pr.Rate, pr.Tau = &rate, &tau
	pr.Reason = "approximate: motion across the minimum-energy path neglected (docs/theory.md §4.6)"
	return pr
}
