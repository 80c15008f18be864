package validate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/kramers-sim/kramers/host"
)

// rotation is (u, v) = (c·x + s·y, −s·x + c·y): the coordinates in which a rotated separable
// landscape L(x, y) = f(u) + g(v) separates. Under sgld the noise is isotropic, so u and v are two
// independent 1-D chains (the normals z_u, z_v of an orthogonal rotation of independent normals
// are independent), and the quasi-stationary escape probability of the pair is 1 − (1 − q_u)(1 − q_v):
// the Perron eigenvalue of a product kernel is the product of the factors' (docs/theory.md §3).
type rotation struct{ c, s float64 }

func (r rotation) toUV(x []float64) (u, v float64) { return r.c*x[0] + r.s*x[1], -r.s*x[0] + r.c*x[1] }
func (r rotation) toXY(u, v float64) []float64     { return []float64{r.c*u - r.s*v, r.s*u + r.c*v} }

// rotated2DCase draws f and g from the 1-D wells generator, a random angle, start basins in both
// and a start point near their minima, and poses kramers' default question (its exits). The
// reference (rotatedReference) reads kramers' exit surfaces back in (u, v).
func rotated2DCase(r *rand.Rand, idx int, opt TrustOptions) (TrustCase, bool) {
	fw, gw := randomWells(r), randomWells(r)
	f, err1 := newFn1D(fw.expr("x"))
	g, err2 := newFn1D(gw.expr("x"))
	if err1 != nil || err2 != nil {
		return TrustCase{}, false
	}
	bf, ok1 := randomBasin(r, f)
	bg, ok2 := randomBasin(r, g)
	if !ok1 || !ok2 {
		return TrustCase{}, false
	}
	phi := math.Pi * r.Float64()
	rot := rotation{math.Cos(phi), math.Sin(phi)}
	u := fmt.Sprintf("(%s*x+%s*y)", num(rot.c), num(rot.s))
	v := fmt.Sprintf("(%s*x+%s*y)", num(-rot.s), num(rot.c))
	expr := fw.expr(u) + " " + gw.expr(v)
	p0 := rot.toXY(bf.a+0.1*(r.Float64()-0.5), bg.a+0.1*(r.Float64()-0.5))
	start := []float64{fmt4(p0[0]), fmt4(p0[1])}
	u0, v0 := rot.toUV(start)
	if af, _ := flow1D(f, u0); math.Abs(af-bf.a) > 1e-6 {
		return TrustCase{}, false
	}
	if ag, _ := flow1D(g, v0); math.Abs(ag-bg.a) > 1e-6 {
		return TrustCase{}, false
	}
	lam := math.Max(maxCurvature(f, bf.a-2, bf.a+2), maxCurvature(g, bg.a-2, bg.a+2))
	eta := round3((0.03 + 0.2*r.Float64()) / lam)
	cfg := trustConfig(expr, host.SGLD, eta, start, "", opt.Particles, 1+idx)
	// Tune on the question "cross a saddle" (margin 0): the margins of kramers' exits change τ by
	// a factor of about 2, which the window [trustTauLow, trustTauHigh] absorbs.
	answer := func(c host.Config) (float64, error) {
		qf, err := axisQ(f, c, bf.a, bf.left, bf.right)
		if err != nil {
			return 0, err
		}
		qg, err := axisQ(g, c, bg.a, bg.left, bg.right)
		return 1 - (1-qf)*(1-qg), err
	}
	barrier := math.Min(barrierOf(f, bf), barrierOf(g, bg))
	if math.IsInf(barrier, 1) || !tuneNoise(&cfg, f, bf.a, barrier, answer) {
		return TrustCase{}, false
	}
	if barrier < trustMinBarrier*cfg.Temp {
		return TrustCase{}, false // no metastable basin at this temperature (trustMinBarrier)
	}
	q, _ := answer(cfg)
	cfg.Steps = runLength(q/2, cfg.LR, math.Min(f.d2L(bf.a), g.d2L(bg.a)))
	name := fmt.Sprintf("r%03d rotated %.0f°", idx, phi*180/math.Pi)
	return TrustCase{Name: name, Family: "2-D rotated", Config: cfg, FlowStart: rot.toXY(bf.a, bg.a),
		reference: func(p *host.Problem, _ host.BackendFactory) (trustReference, error) {
			return rotatedReference(p, rot, f, g, bf.a, bg.a)
		}}, true
}

