package minimum

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// MaxDenseDim is the largest d whose Hessian is assembled from d Hessian-vector products and
// fully diagonalised (gonum mat.EigenSym, O(d³): about a second at d = 1000 on one core); above
// it Lanczos finds the extreme eigenvalues (docs/theory.md §9).
const MaxDenseDim = 2000

// StrictTol is the relative size below which a Hessian eigenvalue counts as zero:
// λ_min > StrictTol·λ_max is a strict minimum. Assembled from float64 Hessian-vector products and
// diagonalised, an eigenvalue is accurate to about √d·ε·λ_max ≲ 10⁻¹⁴·λ_max for d ≤ 10⁴
// (ε = 2.2·10⁻¹⁶; Golub & Van Loan §8.1 for the perturbation bound), so 10⁻⁸ leaves six orders for
// the round-off of the products themselves while a weight decay of 10⁻⁶·λ_max still counts
// (docs/theory.md §9).
const StrictTol = 1e-8

// MaxVectorsDim is the largest d whose Hessian eigenvectors come from mat.EigenSym itself; above
// it EigenSym gives the values only (about 6× faster at d = 2000: 12 s against 75 s on the shared
// 2-core machine) and the few eigenvectors needed (the leading ones, for C's alignment, and the
// softest, for the quadratic-rise test) come from Lanczos on the assembled matrix.
const MaxVectorsDim = 1000

// Extremes is how many of the largest and smallest eigenvalues are listed (and found by Lanczos).
const Extremes = 5

// hutchinsonProbes is the number of Rademacher probes of the trace estimate above MaxDenseDim: its
// standard error, printed beside it, is about sqrt(2·Σ_{i≠j} H_ij²/64) (Hutchinson 1990).
const hutchinsonProbes = 64

// lanczosMaxSteps bounds the Krylov dimension of the Lanczos run (memory lanczosMaxSteps·d floats).
const lanczosMaxSteps = 400

// Spectrum describes the Hessian H at a point.
type Spectrum struct {
	Method string `json:"method"` // how the eigenvalues were found
	// Eigenvalues are all d eigenvalues, ascending (d ≤ MaxDenseDim); nil above it.
	Eigenvalues []float64 `json:"eigenvalues,omitempty"`
	Smallest    []float64 `json:"smallest"`  // the Extremes smallest, ascending
	Largest     []float64 `json:"largest"`   // the Extremes largest, ascending
	Sharpness   float64   `json:"sharpness"` // λ_max
	LambdaMin   float64   `json:"lambda_min"`
	Trace       float64   `json:"trace"`
	TraceMethod string    `json:"trace_method"`
	TraceError  float64   `json:"trace_error,omitempty"` // standard error of a Hutchinson estimate
	// Strict: λ_min > StrictTol·λ_max and the loss along the softest eigenvector rises as ½λ_min·r²
	// (quadraticRise); Verdict says so in words.
	Strict    bool    `json:"strict"`
	StrictTol float64 `json:"strict_tol"`
	Verdict   string  `json:"verdict"`

	// Hessian is the assembled row-major d×d Hessian (d ≤ MaxDenseDim), for its users in the
	// process (a run's noise built on H(a)); not written to JSON.
	Hessian []float64 `json:"-"`

	top     [][]float64 // unit eigenvectors of Largest, in its order
	softest []float64   // unit eigenvector of LambdaMin
}

// Hessian returns the row-major d×d Hessian at x assembled from d Hessian-vector products
// H·e_j (column j), symmetrised as (H + Hᵀ)/2.
func Hessian(m Model, x []float64) []float64 {
	d := m.Dim()
	h := make([]float64, d*d)
	e, col := make([]float64, d), make([]float64, d)
	for j := range d {
		e[j] = 1
		m.HessianVector(x, e, col)
		e[j] = 0
		for i, v := range col {
			h[i*d+j] = v
		}
	}
	for i := range d {
		for j := i + 1; j < d; j++ {
			s := 0.5 * (h[i*d+j] + h[j*d+i])
			h[i*d+j], h[j*d+i] = s, s
		}
	}
	return h
}

// NewSpectrum describes the Hessian of m at x: every eigenvalue from the assembled Hessian for
// d ≤ MaxDenseDim, else the extremes by Lanczos and the trace by Hutchinson's estimator.
func NewSpectrum(m Model, x []float64) (*Spectrum, error) {
	d := m.Dim()
	var s *Spectrum
	var err error
	if d <= MaxDenseDim {
		s, err = denseSpectrum(m, x)
	} else {
		s, err = lanczosSpectrum(m, x)
	}
	if err != nil {
		return nil, err
	}
	s.LambdaMin, s.Sharpness = s.Smallest[0], s.Largest[len(s.Largest)-1]
	s.judge(m, x)
	return s, nil
}

