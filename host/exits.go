package host

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/kramers-sim/kramers/host/jsonnum"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/survival"
	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/floats"
)

// EscapeExits is leaving the start basin through any of its exits (docs/theory.md §2): a particle
// escapes when it crosses any exit's hyperplane (through the saddle b_i, normal e_i pointing away
// from a) by that exit's margin m_i. A basin's escape rate is the sum over its exits (competing
// risks: κ = Σκ_i, κ_i = E_i/X with the common exposure X).
const EscapeExits EscapeKind = "exits"

// ExitSurface is one exit's part of an EscapeExits condition.
type ExitSurface struct {
	Point  []float64 `json:"point"`  // the saddle b_i
	Normal []float64 `json:"normal"` // e_i, pointing away from a
	Margin float64   `json:"margin"` // m_i
	// Ball > 0 restricts the half-space to |θ − b_i| < Ball: the half-space alone reaches back
	// into the start basin (docs/theory.md §2, verifySurfaces). 0: the whole half-space.
	Ball   float64 `json:"ball,omitempty"`
	DeltaL float64 `json:"delta_l"`
}

// crossed reports whether x lies in the surface's escape region.
func (s ExitSurface) crossed(x []float64) bool {
	d, r2 := 0.0, 0.0
	for k, b := range s.Point {
		d += (x[k] - b) * s.Normal[k]
		r2 += (x[k] - b) * (x[k] - b)
	}
	return d > s.Margin && (s.Ball == 0 || r2 < s.Ball*s.Ball)
}

// exitMargin is the automatic margin past an exit's saddle: three diffusion lengths
// sqrt(2·D_b/|λ_b|) along its escape direction (docs/theory.md §2), capped at half the distance
// from the saddle to the minimum, as for the single saddle (newEscape), and at 0.9 of the far
// minimum's distance past the saddle along e (farCap).
func (p *Problem) exitMargin(ex landscape.Exit) float64 {
	lb := math.Abs(ex.HessianSaddleEigenvalues[0])
	m := 3 * math.Sqrt(2*p.diffusionAlong(ex.Saddle, ex.EscapeDirection, lb, ex.LossSaddle)/lb)
	return farCap(math.Min(m, 0.5*norm(sub(ex.Saddle, p.Analysis.Minimum))), ex.Saddle, ex.EscapeDirection, ex.FarMinimum)
}

// farCap caps an automatic margin m at 0.9·(c − b)·e, where c is the minimum beyond the saddle b
// (nil: no cap): a surface past the far minimum is one that the descent from the saddle never
// crosses, and a particle counts only once it fluctuates beyond its new minimum (on a ring whose
// far minimum lies 69° past the saddle the uncapped margin lay at 71°). 0.9 keeps the surface
// where the descent still crosses it, as deep as it can be (docs/theory.md §2: on that ring 0.8
// measured +3% against arrival at the far minimum, recrossings counted, 0.9 +1.3%).
func farCap(m float64, b, e, far []float64) float64 {
	if far == nil {
		return m
	}
	if s := floats.Dot(sub(far, b), e); s > 0 {
		return math.Min(m, 0.9*s)
	}
	return m
}

// diffusionAlong is eᵀD(b)e at a saddle with escape direction e, |λ_b| = lb and loss L(b)
// (docs/theory.md §1); SaddleDiffusion is this for the analysis' own saddle.
//
// A diffusion is a variance rate, never negative: where the noise vanishes along e (the per-sample
// gradients of a network at a symmetric saddle) the quadratic form rounds to ±10⁻²⁰, and a negative
// value would give the automatic margin sqrt of a negative number (NaN, which the GPU's escape
// code cannot even compile). It is clamped at 0.
func (p *Problem) diffusionAlong(saddle, e []float64, lb, lossSaddle float64) float64 {
	return math.Max(0, p.rawDiffusionAlong(saddle, e, lb, lossSaddle))
}

