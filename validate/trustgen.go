package validate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host"
)

// TrustOptions sizes the trust suite.
type TrustOptions struct {
	Seed uint64 // the generator's seed; the same seed gives the same cases
	// Wells1D, Rotated2D and BruteForce are the numbers of random cases of each family (1-D sums
	// of Gaussian wells, rotated separable 2-D landscapes, rings and bent valleys against brute
	// force).
	Wells1D, Rotated2D, BruteForce int
	Particles                      int  // ensemble of each run
	Quick                          bool // shorter named cases (the issue's rows at fewer particles)
}

// QuickTrust is the form that `make test` runs (validate/trust_test.go) and `kramers validate
// --trust --quick`; FullTrust is `kramers validate --trust`.
func QuickTrust() TrustOptions {
	return TrustOptions{Seed: 20, Wells1D: 6, Rotated2D: 2, BruteForce: 0, Particles: 2048, Quick: true}
}

// FullTrust is the full form: hundreds of cases.
func FullTrust() TrustOptions {
	return TrustOptions{Seed: 20, Wells1D: 200, Rotated2D: 60, BruteForce: 12, Particles: 8192}
}

// TrustCases generates the suite's cases: the named cases of issue 20 first, then the random ones.
func TrustCases(opt TrustOptions) []TrustCase {
	r := newTrustRand(opt.Seed)
	cases := issueCases(opt)
	for i := 0; len(cases) < len(issueCases(opt))+opt.Wells1D && i < 50*opt.Wells1D; i++ {
		if c, ok := wells1DCase(r, len(cases), opt); ok {
			cases = append(cases, c)
		}
	}
	n := len(cases)
	for i := 0; len(cases) < n+opt.Rotated2D && i < 50*opt.Rotated2D; i++ {
		if c, ok := rotated2DCase(r, len(cases), opt); ok {
			cases = append(cases, c)
		}
	}
	n = len(cases)
	for i := 0; len(cases) < n+opt.BruteForce && i < 50*opt.BruteForce; i++ {
		if c, ok := bruteForceCase(r, len(cases), opt); ok {
			cases = append(cases, c)
		}
	}
	return cases
}

// newTrustRand is the suite's one random stream: PCG from the seed and a fixed stream constant.
func newTrustRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x7275737473756974)) }

// round3 rounds to three significant digits, so that a landscape's expression, printed with %g,
// holds exactly the numbers that generated it.
func round3(v float64) float64 {
	x, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return x
}

// wells is L(t) = Σ_k −depth_k·exp(−(t − centre_k)²/spread_k) + quad·t² + offset: Gaussian wells
// (spread = 2·width²) in a confining quadratic.
type wells struct {
	depth, centre, spread []float64
	quad, offset          float64
}

// randomWells draws 2–4 wells over [−3.5, 3.5], one per slot of equal length so that they do not
// merge, with depths 0.4–2, widths 0.3–0.75 and a confining quadratic 0.01–0.06.
func randomWells(r *rand.Rand) wells {
	k := 2 + r.IntN(3)
	var w wells
	slot := 7.0 / float64(k)
	for i := 0; i < k; i++ {
		c := -3.5 + slot*(float64(i)+0.2+0.6*r.Float64())
		width := 0.3 + 0.45*r.Float64()
		w.centre = append(w.centre, round3(c))
		w.spread = append(w.spread, round3(2*width*width))
		w.depth = append(w.depth, round3(0.4+1.6*r.Float64()))
	}
	w.quad = round3(0.01 + 0.05*r.Float64())
	return w
}

// expr writes w in the variable v (an expression in x, y for the rotated landscapes).
func (w wells) expr(v string) string {
	var b strings.Builder
	for i := range w.depth {
		fmt.Fprintf(&b, "-%g*exp(-(%s-(%g))^2/%g) ", w.depth[i], v, w.centre[i], w.spread[i])
	}
	fmt.Fprintf(&b, "+ %g*%s^2", w.quad, v)
	if w.offset != 0 {
		fmt.Fprintf(&b, " + %g", w.offset)
	}
	return b.String()
}

