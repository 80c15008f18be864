package minimum

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestHessianFromProductsMatchesSymbolic: the Hessian assembled from d Hessian-vector products
// has the eigenvalues of the evaluator's own Hessian (gonum mat.EigenSym of both), to 10⁻¹⁰·max|λ|
// (both are float64 sums of the same per-row terms, round-off ≈ 10⁻¹⁵ relative), at a point that
// is not a critical point (negative eigenvalues included) and at the trained minimum.
func TestHessianFromProductsMatchesSymbolic(t *testing.T) {
	ls := dataLandscape(t, "iris", "mlp(h1=3,wd=0.01)")
	ev := ls.Evaluator()
	d := ev.Dim()
	tr, err := Train(ev, ls.DefaultStart, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	off := make([]float64, d)
	for i := range off {
		off[i] = rng.NormFloat64()
	}
	for _, x := range [][]float64{off, tr.Minimum} {
		sym := make([]float64, d*d)
		ev.Hessian(x, sym)
		want := eigenvalues(t, sym, d)
		got := eigenvalues(t, Hessian(ev, x), d)
		scale := math.Max(math.Abs(want[0]), math.Abs(want[d-1]))
		for i := range want {
			if !(math.Abs(got[i]-want[i]) <= 1e-10*scale) {
				t.Errorf("eigenvalue %d: %.15g from products, %.15g symbolic", i, got[i], want[i])
			}
		}
	}
}

func eigenvalues(t *testing.T, h []float64, d int) []float64 {
	t.Helper()
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), h...)), false) {
		t.Fatal("EigenSym failed")
	}
	return es.Values(nil)
}

// matrixModel is a quadratic loss ½xᵀAx with a dense symmetric A: its Hessian-vector product is
// A·v, so the spectrum of A is the answer.
type matrixModel struct {
	a *mat.SymDense
	d int
}

func (m matrixModel) Dim() int { return m.d }
func (m matrixModel) Loss(x []float64) float64 {
	v := mat.NewVecDense(m.d, x)
	return 0.5 * mat.Inner(v, m.a, v)
}
func (m matrixModel) Gradient(x, g []float64) {
	mat.NewVecDense(m.d, g).MulVec(m.a, mat.NewVecDense(m.d, x))
}
func (m matrixModel) HessianVector(_, v, hv []float64) { m.Gradient(v, hv) }
func (m matrixModel) Rows() int                        { return 0 }
func (m matrixModel) SampleGradients(_, _ []float64)   { panic("no data") }

// testMatrix is Q·diag(λ)·Qᵀ for a random orthogonal Q (QR of a Gaussian matrix, fixed seed) and
// the eigenvalues λ given.
func testMatrix(lambda []float64, seed uint64) *mat.SymDense {
	d := len(lambda)
	rng := rand.New(rand.NewPCG(seed, seed+1))
	g := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	var aq mat.Dense
	aq.Mul(&q, mat.NewDiagDense(d, lambda))
	var a mat.Dense
	a.Mul(&aq, q.T())
	s := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			s.SetSym(i, j, 0.5*(a.At(i, j)+a.At(j, i)))
		}
	}
	return s
}

// TestLanczosExtremesMatchDense: on a d = 300 symmetric matrix with a spread spectrum (eigenvalues
// −0.5 and 10⁻³ at the bottom, 1…100 spaced geometrically at the top, a bulk in between), the
// Lanczos extremes equal mat.EigenSym's to 10⁻⁸·max|λ| (the residual tolerance of the run), before
// the Krylov space fills the whole space.
func TestLanczosExtremesMatchDense(t *testing.T) {
	const d = 300
	lambda := make([]float64, d)
	for i := range lambda {
		lambda[i] = 0.01 + 0.5*float64(i)/d // the bulk
	}
	lambda[0], lambda[1] = -0.5, 1e-3
	for i := range 8 {
		lambda[d-1-i] = 100 * math.Pow(0.6, float64(i))
	}
	a := testMatrix(lambda, 7)
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		t.Fatal("EigenSym failed")
	}
	want := es.Values(nil)
	m := matrixModel{a, d}
	apply := func(v, out []float64) { m.HessianVector(nil, v, out) }
	lo, hi, err := lanczosExtremes(apply, d, Extremes, lanczosMaxSteps, 1e-8)
	if err != nil {
		t.Fatal(err)
	}
	if hi.steps >= d {
		t.Errorf("Lanczos took %d steps, the whole space", hi.steps)
	}
	for i := range Extremes {
		if e := math.Abs(lo.values[i] - want[i]); !(e <= 1e-8*100) {
			t.Errorf("smallest %d: Lanczos %.12g, dense %.12g", i, lo.values[i], want[i])
		}
		j := d - Extremes + i
		if e := math.Abs(hi.values[i] - want[j]); !(e <= 1e-8*100) {
			t.Errorf("largest %d: Lanczos %.12g, dense %.12g", i, hi.values[i], want[j])
		}
	}
	// The top Ritz vector is the top eigenvector: its Rayleigh quotient is λ_max.
	v := hi.vectors[Extremes-1]
	if q := m.Loss(v) * 2 / floats.Dot(v, v); !(math.Abs(q-100) <= 1e-6) {
		t.Errorf("Rayleigh quotient of the top Ritz vector %.12g, want 100", q)
	}
}

