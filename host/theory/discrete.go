package theory

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"
)

// ChainOptions controls DiscreteChain1D. The zero value selects the defaults
// documented on each field.
type ChainOptions struct {
	// Breaks are points where L' or D, or one of their derivatives, jumps
	// (for pwq: the junction c). The grid has a double node at each break,
	// one for each one-sided limit, so that the jump of T there (docs/theory.md
	// §3: T jumps in discrete time where D or L” jumps) is represented.
	Breaks []float64
	// NodesPerWidth sets the coarsest grid: its local spacing is the local
	// noise width s(θ) = sqrt(2ηD(θ)) divided by NodesPerWidth (default 4).
	// The finer grids halve every interval.
	NodesPerWidth float64
	// MaxNodes bounds the finest grid (default 20000). When even three
	// grids (h, h/2, h/4) would not fit, the coarsest grid is made coarser.
	MaxNodes int
	// Tol is the target relative accuracy of the extrapolated results, both
	// MeanIterations and QSDEscapeProbability (default 1e-4).
	Tol float64
	// WallUnits is passed to ReflectingBoundary when left is NaN
	// (default 50, as for MeanFirstPassage1D).
	WallUnits float64
}

func (o ChainOptions) withDefaults() ChainOptions {
	if !(o.NodesPerWidth > 0) {
		o.NodesPerWidth = 4
	}
	if o.MaxNodes <= 0 {
		o.MaxNodes = 20000
	}
	if !(o.Tol > 0) {
		o.Tol = 1e-4
	}
	if !(o.WallUnits > 0) {
		o.WallUnits = 50
	}
	return o
}

// ChainResult is the exact discrete-time escape of DiscreteChain1D. Times are
// in iterations, not in continuous time: multiply by η to compare with
// MeanFirstPassage1D.
type ChainResult struct {
	// MeanIterations is T(θ0), the mean number of iterations until the
	// chain is absorbed, started at θ0; an escape at iteration n counts n.
	MeanIterations float64
	// QSDEscapeProbability is 1 − λ_max, the probability per iteration of
	// escaping from the quasi-stationary distribution of the well (λ_max is
	// the Perron eigenvalue of the sub-stochastic kernel, docs/theory.md §3).
	QSDEscapeProbability float64
	// RelErr and QSDRelErr are the estimated relative errors of
	// MeanIterations and QSDEscapeProbability: the difference between the
	// last two entries of the Romberg extrapolation in the grid spacing h.
	RelErr, QSDRelErr float64
	// Nodes is the number of grid nodes of the finest grid solved.
	Nodes int
	// Left is the wall used (chosen by ReflectingBoundary when NaN was
	// passed), or the left absorbing threshold of DiscreteChain1DTwoSided.
	Left float64
	// ShareRight is the share of the quasi-stationary escapes that leave
	// through the right threshold, Σπ_i·aR_i / Σπ_i·(aR_i + aL_i) with π the
	// quasi-stationary distribution (docs/theory.md §3, two absorbing
	// thresholds): exit i's competing-risks rate is the total rate times its
	// share. It is 1 when the left side is a reflecting wall. ShareRelErr is
	// the larger Romberg error estimate of the two sides' escape
	// probabilities.
	ShareRight, ShareRelErr float64
}

// Kernel truncation and the degenerate limit.
const (
	// chainWindow is the half-width, in noise widths s, of the part of a
	// row's Gaussian that is spread over the grid. The two tails beyond it
	// (each Φ(−9) ≈ 1.1e−19 of the mass) are lumped onto the first and
	// last node of the window, so no probability is lost.
	chainWindow = 9.0
	// chainPointMass: a noise width below this fraction of the interval
	// length is treated as zero (the step is a point mass at m).
	chainPointMass = 1e-12
	// chainMaxBand bounds the band storage, nodes × bandwidth.
	chainMaxBand = 10_000_000
)

