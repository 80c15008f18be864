package validate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
)

// issue20Landscape is the landscape of issue 20's rows 1 and 2: three wells, the start's at 0
// shallower than the one at −3.
const issue20Landscape = "-exp(-(x+3)^2*2) - 0.8*exp(-2*x^2) - 1.5*exp(-2*(x-2.5)^2) + 0.01*x^2"

// issue20Ring is row 3's ring, whose start basin is wider than half the ring.
const issue20Ring = "5*(x^2+y^2-1)^2 + 0.3*(-x/sqrt(x^2+y^2) - (x^2-y^2)/(x^2+y^2) - 0.4*x*y/(x^2+y^2) + 0.5*(3*y*(x^2+y^2) - 4*y^3)/(x^2+y^2)^1.5)"

// issueCases are the rows of issue 20's table, plus its flat minimum, as named cases.
func issueCases(opt TrustOptions) []TrustCase {
	scale := func(quick, full int) int {
		if opt.Quick {
			return quick
		}
		return full
	}
	var cases []TrustCase
	// Row 1: a one-sided threshold whose open side leads into a deeper well.
	c1 := trustConfig(issue20Landscape, host.SGLD, 0.05, []float64{0}, "x > 1.8", scale(1024, 1<<14), 1)
	c1.Temp, c1.Steps = 0.12, 40000
	cases = append(cases, explicit1D("issue 20 row 1: x > 1.8, deeper well behind", c1, math.Inf(-1), 1.8, false))
	// Row 2: the same landscape with the default escape (both exits): competing risks.
	c2 := c1
	c2.Escape, c2.Particles, c2.Steps = "", scale(1024, 1<<14), scale(30000, 60000)
	cases = append(cases, defaultExits1D("issue 20 row 2: both exits, per-exit exact values", c2))
	// Row 3: the ring whose exit half-space reaches back into the basin, against brute force.
	c3 := trustConfig(issue20Ring, host.SGLD, 0.005, []float64{0.98, -0.18}, "", scale(512, 4096), 3)
	c3.Temp, c3.Steps = 0.25, scale(40000, 150000)
	if flow, ok := flowND(c3.Landscape, c3.Start); ok {
		cases = append(cases, TrustCase{Name: "issue 20 row 3: ring, default exits", Family: "issue 20", Config: c3, FlowStart: flow, reference: bruteForceReference})
	}
	// Row 4: a start that is not a minimum, in a periodic landscape.
	if c, ok := tunedExplicit1D("issue 20 row 4: sin(3x), start 2.5", "sin(3*x) + 0.01*x^2", 2.5, 0.02, 0.15, 0.15, scale(2048, 8192)); ok {
		cases = append(cases, c)
	}
	// Row 5: thresholds inside the well (radius and one-sided), where saddle formulas answer nothing.
	if c, ok := tunedRadius("issue 20 row 5: doublewell radius(0.6)", scale(2048, 8192)); ok {
		cases = append(cases, c)
	}
	if c, ok := tunedExplicit1D("issue 20 row 5: doublewell x > -0.4", "doublewell(k=1)", -1, 0.02, math.NaN(), -0.4, scale(2048, 8192)); ok {
		cases = append(cases, c)
	}
	// The flat minimum of x⁴/4 − x⁵/5 with an explicit escape: a run the exact chain answers.
	if c, ok := tunedExplicit1D("issue 20: flat minimum x^4/4 - x^5/5, x > 1.2", "x^4/4 - x^5/5", 0, 0.01, math.NaN(), 0.2, scale(2048, 8192)); ok {
		cases = append(cases, c)
	}
	for i := range cases {
		cases[i].Family = "issue 20"
	}
	return cases
}

// explicit1D is a named 1-D case with an explicit escape (lo, hi) and an exact-chain reference.
func explicit1D(name string, cfg host.Config, lo, hi float64, inside bool) TrustCase {
	c := TrustCase{Name: name, Config: cfg, InsideWell: inside}
	f, err := newFn1D(cfg.Landscape)
	a, ok := 0.0, false
	if err == nil {
		a, ok = flow1D(f, cfg.Start[0])
	}
	c.FlowStart = []float64{a}
	c.reference = func(*host.Problem, host.BackendFactory) (trustReference, error) {
		if !ok {
			return trustReference{}, fmt.Errorf("gradient flow from %g does not settle", cfg.Start[0])
		}
		return exact1D(f, cfg, a, lo, hi, nil)
	}
	return c
}

