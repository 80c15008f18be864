package host

import (
	"math"

	"github.com/kramers-sim/kramers/host/landscape"
	"gonum.org/v1/gonum/mat"
)

// CovarianceReport sets the covariance C(θ) of the per-sample gradients (SampleCovariance) beside
// the Hessian H(θ) of the mean loss at the critical points of a data landscape's analysis: the
// minimum a, the analysis' saddle b and every exit of the basin (docs/theory.md §8). It makes the
// claim C ≈ H near a minimum of a well-specified likelihood loss (Xie et al., ICLR 2021; the
// minibatch noise covariance is then ≈ H/B) a number: along each eigenvector v of H the ratio
// vᵀCv/|vᵀHv|, which is 1 where C = H (and, at a saddle, where C = |H|, the curvature that
// sgd-hessian's noise takes).
type CovarianceReport struct {
	Rows int `json:"rows"` // N, the rows C is averaged over
	// Noise is the minibatch scale of Σ = (f/B)·C, present for the data noise models (or when a
	// batch size is given to kramers analyze); each point's Sigma is then filled in.
	Noise   *CovarianceNoise  `json:"noise,omitempty"`
	Minimum CovariancePoint   `json:"minimum"`
	Saddle  CovariancePoint   `json:"saddle"` // the analysis' saddle b (usually one of the exits)
	Exits   []CovariancePoint `json:"exits"`  // one per Analysis.Exits, in its order
}

// CovarianceNoise is the factor that turns C into the covariance of one step's minibatch gradient
// noise, Σ = (f/B)·C.
type CovarianceNoise struct {
	Batch  float64 `json:"batch"`  // B
	Factor float64 `json:"factor"` // f: (N−B)/(N−1) for B distinct rows per step, 1 for rows drawn with replacement
	Scale  float64 `json:"scale"`  // f/B
}

// CovariancePoint is C beside H at one point.
type CovariancePoint struct {
	Point                 []float64 `json:"point"`
	Covariance            []float64 `json:"covariance"`             // C, row-major d×d
	Hessian               []float64 `json:"hessian"`                // H, row-major d×d
	CovarianceEigenvalues []float64 `json:"covariance_eigenvalues"` // ascending
	HessianEigenvalues    []float64 `json:"hessian_eigenvalues"`    // ascending
	// Directions are the eigenvectors of H, in the order of HessianEigenvalues.
	Directions []CovarianceDirection `json:"directions"`
	// RelativeDifference is ‖C − |H|‖_F / ‖|H|‖_F, |H| = V·|Λ|·Vᵀ (= H at a minimum): 0 where C = |H|,
	// sensitive to the directions of C as well as to its size along H's eigenvectors; absent where H = 0.
	RelativeDifference *float64  `json:"relative_difference,omitempty"`
	Sigma              []float64 `json:"sigma,omitempty"` // Σ = (f/B)·C, row-major d×d (with Noise)
}

// CovarianceDirection compares C and H along one unit eigenvector v of H.
type CovarianceDirection struct {
	Direction []float64 `json:"direction"` // v; at a saddle the unstable one points away from a
	Curvature float64   `json:"curvature"` // vᵀHv, the eigenvalue
	Variance  float64   `json:"variance"`  // vᵀCv
	// Ratio is vᵀCv/|vᵀHv|: 1 where C = |H| along v; absent where vᵀHv = 0.
	Ratio    *float64 `json:"ratio,omitempty"`
	Unstable bool     `json:"unstable,omitempty"` // vᵀHv < 0: the escape direction of a saddle
	Sigma    *float64 `json:"sigma,omitempty"`    // vᵀΣv = (f/B)·vᵀCv (with Noise)
}

// NewCovarianceReport computes the report for a data landscape's evaluator and its analysis; noise
// is nil or the scale of Σ. It panics unless ev is a data landscape's (SampleCovariance).
func NewCovarianceReport(ev *landscape.Evaluator, an *landscape.Analysis, noise *CovarianceNoise) *CovarianceReport {
	r := &CovarianceReport{Rows: ev.Rows(), Noise: noise}
	r.Minimum = covarianceAt(ev, an.Minimum, nil, noise)
	r.Saddle = covarianceAt(ev, an.Saddle, an.Minimum, noise)
	r.Exits = make([]CovariancePoint, len(an.Exits))
	for i, ex := range an.Exits {
		r.Exits[i] = covarianceAt(ev, ex.Saddle, an.Minimum, noise)
	}
	return r
}

// NewCovarianceNoise is the scale of Σ = (f/B)·C for batch B out of n rows: f = (n−B)/(n−1) for
// sampling without replacement and epochs, 1 with it (DataInfo.Factor).
func NewCovarianceNoise(n int, batch float64, sampling string) *CovarianceNoise {
	f := batchFactor(n, batch, sampling)
	return &CovarianceNoise{Batch: batch, Factor: f, Scale: f / batch}
}