// DiscreteChain1D is the exact mean escape time, in iterations, of the
// discrete chain that the simulator runs in 1-D (docs/theory.md §3, "The exact
// discrete-time value"):
//
//	θ' = max(m(θ) + s(θ)·z, left),  z ~ N(0, 1),
//	m(θ) = θ − η·L'(θ),  s(θ) = sqrt(2η·D(θ)),
//
// absorbed at the first iteration with θ' > thetaE. D may vanish at isolated
// points; there the step is the degenerate limit s → 0, a point mass at m(θ).
// Mass landing left of the wall is put on the wall (the max above), so the
// wall conserves probability exactly; it is placed far enough left to be
// irrelevant. When left is NaN it is chosen by ReflectingBoundary with
// opt.WallUnits (which needs D > 0 where it walks). The arguments dL and D
// are those of MeanFirstPassage1D, which the chain approaches as η → 0:
// η·MeanIterations → τ with a bias that is O(η) for smooth L' and D
// (docs/theory.md §4.3), but has an O(√η) part where D jumps (pwq with
// sgd-hessian noise) and where θe is crossed between iterations at a point
// not far below the barrier (the chain overshoots a level by O(s)).
//
// The mean number of iterations T(θ) until absorption solves the Fredholm
// equation of the second kind
//
//	T(θ) = 1 + ∫_{left}^{θe} K(θ, y) T(y) dy + P(θ' ≤ left | θ)·T(left),
//
// with K the Gaussian transition density. It is solved by collocation with
// piecewise-linear elements (Atkinson, The Numerical Solution of Integral
// Equations of the Second Kind, Cambridge 1997, ch. 3): T is the hat-function
// interpolant of its values at grid nodes left = x_0 < … < x_n = θe, the
// equation is imposed at the nodes, and the Gaussian is integrated exactly
// against each hat function in closed form (normal CDF and density). Every
// row of the discrete kernel therefore holds exactly the probability of
// staying, and the escape probability per row is the Gaussian tail
// P(θ' > θe), computed with math.Erfc without cancellation; docs/theory.md §3
// explains why a plain quadrature (which loses ~1e−4 per step near a grid
// edge) cannot resolve small escape rates. T(θ0) is the Nyström interpolant
// 1 + Σ_j w_j(θ0)·T_j (Atkinson §4.1), with the exact weights w_j of a row
// at θ0.
//
// The grid spacing follows the noise: the coarsest grid has local spacing
// s(θ)/opt.NodesPerWidth (with a floor of 1/64 of the median width where s
// vanishes, and at least 64 intervals over [left, θe]), and a double node at
// each of opt.Breaks. The finer grids halve every interval. The
// hat-function kernel is the chain followed by a random rounding to the two
// neighbouring nodes, which keeps the mean and adds a variance of about h²/6
// per step, like a slightly higher temperature: the grid error enters the
// exponent of T. Romberg extrapolation (Richardson in h², then h⁴) is
// therefore applied to log T and log(1 − λ_max) on the grids h, h/2, h/4, …
// and continued until the last two entries agree to opt.Tol, or until the
// next grid would exceed opt.MaxNodes or the band storage limit.
//
// I − K is a banded, row diagonally dominant M-matrix (K ≥ 0, row sums ≤ 1),
// so Gaussian elimination without pivoting is stable (Golub & Van Loan,
// Matrix Computations, 4th ed. 2013, §4.1.1 and §4.3 for band elimination).
// The elimination never forms the diagonal 1 − K_ii, which cancels when the
// escape probability is small: it carries the off-diagonal entries and the
// row sums (the escape probabilities) and recovers each pivot as their sum,
// the GTH algorithm of Grassmann, Taksar & Heyman (Operations Research 33,
// 1107–1116, 1985). Every step adds numbers of one sign, so T and the factors
// have small relative errors however small the escape probability is (Alfa,
// Xue & Ye, Math. Comp. 71, 217–236, 2002).
//
// The quasi-stationary escape probability 1 − λ_max is the reciprocal of the
// Perron eigenvalue of (I − K)⁻¹ ≥ 0, found by inverse iteration with the
// same factors (Alfa, Xue & Ye 2002); it converges fast when the well is
// metastable, since the next eigenvalue of (I − K)⁻¹ is then much smaller.
//
// A result that misses opt.Tol is returned with its RelErr and an error
// wrapping ErrNotConverged.
func DiscreteChain1D(dL, D Func1D, eta, theta0, thetaE, left float64, opt ChainOptions) (ChainResult, error) {
	opt = opt.withDefaults()
	res := ChainResult{MeanIterations: math.NaN(), QSDEscapeProbability: math.NaN(), RelErr: math.NaN(), QSDRelErr: math.NaN(), Left: left}
	if !(eta > 0) || math.IsInf(eta, 0) {
		return res, fmt.Errorf("discrete chain: learning rate η = %g must be positive and finite", eta)
	}
	if math.IsNaN(theta0) || math.IsInf(theta0, 0) || math.IsNaN(thetaE) || math.IsInf(thetaE, 0) {
		return res, fmt.Errorf("discrete chain: start %g and absorbing point %g must be finite", theta0, thetaE)
	}
	if !(thetaE > theta0) {
		return res, fmt.Errorf("discrete chain: absorbing point %g must lie right of the start %g", thetaE, theta0)
	}
	if math.IsNaN(left) {
		var err error
		left, err = ReflectingBoundary(dL, D, theta0, thetaE, QuadOptions{WallUnits: opt.WallUnits})
		if err != nil {
			return res, fmt.Errorf("discrete chain: %w", err)
		}
		res.Left = left
	}
	if !(left < theta0) || math.IsInf(left, 0) {
		return res, fmt.Errorf("discrete chain: wall %g must be finite and left of the start %g", left, theta0)
	}

	c := &chain{dL: dL, D: D, eta: eta, left: left, thetaE: thetaE, theta0: theta0}
	return c.solve(opt, res)
}