// defaultExits1D is a named 1-D case with kramers' default escape: the reference answers the
// question as kramers poses it (its surfaces, read back with interval1D) from the flow's minimum.
func defaultExits1D(name string, cfg host.Config) TrustCase {
	c := explicit1D(name, cfg, 0, 0, false)
	f, _ := newFn1D(cfg.Landscape)
	a := c.FlowStart[0]
	c.reference = func(p *host.Problem, _ host.BackendFactory) (trustReference, error) {
		lo, hi := interval1D(p, a)
		return exact1D(f, p.Config, a, lo, hi, surfacesOf(p))
	}
	return c
}

// surfacesOf lists the exit surfaces of an EscapeExits condition (nil for other kinds).
func surfacesOf(p *host.Problem) []host.ExitSurface {
	if p.Escape.Kind == host.EscapeExits {
		return p.Escape.Surfaces
	}
	return nil
}

// tunedExplicit1D is a named sgld case from start guess x0 with step η; the escape is beyond the
// flow basin's maxima by dl and dr (NaN: no threshold on that side; a negative dr on the right
// puts the threshold inside the well, at maximum + dr, or at a + |dr| where there is no maximum).
// The temperature is tuned like the random cases'.
func tunedExplicit1D(name, expr string, x0, eta, dl, dr float64, particles int) (TrustCase, bool) {
	f, err := newFn1D(expr)
	if err != nil {
		return TrustCase{}, false
	}
	a, ok := flow1D(f, x0)
	if !ok {
		return TrustCase{}, false
	}
	lo, hi := math.Inf(-1), math.Inf(1)
	inside := false
	if !math.IsNaN(dl) {
		lo = fmt4(nearestMaximum(f, a, -1) - dl)
	}
	if mr := nearestMaximum(f, a, 1); math.IsInf(mr, 1) {
		hi, inside = fmt4(a+math.Abs(dr)), true
	} else {
		hi, inside = fmt4(mr+dr), dr < 0
	}
	escape := fmt.Sprintf("x > %g", hi)
	if !math.IsInf(lo, -1) {
		escape = fmt.Sprintf("x < %g || x > %g", lo, hi)
	}
	cfg := trustConfig(expr, host.SGLD, eta, []float64{x0}, escape, particles, 5)
	return tuned(name, cfg, f, a, lo, hi, inside)
}

// tunedRadius is issue 20's row 5 with radius(0.6): the interval a ± 0.6 around doublewell's −1.
func tunedRadius(name string, particles int) (TrustCase, bool) {
	f, err := newFn1D("doublewell(k=1)")
	if err != nil {
		return TrustCase{}, false
	}
	cfg := trustConfig("doublewell(k=1)", host.SGLD, 0.02, []float64{-1}, "radius(0.6)", particles, 5)
	return tuned(name, cfg, f, -1, -1.6, -0.4, true)
}

// tuned sets the temperature and run length of a named 1-D case and returns it.
func tuned(name string, cfg host.Config, f fn1D, a, lo, hi float64, inside bool) (TrustCase, bool) {
	barrier := math.Inf(1)
	for _, t := range []float64{lo, hi} {
		if !math.IsInf(t, 0) {
			barrier = math.Min(barrier, peakBetween(f, a, t)-f.L(a))
		}
	}
	answer := func(c host.Config) (float64, error) {
		ref, err := exact1D(f, c, a, lo, hi, nil)
		return ref.Rate * c.LR, err
	}
	if !tuneNoise(&cfg, f, a, barrier, answer) {
		return TrustCase{}, false
	}
	q, _ := answer(cfg)
	cfg.Steps = runLength(q, cfg.LR, math.Max(f.d2L(a), 0.1))
	c := explicit1D(name, cfg, lo, hi, inside)
	return c, true
}