// rawDiffusionAlong is diffusionAlong before the clamp.
func (p *Problem) rawDiffusionAlong(saddle, e []float64, lb, lossSaddle float64) float64 {
	cfg := p.Config
	quad := func(m []float64) float64 {
		s := 0.0
		for i := range e {
			for j := range e {
				s += e[i] * m[i*p.Dim+j] * e[j]
			}
		}
		return s
	}
	switch cfg.Noise {
	case Minibatch, SGDCov:
		return p.dataDiffusion(saddle, e)
	case SGLD:
		return cfg.Temp
	case SGDHessian:
		return cfg.LR / (2 * cfg.Batch) * (lb + cfg.Floor)
	case SGDHessianMin:
		return cfg.LR / (2 * cfg.Batch) * quad(p.Analysis.HessianMin)
	default: // SGDLoss
		return cfg.LR / cfg.Batch * math.Max(lossSaddle, 0) * quad(p.Analysis.HessianMin)
	}
}

// exitsCondition is the default escape of a basin with several exits (margin 0: automatic), each
// exit's half-space verified to stay outside the start basin and restricted to a ball about its
// saddle where it does not (verifySurfaces).
func exitsCondition(p *Problem, margin float64) *EscapeCondition {
	c := &EscapeCondition{Kind: EscapeExits}
	var hess [][]float64
	for _, ex := range p.Analysis.Exits {
		m := margin
		if m == 0 {
			m = p.exitMargin(ex)
		}
		c.Surfaces = append(c.Surfaces, ExitSurface{Point: ex.Saddle, Normal: ex.EscapeDirection, Margin: m, DeltaL: ex.DeltaL})
		hess = append(hess, ex.HessianSaddle)
	}
	notes := p.verifySurfaces(c.Surfaces, hess)
	var parts []string
	for i, s := range c.Surfaces {
		parts = append(parts, fmt.Sprintf("exit %d: (θ − b)·e > %.6g%s with b = %s, e = %s (ΔL = %.4g)%s", i+1, s.Margin, ballText(s.Ball), fmtVec(s.Point), fmtVec(s.Normal), s.DeltaL, notes[i]))
	}
	c.Text = "any of " + fmt.Sprint(len(parts)) + " exits; " + strings.Join(parts, "; ")
	return c
}

// ballText is the restriction of a half-space to a ball, for the escape text.
func ballText(r float64) string {
	if r == 0 {
		return ""
	}
	return fmt.Sprintf(" and |θ − b| < %.4g", r)
}

// Which is the exit of a point x that has escaped (EscapeExits only), or −1 when x lies beyond no
// surface: the exit whose saddle is nearest to x (the first of equals). A particle that has just
// crossed a surface beyond a saddle is nearer to that saddle than to the others, also where two
// exits share their far minimum and their (restricted) surfaces meet near it (docs/theory.md §2).
func (c *EscapeCondition) Which(x []float64) int {
	if c.crossedSurface(x) < 0 {
		return -1
	}
	best, bestDist := -1, math.Inf(1)
	for i, s := range c.Surfaces {
		if d := floats.Distance(x, s.Point, 2); d < bestDist {
			best, bestDist = i, d
		}
	}
	return best
}

// crossedSurface is the index of the first exit surface whose escape region holds x, or −1.
func (c *EscapeCondition) crossedSurface(x []float64) int {
	for i, s := range c.Surfaces {
		if s.crossed(x) {
			return i
		}
	}
	return -1
}

// exitsGLSL is the GLSL of an EscapeExits condition: the same sums as Which.
func (c *EscapeCondition) exitsGLSL(name string, opt landscape.GLSLOptions) string {
	lit := func(v float64) string { return landscape.Literal(v, opt) }
	var b strings.Builder
	fmt.Fprintf(&b, "bool %s(REAL x[LANDSCAPE_DIM]) {\n\tREAL s;\n", name)
	for _, s := range c.Surfaces {
		b.WriteString("\ts = REAL(0);\n")
		if s.Ball > 0 {
			b.WriteString("\t{\n\tREAL r2 = REAL(0);\n")
		}
		for k := range s.Point {
			fmt.Fprintf(&b, "\ts += (x[%d] - %s) * %s;\n", k, lit(s.Point[k]), lit(s.Normal[k]))
			if s.Ball > 0 {
				fmt.Fprintf(&b, "\tr2 += (x[%d] - %s) * (x[%d] - %s);\n", k, lit(s.Point[k]), k, lit(s.Point[k]))
			}
		}
		if s.Ball > 0 {
			fmt.Fprintf(&b, "\tif (s > %s && r2 < %s) return true;\n\t}\n", lit(s.Margin), lit(s.Ball*s.Ball))
		} else {
			fmt.Fprintf(&b, "\tif (s > %s) return true;\n", lit(s.Margin))
		}
	}
	b.WriteString("\treturn false;\n}\n")
	return b.String()
}