// batchFactor is the finite-population factor f of Σ = (f/B)·C (docs/theory.md §8).
func batchFactor(n int, batch float64, sampling string) float64 {
	if sampling == SampleWith {
		return 1
	}
	if n <= 1 {
		return 0
	}
	return (float64(n) - batch) / float64(n-1)
}

// CovarianceReport is NewCovarianceReport for the problem's data landscape, with Σ's scale from its
// data noise model; nil for a run without data.
func (p *Problem) CovarianceReport() *CovarianceReport {
	if p.Data == nil || p.Eval == nil || p.Eval.Rows() == 0 || p.Analysis == nil || p.Analysis.Saddle == nil {
		return nil
	}
	var noise *CovarianceNoise
	if p.Config.Noise.IsData() && p.Data.Batch > 0 {
		noise = &CovarianceNoise{Batch: p.Data.Batch, Factor: p.Data.Factor, Scale: p.Data.Factor / p.Data.Batch}
	}
	return NewCovarianceReport(p.Eval, p.Analysis, noise)
}

// covarianceAt is C beside H at x; from, when given (the minimum, for a saddle), orients the
// unstable eigenvectors away from it. Other eigenvectors have their largest component positive.
func covarianceAt(ev *landscape.Evaluator, x, from []float64, noise *CovarianceNoise) CovariancePoint {
	d := ev.Dim()
	c := SampleCovariance(ev, x)
	h := make([]float64, d*d)
	ev.Hessian(x, h)
	symmetrise(c, d)
	symmetrise(h, d)
	pt := CovariancePoint{Point: append([]float64(nil), x...), Covariance: c, Hessian: h}
	pt.CovarianceEigenvalues, _ = symEigen(c, d)
	hv, vecs := symEigen(h, d)
	pt.HessianEigenvalues = hv
	abs := make([]float64, d*d) // |H| = V·|Λ|·Vᵀ
	for k := 0; k < d; k++ {
		v := make([]float64, d)
		for i := range v {
			v[i] = vecs.At(i, k)
		}
		orient(v, x, from, hv[k] < 0)
		dir := CovarianceDirection{Direction: v, Curvature: hv[k], Variance: quadForm(c, v), Unstable: hv[k] < 0}
		if hv[k] != 0 {
			ratio := dir.Variance / math.Abs(hv[k])
			dir.Ratio = &ratio
		}
		if noise != nil {
			s := noise.Scale * dir.Variance
			dir.Sigma = &s
		}
		pt.Directions = append(pt.Directions, dir)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				abs[i*d+j] += math.Abs(hv[k]) * v[i] * v[j]
			}
		}
	}
	num, den := 0.0, 0.0
	for i := range abs {
		num += (c[i] - abs[i]) * (c[i] - abs[i])
		den += abs[i] * abs[i]
	}
	if den > 0 {
		rd := math.Sqrt(num / den)
		pt.RelativeDifference = &rd
	}
	if noise != nil {
		pt.Sigma = make([]float64, d*d)
		for i := range c {
			pt.Sigma[i] = noise.Scale * c[i]
		}
	}
	return pt
}

// orient fixes the sign of the unit vector v: an unstable direction of a saddle x points away
// from the minimum (v·(x − from) ≥ 0), any other has its largest component positive.
func orient(v, x, from []float64, unstable bool) {
	s := 0.0
	if unstable && from != nil {
		for i := range v {
			s += v[i] * (x[i] - from[i])
		}
	}
	if s == 0 {
		big := 0
		for i := range v {
			if math.Abs(v[i]) > math.Abs(v[big])+1e-12 {
				big = i
			}
		}
		s = v[big]
	}
	if s < 0 {
		for i := range v {
			v[i] = -v[i]
		}
	}
}

// symmetrise replaces the row-major d×d a by (a + aᵀ)/2 (rounding can leave it asymmetric).
func symmetrise(a []float64, d int) {
	for i := 0; i < d; i++ {
		for j := i + 1; j < d; j++ {
			m := (a[i*d+j] + a[j*d+i]) / 2
			a[i*d+j], a[j*d+i] = m, m
		}
	}
}

// symEigen is the ascending eigenvalues and the eigenvectors (columns) of the symmetric
// row-major d×d a.
func symEigen(a []float64, d int) ([]float64, *mat.Dense) {
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(d, append([]float64(nil), a...)), true) {
		panic("host: eigendecomposition of a symmetric matrix failed")
	}
	var v mat.Dense
	es.VectorsTo(&v)
	return es.Values(nil), &v
}

// quadForm is vᵀAv for the row-major d×d A.
func quadForm(a, v []float64) float64 {
	d := len(v)
	q := 0.0
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			q += v[i] * a[i*d+j] * v[j]
		}
	}
	return q
}