// flowND is the limit of gradient flow from x0 on a d-dimensional landscape: explicit Euler with
// steps of at most 1e-3 in length and 0.1/‖H‖_F in time, until ‖∇L‖ < 1e-9 (at most 10⁶ steps).
func flowND(expr string, x0 []float64) ([]float64, bool) {
	ls, err := landscape.Parse(expr, 0)
	if err != nil {
		return nil, false
	}
	ev := ls.Evaluator()
	d := len(x0)
	x := append([]float64(nil), x0...)
	g, h := make([]float64, d), make([]float64, d*d)
	for i := 0; i < 1_000_000; i++ {
		ev.Gradient(x, g)
		gn := math.Sqrt(dot(g, g))
		if gn < 1e-9 {
			return x, true
		}
		ev.Hessian(x, h)
		dt := math.Min(0.1/math.Max(math.Sqrt(dot(h, h)), 1e-9), 1e-3/gn)
		for k := range x {
			x[k] -= dt * g[k]
		}
	}
	return x, false
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// bruteForceReference answers kramers' default escape question by a long run on the CPU reference
// that counts arrival in the far basin instead: escape is entering a ball around the far minimum of
// any exit that kramers' analysis lists (radius 0.3 of the far minimum's distance to its saddle). A
// particle that crosses a saddle and recrosses before settling is not counted, which is what an
// exit surface should achieve (issue 20, item 3). Its own seed makes it independent of the run.
func bruteForceReference(p *host.Problem, _ host.BackendFactory) (trustReference, error) {
	var balls []string
	for i, ex := range p.Analysis.Exits {
		if ex.FarMinimum == nil {
			return trustReference{}, fmt.Errorf("exit %d has no far minimum", i+1)
		}
		r := 0.3 * math.Sqrt(distance2(ex.FarMinimum, ex.Saddle))
		balls = append(balls, fmt.Sprintf("(x-(%.9g))^2+(y-(%.9g))^2 < %.9g", ex.FarMinimum[0], ex.FarMinimum[1], r*r))
	}
	if len(balls) == 0 {
		return trustReference{}, fmt.Errorf("kramers' analysis lists no exits")
	}
	cfg := p.Config
	cfg.Escape, cfg.Seed, cfg.Backend = strings.Join(balls, " || "), cfg.Seed+1000, host.CPU
	q, err := host.Prepare(cfg)
	if err != nil {
		return trustReference{}, err
	}
	res, _, _, err := execute(q, OpenCPU)
	if err != nil {
		return trustReference{}, err
	}
	if e := res.Estimate; e.Resolved && e.Rate != nil {
		return trustReference{Rate: *e.Rate, Sigma: *e.Rate / math.Sqrt(float64(e.Escaped)), Source: fmt.Sprintf("brute force, arrival in the far basin (%d)", e.Escaped)}, nil
	}
	return trustReference{}, fmt.Errorf("brute-force run unresolved: %s", res.Estimate.Note)
}

func distance2(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return s
}

// bruteForceCase draws a ring (K(r² − 1)² with a random angular modulation up to the third
// harmonic, written with x/r, y/r as issue 20's row 3 is) or a bent valley (K(y − βx²)² plus a
// random 1-D wells profile along x) and poses kramers' default question, against brute force.
func bruteForceCase(r *rand.Rand, idx int, opt TrustOptions) (TrustCase, bool) {
	var expr string
	var start []float64
	family := "ring"
	if r.IntN(2) == 0 {
		k := round3(3 + 4*r.Float64())
		var terms []string
		for _, h := range []string{"x/sqrt(x^2+y^2)", "y/sqrt(x^2+y^2)", "(x^2-y^2)/(x^2+y^2)", "2*x*y/(x^2+y^2)",
			"(4*x^3-3*x*(x^2+y^2))/(x^2+y^2)^1.5", "(3*y*(x^2+y^2)-4*y^3)/(x^2+y^2)^1.5"} {
			terms = append(terms, fmt.Sprintf("%g*%s", round3(0.6*(r.Float64()-0.5)), h))
		}
		expr = fmt.Sprintf("%g*(x^2+y^2-1)^2 + %s", k, strings.Join(terms, " + "))
		phi := 2 * math.Pi * r.Float64()
		start = []float64{fmt4(math.Cos(phi)), fmt4(math.Sin(phi))}
	} else {
		family = "bent valley"
		w := randomWells(r)
		expr = fmt.Sprintf("%g*(y-%g*x^2)^2 + %s", round3(2+4*r.Float64()), round3(0.2+0.4*r.Float64()), w.expr("x"))
		x0 := -3 + 6*r.Float64()
		start = []float64{fmt4(x0), fmt4(0.3 * x0 * x0)}
	}
	flow, ok := flowND(expr, start)
	if !ok {
		return TrustCase{}, false
	}
	// A quarter of the ensemble: two 2-D runs of 40 000 iterations each (the case and its brute force).
	cfg := trustConfig(expr, host.SGLD, 0.01, start, "", max(opt.Particles/4, 512), 1+idx)
	p, err := host.Prepare(cfg)
	if err != nil || len(p.Analysis.Exits) == 0 {
		return TrustCase{}, false
	}
	// Size the run from kramers' own barrier and curvature (sizing only; the reference is brute
	// force): ΔL/T of 4–6, η·λ_max(H_a) of 0.02–0.1, and a run of 40 000 iterations.
	an := p.Analysis
	cfg.Temp = round3(an.DeltaL / (4 + 2*r.Float64()))
	lmax := an.HessianMinEigenvalues[len(an.HessianMinEigenvalues)-1]
	cfg.LR = round3((0.02 + 0.08*r.Float64()) / lmax)
	cfg.Steps = 40000
	return TrustCase{Name: fmt.Sprintf("b%03d %s", idx, family), Family: family, Config: cfg, FlowStart: flow, reference: bruteForceReference}, true
}