// DiscreteChain1DTwoSided is DiscreteChain1D with two absorbing thresholds
// and no wall (docs/theory.md §3, "Two absorbing thresholds"): the chain
//
//	θ' = m(θ) + s(θ)·z
//
// is absorbed at the first iteration with θ' < thetaL or θ' > thetaR. It is
// the exact value of a 1-D escape set that holds on both sides of the start
// (a basin with an exit on each side, radius(r), |θ| > r), where every exit
// absorbs. The grid spans [thetaL, thetaR]; a row's mass left of thetaL is its
// left escape probability, the lower Gaussian tail computed by math.Erfc as
// the right one is, so the GTH elimination again adds numbers of one sign.
// Besides the total p_qs = 1 − λ_max the result gives ShareRight, the split of
// the quasi-stationary escapes between the two sides, from the left Perron
// vector of the same factors (competing risks: the right exit's rate is
// ShareRight·p_qs/η).
func DiscreteChain1DTwoSided(dL, D Func1D, eta, theta0, thetaL, thetaR float64, opt ChainOptions) (ChainResult, error) {
	opt = opt.withDefaults()
	res := ChainResult{MeanIterations: math.NaN(), QSDEscapeProbability: math.NaN(), RelErr: math.NaN(), QSDRelErr: math.NaN(),
		Left: thetaL, ShareRight: math.NaN(), ShareRelErr: math.NaN()}
	if !(eta > 0) || math.IsInf(eta, 0) {
		return res, fmt.Errorf("discrete chain: learning rate η = %g must be positive and finite", eta)
	}
	for _, v := range []float64{theta0, thetaL, thetaR} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return res, fmt.Errorf("discrete chain: start %g and absorbing thresholds %g, %g must be finite", theta0, thetaL, thetaR)
		}
	}
	if !(thetaL < theta0 && theta0 < thetaR) {
		return res, fmt.Errorf("discrete chain: the start %g must lie between the absorbing thresholds %g and %g", theta0, thetaL, thetaR)
	}
	c := &chain{dL: dL, D: D, eta: eta, left: thetaL, thetaE: thetaR, theta0: theta0, absorbLeft: true}
	return c.solve(opt, res)
}

// solve runs the grids h, h/2, h/4, … of DiscreteChain1D and Romberg-extrapolates
// their results until they agree to opt.Tol.
func (c *chain) solve(opt ChainOptions, res ChainResult) (ChainResult, error) {
	if err := c.baseGrid(opt); err != nil {
		return res, err
	}
	var logT, logQ, logQR, logQL []float64
	storage := 0
	for k := 0; ; k++ {
		if k >= 2 && (c.levelNodes(k) > opt.MaxNodes || 4*storage > chainMaxBand) {
			break
		}
		lv, err := c.solveLevel(k)
		if err != nil {
			if k >= 2 {
				break
			}
			return res, err
		}
		logT, logQ = append(logT, math.Log(lv.t0)), append(logQ, math.Log(lv.qsd))
		logQR, logQL = append(logQR, math.Log(lv.qsd*lv.shareRight)), append(logQL, math.Log(lv.qsd*(1-lv.shareRight)))
		res.Nodes, storage = lv.nodes, lv.storage
		if len(logT) < 2 {
			continue
		}
		res.MeanIterations, res.RelErr = romberg(logT)
		res.QSDEscapeProbability, res.QSDRelErr = romberg(logQ)
		res.QSDRelErr = math.Max(res.QSDRelErr, lv.qsdChange)
		res.ShareRight, res.ShareRelErr = c.extrapolateShare(logQR, logQL, lv.shareRight)
		if len(logT) >= 3 && res.RelErr <= opt.Tol && res.QSDRelErr <= opt.Tol && !(res.ShareRelErr > opt.Tol) {
			return res, nil
		}
	}
	return res, fmt.Errorf("discrete chain with %d nodes: relative error estimate %.2g > %.2g: %w", res.Nodes, math.Max(math.Max(res.RelErr, res.QSDRelErr), res.ShareRelErr), opt.Tol, ErrNotConverged)
}

