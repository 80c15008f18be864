package validate

import (
	"errors"
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The references of the trust suite (trust.go) for 1-D questions. A question is the survival
// interval (lo, hi) of the discrete chain the simulator runs (docs/theory.md §1 and §3),
//
//	θ' = θ − η·L'(θ) + sqrt(2η·D(θ))·z,  escape at the first iteration with θ' ≤ lo or θ' ≥ hi,
//
// with lo = −∞ or hi = +∞ for a one-sided threshold. One-sided questions are answered by
// theory.DiscreteChain1D (its reflecting wall far outside); two-sided ones by intervalChain below,
// an independent and simpler discretisation of the same chain. The host answers two-sided
// questions with theory.DiscreteChain1DTwoSided; the trust suite deliberately does not reuse it:
// its references must not share code with what it checks, and trustchain_test.go checks the two
// against each other.

// chainAnswer is the exact quasi-stationary escape of a 1-D chain: the escape probability per
// iteration 1 − λ_max, its estimated relative error, and the share of the quasi-stationary escapes
// that leave through hi (1 for a one-sided right threshold, 0 for a left one).
type chainAnswer struct {
	Q, RelErr, ShareHi float64
}

// chain1D answers the question (lo, hi) from the start minimum a.
func chain1D(dL, D func(float64) float64, eta, a, lo, hi float64) (chainAnswer, error) {
	switch {
	case math.IsInf(lo, -1) && math.IsInf(hi, 1):
		return chainAnswer{}, errors.New("no threshold: the question has no escape")
	case math.IsInf(lo, -1):
		res, err := theory.DiscreteChain1D(dL, D, eta, a, hi, math.NaN(), theory.ChainOptions{})
		return chainAnswer{Q: res.QSDEscapeProbability, RelErr: res.QSDRelErr, ShareHi: 1}, tolerate(err)
	case math.IsInf(hi, 1):
		// Mirror u = −θ: the left threshold becomes a right one.
		mdL := func(u float64) float64 { return -dL(-u) }
		mD := func(u float64) float64 { return D(-u) }
		res, err := theory.DiscreteChain1D(mdL, mD, eta, -a, -lo, math.NaN(), theory.ChainOptions{})
		return chainAnswer{Q: res.QSDEscapeProbability, RelErr: res.QSDRelErr, ShareHi: 0}, tolerate(err)
	}
	return intervalChain(dL, D, eta, lo, hi)
}

// tolerate keeps a value that missed its tolerance: it is returned with the accuracy it reached
// (its RelErr), as host/predict.go does.
func tolerate(err error) error {
	if errors.Is(err, theory.ErrNotConverged) {
		return nil
	}
	return err
}

// intervalNodesPerWidth is the coarsest grid's cells per noise width s = sqrt(2ηD), as the
// default of theory.ChainOptions.NodesPerWidth; intervalMaxCells bounds the finest of the three
// grids (a dense LU of that size takes a fifth of a second). intervalIterTol is the relative
// change of 1 − λ at which inverse iteration stops, intervalMaxIter its limit: the error left is
// about the last change divided by the gap ratio's complement, far below the grid's.
const (
	intervalNodesPerWidth = 4
	intervalMaxCells      = 800
	intervalIterTol       = 1e-11
	intervalMaxIter       = 5000
)

// intervalChain is the quasi-stationary escape of the chain killed outside (lo, hi). The interval
// is cut into n equal cells; the chain from each cell's centre x_i moves to cell j with the exact
// Gaussian probability Φ((e_{j+1} − m_i)/s_i) − Φ((e_j − m_i)/s_i) and escapes with the two tails
// beyond lo and hi (math.Erfc, no cancellation). This is the piecewise-constant (cell-centred)
// Nyström scheme (Atkinson, The Numerical Solution of Integral Equations of the Second Kind, 1997,
// ch. 4), deliberately simpler than theory.DiscreteChain1D's hat functions so that the two check
// each other (trustchain_test.go). Re-placing the particle at its cell's centre adds a variance of
// h²/12 per step, an O(h²) error in the exponent, so log(1 − λ_max) is extrapolated over the grids
// n, 2n, 4n by Romberg's rule in h² (as DiscreteChain1D does), and the last correction is the
// stated relative error. λ_max and the quasi-stationary distribution (the left Perron vector) come
// from inverse iteration with gonum's LU of I − K.
func intervalChain(dL, D func(float64) float64, eta, lo, hi float64) (chainAnswer, error) {
	if !(hi > lo) {
		return chainAnswer{}, fmt.Errorf("interval chain: empty interval (%g, %g)", lo, hi)
	}
	sMin := math.Inf(1)
	for i := 0; i <= 256; i++ {
		x := lo + (hi-lo)*float64(i)/256
		sMin = math.Min(sMin, math.Sqrt(2*eta*math.Max(D(x), 0)))
	}
	// The coarsest grid resolves the smallest noise width, within the cell budget; a vanishing
	// width (sgd-hessian at an inflection point) is resolved as far as the budget allows.
	n := 64
	if sMin > 0 {
		n = int(math.Max(64, math.Ceil(intervalNodesPerWidth*(hi-lo)/sMin)))
	}
	n = int(math.Min(float64(n), intervalMaxCells/4))
	var logQ, share []float64
	for k := 0; k < 3; k++ {
		q, sh, err := intervalLevel(dL, D, eta, lo, hi, n<<k)
		if err != nil {
			return chainAnswer{}, err
		}
		logQ, share = append(logQ, math.Log(q)), append(share, sh)
	}
	// Romberg in h²: R1 = (4·f(h/2) − f(h))/3, then R2 = (16·R1(h/4) − R1(h/2))/15.
	r1a, r1b := (4*logQ[1]-logQ[0])/3, (4*logQ[2]-logQ[1])/3
	r2 := (16*r1b - r1a) / 15
	shareHi := (4*share[2] - share[1]) / 3
	return chainAnswer{Q: math.Exp(r2), RelErr: math.Abs(r2 - r1b), ShareHi: shareHi}, nil
}

// intervalLevel solves one grid of n cells: the escape probability 1 − λ_max and the share of
// the quasi-stationary escapes through hi.
func intervalLevel(dL, D func(float64) float64, eta, lo, hi float64, n int) (q, shareHi float64, err error) {
	h := (hi - lo) / float64(n)
	a := mat.NewDense(n, n, nil) // I − K
	escHi, escLo := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		x := lo + (float64(i)+0.5)*h
		m := x - eta*dL(x)
		s := math.Sqrt(2 * eta * math.Max(D(x), 0))
		cdf := func(e float64) float64 { // P(θ' ≤ e), the point mass at m when s = 0
			if s < 1e-12*h {
				if e >= m {
					return 1
				}
				return 0
			}
			return 0.5 * math.Erfc(-(e-m)/(s*math.Sqrt2))
		}
		upper := func(e float64) float64 { // P(θ' > e) without cancellation
			if s < 1e-12*h {
				return 1 - cdf(e)
			}
			return 0.5 * math.Erfc((e-m)/(s*math.Sqrt2))
		}
		escLo[i], escHi[i] = cdf(lo), upper(hi)
		for j := 0; j < n; j++ {
			e0, e1 := lo+float64(j)*h, lo+float64(j+1)*h
			var p float64
			if e1 <= m {
				p = cdf(e1) - cdf(e0)
			} else {
				p = upper(e0) - upper(e1)
			}
			a.Set(i, j, -p)
		}
		a.Set(i, i, 1+a.At(i, i))
	}
	var lu mat.LU
	lu.Factorize(a)
	if lu.Det() == 0 {
		return 0, 0, errors.New("interval chain: I − K is singular (no escape from the interval)")
	}
	// Left Perron vector φ of K: φ(I − K) = (1 − λ)φ, the largest eigenvalue of (I − K)^{-T} is
	// 1/(1 − λ). Inverse iteration from the uniform vector; the gap to the next eigenvalue is large
	// in a metastable interval, so a few tens of iterations converge to rounding.
	phi := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		phi.SetVec(i, 1/float64(n))
	}
	next := mat.NewVecDense(n, nil)
	prev, converged := 0.0, false
	for it := 0; it < intervalMaxIter && !converged; it++ {
		if err := lu.SolveVecTo(next, true, phi); err != nil {
			return 0, 0, fmt.Errorf("interval chain: %w", err)
		}
		norm := floats.Sum(next.RawVector().Data)
		q = 1 / norm // φ sums to 1, so 1/Σ(next) is 1 − λ at convergence
		phi.ScaleVec(1/norm, next)
		converged = it > 3 && math.Abs(q-prev) <= intervalIterTol*q
		prev = q
	}
	if !converged {
		return 0, 0, fmt.Errorf("interval chain: inverse iteration did not converge in %d steps (two nearly equal metastable states in the interval)", intervalMaxIter)
	}
	d := phi.RawVector().Data
	up, total := floats.Dot(d, escHi), floats.Dot(d, escHi)+floats.Dot(d, escLo)
	return total, up / total, nil
}
