package host

import (
	"fmt"
	"math"
	"strings"

	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The question a theory value answers (docs/theory.md §4, "Which question a value answers"): the
// start basin, the escape set and which boundaries absorb. A value is compared with the run only
// when it answers the run's own question; otherwise it is n/a with the reason.

// RunQuestion is the run's own escape question: first passage from the basin of the start minimum
// into the escape set, which absorbs (every part of it: every exit of an EscapeExits condition).
func (p *Problem) RunQuestion() string {
	return fmt.Sprintf("first passage from the basin of a = %s into {%s}", fmtVec(p.Analysis.Minimum), p.Escape.Text)
}

// exitQuestion is the question of exit i's own value in a basin with n exits: the competing-risks
// rate through that exit with every exit absorbing (the total rate times the exit's share of the
// quasi-stationary escapes, docs/theory.md §2), what the run's per-exit rate E_i/X measures.
func (p *Problem) exitQuestion(i, n int) string {
	return fmt.Sprintf("first passages from the basin of a = %s through exit %d, all %d exits absorbing (competing risks: the total rate times the exit's share)", fmtVec(p.Analysis.Minimum), i+1, n)
}

// interval1D is a 1-D escape set read as the outside of one interval around the start: escape is
// θ < Lo or θ > Hi; an infinite end does not absorb (the chain has a reflecting wall far out on
// that side instead).
type interval1D struct{ Lo, Hi float64 }

func (iv interval1D) twoSided() bool { return !math.IsInf(iv.Lo, 0) && !math.IsInf(iv.Hi, 0) }

// text says which boundaries absorb.
func (iv interval1D) text() string {
	switch {
	case iv.twoSided():
		return fmt.Sprintf("absorbed at θ < %.6g and at θ > %.6g (both sides absorb)", iv.Lo, iv.Hi)
	case math.IsInf(iv.Lo, 0):
		return fmt.Sprintf("absorbed at θ > %.6g (the left side does not absorb: a reflecting wall far in the well)", iv.Hi)
	default:
		return fmt.Sprintf("absorbed at θ < %.6g (the right side does not absorb: a reflecting wall far in the well)", iv.Lo)
	}
}

// escapeInterval1D reads the escape condition of a 1-D problem as the outside of one interval
// (Lo, Hi) around the start. The default conditions are read from their definition (the saddle
// hyperplane θ > b + m or θ < b − m, every exit's θ > b_i + m_i or θ < b_i − m_i, radius(r) as
// |θ − a| > r). An expression is scanned on 8192 points over ten start–saddle distances either
// side of the start: on each side it must change at most once, from not holding to holding, and
// the change is located by bisection to rounding. Anything else (an escape set with gaps, such
// as 'x > 1 and x < 2') is no interval, and the reason says so.
func (p *Problem) escapeInterval1D() (interval1D, string) {
	iv := interval1D{Lo: math.Inf(-1), Hi: math.Inf(1)}
	if p.Dim != 1 {
		return iv, "exact values are 1-D only"
	}
	c := p.Escape
	switch c.Kind {
	case EscapeHyperplane:
		if c.Normal[0] > 0 {
			iv.Hi = c.Point[0] + c.Margin
		} else {
			iv.Lo = c.Point[0] - c.Margin
		}
		return iv, ""
	case EscapeExits:
		for _, s := range c.Surfaces {
			if s.Normal[0] > 0 {
				iv.Hi = math.Min(iv.Hi, s.Point[0]+s.Margin)
			} else {
				iv.Lo = math.Max(iv.Lo, s.Point[0]-s.Margin)
			}
		}
		return iv, ""
	case EscapeRadius:
		return interval1D{Lo: c.Point[0] - c.Radius, Hi: c.Point[0] + c.Radius}, ""
	}
	x := make([]float64, 1)
	holds := func(t float64) bool { x[0] = t; return c.Holds(x) }
	s0 := p.Start[0]
	w := 10 * math.Max(math.Abs(p.Analysis.Saddle[0]-s0), 1e-3)
	for _, dir := range []float64{1, -1} {
		at, crossings := 0.0, 0
		last := false // the condition does not hold at the start (Prepare refuses that)
		const n = 4096
		for i := 1; i <= n; i++ {
			t := s0 + dir*w*float64(i)/n
			if h := holds(t); h != last {
				crossings++
				at, last = t, h
			}
		}
		switch {
		case crossings > 1:
			return iv, fmt.Sprintf("the escape set is not the outside of one interval around the start: on the %s it changes %d times within %.4g of the start; the exact 1-D values need θ < θ_L or θ > θ_R", side(dir), crossings, w)
		case crossings == 1:
			edge := bisectEdge(holds, at-dir*w/n, at)
			if dir > 0 {
				iv.Hi = edge
			} else {
				iv.Lo = edge
			}
		}
	}
	if math.IsInf(iv.Lo, 0) && math.IsInf(iv.Hi, 0) {
		return iv, fmt.Sprintf("the escape condition holds nowhere within %.4g of the start", w)
	}
	return iv, ""
}

func side(dir float64) string {
	if dir > 0 {
		return "right"
	}
	return "left"
}

// bisectEdge locates, to rounding, where holds changes between a (not holding) and b (holding),
// and returns the last point on a's side: escape is beyond it.
func bisectEdge(holds func(float64) bool, a, b float64) float64 {
	for k := 0; k < 100 && math.Abs(b-a) > 1e-15*math.Max(1, math.Abs(b)); k++ {
		m := 0.5 * (a + b)
		if holds(m) {
			b = m
		} else {
			a = m
		}
	}
	return 0.5 * (a + b)
}

// saddleCoverage says which exits' saddle crossings the run's escape set counts, for the saddle-
// crossing formulas (Eyring–Kramers, Xie et al., Mori et al., the path value), which answer only
// an escape set that lies beyond the saddles they sum over (docs/theory.md §4, "Which question a
// value answers"). The default conditions cover their own exits by construction. A user condition
// (an expression or radius(r)) covers exit i when the gradient flow from just past b_i (along
// e_i, toward the far side) enters the set before it settles; and it must neither hold on the
// well (sampled along the segments from a to every saddle, the saddles included, and up the walls
// along ± every eigenvector of H_a to a few noise units above the saddle level) nor leave an exit uncovered (particles would leave the basin into a region
// that is neither the basin nor the escape set). covered lists indices into Analysis.Exits; why
// is empty when the formulas answer the run's question.
func (p *Problem) saddleCoverage() (covered []int, why string) {
	an, c := p.Analysis, p.Escape
	switch c.Kind {
	case EscapeHyperplane:
		return []int{p.exitIndex(c.Point)}, ""
	case EscapeExits:
		for _, s := range c.Surfaces {
			covered = append(covered, p.exitIndex(s.Point))
		}
		return covered, ""
	}
	if x, ok := p.holdsInWell(); ok {
		return nil, fmt.Sprintf("the escape set holds at %s, inside the well (L − L(a) = %.4g against the lowest barrier ΔL = %.4g; the gradient flow from there returns to a): it cuts the well before the saddle, and no saddle-crossing formula answers it", fmtVec(x), p.Eval.Loss(x)-an.LossMinimum, p.lowestBarrier())
	}
	var missed []string
	for i, ex := range an.Exits {
		if p.flowEnters(ex) {
			covered = append(covered, i)
		} else {
			missed = append(missed, fmt.Sprintf("exit %d (b = %s)", i+1, fmtVec(ex.Saddle)))
		}
	}
	switch {
	case len(covered) == 0:
		return nil, "the escape set lies beyond no exit's saddle: the gradient flow from past every saddle settles without entering it"
	case len(missed) > 0:
		return covered, "the escape set does not cover " + strings.Join(missed, ", ") + ": particles leave the basin there into a region that is neither the basin nor the escape set, and no saddle-crossing formula answers that (make those exits part of the escape, or see the exact 1-D values)"
	}
	return covered, ""
}

// exitIndex is the index in Analysis.Exits of the exit whose saddle is b (the nearest), or −1.
func (p *Problem) exitIndex(b []float64) int {
	best, at := math.Inf(1), -1
	for i, ex := range p.Analysis.Exits {
		if d := floats.Distance(ex.Saddle, b, 2); d < best {
			best, at = d, i
		}
	}
	return at
}

// lowestBarrier is the smallest ΔL over the basin's exits.
func (p *Problem) lowestBarrier() float64 {
	low := p.Analysis.DeltaL
	for _, ex := range p.Analysis.Exits {
		low = math.Min(low, ex.DeltaL)
	}
	return low
}

// wellSamples is the number of points per line on which holdsInWell tests the condition, and
// wallNoiseUnits how far above the lowest saddle's level, in units of the noise D_b at the saddle,
// it walks up the well's walls (escapes over a wall that high weigh e⁻⁵ ≈ 0.7% of a saddle
// crossing's).
const (
	wellSamples    = 512
	wallNoiseUnits = 5
)

// holdsInWell looks for a point of the well where the escape condition holds: on the segment from
// a to every saddle (the saddle itself included), and along ± every eigenvector of H_a from a while
// L rises, up to wallNoiseUnits noise units above the lowest saddle's level. Every point sampled
// there descends to a (L rose all the way from a along the line), so escape there is no saddle
// crossing; the walk stops where L first falls, which is where a line through a saddle passes it.
func (p *Problem) holdsInWell() ([]float64, bool) {
	an, d := p.Analysis, p.Dim
	a := an.Minimum
	x := make([]float64, d)
	for _, ex := range an.Exits {
		for i := 1; i <= wellSamples; i++ {
			floats.AddScaledTo(x, a, float64(i)/wellSamples, sub(ex.Saddle, a))
			if p.Escape.Holds(x) {
				return append([]float64(nil), x...), true
			}
		}
	}
	level := an.LossMinimum + p.lowestBarrier() + wallNoiseUnits*math.Max(p.SaddleDiffusion(), 0)
	reach := 10 * math.Max(norm(sub(an.Saddle, a)), 1e-3)
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(d, append([]float64(nil), an.HessianMin...)), true) {
		return nil, false
	}
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	dir := make([]float64, d)
	for k := 0; k < d; k++ {
		for _, sgn := range []float64{1, -1} {
			for j := range dir {
				dir[j] = sgn * vecs.At(j, k)
			}
			prev := an.LossMinimum
			for i := 1; i <= wellSamples; i++ {
				floats.AddScaledTo(x, a, reach*float64(i)/wellSamples, dir)
				l := p.Eval.Loss(x)
				if l >= level || l < prev {
					break
				}
				prev = l
				if p.Escape.Holds(x) {
					return append([]float64(nil), x...), true
				}
			}
		}
	}
	return nil, false
}

