package validate

import (
	"errors"
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/theory"
)

// fn1D is a 1-D loss with its first two derivatives, evaluated by the landscape package's
// evaluator (the differentiated expression), which the suite trusts; what it checks is what
// kramers does with them.
type fn1D struct {
	L, dL, d2L func(float64) float64
}

// newFn1D parses a 1-D expression.
func newFn1D(expr string) (fn1D, error) {
	ls, err := landscape.Parse(expr, 0)
	if err != nil {
		return fn1D{}, err
	}
	if ls.Dim != 1 {
		return fn1D{}, fmt.Errorf("%s is %d-dimensional, not 1-D", expr, ls.Dim)
	}
	ev := ls.Evaluator()
	x, g, h := make([]float64, 1), make([]float64, 1), make([]float64, 1)
	return fn1D{
		L:   func(t float64) float64 { x[0] = t; return ev.Loss(x) },
		dL:  func(t float64) float64 { x[0] = t; ev.Gradient(x, g); return g[0] },
		d2L: func(t float64) float64 { x[0] = t; ev.Hessian(x, h); return h[0] },
	}, nil
}

// flowReach is how far (in θ) gradient flow and the maxima scans look: beyond the wells of the
// generators (trustgen.go), whose centres lie within ±4.
const flowReach = 12.0

// flow1D is the limit of gradient flow dθ/dt = −L'(θ) from x0: explicit Euler steps that move at
// most 1e-3 and at most 0.1/|L”| (well inside the stable step 2/|L”|), so that the path never jumps
// a maximum, then Newton's method on L' once the flow is close. ok is false when the flow leaves
// ±flowReach or does not settle.
func flow1D(f fn1D, x0 float64) (a float64, ok bool) {
	x := x0
	for i := 0; i < 2_000_000; i++ {
		g := f.dL(x)
		if g == 0 {
			break
		}
		step := -g * math.Min(0.1/math.Max(math.Abs(f.d2L(x)), 1e-9), 1e-3/math.Abs(g))
		if math.Abs(g) < 1e-6 && f.d2L(x) > 0 {
			break
		}
		x += step
		if math.Abs(x) > flowReach {
			return x, false
		}
	}
	for i := 0; i < 50; i++ { // Newton on L' near a strict minimum
		h := f.d2L(x)
		if !(h > 0) {
			break
		}
		dx := f.dL(x) / h
		x -= dx
		if math.Abs(dx) < 1e-15*math.Max(1, math.Abs(x)) {
			break
		}
	}
	return x, math.Abs(f.dL(x)) < 1e-8
}

// nearestMaximum is the first maximum of L from the minimum a in direction dir (±1): where L'
// turns from uphill to downhill, by a scan of step 1e-3 and bisection; ±Inf when L rises all the
// way to flowReach (a confining side).
func nearestMaximum(f fn1D, a, dir float64) float64 {
	const h = 1e-3
	prev := a
	for x := a + dir*h; math.Abs(x-a) < flowReach; x += dir * h {
		if dir*f.dL(x) < 0 { // going downhill in direction dir: the maximum lies in (prev, x)
			lo, hi := prev, x
			for k := 0; k < 60; k++ {
				m := 0.5 * (lo + hi)
				if dir*f.dL(m) > 0 {
					lo = m
				} else {
					hi = m
				}
			}
			return 0.5 * (lo + hi)
		}
		prev = x
	}
	return dir * math.Inf(1)
}

