package host

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The start basin and the escape region (docs/theory.md §2, "Exit surfaces that stay outside the
// basin"): the basin of a is the set of points from which gradient flow reaches a
// (landscape.BasinCheck). A default exit surface must count no point of it as an escape, and a
// user's --escape region is checked against the minimum's neighbourhood.

// explicitEscape reports whether the user gave an escape condition of their own (not the default
// saddle hyperplane or exits).
func explicitEscape(cfg Config) bool {
	src := strings.TrimSpace(cfg.Escape)
	return src != "" && src != "saddle" && src != "exits"
}

// checkDegenerate refuses a degenerate minimum (H_a singular) unless the user said where escape
// is: the default surfaces and the saddle-crossing theories need a positive definite H_a, the
// exact 1-D chain does not (docs/theory.md §2). Noise models built on H(a) have no noise along its
// flat direction there.
func checkDegenerate(cfg Config, an *landscape.Analysis) error {
	if !an.Degenerate {
		return nil
	}
	lmin := an.HessianMinEigenvalues[0]
	if !explicitEscape(cfg) {
		if len(an.Minimum) == 1 {
			return inputErr("start", "the minimum a = %v that --start flows to is degenerate (H_a = %.3g, not a strict minimum): the default escape and the saddle-crossing theory need a positive definite H_a; give --escape with the escape region, such as 'x %s %.3g', to study its escape (the exact 1-D chain applies)", an.Minimum, lmin, map[bool]string{true: ">", false: "<"}[an.Saddle[0] > an.Minimum[0]], an.Saddle[0]+0.2*(an.Saddle[0]-an.Minimum[0]))
		}
		reason := fmt.Sprintf("the minimum %s is not strict (smallest Hessian eigenvalue %.3g): the default exit surfaces and the saddle-crossing theory need a positive definite H_a (weight decay, wd > 0, makes a network's minimum strict), and no --escape was given", minimumText(an), lmin)
		if cfg.Data != "" {
			reason += "; add weight decay to make it strict, such as --landscape 'mlp(h1=3,wd=0.01)' (wd=… on any data model)"
		}
		return newNoExitsError(reason)
	}
	if cfg.Noise == SGDHessianMin || cfg.Noise == SGDLoss {
		return inputErr("noise", "%s noise is built on H(a)^{1/2}, which is singular at the degenerate minimum a = %v (smallest eigenvalue %.3g): there is no noise along its flat direction; use sgld or sgd-hessian", cfg.Noise, an.Minimum, lmin)
	}
	return nil
}

// strictMinimumTheories are the values that need a positive definite H_a: the saddle-crossing
// formulas' prefactor sqrt(det H_a) or the well's curvature (docs/theory.md §4.1, §4.2, §4.4).
var strictMinimumTheories = []string{"eyring_kramers", "xie", "mori"}

// withholdStrictMinimumTheories makes those values n/a, with the reason, at a degenerate minimum.
func (p *Problem) withholdStrictMinimumTheories(m map[string]theory.Prediction) {
	if !p.Analysis.Degenerate {
		return
	}
	for _, k := range strictMinimumTheories {
		if pr, ok := m[k]; ok {
			pr.Rate, pr.Tau, pr.MeanFirstPassage = nil, nil, nil
			pr.Reason = fmt.Sprintf("the minimum is degenerate (smallest eigenvalue of H_a %.3g): the formula needs a positive definite H_a", p.Analysis.HessianMinEigenvalues[0])
			m[k] = pr
		}
	}
}

// basinSampler samples points near an escape surface and in the minimum's neighbourhood and
// asks the basin check whether they flow to a.
type basinSampler struct {
	p     *Problem
	check *landscape.BasinCheck
	a     []float64
	la    float64
	scale float64 // distance scale: the distance from a to the nearest exit's saddle
}

func newBasinSampler(p *Problem) *basinSampler {
	an := p.Analysis
	s := &basinSampler{p: p, check: landscape.NewBasinCheck(p.Landscape, an.Minimum), a: an.Minimum, la: an.LossMinimum}
	s.scale = norm(sub(an.Saddle, an.Minimum))
	for _, ex := range an.Exits {
		s.scale = math.Min(s.scale, norm(sub(ex.Saddle, an.Minimum)))
	}
	return s
}

// maxSampledDim: above it on a landscape with a full Hessian the exit surfaces are not sampled
// (each flow decomposes the d×d Hessian at every step, and the in-plane directions grow with d);
// docs/theory.md §2.
const maxSampledDim = 8

// cannotLeak reports whether the half-space of a surface provably holds no point of the start
// basin: in 1-D, and on a separable landscape for a surface normal to a coordinate axis j, the
// flow's coordinate j follows its own 1-D loss, and from beyond the maximum b_j it moves away
// from b_j, never back to a_j.
func (p *Problem) cannotLeak(s ExitSurface) bool {
	if p.Dim == 1 {
		return true
	}
	if !p.Landscape.DiagonalHessian {
		return false
	}
	for _, v := range s.Normal {
		if math.Abs(v) > 1-1e-12 {
			return true
		}
	}
	return false
}

// surfaceOffsets are the in-plane distances sampled: steps of scale/16 out to 2·scale, then
// growing by 1.25 out to 10·scale (far along the plane, where a curved basin can come back).
func surfaceOffsets(scale float64) []float64 {
	var r []float64
	for k := 1; k <= 32; k++ {
		r = append(r, float64(k)*scale/16)
	}
	for x := 2 * scale * 1.25; x <= 10*scale; x *= 1.25 {
		r = append(r, x)
	}
	return r
}

// inPlaneDirections are unit vectors orthogonal to e: the eigenvectors of H_b other than e's
// (or, without H_b, Gram–Schmidt on the axes), both signs, and up to 8 random combinations
// (math/rand/v2 PCG with a fixed seed) when d ≥ 3.
func inPlaneDirections(e, hb []float64) [][]float64 {
	d := len(e)
	var basis [][]float64
	if hb != nil {
		var es mat.EigenSym
		if es.Factorize(mat.NewSymDense(d, append([]float64(nil), hb...)), true) {
			var v mat.Dense
			es.VectorsTo(&v)
			for k := range d {
				u := mat.Col(nil, k, &v)
				if math.Abs(floats.Dot(u, e)) < 0.5 {
					basis = append(basis, u)
				}
			}
		}
	}
	if len(basis) != d-1 {
		basis = nil
		for k := 0; k < d && len(basis) < d-1; k++ {
			u := make([]float64, d)
			u[k] = 1
			floats.AddScaled(u, -floats.Dot(u, e), e)
			for _, q := range basis {
				floats.AddScaled(u, -floats.Dot(u, q), q)
			}
			if n := floats.Norm(u, 2); n > 1e-6 {
				floats.Scale(1/n, u)
				basis = append(basis, u)
			}
		}
	}
	dirs := bothSigns(basis)
	if d >= 3 {
		dirs = append(dirs, randomUnits(d, 0x6261736e, 0x73757266, func(rng *rand.Rand, u []float64) {
			for _, q := range basis {
				floats.AddScaled(u, rng.NormFloat64(), q)
			}
		})...)
	}
	return dirs
}

// bothSigns is ±u for every u of vs, in order.
func bothSigns(vs [][]float64) [][]float64 {
	var out [][]float64
	for _, u := range vs {
		neg := append([]float64(nil), u...)
		floats.Scale(-1, neg)
		out = append(out, u, neg)
	}
	return out
}

// randomUnits is 8 unit vectors in d dimensions, each drawn by draw from a PCG stream with the
// fixed seed (s1, s2), then normalised: the probes are a pure function of the problem.
func randomUnits(d int, s1, s2 uint64, draw func(rng *rand.Rand, u []float64)) [][]float64 {
	rng := rand.New(rand.NewPCG(s1, s2))
	var out [][]float64
	for range 8 {
		u := make([]float64, d)
		draw(rng, u)
		floats.Scale(1/floats.Norm(u, 2), u)
		out = append(out, u)
	}
	return out
}

// surfaceLeak returns a point of the escape region of the exit surface s (half-space
// (θ − b)·e > m, within |θ − b| < s.Ball when s.Ball > 0) that gradient flow takes to a, or nil.
// It samples the surface just past the margin and half a margin deeper, outward along each
// in-plane direction at surfaceOffsets up to the ball, up to where the loss exceeds lossCut (no
// particle goes there).
func (bs *basinSampler) surfaceLeak(s ExitSurface, hb []float64, lossCut float64) []float64 {
	d := len(s.Point)
	offsets := surfaceOffsets(bs.scale)
	depths := []float64{s.Margin + 1e-3*bs.scale, 1.5*s.Margin + 1e-3*bs.scale}
	p := make([]float64, d)
	test := func() bool {
		if s.Ball > 0 && floats.Distance(p, s.Point, 2) >= s.Ball {
			return false
		}
		l := bs.p.Eval.Loss(p)
		return l <= lossCut && bs.check.FlowsToMinimum(p)
	}
	dirs := inPlaneDirections(s.Normal, hb)
	for _, depth := range depths {
		floats.AddScaledTo(p, s.Point, depth, s.Normal)
		if test() {
			return append([]float64(nil), p...)
		}
		for _, u := range dirs {
			for _, r := range offsets {
				if s.Ball > 0 && r*r+depth*depth >= s.Ball*s.Ball {
					break
				}
				floats.AddScaledTo(p, s.Point, depth, s.Normal)
				floats.AddScaled(p, r, u)
				if !(bs.p.Eval.Loss(p) <= lossCut) {
					break
				}
				if test() {
					return append([]float64(nil), p...)
				}
			}
		}
	}
	return nil
}

// ballFactors are the radii, in units of |b − a|, to which a half-space that reaches back into
// the start basin is restricted, largest first (docs/theory.md §2); a radius must exceed 1.1·m so
// that the ball keeps a slab of the half-space beyond the margin.
var ballFactors = []float64{2, 1.5, 1, 0.75, 0.5}

// verifySurfaces checks every exit surface (hess[i]: H at its saddle, for the in-plane directions)
// against the start basin and restricts those that reach back into it (ExitSurface.Ball): the
// largest ball about b_i in ballFactors in which no sampled point of the escape region flows to a
// (surfaceLeak). Then the descent from each saddle to its far side must enter its own surface
// before any other (else that other surface's ball shrinks), so that escapes are labelled by the
// saddle they crossed. It returns a note per surface for the escape text and puts a warning on p
// for a surface it could not make safe.
func (p *Problem) verifySurfaces(surfaces []ExitSurface, hess [][]float64) []string {
	notes := make([]string, len(surfaces))
	if p.Dim > maxSampledDim && !p.Landscape.DiagonalHessian {
		for i := range notes {
			notes[i] = fmt.Sprintf(" (not checked against the start basin above d = %d)", maxSampledDim)
		}
		return notes
	}
	bs := newBasinSampler(p)
	a := p.Analysis.Minimum
	radii := make([][]float64, len(surfaces))
	next := make([]int, len(surfaces))
	for i, s := range surfaces {
		dab := norm(sub(s.Point, a))
		radii[i] = []float64{0}
		for _, f := range ballFactors {
			if f*dab > 1.1*s.Margin {
				radii[i] = append(radii[i], f*dab)
			}
		}
		if p.cannotLeak(s) {
			continue
		}
		lb := math.Abs(eigenvalueAlong(hess[i], s.Normal))
		cut := p.Eval.Loss(s.Point) + 10*p.diffusionAlong(s.Point, s.Normal, lb, p.Eval.Loss(s.Point))
		var leak []float64
		for next[i] < len(radii[i]) {
			surfaces[i].Ball = radii[i][next[i]]
			next[i]++
			l := bs.surfaceLeak(surfaces[i], hess[i], cut)
			if l == nil {
				leak = nil
				break
			}
			leak = l
			if next[i] == 1 {
				notes[i] = fmt.Sprintf(" (the half-space alone reaches back into the start basin: gradient flow from %s leads to a)", fmtVec(l))
			}
		}
		if leak != nil {
			p.EscapeWarnings = append(p.EscapeWarnings, Warning{Kind: WarnOther, Message: fmt.Sprintf("exit %d's surface could not be kept outside the start basin: gradient flow from %s, where it counts an escape, leads back to the minimum; the rate may count particles that return; give --escape with a surface beyond the saddle", i+1, fmtVec(leak))})
		}
	}
	p.separateLabels(surfaces, radii, next, bs.scale)
	return notes
}

// separateLabels shrinks the ball of a surface j that the descent from saddle i ≠ j enters before
// surface i (at most until the radii run out): each exit's escapes are then counted on its own
// surface, past its own saddle, and surfaces sit deeper where they would meet. Descents are
// gradient flows (landscape.FlowPath) from b_i + 10⁻³·scale·e_i, walked in steps of at most
// scale/64. A descent whose first escaped point is labelled with another exit (Which) gets a
// warning.
func (p *Problem) separateLabels(surfaces []ExitSurface, radii [][]float64, next []int, scale float64) {
	if len(surfaces) < 2 {
		return
	}
	c := &EscapeCondition{Kind: EscapeExits, Surfaces: surfaces}
	paths := make([][][]float64, len(surfaces))
	for i, s := range surfaces {
		x0 := append([]float64(nil), s.Point...)
		floats.AddScaled(x0, 1e-3*scale, s.Normal)
		paths[i] = landscape.FlowPath(p.Landscape, x0)
	}
	for range 4 * len(ballFactors) * len(surfaces) {
		changed := false
		for i := range surfaces {
			x := firstEscaped(c, paths[i], scale/64)
			if j := c.crossedSurface(x); j >= 0 && j != i && next[j] < len(radii[j]) {
				surfaces[j].Ball = radii[j][next[j]]
				next[j]++
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for i := range surfaces {
		if x := firstEscaped(c, paths[i], scale/64); x != nil && c.Which(x) != i {
			p.EscapeWarnings = append(p.EscapeWarnings, Warning{Kind: WarnOther, Message: fmt.Sprintf("the descent from exit %d's saddle first escapes at %s, which is counted for exit %d: the per-exit split may mix these exits", i+1, fmtVec(x), c.Which(x)+1)})
		}
	}
}

// firstEscaped is the first point of the path (points joined by segments, walked in steps of at
// most h) where c holds, or nil.
func firstEscaped(c *EscapeCondition, path [][]float64, h float64) []float64 {
	if len(path) == 0 {
		return nil
	}
	x := make([]float64, len(path[0]))
	for k := 1; k < len(path); k++ {
		n := int(math.Ceil(floats.Distance(path[k-1], path[k], 2) / h))
		for s := 1; s <= n; s++ {
			f := float64(s) / float64(n)
			for i := range x {
				x[i] = path[k-1][i] + f*(path[k][i]-path[k-1][i])
			}
			if c.crossedSurface(x) >= 0 {
				return x
			}
		}
	}
	return nil
}

// eigenvalueAlong is eᵀHe for the row-major H (the eigenvalue of a unit eigenvector e); with no H,
// 1.
func eigenvalueAlong(h, e []float64) float64 {
	if h == nil {
		return 1
	}
	d := len(e)
	s := 0.0
	for i := range d {
		for j := range d {
			s += e[i] * h[i*d+j] * e[j]
		}
	}
	return s
}

// checkEscapeRegion warns when a user's --escape holds at points of the start basin's minimum
// neighbourhood: points that flow to a with L − L(a) at most half the lowest barrier ΔL. It samples
// along ± each eigenvector of H_a (and 8 random directions for d ≥ 3) out to where the loss
// reaches that level, at eight evenly spaced distances.
func checkEscapeRegion(p *Problem) []Warning {
	ws := p.EscapeWarnings
	if !explicitEscape(p.Config) || p.Dim > maxSampledDim && !p.Landscape.DiagonalHessian {
		return ws
	}
	an := p.Analysis
	level := an.LossMinimum + 0.5*an.DeltaL
	for _, ex := range an.Exits {
		level = math.Min(level, an.LossMinimum+0.5*ex.DeltaL)
	}
	bs := newBasinSampler(p)
	ha := an.HessianMin
	dirs := eigenDirections(ha, p.Dim)
	x := make([]float64, p.Dim)
	for _, u := range dirs {
		rmax := bs.scale / 64
		for k := 0; k < 4096; k++ {
			floats.AddScaledTo(x, an.Minimum, rmax*1.1, u)
			if !(p.Eval.Loss(x) <= level) {
				break
			}
			rmax *= 1.1
		}
		for k := 1; k <= 8; k++ {
			floats.AddScaledTo(x, an.Minimum, rmax*float64(k)/8, u)
			if p.Escape.Holds(x) && p.Eval.Loss(x) <= level && bs.check.FlowsToMinimum(x) {
				return append(ws, Warning{Kind: WarnOther, Message: fmt.Sprintf("the escape condition holds at %s, in the start basin's minimum neighbourhood (gradient flow leads to a = %s, L − L(a) = %.3g ≤ ΔL/2): escapes are counted inside the well, before any barrier", fmtVec(x), fmtVec(an.Minimum), p.Eval.Loss(x)-an.LossMinimum)})
			}
		}
	}
	return ws
}

// eigenDirections are ± the eigenvectors of the symmetric row-major d×d h, and 8 random unit
// vectors (fixed PCG seed) for d ≥ 3.
func eigenDirections(h []float64, d int) [][]float64 {
	var es mat.EigenSym
	var dirs [][]float64
	if es.Factorize(mat.NewSymDense(d, append([]float64(nil), h...)), true) {
		var v mat.Dense
		es.VectorsTo(&v)
		vecs := make([][]float64, d)
		for k := range d {
			vecs[k] = mat.Col(nil, k, &v)
		}
		dirs = bothSigns(vecs)
	}
	if d >= 3 {
		dirs = append(dirs, randomUnits(d, 0x6e656967, 0x68626f72, func(rng *rand.Rand, u []float64) {
			for i := range u {
				u[i] = rng.NormFloat64()
			}
		})...)
	}
	return dirs
}