// flowEnters says whether the gradient flow from just past exit ex's saddle (b + δe, δ = 10⁻³
// of the saddle's distance from a) enters the escape set before it settles in a minimum (the loss
// stops falling at the step size, 1/2000 of that distance, normalised-gradient steps), leaves the
// divergence box, or has taken 40000 steps.
func (p *Problem) flowEnters(ex landscape.Exit) bool {
	a := p.Analysis.Minimum
	dist := math.Max(norm(sub(ex.Saddle, a)), 1e-6)
	h := dist / 2000
	x := append([]float64(nil), ex.Saddle...)
	floats.AddScaled(x, 1e-3*dist, ex.EscapeDirection)
	g := make([]float64, p.Dim)
	next := make([]float64, p.Dim)
	loss := p.Eval.Loss(x)
	for step := 0; step < 40000; step++ {
		if p.Escape.Holds(x) {
			return true
		}
		p.Eval.Gradient(x, g)
		gn := floats.Norm(g, 2)
		if !(gn > 0) || math.IsNaN(gn) || norm(sub(x, a)) > p.Bound {
			return false
		}
		floats.AddScaledTo(next, x, -h/gn, g)
		nl := p.Eval.Loss(next)
		if !(nl < loss) {
			return p.Escape.Holds(next)
		}
		copy(x, next)
		loss = nl
	}
	return false
}