// basin is a strict minimum of a 1-D loss with its neighbouring maxima (±Inf on a confining side).
type basin struct {
	a, left, right float64
}

// randomBasin picks a strict minimum (L” > 1e-2: the question is well-posed) by flowing from a
// random point of [−4, 4].
func randomBasin(r *rand.Rand, f fn1D) (basin, bool) {
	a, ok := flow1D(f, -4+8*r.Float64())
	if !ok || !(f.d2L(a) > 1e-2) {
		return basin{}, false
	}
	return basin{a: a, left: nearestMaximum(f, a, -1), right: nearestMaximum(f, a, 1)}, true
}

// randomStart is a point of the basin that flows to a: within 60% of the way to a maximum (at most
// 0.8 from a), checked by flowing from it.
func randomStart(r *rand.Rand, f fn1D, b basin) (float64, bool) {
	dir := 1.0
	edge := b.right
	if r.IntN(2) == 0 {
		dir, edge = -1, b.left
	}
	reach := math.Min(0.8, math.Abs(edge-b.a))
	x0, _ := strconv.ParseFloat(strconv.FormatFloat(b.a+dir*0.6*reach*r.Float64(), 'g', 4, 64), 64)
	a, ok := flow1D(f, x0)
	return x0, ok && math.Abs(a-b.a) < 1e-6
}

// randomThreshold picks a threshold on one side (dir ±1) of the basin: inside the well, between
// 35% and 85% of the way from a to the maximum (or 0.3–1 from a on a confining side), or beyond
// the barrier, 15–60% of the way from the maximum to the next minimum.
func randomThreshold(r *rand.Rand, f fn1D, b basin, dir float64) (t float64, inside bool) {
	edge := b.right
	if dir < 0 {
		edge = b.left
	}
	if math.IsInf(edge, 0) || r.IntN(2) == 0 {
		if math.IsInf(edge, 0) {
			return b.a + dir*(0.3+0.7*r.Float64()), true
		}
		return b.a + (0.35+0.5*r.Float64())*(edge-b.a), true
	}
	next, ok := flow1D(f, edge+dir*1e-3)
	if !ok {
		return b.a + (0.35+0.5*r.Float64())*(edge-b.a), true
	}
	return edge + (0.15+0.45*r.Float64())*(next-edge), false
}

// trustNoises are the noise models that apply in 1-D without data (docs/theory.md §1).
var trustNoises = []host.NoiseModel{host.SGLD, host.SGDHessian, host.SGDHessianMin, host.SGDLoss}

// Escape times the generators aim at, in iterations: long enough that the burn-in and the
// quasi-stationary estimate have room (docs/theory.md §3), short enough that a run of a few τ
// costs ~10⁷ particle-steps.
const (
	trustTauLow, trustTauAim, trustTauHigh = 150.0, 400.0, 1200.0
	// trustRunTaus is the run length in escape times: e^−5 of the ensemble survives.
	trustRunTaus = 5
)

// setNoiseLevel sets cfg's temperature or batch so that D(a) = T, the noise level in units of the
// loss: T = D(a) for sgld, B = η·h_a/(2T) for the Hessian models, B = η·L(a)·h_a/T for sgd-loss
// (docs/theory.md §1). The value is rounded to three digits so that the printed flags are exact.
func setNoiseLevel(cfg *host.Config, f fn1D, a, t float64) {
	switch cfg.Noise {
	case host.SGLD:
		cfg.Temp = round3(t)
	case host.SGDHessian, host.SGDHessianMin:
		cfg.Batch = round3(cfg.LR * f.d2L(a) / (2 * t))
	case host.SGDLoss:
		cfg.Batch = round3(cfg.LR * f.L(a) * f.d2L(a) / t)
	}
}