// TestHutchinsonTrace: the trace estimate of the d = 300 matrix is within 4 of its own standard
// errors of the exact trace (fixed seed; for a Gaussian estimate |z| > 4 has probability 6·10⁻⁵),
// and the standard error is below 5% of the trace, so the check is not vacuous.
func TestHutchinsonTrace(t *testing.T) {
	const d = 300
	lambda := make([]float64, d)
	for i := range lambda {
		lambda[i] = 1 + float64(i%7)
	}
	a := testMatrix(lambda, 9)
	m := matrixModel{a, d}
	est, se := hutchinsonTrace(func(v, out []float64) { m.HessianVector(nil, v, out) }, d, hutchinsonProbes)
	exact := floats.Sum(lambda)
	if !(math.Abs(est-exact) <= 4*se) || !(se < 0.05*exact) {
		t.Errorf("trace %.6g ± %.3g, exact %.6g", est, se, exact)
	}
}

// TestSpectrumRoutes: NewSpectrum takes the dense route up to MaxDenseDim and Lanczos beyond, and
// both give the extremes of a known spectrum; the larger matrix is diagonal, so its product is
// cheap and its eigenvalues are its entries.
func TestSpectrumRoutes(t *testing.T) {
	small := []float64{0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	s, err := NewSpectrum(matrixModel{testMatrix(small, 11), len(small)}, make([]float64, len(small)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Eigenvalues == nil || math.Abs(s.Trace-floats.Sum(small)) > 1e-10 || !s.Strict {
		t.Errorf("dense route: %+v", s)
	}
	const d = MaxDenseDim + 1
	diag := make([]float64, d)
	for i := range diag {
		diag[i] = 1 + float64(i%50)/50
	}
	diag[0], diag[d-1] = 0.01, 20
	s, err = NewSpectrum(diagonalModel(diag), make([]float64, d))
	if err != nil {
		t.Fatal(err)
	}
	if s.Eigenvalues != nil || math.Abs(s.Sharpness-20) > 1e-6 || math.Abs(s.LambdaMin-0.01) > 1e-6 || !s.Strict {
		t.Errorf("Lanczos route: λ_min %.9g, λ_max %.9g, %s, %s", s.LambdaMin, s.Sharpness, s.Method, s.Verdict)
	}
}

// diagonalModel is ½Σ λ_i x_i².
type diagonalModel []float64

func (m diagonalModel) Dim() int { return len(m) }
func (m diagonalModel) Loss(x []float64) float64 {
	s := 0.0
	for i, l := range m {
		s += 0.5 * l * x[i] * x[i]
	}
	return s
}
func (m diagonalModel) Gradient(x, g []float64) {
	for i, l := range m {
		g[i] = l * x[i]
	}
}
func (m diagonalModel) HessianVector(_, v, hv []float64) { m.Gradient(v, hv) }
func (m diagonalModel) Rows() int                        { return 0 }
func (m diagonalModel) SampleGradients(_, _ []float64)   { panic("no data") }

// TestStrictness: a network minimum without weight decay is degenerate (the gen:mlp teacher's
// data, where the loss has flat directions), with weight decay it is strict; a quartic minimum
// stopped short of 0 is degenerate by the quadratic-rise test although λ_min > 0; a saddle is not
// a minimum.
func TestStrictness(t *testing.T) {
	for _, c := range []struct {
		spec   string
		strict bool
	}{{"mlp(h1=3)", false}, {"mlp(h1=3,wd=0.01)", true}} {
		ls := dataLandscape(t, "gen:mlp(n=200,seed=1,d=2,h=3,sigma=0.1)", c.spec)
		ev := ls.Evaluator()
		tr, err := Train(ev, ls.DefaultStart, TrainOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		s, err := NewSpectrum(ev, tr.Minimum)
		if err != nil {
			t.Fatal(err)
		}
		if s.Strict != c.strict {
			t.Errorf("%s: strict = %v, want %v (%s)", c.spec, s.Strict, c.strict, s.Verdict)
		}
	}
	quartic := quarticModel{}
	s, err := NewSpectrum(quartic, []float64{2e-4, 0})
	if err != nil {
		t.Fatal(err)
	}
	if s.Strict || !(s.LambdaMin > StrictTol*s.Sharpness) {
		t.Errorf("quartic: %s", s.Verdict)
	}
	saddle := diagonalModel{-1, 2}
	if s, _ := NewSpectrum(saddle, []float64{0, 0}); s.Strict {
		t.Errorf("saddle: %s", s.Verdict)
	}
}

// quarticModel is x⁴/4 + y²/2: a degenerate minimum in x at 0.
type quarticModel struct{}

func (quarticModel) Dim() int                 { return 2 }
func (quarticModel) Loss(x []float64) float64 { return x[0]*x[0]*x[0]*x[0]/4 + x[1]*x[1]/2 }
func (quarticModel) Gradient(x, g []float64)  { g[0], g[1] = x[0]*x[0]*x[0], x[1] }
func (quarticModel) HessianVector(x, v, hv []float64) {
	hv[0], hv[1] = 3*x[0]*x[0]*v[0], v[1]
}
func (quarticModel) Rows() int                      { return 0 }
func (quarticModel) SampleGradients(_, _ []float64) { panic("no data") }

// TestDenseValuesLanczosVectors: above MaxVectorsDim the dense route takes EigenSym's values and
// Lanczos's vectors; on a matrix with a known, well separated top (10, 9, 8, 7, 6 above a bulk in
// [0.1, 1]) the leading vectors are eigenvectors: Rayleigh quotients equal the eigenvalues to
// 10⁻⁸·λ_max (the Lanczos residual tolerance), and the minimum is strict.
func TestDenseValuesLanczosVectors(t *testing.T) {
	const d = MaxVectorsDim + 1
	lambda := make([]float64, d)
	for i := range lambda {
		lambda[i] = 0.1 + 0.9*float64(i)/d
	}
	for i := range Extremes {
		lambda[d-1-i] = 10 - float64(i)
	}
	m := matrixModel{reflectedMatrix(lambda, 17), d}
	s, err := NewSpectrum(m, make([]float64, d))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Eigenvalues) != d || !strings.Contains(s.Method, "Lanczos") || !s.Strict {
		t.Fatalf("%s, %s", s.Method, s.Verdict)
	}
	for i, v := range s.top {
		want := s.Largest[i]
		if q := 2 * m.Loss(v) / floats.Dot(v, v); !(math.Abs(q-want) <= 1e-8*10) {
			t.Errorf("top vector %d: Rayleigh quotient %.12g, eigenvalue %.12g", i, q, want)
		}
	}
}

// reflectedMatrix is Q·diag(λ)·Q for the Householder reflection Q = I − 2uuᵀ, u a random unit vector
// (fixed seed): a dense matrix with the eigenvalues λ, built in O(d²):
// A_ij = λ_i·δ_ij − 2u_iu_j(λ_i + λ_j) + 4u_iu_j·Σ_k λ_k u_k².
func reflectedMatrix(lambda []float64, seed uint64) *mat.SymDense {
	d := len(lambda)
	rng := rand.New(rand.NewPCG(seed, seed+1))
	u := make([]float64, d)
	for i := range u {
		u[i] = rng.NormFloat64()
	}
	floats.Scale(1/floats.Norm(u, 2), u)
	c := 0.0
	for k, l := range lambda {
		c += l * u[k] * u[k]
	}
	a := mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			v := -2*u[i]*u[j]*(lambda[i]+lambda[j]) + 4*u[i]*u[j]*c
			if i == j {
				v += lambda[i]
			}
			a.SetSym(i, j, v)
		}
	}
	return a
}