// extrapolateShare is ShareRight from the logarithms of the two sides' escape
// probabilities on the grids so far, each Romberg-extrapolated like p_qs. A
// reflecting wall has share 1; a side whose probability underflows to 0 on
// some grid keeps the finest grid's share (last), with no error estimate
// beyond 0 (the other side then carries everything).
func (c *chain) extrapolateShare(logQR, logQL []float64, last float64) (share, relErr float64) {
	if !c.absorbLeft {
		return 1, 0
	}
	for i := range logQR {
		if math.IsInf(logQR[i], -1) || math.IsInf(logQL[i], -1) {
			return last, 0
		}
	}
	qr, er := romberg(logQR)
	ql, el := romberg(logQL)
	return qr / (qr + ql), math.Max(er, el)
}

// romberg extrapolates the logarithms v of a value on grids h, h/2, h/4, …
// to h → 0 (Romberg's table: R_{k,1} = (4v_k − v_{k−1})/3 removes the h²
// term, R_{k,2} = (16R_{k,1} − R_{k−1,1})/15 the h⁴ term) and returns the
// value of the last diagonal entry with the relative difference to the entry
// before it, the usual Romberg error estimate (it estimates the error of the
// less accurate entry, so it is conservative).
func romberg(v []float64) (value, relErr float64) {
	r1 := func(k int) float64 { return (4*v[k] - v[k-1]) / 3 }
	k := len(v) - 1
	last, prev := r1(k), v[k]
	if k >= 2 {
		last, prev = (16*r1(k)-r1(k-1))/15, r1(k)
	}
	return math.Exp(last), math.Abs(math.Expm1(last - prev))
}

// chain holds the problem and the coarsest grid of DiscreteChain1D.
type chain struct {
	dL, D                     Func1D
	eta, left, thetaE, theta0 float64
	// absorbLeft: a step to θ' < left is absorbed (DiscreteChain1DTwoSided)
	// rather than put on the wall.
	absorbLeft bool
	// x are the coarsest grid's nodes, side says which one-sided limit of
	// m and s a node takes: −1 left of a break, +1 right of it, 0 plain.
	x    []float64
	side []int8
	// steps caches step's results at the grid nodes: each level's grid holds the previous
	// level's nodes (it halves their spacings), so without it a solve of three levels would
	// evaluate L' and D at 7 of every 4 distinct nodes. On data, D is a sum over every row.
	steps map[nodeSide]meanWidth
}

// nodeSide is a grid node and the side of it on which step evaluates (chain.side).
type nodeSide struct {
	theta float64
	side  int8
}

// meanWidth is the mean and noise width of one step (chain.step).
type meanWidth struct{ m, s float64 }

// nodeStep is step at a grid node, computed once per node and side.
func (c *chain) nodeStep(theta float64, side int8) (m, s float64, err error) {
	key := nodeSide{theta, side}
	if v, ok := c.steps[key]; ok {
		return v.m, v.s, nil
	}
	m, s, err = c.step(theta, side)
	if err == nil {
		if c.steps == nil {
			c.steps = map[nodeSide]meanWidth{}
		}
		c.steps[key] = meanWidth{m, s}
	}
	return m, s, err
}

// step returns the mean and noise width of one step from θ, evaluating L'
// and D on the given side of θ.
func (c *chain) step(theta float64, side int8) (m, s float64, err error) {
	xe := theta
	switch side {
	case -1:
		xe = math.Nextafter(theta, math.Inf(-1))
	case 1:
		xe = math.Nextafter(theta, math.Inf(1))
	}
	d := c.D(xe)
	m = theta - c.eta*c.dL(xe)
	if !(d >= 0) || math.IsInf(d, 0) || math.IsNaN(m) || math.IsInf(m, 0) {
		return m, math.NaN(), fmt.Errorf("discrete chain: at θ = %g the step has mean %g and D = %g; need a finite mean and a finite D ≥ 0", theta, m, d)
	}
	return m, math.Sqrt(2 * c.eta * d), nil
}