// askedOf marks a prediction with the question it answers. When that is not the run's
// question, the value is withheld (n/a) with the reason, and the value it would have given is
// named so that nothing computed is lost.
func askedOf(pr theory.Prediction, question, runQuestion, why string) theory.Prediction {
	pr.Question = question
	if question == runQuestion {
		return pr
	}
	was := ""
	if pr.Tau != nil {
		was = fmt.Sprintf("; for its own question it gives τ = %.6g", *pr.Tau)
	}
	pr.Tau, pr.Rate, pr.MeanFirstPassage = nil, nil, nil
	pr.Reason = strings.TrimPrefix(pr.Reason+"; it answers another question ("+question+"): "+why+was, "; ")
	return pr
}

// saddleFormulas are the theory keys whose values count crossings of saddles (docs/theory.md §4.1,
// §4.2, §4.4, §4.6).
var saddleFormulas = []string{"eyring_kramers", "xie", "mori", "path"}

// askQuestions fills the Question of every prediction and withholds the values that do not answer
// the run's question. The exact 1-D values solve the run's own escape set (or say why not). The
// saddle-crossing formulas answer it only when saddleCoverage finds the set beyond the saddles;
// for a user condition covering several exits Eyring–Kramers is summed over exactly those, and
// the one-exit formulas (Xie et al., Mori et al.) need exactly their own exit. Per-exit values
// answer their exit's competing-risks question.
func (p *Problem) askQuestions(out map[string]theory.Prediction) {
	rq := p.RunQuestion()
	for _, k := range []string{"discrete", "quadrature"} {
		if pr, ok := out[k]; ok {
			pr.Question = rq
			out[k] = pr
		}
	}
	covered, why := p.saddleCoverage()
	own := p.exitIndex(p.Analysis.Saddle)
	user := p.Escape.Kind == EscapeExpression || p.Escape.Kind == EscapeRadius
	onlyOwn := len(covered) == 1 && covered[0] == own
	if _, ok := out["eyring_kramers"]; ok && why == "" && user && !onlyOwn {
		out["eyring_kramers"] = p.exitsEyringKramers(covered, false)
	}
	for _, k := range saddleFormulas {
		pr, ok := out[k]
		if !ok {
			continue
		}
		w := why
		if w == "" && user && (k == "xie" || k == "mori") && !onlyOwn {
			w = fmt.Sprintf("the formula is for the one exit b = %s; the escape set covers %s", fmtVec(p.Analysis.Saddle), p.exitList(covered))
		}
		q := rq
		if w != "" {
			q = p.saddleQuestion(covered, own)
		}
		out[k] = askedOf(pr, q, rq, w)
	}
	for i, m := range p.perExit {
		for k, pr := range m {
			pr.Question = p.exitQuestion(i, len(p.perExit))
			m[k] = pr
		}
	}
}

// exitList names exits by their number and saddle.
func (p *Problem) exitList(idx []int) string {
	parts := make([]string, len(idx))
	for i, k := range idx {
		parts[i] = fmt.Sprintf("exit %d (b = %s)", k+1, fmtVec(p.Analysis.Exits[k].Saddle))
	}
	return strings.Join(parts, " and ")
}

// saddleQuestion is the question a saddle-crossing formula answers: escape from the basin over
// the saddles it sums (those covered, or the analysis' own saddle), to a set beyond them.
func (p *Problem) saddleQuestion(covered []int, own int) string {
	var bs []string
	if len(covered) == 0 && own >= 0 {
		covered = []int{own}
	}
	for _, k := range covered {
		bs = append(bs, fmtVec(p.Analysis.Exits[k].Saddle))
	}
	if len(bs) == 0 {
		bs = []string{fmtVec(p.Analysis.Saddle)}
	}
	return fmt.Sprintf("first passage from the basin of a = %s over the saddle(s) b = %s into a set beyond them, every exit of the basin absorbing", fmtVec(p.Analysis.Minimum), strings.Join(bs, ", "))
}
