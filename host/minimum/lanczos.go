package minimum

import (
	"errors"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// ritz are Ritz pairs of a symmetric operator: ascending values, vectors[i] of values[i].
type ritz struct {
	values  []float64
	vectors [][]float64
	steps   int // Lanczos steps taken (= operator products)
}

// lanczosExtremes returns the k smallest and k largest eigenpairs of the symmetric d×d operator
// apply (out = A·v) by the Lanczos process with full reorthogonalisation (Golub & Van Loan,
// Matrix Computations, 4th ed., §10.1 and §10.3.1; gonum has no iterative eigensolver;
// docs/theory.md §9). Every 20 steps the tridiagonal matrix T_j is diagonalised (gonum
// mat.EigenSym) and the run stops when the residual bound |β_j·s_ji| of each wanted Ritz value is
// at most tol·max|θ|; maxSteps bounds the Krylov dimension (memory maxSteps·d). The start vector
// is Gaussian from a fixed seed, so the result is reproducible.
func lanczosExtremes(apply func(v, out []float64), d, k, maxSteps int, tol float64) (lo, hi ritz, err error) {
	maxSteps = min(maxSteps, d)
	rng := rand.New(rand.NewPCG(1, 2))
	q := make([]float64, d)
	for i := range q {
		q[i] = rng.NormFloat64()
	}
	floats.Scale(1/floats.Norm(q, 2), q)
	basis := [][]float64{q}
	var alpha, beta []float64
	w := make([]float64, d)
	for j := 0; j < maxSteps; j++ {
		apply(basis[j], w)
		a := floats.Dot(w, basis[j])
		alpha = append(alpha, a)
		// full reorthogonalisation: Gram–Schmidt against every basis vector, twice
		for range 2 {
			for _, b := range basis {
				floats.AddScaled(w, -floats.Dot(w, b), b)
			}
		}
		bnorm := floats.Norm(w, 2)
		steps := j + 1
		if steps == maxSteps || bnorm == 0 || steps%20 == 0 {
			vals, s, ok := tridiagonalEigen(alpha, beta)
			if !ok {
				return ritz{}, ritz{}, errors.New("eigen-decomposition of the Lanczos tridiagonal matrix failed")
			}
			if steps == maxSteps || bnorm == 0 || converged(vals, s, bnorm, k, tol) {
				lo, hi = ritzPairs(basis, vals, s, k, steps)
				return lo, hi, nil
			}
		}
		beta = append(beta, bnorm)
		next := make([]float64, d)
		floats.ScaleTo(next, 1/bnorm, w)
		basis = append(basis, next)
	}
	return ritz{}, ritz{}, errors.New("lanczos: no steps")
}

// tridiagonalEigen diagonalises the symmetric tridiagonal matrix with diagonal alpha and
// off-diagonal beta: ascending values and the eigenvectors as columns of s.
func tridiagonalEigen(alpha, beta []float64) ([]float64, *mat.Dense, bool) {
	n := len(alpha)
	t := mat.NewSymDense(n, nil)
	for i := range n {
		t.SetSym(i, i, alpha[i])
		if i+1 < n {
			t.SetSym(i, i+1, beta[i])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(t, true) {
		return nil, nil, false
	}
	var s mat.Dense
	es.VectorsTo(&s)
	return es.Values(nil), &s, true
}

// converged: the residual ‖A·y − θ·y‖ = |β·s_last,i| of the k lowest and k highest Ritz pairs is
// at most tol·max|θ| (Golub & Van Loan §10.1.4).
func converged(vals []float64, s *mat.Dense, bnorm float64, k int, tol float64) bool {
	n := len(vals)
	if n < 2*k {
		return false
	}
	scale := math.Max(math.Abs(vals[0]), math.Abs(vals[n-1]))
	for _, i := range wanted(n, k) {
		if math.Abs(bnorm*s.At(n-1, i)) > tol*scale {
			return false
		}
	}
	return true
}

// wanted are the indices of the k lowest and k highest of n ascending values, without repeats.
func wanted(n, k int) []int {
	var idx []int
	for i := range n {
		if i < k || i >= n-k {
			idx = append(idx, i)
		}
	}
	return idx
}

// ritzPairs forms the Ritz vectors y = Q·s of the k lowest and k highest Ritz values.
func ritzPairs(basis [][]float64, vals []float64, s *mat.Dense, k, steps int) (lo, hi ritz) {
	n, d := len(vals), len(basis[0])
	k = min(k, n)
	vec := func(i int) []float64 {
		y := make([]float64, d)
		for j, b := range basis[:n] {
			floats.AddScaled(y, s.At(j, i), b)
		}
		return y
	}
	lo.steps, hi.steps = steps, steps
	for i := range k {
		lo.values = append(lo.values, vals[i])
		lo.vectors = append(lo.vectors, vec(i))
		hi.values = append(hi.values, vals[n-k+i])
		hi.vectors = append(hi.vectors, vec(n-k+i))
	}
	return lo, hi
}