// baseGrid builds the coarsest grid: in each segment between the wall, the
// breaks and θe the nodes are placed with local spacing
// min(max(s, sFloor)/N, span/64), the spacing being the smallest at the
// step's start, middle and end; the steps are then scaled to end exactly at
// the segment end. N is reduced when three grids would exceed opt.MaxNodes.
func (c *chain) baseGrid(opt ChainOptions) error {
	span := c.thetaE - c.left
	edges := segmentEdges(c.left, c.left, c.thetaE, opt.Breaks)

	// sFloor: 1/64 of the median noise width over [left, θe].
	const samples = 1024
	ws := make([]float64, 0, samples)
	for i := 0; i < samples; i++ {
		_, s, err := c.step(c.left+span*(float64(i)+0.5)/samples, 0)
		if err != nil {
			return err
		}
		ws = append(ws, s)
	}
	sort.Float64s(ws)
	med := ws[samples/2]
	if !(med > 0) {
		return fmt.Errorf("discrete chain: the noise width vanishes on most of [%g, %g]", c.left, c.thetaE)
	}
	sFloor, hMax := med/64, span/64
	var serr error
	width := func(x float64) float64 {
		_, s, err := c.step(x, 0)
		if err != nil && serr == nil {
			serr = err
		}
		return math.Max(s, sFloor)
	}

	n := opt.NodesPerWidth
	for try := 0; try < 20; try++ {
		c.x, c.side = c.x[:0], c.side[:0]
		for e := 0; e+1 < len(edges); e++ {
			a, b := edges[e], edges[e+1]
			inside := func(x float64) float64 { // keep evaluations inside (a, b)
				d := 1e-9 * (b - a)
				return math.Min(math.Max(x, a+d), b-d)
			}
			var cum []float64
			x, total := a, 0.0
			for x < b && len(c.x)+len(cum) <= opt.MaxNodes {
				h := math.Min(width(inside(x))/n, hMax)
				h = math.Min(h, math.Min(width(inside(x+h/2)), width(inside(x+h)))/n)
				x += h
				total += h
				cum = append(cum, total)
			}
			if serr != nil {
				return serr
			}
			if len(cum) < 2 {
				cum = []float64{1, 2}
				total = 2
			}
			sd := int8(0)
			if e > 0 {
				sd = 1
			}
			c.x, c.side = append(c.x, a), append(c.side, sd)
			for _, u := range cum[:len(cum)-1] {
				c.x, c.side = append(c.x, a+(b-a)*u/total), append(c.side, 0)
			}
			sd = 0
			if e+2 < len(edges) {
				sd = -1
			}
			c.x, c.side = append(c.x, b), append(c.side, sd)
		}
		if c.levelNodes(2) <= opt.MaxNodes {
			return nil
		}
		n *= 0.9 * float64(opt.MaxNodes) / float64(c.levelNodes(2))
	}
	return fmt.Errorf("discrete chain: cannot fit three grids in MaxNodes = %d", opt.MaxNodes)
}

// levelNodes is the number of nodes after k halvings of the coarsest grid.
func (c *chain) levelNodes(k int) int {
	n := len(c.x)
	for i := 0; i+1 < len(c.x); i++ {
		if c.x[i+1] > c.x[i] {
			n += 1<<k - 1
		}
	}
	return n
}

// level returns the grid after k halvings of every interval of positive
// length.
func (c *chain) level(k int) (x []float64, side []int8) {
	x, side = make([]float64, 0, c.levelNodes(k)), make([]int8, 0, c.levelNodes(k))
	for i := range c.x {
		x, side = append(x, c.x[i]), append(side, c.side[i])
		if i+1 == len(c.x) || !(c.x[i+1] > c.x[i]) {
			continue
		}
		p := 1 << k
		for j := 1; j < p; j++ {
			x, side = append(x, c.x[i]+(c.x[i+1]-c.x[i])*float64(j)/float64(p)), append(side, 0)
		}
	}
	return x, side
}

// levelResult is what one grid of solveLevel gives: T(θ0), the
// quasi-stationary escape probability with the last relative change of its
// inverse iteration, the share of it through the right threshold, the number
// of nodes and the size of the band storage (for the cost of the next level).
type levelResult struct {
	t0, qsd, qsdChange, shareRight float64
	nodes, storage                 int
}

