package minimum

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestCovarianceGramEqualsDense: on a centred matrix G of N = 20 rows and d = 50 columns (fixed
// seed) the Gram route's leading eigenvalues of C = GᵀG equal the dense route's to 10⁻¹² relative
// and their eigenvectors agree up to sign (|cos| ≥ 1 − 10⁻⁹): both are float64 eigen-decompositions
// of the same nonzero spectrum, and the five leading values are well separated.
func TestCovarianceGramEqualsDense(t *testing.T) {
	const n, d = 20, 50
	rng := rand.New(rand.NewPCG(13, 14))
	g := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			g.Set(i, j, rng.NormFloat64()*float64(1+j%5))
		}
	}
	gramVals, gramVecs, err := covarianceEigen(g, 5, "gram")
	if err != nil {
		t.Fatal(err)
	}
	denseVals, denseVecs, err := covarianceEigen(g, 5, "dense")
	if err != nil {
		t.Fatal(err)
	}
	for i := range denseVals {
		if !(math.Abs(gramVals[i]-denseVals[i]) <= 1e-12*denseVals[0]) {
			t.Errorf("eigenvalue %d: Gram %.15g, dense %.15g", i, gramVals[i], denseVals[i])
		}
		if c := math.Abs(floats.Dot(gramVecs[i], denseVecs[i])); !(c >= 1-1e-9) {
			t.Errorf("eigenvector %d: |cos| = %.12g", i, c)
		}
	}
}

// TestCovarianceOfSampleGradients: NewCovariance on a network's per-sample gradients (iris,
// mlp(h1=8, wd=0.001), d = 49, N = 150) has the leading eigenvalues and trace of
// C = (1/N)·Σ(g_μ − ḡ)(g_μ − ḡ)ᵀ formed term by term, to 10⁻¹⁰ relative (float64 sums of 150
// terms); the alignment is a matrix of |cos| in [0, 1].
func TestCovarianceOfSampleGradients(t *testing.T) {
	ls := dataLandscape(t, "iris", "mlp(h1=8,wd=0.001)")
	ev := ls.Evaluator()
	x := ls.DefaultStart
	n, d := ev.Rows(), ev.Dim()
	s, err := NewSpectrum(ev, x)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCovariance(ev, x, s)
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, n*d)
	ev.SampleGradients(x, g)
	mean := make([]float64, d)
	for mu := range n {
		floats.Add(mean, g[mu*d:(mu+1)*d])
	}
	floats.Scale(1/float64(n), mean)
	cov := mat.NewSymDense(d, nil)
	for mu := range n {
		diff := make([]float64, d)
		floats.SubTo(diff, g[mu*d:(mu+1)*d], mean)
		cov.SymRankOne(cov, 1/float64(n), mat.NewVecDense(d, diff))
	}
	want := eigenvalues(t, cov.RawSymmetric().Data, d)
	for i, v := range c.Leading {
		if w := want[d-1-i]; !(math.Abs(v-w) <= 1e-10*want[d-1]) {
			t.Errorf("eigenvalue %d: %.15g, term by term %.15g", i, v, w)
		}
	}
	if tr := mat.Trace(cov); !(math.Abs(c.Trace-tr) <= 1e-10*tr) {
		t.Errorf("trace %.15g, term by term %.15g", c.Trace, tr)
	}
	for _, row := range c.Alignment {
		for _, v := range row {
			if !(v >= 0 && v <= 1+1e-12) {
				t.Errorf("alignment %v", c.Alignment)
			}
		}
	}
}