// tuneNoise finds a noise level at which the question's exact escape time lies in
// [trustTauLow, trustTauHigh] iterations. log τ is close to linear in 1/T (Arrhenius), so a secant
// in 1/T through the last two solves, from a first guess at barrier/4, needs a few exact solves;
// a solve that fails or underflows (far too cold) raises T by half. answer solves the question at
// cfg's noise level and returns the escape probability per iteration.
func tuneNoise(cfg *host.Config, f fn1D, a, barrier float64, answer func(host.Config) (float64, error)) bool {
	var ts, ys []float64 // 1/T and log τ of the solves that gave a value
	t := barrier / 4
	for k := 0; k < 8; k++ {
		setNoiseLevel(cfg, f, a, t)
		q, err := answer(*cfg)
		if err != nil || !(q > 0) {
			t *= 1.5
			continue
		}
		y := -math.Log(q)
		if y >= math.Log(trustTauLow) && y <= math.Log(trustTauHigh) {
			return true
		}
		ts, ys = append(ts, 1/t), append(ys, y)
		next := t * 1.5
		if y < math.Log(trustTauAim) {
			next = t / 1.5
		}
		if n := len(ts); n >= 2 && ys[n-1] != ys[n-2] {
			slope := (ys[n-1] - ys[n-2]) / (ts[n-1] - ts[n-2])
			if inv := ts[n-1] + (math.Log(trustTauAim)-y)/slope; slope > 0 && inv > 0 {
				next = math.Min(math.Max(1/inv, t/4), 4*t)
			}
		}
		t = next
	}
	return false
}

// maxCurvature is max |L”| over [lo, hi] (201 points): the step-size scale η·λ_max.
func maxCurvature(f fn1D, lo, hi float64) float64 {
	m := 0.0
	for i := 0; i <= 200; i++ {
		m = math.Max(m, math.Abs(f.d2L(lo+(hi-lo)*float64(i)/200)))
	}
	return m
}

// runLength is the number of iterations of a case: trustRunTaus escape times plus 20 relaxation
// times 1/(η·h_a) of the well, rounded up to a hundred.
func runLength(q, eta, ha float64) int {
	s := trustRunTaus/q + 20/(eta*ha)
	return int(math.Ceil(s/100) * 100)
}

func trustConfig(expr string, noise host.NoiseModel, eta float64, start []float64, escape string, particles, seed int) host.Config {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Start, cfg.Escape = expr, noise, eta, start, escape
	cfg.Particles, cfg.Seed = particles, uint64(seed)
	return cfg
}

// lossOffset makes L positive everywhere the runs go (sgd-loss needs L(a) > 0, docs/theory.md §1):
// 0.1–0.6 above the lowest value on ±flowReach.
func lossOffset(r *rand.Rand, f fn1D) float64 {
	low := math.Inf(1)
	for i := 0; i <= 4800; i++ {
		low = math.Min(low, f.L(-flowReach+2*flowReach*float64(i)/4800))
	}
	return round3(-low + 0.1 + 0.5*r.Float64())
}

// fmt4 rounds to four significant digits, for thresholds and starts that print exactly.
func fmt4(v float64) float64 {
	x, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	return x
}

// wells1DCase draws one 1-D case: random wells, basin, start, thresholds and noise model, with η
// and the noise level chosen for a resolvable escape time. ok is false for a draw that gives no
// well-posed question (the caller draws again).
func wells1DCase(r *rand.Rand, idx int, opt TrustOptions) (TrustCase, bool) {
	w := randomWells(r)
	noise := trustNoises[r.IntN(len(trustNoises))]
	f, err := newFn1D(w.expr("x"))
	if err != nil {
		return TrustCase{}, false
	}
	if noise == host.SGDLoss {
		w.offset = lossOffset(r, f)
		if f, err = newFn1D(w.expr("x")); err != nil {
			return TrustCase{}, false
		}
	}
	b, ok := randomBasin(r, f)
	if !ok {
		return TrustCase{}, false
	}
	x0, ok := randomStart(r, f, b)
	if !ok {
		return TrustCase{}, false
	}
	lo, hi, inside, escape := randomQuestion(r, f, b, noise == host.SGDLoss || noise == host.SGDHessian)
	barrier := math.Inf(1)
	for _, t := range []float64{lo, hi} {
		if !math.IsInf(t, 0) {
			barrier = math.Min(barrier, peakBetween(f, b.a, t)-f.L(b.a))
		}
	}
	eta := round3((0.03 + 0.22*r.Float64()) / maxCurvature(f, math.Max(lo, b.a-3), math.Min(hi, b.a+3)))
	cfg := trustConfig(w.expr("x"), noise, eta, []float64{x0}, escape, opt.Particles, 1+idx)
	answer := func(c host.Config) (float64, error) {
		ref, err := exact1D(f, c, b.a, lo, hi, nil)
		return ref.Rate * c.LR, err
	}
	if !(barrier > 0) || !tuneNoise(&cfg, f, b.a, barrier, answer) {
		return TrustCase{}, false
	}
	ref, err := exact1D(f, cfg, b.a, lo, hi, nil)
	if err != nil || !metastable(f, cfg, b, lo, hi) {
		return TrustCase{}, false
	}
	cfg.Steps = runLength(ref.Rate*cfg.LR, cfg.LR, f.d2L(b.a))
	return TrustCase{Name: fmt.Sprintf("w%03d %s %s", idx, noise, escape), Family: "1-D wells", Config: cfg, FlowStart: []float64{b.a}, InsideWell: inside,
		reference: func(*host.Problem, host.BackendFactory) (trustReference, error) { return ref, nil }}, true
}