// solveLevel solves the chain on the grid of level k.
func (c *chain) solveLevel(k int) (levelResult, error) {
	x, side := c.level(k)
	g := chainGrid{x: x, thetaE: c.thetaE, absorbLeft: c.absorbLeft}
	n := len(x)
	lv := levelResult{t0: math.NaN(), qsd: math.NaN(), qsdChange: math.NaN(), shareRight: math.NaN(), nodes: n}
	ms := make([]float64, 2*n)
	lo, hi := make([]int, n), make([]int, n)
	p, q := 0, 0
	for i := range x {
		m, s, err := c.nodeStep(x[i], side[i])
		if err != nil {
			return lv, err
		}
		ms[2*i], ms[2*i+1] = m, s
		lo[i], hi[i] = g.window(m, s)
		if hi[i] < lo[i] { // absorbed with certainty
			lo[i], hi[i] = i, i
		}
		p, q = max(p, i-lo[i]), max(q, hi[i]-i)
	}
	if n*(p+q+1) > chainMaxBand {
		return lv, fmt.Errorf("discrete chain: band of %d×%d is too large: the noise width varies too much over [%g, %g] (or MaxNodes is too large)", n, p+q+1, c.left, c.thetaE)
	}
	b := newChainBand(n, p, q)
	// The rows' escape probabilities, kept for the share (factor overwrites b.d).
	aRight, aTotal := make([]float64, n), make([]float64, n)
	w := make([]float64, 0, p+q+1)
	for i := 0; i < n; i++ {
		var l int
		var aL float64
		l, _, aRight[i], aL, w = g.row(ms[2*i], ms[2*i+1], w)
		aTotal[i] = aRight[i] + aL // two positive tails
		b.d[i] = aTotal[i]
		for j, v := range w {
			if l+j != i {
				b.set(i, l+j, v)
			}
		}
	}
	if err := b.factor(); err != nil {
		return lv, err
	}
	T := make([]float64, n)
	for i := range T {
		T[i] = 1
	}
	b.solve(T)

	m0, s0, err := c.step(c.theta0, 0)
	if err != nil {
		return lv, err
	}
	l0, _, _, _, w := g.row(m0, s0, w)
	lv.t0 = 1
	for j, v := range w {
		lv.t0 += v * T[l0+j]
	}
	lv.qsd, lv.qsdChange = b.qsd(T)
	lv.shareRight = 1
	if c.absorbLeft {
		pi := b.qsdLeft(T)
		lv.shareRight = floats.Dot(pi, aRight) / floats.Dot(pi, aTotal)
	}
	lv.storage = len(b.a)
	return lv, nil
}

// chainGrid is a grid x_0 = left ≤ … ≤ x_{n−1} = θe (equal neighbours form
// a double node) on which rows of the kernel are integrated.
type chainGrid struct {
	x      []float64
	thetaE float64
	// absorbLeft: mass left of x_0 escapes (two absorbing thresholds)
	// instead of being put on the wall node x_0.
	absorbLeft bool
}

// window returns the nodes lo ≤ hi over which a step (m, s) is spread: lo is
// the last node at or left of m − 9s (or 0), hi the first at or right of
// m + 9s (or the last). For a point mass (s ≈ 0) they bracket m. hi < lo
// when a point mass lands right of θe.
func (g chainGrid) window(m, s float64) (lo, hi int) {
	n := len(g.x)
	if g.pointMass(s) {
		switch {
		case m > g.thetaE, g.absorbLeft && m < g.x[0]:
			return 0, -1
		case m <= g.x[0]:
			return 0, 0
		}
		i := sort.SearchFloat64s(g.x, m) // x[i−1] < m ≤ x[i]
		return i - 1, i
	}
	v := m - chainWindow*s
	lo = sort.SearchFloat64s(g.x, v) // first x ≥ v
	if lo == n || g.x[lo] > v {
		lo--
	}
	lo = min(max(lo, 0), n-1)
	hi = min(sort.SearchFloat64s(g.x, m+chainWindow*s), n-1)
	return lo, max(hi, lo)
}

func (g chainGrid) pointMass(s float64) bool {
	return !(s > chainPointMass*(g.x[len(g.x)-1]-g.x[0]))
}