// barrierOf is the lower of the basin's two barriers (+Inf when both sides confine).
func barrierOf(f fn1D, b basin) float64 {
	m := math.Inf(1)
	for _, t := range []float64{b.left, b.right} {
		if !math.IsInf(t, 0) {
			m = math.Min(m, f.L(t)-f.L(b.a))
		}
	}
	return m
}

// axisQ is the escape probability per iteration of one axis's chain (0 when neither side absorbs).
func axisQ(f fn1D, cfg host.Config, a, lo, hi float64) (float64, error) {
	if math.IsInf(lo, -1) && math.IsInf(hi, 1) {
		return 0, nil
	}
	ref, err := exact1D(f, cfg, a, lo, hi, nil)
	return ref.Rate * cfg.LR, err
}

// rotatedReference reads kramers' exit surfaces (θ − b)·n > m as thresholds on u or v (each
// normal must be one of ±e_u, ±e_v to 1e-6: the saddles of a separable landscape have diagonal
// Hessians in (u, v)) and answers with the product of the two axes' exact chains.
func rotatedReference(p *host.Problem, rot rotation, f, g fn1D, af, ag float64) (trustReference, error) {
	surfaces := surfacesOf(p)
	if p.Escape.Kind == host.EscapeHyperplane {
		surfaces = []host.ExitSurface{{Point: p.Escape.Point, Normal: p.Escape.Normal, Margin: p.Escape.Margin}}
	}
	if len(surfaces) == 0 {
		return trustReference{}, fmt.Errorf("escape kind %s is not a set of exit half-spaces", p.Escape.Kind)
	}
	bounds := [2][2]float64{{math.Inf(-1), math.Inf(1)}, {math.Inf(-1), math.Inf(1)}} // [axis][lo, hi]
	side := make([][2]int, len(surfaces))
	for k, s := range surfaces {
		nu, nv := rot.toUV(s.Normal)
		bu, bv := rot.toUV(s.Point)
		axis, n, b := 0, nu, bu
		if math.Abs(nu) < math.Abs(nv) {
			axis, n, b = 1, nv, bv
		}
		if math.Abs(math.Abs(n)-1) > 1e-6 {
			return trustReference{}, fmt.Errorf("exit %d's normal %s is not along a rotated axis", k+1, fmtPoint(s.Normal))
		}
		t := b + s.Margin/n // (θ − b)·n > m  ⇔  n·(w − b_w) > m on the axis w
		if n > 0 {
			bounds[axis][1] = math.Min(bounds[axis][1], t)
			side[k] = [2]int{axis, 1}
		} else {
			bounds[axis][0] = math.Max(bounds[axis][0], t)
			side[k] = [2]int{axis, 0}
		}
	}
	var ans [2]chainAnswer
	for axis, fa := range []struct {
		f fn1D
		a float64
	}{{f, af}, {g, ag}} {
		if math.IsInf(bounds[axis][0], -1) && math.IsInf(bounds[axis][1], 1) {
			continue
		}
		D, _ := diffusion1D(fa.f, p.Config, fa.a)
		var err error
		if ans[axis], err = chain1D(fa.f.dL, D, p.Config.LR, fa.a, bounds[axis][0], bounds[axis][1]); err != nil {
			return trustReference{}, fmt.Errorf("axis %d: %w", axis, err)
		}
	}
	eta := p.Config.LR
	q := 1 - (1-ans[0].Q)*(1-ans[1].Q)
	ref := trustReference{Rate: q / eta, RelErr: math.Max(ans[0].RelErr, ans[1].RelErr), Source: "exact product of two 1-D chains"}
	for _, sd := range side {
		share := ans[sd[0]].ShareHi
		if sd[1] == 0 {
			share = 1 - share
		}
		// A step that escapes on both axes at once (probability q_u·q_v) has no single exit: its
		// relative weight q_other bounds the ambiguity of the exit's rate.
		other := ans[1-sd[0]].Q
		ref.ExitRates = append(ref.ExitRates, ans[sd[0]].Q*share/eta)
		ref.ExitRelErr = append(ref.ExitRelErr, math.Max(ans[sd[0]].RelErr, other))
	}
	return ref, nil
}