// randomQuestion draws a one-sided (right or left) or two-sided question around the basin. Under
// sgd-loss and sgd-hessian it is always two-sided: the reflecting wall of a one-sided exact chain
// is placed where the potential Φ = ∫L'/D has risen by 50, and Φ grows only like ln L under
// sgd-loss (docs/theory.md §4.3; host/predict.go places that wall by hand), while under sgd-hessian
// D vanishes at every inflection point on the way; theory.DiscreteChain1D then took 15–45 s per
// solve and its values were not monotone in B (see docs/trust.md).
func randomQuestion(r *rand.Rand, f fn1D, b basin, twoSided bool) (lo, hi float64, inside bool, escape string) {
	lo, hi = math.Inf(-1), math.Inf(1)
	kind := r.IntN(3)
	if twoSided {
		kind = 2
	}
	if kind != 1 {
		t, in := randomThreshold(r, f, b, 1)
		hi, inside = fmt4(t), in
	}
	if kind != 0 {
		t, in := randomThreshold(r, f, b, -1)
		lo, inside = fmt4(t), inside || in
	}
	switch kind {
	case 0:
		escape = fmt.Sprintf("x > %g", hi)
	case 1:
		escape = fmt.Sprintf("x < %g", lo)
	default:
		escape = fmt.Sprintf("x < %g || x > %g", lo, hi)
	}
	return lo, hi, inside, escape
}

// peakBetween is the largest L on the segment from a to t (the barrier of the question on that side).
func peakBetween(f fn1D, a, t float64) float64 {
	m := math.Inf(-1)
	for i := 0; i <= 400; i++ {
		m = math.Max(m, f.L(a+(t-a)*float64(i)/400))
	}
	return m
}

// trustMinBarrier is the smallest barrier, in units of the noise level D(a), that a generated
// question may have on any side: the question's own barrier toward each threshold, and the barrier
// to the neighbouring well on an open side. Below it the basin is no metastable state and the
// quasi-stationary rate describes the ensemble only after it has spread over the whole landscape
// (measured: ΔL/D(a) = 0.44 and 1.4 gave quasi-stationary rates 2.4× and 6.9× below the hazard of
// the first thousand iterations; see docs/trust.md). A few noise units, as issue 20 asks.
const trustMinBarrier = 2.5

// metastable reports whether every barrier of the question is at least trustMinBarrier noise units.
func metastable(f fn1D, cfg host.Config, b basin, lo, hi float64) bool {
	D, err := diffusion1D(f, cfg, b.a)
	if err != nil {
		return false
	}
	level := D(b.a)
	for _, side := range [][2]float64{{lo, b.left}, {hi, b.right}} {
		t, edge := side[0], side[1]
		switch {
		case !math.IsInf(t, 0):
			if peakBetween(f, b.a, t)-f.L(b.a) < trustMinBarrier*level {
				return false
			}
		case !math.IsInf(edge, 0):
			if f.L(edge)-f.L(b.a) < trustMinBarrier*level {
				return false
			}
		}
	}
	return true
}