// row returns the weights w[j−lo], j = lo … hi, of one step from (m, s) on
// the nodes of the grid, and the escape probabilities aRight = P(θ' > θe) and
// aLeft = P(θ' < x_0) (0 unless the left is absorbing), so that
// Σw + aRight + aLeft = 1 up to rounding. Weight j is ∫ φ_{m,s}(y)·hat_j(y) dy,
// integrated exactly; the mass left of x_lo (the wall, or the tail beyond 9s)
// goes to node lo and the mass in (x_hi, θe] to node hi. w is reused as
// storage.
func (g chainGrid) row(m, s float64, w []float64) (lo, hi int, aRight, aLeft float64, _ []float64) {
	lo, hi = g.window(m, s)
	w = w[:0]
	if g.pointMass(s) {
		switch {
		case hi < lo && m > g.thetaE:
			return lo, hi, 1, 0, w
		case hi < lo:
			return lo, hi, 0, 1, w
		case lo == hi:
			return lo, hi, 0, 0, append(w, 1)
		}
		h := g.x[hi] - g.x[lo]
		return lo, hi, 0, 0, append(w, (g.x[hi]-m)/h, (m-g.x[lo])/h)
	}
	ze := (g.thetaE - m) / s
	aRight = upperTail(ze)
	// Per node: z, the density φ(z) and the tail on z's side of the mean.
	z := func(j int) float64 { return (g.x[j] - m) / s }
	zj := z(lo)
	pj, tj := stdNormalPDF(zj), tail(zj)
	// Node lo takes everything left of it, P(Y < x_lo), unless that is the
	// absorbing left threshold: then it is the left escape probability.
	cur := lowerTail(zj)
	if g.absorbLeft && lo == 0 {
		aLeft, cur = cur, 0
	}
	for j := lo; j < hi; j++ {
		zk := z(j + 1)
		pk, tk := stdNormalPDF(zk), tail(zk)
		if dx := g.x[j+1] - g.x[j]; dx > 0 {
			delta := dx / s
			// i0 = P(x_j < Y < x_{j+1}) without cancellation.
			var i0 float64
			switch {
			case zk <= 0:
				i0 = tk - tj
			case zj >= 0:
				i0 = tj - tk
			default:
				i0 = 0.5 * (math.Erf(-zj/math.Sqrt2) + math.Erf(zk/math.Sqrt2))
			}
			// up = ∫ φ(u)(u − z_j)/Δ du, down = ∫ φ(u)(z_k − u)/Δ du over
			// [z_j, z_k], using ∫uφ = φ(z_j) − φ(z_k); the one on the side
			// away from the mean is formed directly, the other as i0 minus it.
			var up, down float64
			if zk <= 0 {
				down = math.Min(math.Max((pk-pj+zk*i0)/delta, 0), i0)
				up = i0 - down
			} else {
				up = math.Min(math.Max((pj-pk-zj*i0)/delta, 0), i0)
				down = i0 - up
			}
			w = append(w, cur+down)
			cur = up
		} else {
			// Double node: nothing between its two halves.
			w = append(w, cur)
			cur = 0
		}
		zj, pj, tj = zk, pk, tk
	}
	// Node hi takes P(x_hi < Y ≤ θe) (zero when hi is θe itself).
	if hi < len(g.x)-1 {
		cur += upperTail(zj) - aRight
	}
	return lo, hi, aRight, aLeft, append(w, cur)
}

// stdNormalPDF is φ(z) = exp(−z²/2)/sqrt(2π).
func stdNormalPDF(z float64) float64 { return math.Exp(-0.5*z*z) / math.Sqrt(2*math.Pi) }