// ExitResult is one exit's share of a run (EscapeExits): its escapes after the burn-in, its own
// rate κ_i = E_i/X with the common exposure X and Garwood interval (competing risks, docs/theory.md
// §2), and the theory for that exit alone.
type ExitResult struct {
	Saddle   []float64                    `json:"saddle"`
	DeltaL   float64                      `json:"delta_l"`
	Escapes  int                          `json:"escapes"`
	Share    float64                      `json:"share"` // E_i/E
	Rate     *float64                     `json:"rate"`
	RateCI95 [2]jsonnum.Number            `json:"rate_ci95"`
	Theory   map[string]theory.Prediction `json:"theory,omitempty"`
}

// exitResults splits the escapes after the burn-in t0 among the exits by where each escaped
// particle lies: an absorbing run freezes a particle at its first point past the surface, so the
// surface it crossed is the one it lies beyond. Non-absorbing runs have moved on: nil.
func exitResults(p *Problem, recs []uint32, positions []float64, est survival.Estimate, burnIn int) []ExitResult {
	c := p.Escape
	if c.Kind != EscapeExits || !p.Config.Absorb || len(positions) != len(recs)*p.Dim {
		return nil
	}
	counts := make([]int, len(c.Surfaces))
	for i, r := range recs {
		s, ok := Escaped(r)
		if !ok || int(s) <= burnIn {
			continue
		}
		if k := c.Which(positions[i*p.Dim : (i+1)*p.Dim]); k >= 0 {
			counts[k]++
		}
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	iterExposure := float64(est.Exposure) / p.Config.LR
	out := make([]ExitResult, len(counts))
	perExit := p.exitPredictions()
	for i, n := range counts {
		e := survival.EstimateFromCounts(max(est.Particles, 1), n, iterExposure, p.Config.LR)
		out[i] = ExitResult{Saddle: c.Surfaces[i].Point, DeltaL: c.Surfaces[i].DeltaL, Escapes: n, Rate: e.Rate,
			RateCI95: [2]jsonnum.Number{jsonnum.Number(e.RateCI95[0]), jsonnum.Number(e.RateCI95[1])}}
		if total > 0 {
			out[i].Share = float64(n) / float64(total)
		}
		if i < len(perExit) {
			out[i].Theory = perExit[i]
		}
	}
	return out
}

// exitPredictions is the theory for each exit alone, in the order of p.Escape.Surfaces (nil
// unless the escape is EscapeExits): Eyring–Kramers for sgld (docs/theory.md §4.1) and, on a
// separable landscape with independent noise per coordinate, the exact 1-D values along the
// exit's coordinate (separableExit). Computed once with Predictions.
func (p *Problem) exitPredictions() []map[string]theory.Prediction {
	Predictions(p)
	return p.perExit
}

// exitTheory fills p.perExit and puts the basin's totals into Predictions' map: eyring_kramers
// summed over the exits (sgld), and the exact values. In 1-D the exact chain already absorbs on
// both sides (split: its share of the quasi-stationary escapes through the right side), and each
// exit's competing-risks rate is the total times its side's share. On separable landscapes the
// exact values come from each coordinate's 1-D chain (separableExits).
func (p *Problem) exitTheory(out map[string]theory.Prediction, split exitSplit) {
	p.perExit = make([]map[string]theory.Prediction, len(p.Escape.Surfaces))
	for i := range p.perExit {
		p.perExit[i] = map[string]theory.Prediction{}
	}
	if p.Config.Noise == SGLD {
		out["eyring_kramers"] = p.exitsEyringKramers(p.exitIndices(), true)
	}
	if p.Dim == 1 {
		p.exitShares1D(out, split)
	} else {
		p.separableExits(out)
	}
	if mo, ok := out["mori"]; ok && mo.Rate != nil {
		mo.Rate, mo.Tau = nil, nil
		mo.Reason = "Mori et al.'s formula is for one exit; this basin has several (see each exit's theory)"
		out["mori"] = mo
	}
}

// exitIndices are the indices in Analysis.Exits of the escape's surfaces, in their order.
func (p *Problem) exitIndices() []int {
	idx := make([]int, len(p.Escape.Surfaces))
	for i, s := range p.Escape.Surfaces {
		idx[i] = p.exitIndex(s.Point)
	}
	return idx
}

// exitsEyringKramers is Eyring–Kramers summed over the exits idx of Analysis.Exits (docs/theory.md
// §2, §4.1); with perExit, each exit's own value goes into p.perExit in the same order.
func (p *Problem) exitsEyringKramers(idx []int, perExit bool) theory.Prediction {
	an, cfg := p.Analysis, p.Config
	rate, ok := 0.0, true
	for i, k := range idx {
		ex := an.Exits[k]
		ek := theory.EyringKramers(an.HessianMinEigenvalues, ex.HessianSaddleEigenvalues, ex.DeltaL, cfg.Temp)
		if perExit {
			p.perExit[i]["eyring_kramers"] = ek
		}
		if ek.Rate == nil {
			ok = false
		} else {
			rate += *ek.Rate
		}
	}
	pr := theory.Prediction{Name: "eyring_kramers", Kind: theory.Asymptotic,
		Formula: fmt.Sprintf("Σ over the %d exits of (|λ_b|/2π)·sqrt(det H_a/|det H_b|)·exp(−ΔL/T) (docs/theory.md §2, §4.1)", len(idx))}
	if ok && rate > 0 {
		tau := 1 / rate
		pr.Rate, pr.Tau = &rate, &tau
	} else {
		pr.Reason = "the formula does not apply to every exit"
	}
	return pr
}

// exitShares1D gives each exit of a 1-D basin its competing-risks share of the exact discrete
// value (both exits absorb: the chain of Predictions' "discrete" entry), κ_i = κ·share_i, with the
// share's error added to the total's. The exact continuous value is one-sided, so per exit it is
// n/a unless the basin's escape has one surface.
func (p *Problem) exitShares1D(out map[string]theory.Prediction, split exitSplit) {
	total, cont := out["discrete"], out["quadrature"]
	for i, s := range p.Escape.Surfaces {
		share := split.Right
		if s.Normal[0] < 0 {
			share = 1 - split.Right
		}
		d := theory.Prediction{Name: "discrete", Kind: theory.ExactDiscrete,
			Formula: fmt.Sprintf("exact 1-D discrete chain with every exit absorbing: the total rate times this exit's share %.6g of the quasi-stationary escapes (docs/theory.md §2, §3)", share)}
		switch {
		case total.Rate == nil:
			d.Reason = total.Reason
		case !(share > 0):
			d.Reason = fmt.Sprintf("the chain's share of escapes through this exit is %g", share)
		default:
			rate := *total.Rate * share
			tau := 1 / rate
			d.Rate, d.Tau, d.RelErr = &rate, &tau, math.Max(total.RelErr, split.RelErr)
		}
		p.perExit[i]["discrete"] = d
		q := cont
		if len(p.Escape.Surfaces) > 1 {
			q = theory.Prediction{Name: "quadrature", Kind: theory.ExactContinuous, Formula: cont.Formula,
				Reason: "the exact continuous value (docs/theory.md §4.3) has one absorbing side; with every exit absorbing, the exact-discrete value answers this question"}
		}
		p.perExit[i]["quadrature"] = q
	}
}

// separableExits puts the exact values of a separable landscape into p.perExit and out: each
// coordinate that carries exits is a 1-D problem, absorbing on one side (one exit; the other side
// a reflecting wall) or on both (an exit on each side: two-sided chain, split by its shares). The
// chain escapes in an iteration unless every coordinate stays, p = 1 − Π(1 − p_j); the η → 0
// rates of one-sided coordinates add (docs/theory.md §2, §3).
func (p *Problem) separableExits(out map[string]theory.Prediction) {
	cfg := p.Config
	n := len(p.Escape.Surfaces)
	byCoord, order, why := p.exitsByCoordinate()
	stay, contRate, relErr := 1.0, 0.0, 0.0
	contWhy := ""
	for _, j := range order {
		if why != "" {
			break
		}
		idx := byCoord[j]
		if len(idx) == 1 {
			i := idx[0]
			ex := p.Analysis.Exits[p.exitIndex(p.Escape.Surfaces[i].Point)]
			d, q := p.separableExit(ex, j, p.Escape.Surfaces[i].Margin)
			p.perExit[i]["discrete"], p.perExit[i]["quadrature"] = d, q
			if d.Rate == nil {
				why = fmt.Sprintf("exit %d: %s", i+1, d.Reason)
				break
			}
			stay *= 1 - *d.Rate*cfg.LR
			relErr = math.Max(relErr, d.RelErr)
			if q.Rate != nil && contWhy == "" {
				contRate += *q.Rate
			} else if contWhy == "" {
				contWhy = fmt.Sprintf("exit %d has no continuous-time value (see its own theory)", i+1)
			}
			continue
		}
		q, err := p.separableTwoSided(j, idx)
		if err != "" {
			why = err
			break
		}
		stay *= 1 - q
		for _, i := range idx {
			relErr = math.Max(relErr, p.perExit[i]["discrete"].RelErr)
		}
		contWhy = fmt.Sprintf("coordinate %d has an exit on each side; the exact continuous value (docs/theory.md §4.3) has one absorbing side: the exact-discrete value answers this question", j+1)
	}
	disc := theory.Prediction{Name: "discrete", Kind: theory.ExactDiscrete,
		Formula: fmt.Sprintf("separable landscape: the %d exits' exact 1-D discrete chains, p = 1 − Π(1 − p_j) over their coordinates, rate p/η (docs/theory.md §2, §3)", n)}
	cont := theory.Prediction{Name: "quadrature", Kind: theory.ExactContinuous,
		Formula: fmt.Sprintf("separable landscape: the %d exits' exact 1-D η → 0 rates added (docs/theory.md §2, §4.3)", n)}
	if why == "" {
		rate := (1 - stay) / cfg.LR
		tau := 1 / rate
		disc.Rate, disc.Tau, disc.RelErr = &rate, &tau, relErr
		if contWhy == "" && contRate > 0 {
			ct := 1 / contRate
			cont.Rate, cont.Tau = &contRate, &ct
		} else {
			cont.Reason = contWhy
		}
	} else {
		disc.Reason = "exact values for a basin with several exits need a separable landscape with independent noise per coordinate: " + why
		cont.Reason = disc.Reason
	}
	out["discrete"], out["quadrature"] = disc, cont
}

// exitsByCoordinate groups the escape's surfaces by the coordinate their exit leads along
// (separableCoordinate), in order of first appearance, or says why the exact values do not apply:
// the landscape is not separable, or a coordinate has more than one exit on a side.
func (p *Problem) exitsByCoordinate() (map[int][]int, []int, string) {
	by := map[int][]int{}
	var order []int
	for i, s := range p.Escape.Surfaces {
		ex := p.Analysis.Exits[p.exitIndex(s.Point)]
		j, why := p.separableCoordinate(ex)
		if why != "" {
			return nil, nil, why
		}
		if len(by[j]) == 0 {
			order = append(order, j)
		}
		by[j] = append(by[j], i)
	}
	for _, j := range order {
		idx := by[j]
		if len(idx) > 2 || len(idx) == 2 && p.Escape.Surfaces[idx[0]].Normal[j]*p.Escape.Surfaces[idx[1]].Normal[j] > 0 {
			return nil, nil, fmt.Sprintf("coordinate %d has more than one exit on a side", j+1)
		}
	}
	return by, order, ""
}

// separableTwoSided is the two-sided exact chain along coordinate j, whose two exits (surfaces idx)
// lie on either side: absorbed below b_L − m_L and above b_R + m_R, the other coordinates at the
// minimum. It sets each exit's competing-risks value in p.perExit (the coordinate's p_j times the
// exit's share, per η) and returns p_j, or the reason there is none.
func (p *Problem) separableTwoSided(j int, idx []int) (float64, string) {
	cfg := p.Config
	lo, hi := math.Inf(-1), math.Inf(1)
	for _, i := range idx {
		s := p.Escape.Surfaces[i]
		if s.Normal[j] > 0 {
			hi = s.Point[j] + s.Margin
		} else {
			lo = s.Point[j] - s.Margin
		}
	}
	dL, D := p.coordinate1D(j, 1)
	res, err := theory.DiscreteChain1DTwoSided(dL, D, cfg.LR, p.Start[j], lo, hi, theory.ChainOptions{})
	if err != nil && !errors.Is(err, theory.ErrNotConverged) {
		return 0, fmt.Sprintf("coordinate %d: %v", j+1, err)
	}
	if !(res.QSDEscapeProbability > 0) {
		return 0, fmt.Sprintf("coordinate %d: no escape probability", j+1)
	}
	for _, i := range idx {
		share := res.ShareRight
		if p.Escape.Surfaces[i].Normal[j] < 0 {
			share = 1 - share
		}
		d := theory.Prediction{Name: "discrete", Kind: theory.ExactDiscrete,
			Formula: fmt.Sprintf("exact 1-D discrete chain along x%d absorbing at x%d < %.6g and x%d > %.6g: its rate times this exit's share %.6g (docs/theory.md §2, §3)", j+1, j+1, lo, j+1, hi, share)}
		rate := res.QSDEscapeProbability * share / cfg.LR
		tau := 1 / rate
		d.Rate, d.Tau, d.RelErr = &rate, &tau, math.Max(res.QSDRelErr, res.ShareRelErr)
		p.perExit[i]["discrete"] = d
		p.perExit[i]["quadrature"] = theory.Prediction{Name: "quadrature", Kind: theory.ExactContinuous,
			Formula: fmt.Sprintf("exact 1-D mean first-passage time along x%d (docs/theory.md §4.3)", j+1),
			Reason:  fmt.Sprintf("coordinate %d has an exit on each side; the exact continuous value has one absorbing side", j+1)}
	}
	return res.QSDEscapeProbability, ""
}

// separableCoordinate says along which coordinate an exit leads when the whole problem separates
// into independent 1-D problems (L a sum of 1-D terms, noise independent per coordinate: sgld,
// sgd-hessian and sgd-hessian-min, whose |H| and H(a) are then diagonal; not sgd-loss, whose
// L(θ)-scaled noise couples the coordinates), or why not.
func (p *Problem) separableCoordinate(ex landscape.Exit) (int, string) {
	if !p.Landscape.DiagonalHessian {
		return 0, "the landscape is not a sum of 1-D terms"
	}
	if p.Config.Noise == SGDLoss {
		return 0, "sgd-loss noise scales with L(θ), which couples the coordinates"
	}
	for j, v := range ex.EscapeDirection {
		if math.Abs(v) > 1-1e-9 {
			return j, ""
		}
	}
	return 0, "an exit's escape direction is not along a coordinate"
}

// separableExit is the exact discrete and continuous value of the 1-D problem along coordinate j
// through exit ex (the other coordinates at the minimum, where they stay in distribution
// independently), escaping at b_j ± margin.
func (p *Problem) separableExit(ex landscape.Exit, j int, margin float64) (disc, cont theory.Prediction) {
	cfg, an := p.Config, p.Analysis
	disc = theory.Prediction{Name: "discrete", Kind: theory.ExactDiscrete, Formula: fmt.Sprintf("exact 1-D discrete chain along x%d (docs/theory.md §3)", j+1)}
	cont = theory.Prediction{Name: "quadrature", Kind: theory.ExactContinuous, Formula: fmt.Sprintf("exact 1-D mean first-passage time along x%d (docs/theory.md §4.3)", j+1)}
	sign := math.Copysign(1, ex.EscapeDirection[j])
	dL, D := p.coordinate1D(j, sign)
	h := make([]float64, p.Dim)
	x := append([]float64(nil), an.Minimum...)
	at := func(u float64) { x[j] = sign * u }
	u0, uE := sign*p.Start[j], sign*ex.Saddle[j]+margin
	if res, err := theory.DiscreteChain1D(dL, D, cfg.LR, u0, uE, math.NaN(), theory.ChainOptions{}); err == nil || errors.Is(err, theory.ErrNotConverged) {
		if res.QSDEscapeProbability > 0 {
			rate := res.QSDEscapeProbability / cfg.LR
			tau, mfp := 1/rate, res.MeanIterations*cfg.LR
			disc.Rate, disc.Tau, disc.MeanFirstPassage, disc.RelErr = &rate, &tau, &mfp, res.QSDRelErr
		} else {
			disc.Reason = "no escape probability"
		}
	} else {
		disc.Reason = err.Error()
	}
	if cfg.Noise == SGDHessian && cfg.Floor == 0 {
		hess := func(u float64) float64 {
			at(u)
			p.Eval.HessianDiagonal(x, h)
			return h[j]
		}
		if th, nu, ok := p.inflectionOn(hess, dL, u0, sign*ex.Saddle[j]); ok {
			cont.Reason = fmt.Sprintf("pure sgd-hessian noise vanishes at the inflection point x%d = %.4g (ν = %.3g), where the drift points back into the well: the η → 0 diffusion never crosses it (docs/theory.md §1); add --floor ε", j+1, sign*th, nu)
			return disc, cont
		}
	}
	for u := u0; u < uE; u += (uE - u0) / 64 {
		if v := D(u); !(v > 0) {
			cont.Reason = "D vanishes between the minimum and the exit (docs/theory.md §1)"
			return disc, cont
		}
	}
	if tau, relErr, err := theory.MeanFirstPassage1D(dL, D, u0, uE, math.NaN(), theory.QuadOptions{}); err == nil || errors.Is(err, theory.ErrNotConverged) {
		rate := 1 / tau
		cont.Rate, cont.Tau, cont.RelErr = &rate, &tau, relErr
	} else {
		cont.Reason = err.Error()
	}
	return disc, cont
}

// coordinate1D is the 1-D problem along coordinate j of a separable landscape in u = sign·x_j, the
// other coordinates at the minimum: the drift dL/du and the diffusion D(u) of the noise model
// along x_j (docs/theory.md §1).
func (p *Problem) coordinate1D(j int, sign float64) (dL, D theory.Func1D) {
	cfg, an := p.Config, p.Analysis
	x := append([]float64(nil), an.Minimum...)
	g := make([]float64, p.Dim)
	h := make([]float64, p.Dim)
	unit := make([]float64, p.Dim)
	unit[j] = 1
	at := func(u float64) { x[j] = sign * u }
	dL = func(u float64) float64 {
		at(u)
		p.Eval.Gradient(x, g)
		return sign * g[j]
	}
	D = func(u float64) float64 {
		switch cfg.Noise {
		case SGLD:
			return cfg.Temp
		case Minibatch, SGDCov:
			at(u)
			return p.dataDiffusion(x, unit)
		case SGDHessianMin:
			return cfg.LR / (2 * cfg.Batch) * an.HessianMin[j*p.Dim+j]
		default: // SGDHessian: the diagonal |H| of a separable landscape
			at(u)
			p.Eval.HessianDiagonal(x, h)
			return cfg.LR / (2 * cfg.Batch) * (math.Abs(h[j]) + cfg.Floor)
		}
	}
	return dL, D
}
