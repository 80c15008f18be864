package host

import (
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host/landscape"
)

// float32Eps is the spacing of float32 numbers relative to their size, 2⁻²⁴ (half an ulp: the
// largest relative rounding error of one operation).
const float32Eps = 1.0 / (1 << 24)

// PrecisionWarning says when float32 state (the GPU default, --precision f32) cannot resolve
// the dynamics, and "" when it can or the run is already float64.
//
// The update θ ← θ − η∇L + ξ (docs/theory.md §1) is rounded to float32 at every step, so a change
// smaller than |θ|·2⁻²⁴ is lost. Two changes matter, both evaluated along the escape direction
// e at the minimum a, where the particles spend their time:
//
//   - the noise per step, σ = sqrt(2η·eᵀD(a)e);
//   - the drift per step at a typical distance from a, η·h·s, with h = eᵀH_a e and
//     s = sqrt(eᵀD(a)e / h) the stationary spread of the linearised (Ornstein–Uhlenbeck) well.
//
// A run is flagged when either is below 8 float32 rounding units of the coordinates (a and the
// saddle b): then rounding, not the dynamics, decides much of each step and --precision f64
// is recommended.
func PrecisionWarning(p *Problem) string {
	dataD := math.NaN()
	if p.Noise.Model.IsData() && p.Analysis != nil && len(p.Analysis.EscapeDirection) == p.Dim {
		dataD = p.dataDiffusion(p.Analysis.Minimum, p.Analysis.EscapeDirection)
	}
	return precisionWarning(p.Config, p.Analysis, p.Dim, dataD)
}

// precisionWarning is PrecisionWarning from a configuration and its analysis (Merge has no
// Problem, only the shards' results). dataD is eᵀD(a)e of the finite-data noise models (from
// the data's gradient covariance, docs/theory.md §8), NaN where unknown: no warning then.
func precisionWarning(cfg Config, an *landscape.Analysis, dim int, dataD float64) string {
	if cfg.Precision == F64 || cfg.Backend == CPU {
		return ""
	}
	if an == nil || dim < 1 || len(an.EscapeDirection) != dim || len(an.HessianMin) != dim*dim ||
		len(an.Minimum) != dim || len(an.Saddle) != dim {
		return ""
	}
	scale := 0.0
	for i := 0; i < dim; i++ {
		scale = math.Max(scale, math.Max(math.Abs(an.Minimum[i]), math.Abs(an.Saddle[i])))
	}
	if scale == 0 {
		return ""
	}
	e := an.EscapeDirection
	h := 0.0 // eᵀ H_a e
	for i := range e {
		for j := range e {
			h += e[i] * an.HessianMin[i*dim+j] * e[j]
		}
	}
	eta := cfg.LR
	var dA float64 // eᵀ D(a) e, docs/theory.md §1
	switch cfg.Noise {
	case SGLD:
		dA = cfg.Temp
	case SGDHessian:
		dA = eta / (2 * cfg.Batch) * (math.Abs(h) + cfg.Floor)
	case SGDHessianMin:
		dA = eta / (2 * cfg.Batch) * math.Abs(h)
	case SGDLoss:
		dA = eta / cfg.Batch * math.Max(an.LossMinimum, 0) * math.Abs(h)
	case Minibatch, SGDCov:
		if math.IsNaN(dataD) {
			return ""
		}
		dA = dataD
	}
	noise := math.Sqrt(2 * eta * dA)
	drift := math.Inf(1)
	if h > 0 {
		drift = eta * h * math.Sqrt(dA/h)
	}
	resolution := 8 * scale * float32Eps
	step := math.Min(noise, drift)
	if !(step < resolution) {
		return ""
	}
	what := "noise"
	if drift < noise {
		what = "drift"
	}
	return fmt.Sprintf("float32 cannot resolve this run: the %s per step near the minimum (%.3g) is below 8 rounding units of θ (%.3g at |θ| = %.3g); use --precision f64",
		what, step, resolution, scale)
}