// upperTail is 1 − Φ(z) = erfc(z/√2)/2, accurate for large z.
func upperTail(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// lowerTail is Φ(z) = erfc(−z/√2)/2, accurate for very negative z.
func lowerTail(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// tail is the normal tail on z's side of 0: Φ(z) for z ≤ 0, 1 − Φ(z) for
// z > 0, so differences of tails on one side lose no digits to rounding
// near 1.
func tail(z float64) float64 {
	if z <= 0 {
		return lowerTail(z)
	}
	return upperTail(z)
}

// chainBand is I − K in band storage with lower bandwidth p and upper q, kept
// in the GTH form of Grassmann, Taksar & Heyman (1985): a holds the
// magnitudes of the off-diagonal entries, K_ij ≥ 0, and d the row sums of
// I − K (the escape probabilities). The diagonal is never stored. After
// factor, a holds the multipliers below the diagonal and U's off-diagonal
// magnitudes above it, piv U's diagonal.
type chainBand struct {
	n, p, q int
	a       []float64 // row i, column j at a[i*(p+q+1) + j − i + p]
	d, piv  []float64
}

func newChainBand(n, p, q int) *chainBand {
	return &chainBand{n: n, p: p, q: q, a: make([]float64, n*(p+q+1)), d: make([]float64, n), piv: make([]float64, n)}
}

func (b *chainBand) idx(i, j int) int { return i*(b.p+b.q+1) + j - i + b.p }

func (b *chainBand) set(i, j int, v float64) { b.a[b.idx(i, j)] = v }

// factor is band Gaussian elimination without pivoting (Golub & Van Loan
// §4.3.5) in GTH form: eliminating column k from row r multiplies row k by
// g = K_rk/pivot_k ≥ 0 and adds it, so the off-diagonal magnitudes and the
// row sums only grow (K_rj += g·K_kj, d_r += g·d_k), and the pivot of row k
// is d_k + Σ_{j>k} K_kj. No subtraction occurs.
func (b *chainBand) factor() error {
	for k := 0; k < b.n; k++ {
		jEnd := min(k+b.q, b.n-1)
		pv := b.d[k]
		rowK := b.idx(k, 0)
		for j := k + 1; j <= jEnd; j++ {
			pv += b.a[rowK+j]
		}
		if !(pv > 0) || math.IsInf(pv, 0) {
			return fmt.Errorf("discrete chain: no escape is possible from grid node %d (pivot %g): T is infinite", k, pv)
		}
		b.piv[k] = pv
		uk := b.a[rowK+k+1 : rowK+jEnd+1]
		for r := k + 1; r <= min(k+b.p, b.n-1); r++ {
			rowR := b.idx(r, 0)
			g := b.a[rowR+k] / pv
			b.a[rowR+k] = g
			if g == 0 {
				continue
			}
			// This also adds to row r's unused diagonal slot.
			floats.AddScaled(b.a[rowR+k+1:rowR+jEnd+1], g, uk)
			b.d[r] += g * b.d[k]
		}
	}
	return nil
}

// solve overwrites v ≥ 0 with (I − K)⁻¹v, by forward and back substitution
// with the factors; every operation adds non-negative numbers.
func (b *chainBand) solve(v []float64) {
	for k := 0; k < b.n; k++ {
		if v[k] == 0 {
			continue
		}
		for r := k + 1; r <= min(k+b.p, b.n-1); r++ {
			v[r] += b.a[b.idx(r, k)] * v[k]
		}
	}
	for k := b.n - 1; k >= 0; k-- {
		rowK := b.idx(k, 0)
		s := v[k]
		for j := k + 1; j <= min(k+b.q, b.n-1); j++ {
			s += b.a[rowK+j] * v[j]
		}
		v[k] = s / b.piv[k]
	}
}

// solveTransposed overwrites v ≥ 0 with (I − K)⁻ᵀv, that is the row vector
// v(I − K)⁻¹: with I − K = L·U (L unit lower with entries −g, U with
// diagonal piv and off-diagonal entries −a), Uᵀw = v forward, then Lᵀy = w
// backward. As in solve, every operation adds non-negative numbers.
func (b *chainBand) solveTransposed(v []float64) {
	for k := 0; k < b.n; k++ {
		s := v[k]
		for j := max(k-b.q, 0); j < k; j++ {
			s += b.a[b.idx(j, k)] * v[j]
		}
		v[k] = s / b.piv[k]
	}
	for k := b.n - 1; k >= 0; k-- {
		s := v[k]
		for r := k + 1; r <= min(k+b.p, b.n-1); r++ {
			s += b.a[b.idx(r, k)] * v[r]
		}
		v[k] = s
	}
}

// qsdLeft returns the quasi-stationary distribution of the node chain, the
// left Perron vector of K (a row vector π with πK = λ_max·π, Σπ = 1), by
// inverse iteration π ← π(I − K)⁻¹ from v0, stopping as qsd does.
func (b *chainBand) qsdLeft(v0 []float64) []float64 {
	v := append([]float64(nil), v0...)
	mu := math.NaN()
	for it := 0; it < 500; it++ {
		floats.Scale(1/floats.Sum(v), v)
		b.solveTransposed(v)
		next := floats.Sum(v)
		change := math.Abs(next-mu) / next
		mu = next
		if change <= 1e-13 {
			break
		}
	}
	floats.Scale(1/floats.Sum(v), v)
	return v
}

// qsd returns 1 − λ_max of K as 1/μ, μ the Perron eigenvalue of (I − K)⁻¹,
// by inverse iteration from v = (I − K)⁻¹·1 ≥ 0, and the relative change of
// μ in the last step. The iteration stops when μ changes by less than 1e−13
// relative (typically after 2 to 12 steps), or after 500 steps.
func (b *chainBand) qsd(v0 []float64) (qsd, change float64) {
	v := append([]float64(nil), v0...)
	mu := math.NaN()
	for it := 0; it < 500; it++ {
		s := 0.0
		for _, x := range v {
			s += x
		}
		for i := range v {
			v[i] /= s
		}
		b.solve(v)
		next := 0.0
		for _, x := range v {
			next += x
		}
		change = math.Abs(next-mu) / next
		mu = next
		if change <= 1e-13 {
			break
		}
	}
	return 1 / mu, change
}
