package minimum

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// MaxCovarianceRank bounds min(N, d), the order of the matrix diagonalised for C: N×N Gram
// matrix or d×d covariance, whichever is smaller (O(min(N,d)³) and O(N·d·min(N,d)) to form).
const MaxCovarianceRank = 4000

// Covariance sets the per-sample gradient covariance C = (1/N)·Σ_μ (g_μ − ḡ)(g_μ − ḡ)ᵀ beside the
// Hessian at the minimum (docs/theory.md §8 and §9): C's leading eigenpairs, and how its leading
// eigenvectors line up with H's.
type Covariance struct {
	Rows  int    `json:"rows"`  // N
	Route string `json:"route"` // "gram": the N×N matrix G·Gᵀ; "dense": the d×d matrix Gᵀ·G
	// Leading are C's largest eigenvalues, descending; Trace is tr C = (1/N)·Σ‖g_μ − ḡ‖², exact.
	Leading []float64 `json:"leading"`
	Trace   float64   `json:"trace"`
	// Alignment[i][j] = |cos| between C's i-th and H's j-th leading eigenvectors (both
	// descending); Along[j] = v_jᵀCv_j/v_jᵀHv_j along H's j-th leading eigenvector v_j.
	Alignment [][]float64 `json:"alignment"`
	Along     []float64   `json:"along_hessian"`
}

// centredGradients returns G with rows (g_μ − ḡ)/√N, so that C = GᵀG.
func centredGradients(m Model, x []float64) *mat.Dense {
	n, d := m.Rows(), m.Dim()
	g := make([]float64, n*d)
	m.SampleGradients(x, g)
	mean := make([]float64, d)
	for mu := range n {
		floats.Add(mean, g[mu*d:(mu+1)*d])
	}
	floats.Scale(1/float64(n), mean)
	s := 1 / math.Sqrt(float64(n))
	for mu := range n {
		row := g[mu*d : (mu+1)*d]
		floats.Sub(row, mean)
		floats.Scale(s, row)
	}
	return mat.NewDense(n, d, g)
}

// covarianceEigen returns the k largest eigenvalues of C = GᵀG (descending) with unit
// eigenvectors, by the route given: "gram" diagonalises the N×N K = G·Gᵀ, whose nonzero
// eigenvalues are C's, and maps its eigenvectors u to C's as Gᵀu/√λ (the thin-SVD relation,
// Golub & Van Loan §2.4); "dense" diagonalises C itself.
func covarianceEigen(g *mat.Dense, k int, route string) ([]float64, [][]float64, error) {
	n, d := g.Dims()
	var sym mat.SymDense
	if route == "gram" {
		sym.SymOuterK(1, g)
	} else {
		sym.SymOuterK(1, g.T())
	}
	var es mat.EigenSym
	if !es.Factorize(&sym, true) {
		return nil, nil, errors.New("eigen-decomposition of the gradient covariance failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	k = min(k, len(vals))
	var leading []float64
	var vectors [][]float64
	for i := len(vals) - 1; i >= len(vals)-k; i-- {
		lam := math.Max(vals[i], 0)
		col := mat.Col(nil, i, &vecs)
		if route == "gram" {
			v := make([]float64, d)
			mat.NewVecDense(d, v).MulVec(g.T(), mat.NewVecDense(n, col))
			if nv := floats.Norm(v, 2); nv > 0 {
				floats.Scale(1/nv, v)
			}
			col = v
		}
		leading = append(leading, lam)
		vectors = append(vectors, col)
	}
	return leading, vectors, nil
}

// NewCovariance computes C at x beside the spectrum s (its leading eigenvectors). A loss without
// data rows has no C (nil, nil); above MaxCovarianceRank it is an error.
func NewCovariance(m Model, x []float64, s *Spectrum) (*Covariance, error) {
	n, d := m.Rows(), m.Dim()
	if n == 0 {
		return nil, nil
	}
	if min(n, d) > MaxCovarianceRank {
		return nil, fmt.Errorf("the gradient covariance needs an eigen-decomposition of order min(N, d) = %d, above %d", min(n, d), MaxCovarianceRank)
	}
	g := centredGradients(m, x)
	c := &Covariance{Rows: n, Route: "dense"}
	if n < d {
		c.Route = "gram"
	}
	c.Trace = mat.Norm(g, 2) * mat.Norm(g, 2) // Frobenius norm squared
	k := min(Extremes, n, d)
	vals, vecs, err := covarianceEigen(g, k, c.Route)
	if err != nil {
		return nil, err
	}
	c.Leading = vals
	gv := make([]float64, n)
	for j := len(s.top) - 1; j >= 0; j-- { // H's leading eigenvectors, largest first
		h := s.top[j]
		row := make([]float64, len(vecs))
		for i, v := range vecs {
			row[i] = math.Abs(floats.Dot(v, h))
		}
		c.Alignment = append(c.Alignment, row)
		mat.NewVecDense(n, gv).MulVec(g, mat.NewVecDense(d, h))
		c.Along = append(c.Along, floats.Dot(gv, gv)/s.Largest[j])
	}
	c.Alignment = transpose(c.Alignment)
	return c, nil
}

// transpose returns the transpose of the rectangular a.
func transpose(a [][]float64) [][]float64 {
	if len(a) == 0 {
		return nil
	}
	out := make([][]float64, len(a[0]))
	for i := range out {
		out[i] = make([]float64, len(a))
		for j := range a {
			out[i][j] = a[j][i]
		}
	}
	return out
}
