package host

import (
	"fmt"
	"math"
)

// float32Eps is the spacing of float32 numbers relative to their size, 2⁻²⁴ (half an ulp: the
// largest relative rounding error of one operation).
const float32Eps = 1.0 / (1 << 24)

// PrecisionWarning says when float32 state (the GPU default, --precision f32) cannot resolve
// the dynamics, and "" when it can or the run is already float64.
//
// The update θ ← θ − η∇L + ξ (theory.md §1) is rounded to float32 at every step, so a change
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
	if p.Config.Precision == "f64" || p.Config.Backend == "cpu" {
		return ""
	}
	an := p.Analysis
	if an == nil || len(an.EscapeDirection) != p.Dim || len(an.HessianMin) != p.Dim*p.Dim {
		return ""
	}
	scale := 0.0
	for i := 0; i < p.Dim; i++ {
		scale = math.Max(scale, math.Max(math.Abs(an.Minimum[i]), math.Abs(an.Saddle[i])))
	}
	if scale == 0 {
		return ""
	}
	e := an.EscapeDirection
	h := 0.0 // eᵀ H_a e
	for i := range e {
		for j := range e {
			h += e[i] * an.HessianMin[i*p.Dim+j] * e[j]
		}
	}
	eta := p.Config.LR
	var dA float64 // eᵀ D(a) e, theory.md §1
	switch p.Config.Noise {
	case SGLD:
		dA = p.Config.Temp
	case SGDHessian:
		dA = eta / (2 * p.Config.Batch) * (math.Abs(h) + p.Config.Floor)
	case SGDHessianMin:
		dA = eta / (2 * p.Config.Batch) * math.Abs(h)
	case SGDLoss:
		dA = eta / p.Config.Batch * math.Max(an.LossMinimum, 0) * math.Abs(h)
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