func denseSpectrum(m Model, x []float64) (*Spectrum, error) {
	d := m.Dim()
	h := Hessian(m, x)
	trace := 0.0
	for i := range d {
		trace += h[i*d+i]
	}
	hm := mat.NewSymDense(d, h)
	withVectors := d <= MaxVectorsDim
	var es mat.EigenSym
	if !es.Factorize(hm, withVectors) {
		return nil, errors.New("eigen-decomposition of the Hessian failed")
	}
	vals := es.Values(nil) // ascending
	k := min(Extremes, d)
	s := &Spectrum{Method: fmt.Sprintf("all %d eigenvalues of the Hessian assembled from %d Hessian-vector products (gonum mat.EigenSym)", d, d),
		Eigenvalues: vals, Smallest: vals[:k], Largest: vals[d-k:], Trace: trace, Hessian: h,
		TraceMethod: "exact: Σ e_iᵀHe_i over the assembled Hessian"}
	if withVectors {
		var vecs mat.Dense
		es.VectorsTo(&vecs)
		for i := d - k; i < d; i++ {
			s.top = append(s.top, mat.Col(nil, i, &vecs))
		}
		s.softest = mat.Col(nil, 0, &vecs)
		return s, nil
	}
	apply := func(v, out []float64) { mat.NewVecDense(d, out).MulVec(hm, mat.NewVecDense(d, v)) }
	lo, hi, err := lanczosExtremes(apply, d, k, lanczosMaxSteps, 1e-8)
	if err != nil {
		return nil, err
	}
	s.top, s.softest = hi.vectors, lo.vectors[0]
	s.Method += fmt.Sprintf("; the extreme eigenvectors by Lanczos on it (%d steps)", hi.steps)
	return s, nil
}

func lanczosSpectrum(m Model, x []float64) (*Spectrum, error) {
	d := m.Dim()
	apply := func(v, out []float64) { m.HessianVector(x, v, out) }
	lo, hi, err := lanczosExtremes(apply, d, Extremes, lanczosMaxSteps, 1e-8)
	if err != nil {
		return nil, err
	}
	s := &Spectrum{Method: fmt.Sprintf("the %d smallest and largest eigenvalues by Lanczos with full reorthogonalisation on Hessian-vector products (%d steps)", Extremes, hi.steps),
		Smallest: lo.values, Largest: hi.values, top: hi.vectors, softest: lo.vectors[0]}
	s.Trace, s.TraceError = hutchinsonTrace(apply, d, hutchinsonProbes)
	s.TraceMethod = fmt.Sprintf("Hutchinson's estimate from %d Rademacher probes (fixed seed), ± its standard error", hutchinsonProbes)
	return s, nil
}

// hutchinsonTrace estimates tr A as the mean of zᵀAz over n Rademacher vectors z (Hutchinson,
// Commun. Stat. Simul. Comput. 19, 1990; docs/theory.md §9) and returns it with its standard error.
func hutchinsonTrace(apply func(v, out []float64), d, n int) (float64, float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	z, az := make([]float64, d), make([]float64, d)
	samples := make([]float64, n)
	for k := range samples {
		for i := range z {
			z[i] = float64(2*rng.IntN(2) - 1)
		}
		apply(z, az)
		samples[k] = floats.Dot(z, az)
	}
	mean := floats.Sum(samples) / float64(n)
	v := 0.0
	for _, s := range samples {
		v += (s - mean) * (s - mean)
	}
	return mean, math.Sqrt(v / float64(n-1) / float64(n))
}

// judge decides whether the minimum is strict (docs/theory.md §9).
func (s *Spectrum) judge(m Model, x []float64) {
	s.StrictTol = StrictTol
	floor := StrictTol * math.Abs(s.Sharpness)
	switch {
	case s.LambdaMin < -floor:
		s.Verdict = fmt.Sprintf("not a minimum: the smallest Hessian eigenvalue %.3g is negative (below −%g·λ_max): a saddle", s.LambdaMin, StrictTol)
	case s.LambdaMin <= floor:
		s.Verdict = fmt.Sprintf("degenerate: the smallest Hessian eigenvalue %.3g is 0 to round-off (|λ_min| ≤ %g·λ_max = %.3g)", s.LambdaMin, StrictTol, floor)
	case !quadraticRise(m, x, s.LambdaMin, s.softest):
		s.Verdict = fmt.Sprintf("degenerate: along the softest eigenvector (λ_min = %.3g) the loss does not rise as ½λ_min·r², higher orders dominate", s.LambdaMin)
	default:
		s.Strict = true
		s.Verdict = fmt.Sprintf("strict: λ_min = %.3g > %g·λ_max = %.3g and the loss rises as ½λ_min·r² along its eigenvector", s.LambdaMin, StrictTol, floor)
	}
}

// quadraticRise reports whether the quadratic model ½λ·r² predicts the mean rise of the loss at
// x ± r·v within half of it, r = 10⁻³·max(1, ‖x‖∞): the test of landscape.FindMinimumOrDegenerate
// (docs/theory.md §2), here on the mean of the two sides, which cancels the cubic term (and the
// gradient's, ±r·∇L·v), so that a strict minimum with a small λ_min and a large third derivative
// passes while a quartic minimum (λ_min ∝ x², rise ∝ r⁴) that training stopped within r of fails.
func quadraticRise(m Model, x []float64, lambda float64, v []float64) bool {
	r := 1e-3 * math.Max(1, floats.Norm(x, math.Inf(1)))
	lx := m.Loss(x)
	model := 0.5 * lambda * r * r
	p := make([]float64, len(x))
	rise := 0.0
	for _, sgn := range []float64{1, -1} {
		floats.AddScaledTo(p, x, sgn*r, v)
		rise += 0.5 * (m.Loss(p) - lx)
	}
	return math.Abs(rise-model) <= 0.5*model
}