// diffusion1D is D(θ) of docs/theory.md §1 for cfg's noise model, written from the table there
// (not from host's Diffusion1D, which the suite checks), with H(a) = L”(a) at the flow's minimum.
func diffusion1D(f fn1D, cfg host.Config, a float64) (func(float64) float64, error) {
	eta, b := cfg.LR, cfg.Batch
	ha := f.d2L(a)
	switch cfg.Noise {
	case host.SGLD:
		return func(float64) float64 { return cfg.Temp }, nil
	case host.SGDHessian:
		return func(t float64) float64 { return eta / (2 * b) * (math.Abs(f.d2L(t)) + cfg.Floor) }, nil
	case host.SGDHessianMin:
		return func(float64) float64 { return eta / (2 * b) * ha }, nil
	case host.SGDLoss:
		return func(t float64) float64 { return eta / b * math.Max(f.L(t), 0) * ha }, nil
	}
	return nil, fmt.Errorf("no 1-D reference for noise %s", cfg.Noise)
}

// exact1D is the exact discrete-time answer to the question (lo, hi) from the minimum a, with the
// exact continuous-time mean first-passage time beside it where the question is one-sided, and the
// competing-risk rates of the exits of a host EscapeExits condition (each exit's side's share).
func exact1D(f fn1D, cfg host.Config, a, lo, hi float64, surfaces []host.ExitSurface) (trustReference, error) {
	D, err := diffusion1D(f, cfg, a)
	if err != nil {
		return trustReference{}, err
	}
	ans, err := chain1D(f.dL, D, cfg.LR, a, lo, hi)
	if err != nil {
		return trustReference{}, err
	}
	if !(ans.Q > 0) {
		return trustReference{}, fmt.Errorf("the exact chain's escape probability is %g", ans.Q)
	}
	ref := trustReference{Rate: ans.Q / cfg.LR, RelErr: ans.RelErr, Source: "exact chain"}
	if math.IsInf(lo, 0) != math.IsInf(hi, 0) {
		ref.Source += " (one-sided)"
		ref.Tau, ref.TauRelErr = continuousTau(f, D, a, lo, hi)
	} else {
		ref.Source += " (two-sided)"
	}
	for _, s := range surfaces {
		share := ans.ShareHi
		if s.Normal[0] < 0 {
			share = 1 - share
		}
		ref.ExitRates = append(ref.ExitRates, ref.Rate*share)
		ref.ExitRelErr = append(ref.ExitRelErr, ans.RelErr)
	}
	return ref, nil
}

// continuousTau is theory.MeanFirstPassage1D for a one-sided question (0 where it has no value,
// such as pure sgd-hessian noise vanishing between the start and the threshold).
func continuousTau(f fn1D, D func(float64) float64, a, lo, hi float64) (tau, relErr float64) {
	dL := f.dL
	start, end := a, hi
	if math.IsInf(hi, 1) { // mirror u = −θ
		dL = func(u float64) float64 { return -f.dL(-u) }
		mD := D
		D = func(u float64) float64 { return mD(-u) }
		start, end = -a, -lo
	}
	tau, relErr, err := theory.MeanFirstPassage1D(dL, D, start, end, math.NaN(), theory.QuadOptions{})
	if err != nil && !errors.Is(err, theory.ErrNotConverged) || !(tau > 0) || math.IsInf(tau, 0) {
		return 0, 0
	}
	return tau, relErr
}

// interval1D reads the survival interval (lo, hi) around the start of a 1-D escape set as kramers
// holds it (p.Escape.Holds): the nearest points left and right of a where the set begins, on a
// scan of step 1e-4 over ±flowReach refined by bisection; ±Inf where it never holds.
func interval1D(p *host.Problem, a float64) (lo, hi float64) {
	x := make([]float64, 1)
	holds := func(t float64) bool { x[0] = t; return p.Escape.Holds(x) }
	edge := func(dir float64) float64 {
		const h = 1e-4
		prev := a
		for t := a + dir*h; math.Abs(t-a) < flowReach; t += dir * h {
			if holds(t) {
				in, out := prev, t
				for k := 0; k < 60; k++ {
					m := 0.5 * (in + out)
					if holds(m) {
						out = m
					} else {
						in = m
					}
				}
				return out
			}
			prev = t
		}
		return dir * math.Inf(1)
	}
	return edge(-1), edge(1)
}
