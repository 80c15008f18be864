package theory

import (
	"fmt"
	"math"
)

// Prediction is one named theoretical escape time. Tau and Rate are nil when
// the formula does not apply; Reason then says why. Reason may also carry a
// caveat when a value is given. A numerical value that missed its tolerance is
// kept, with the accuracy it reached in RelErr: it is never dropped.
type Prediction struct {
	Name    string   `json:"name"`
	Kind    Kind     `json:"kind"`
	Tau     *float64 `json:"tau"`
	Rate    *float64 `json:"rate"`
	Reason  string   `json:"reason,omitempty"`
	Formula string   `json:"formula"`
	// RelErr is the estimated relative error of a numerical value (0: not
	// estimated, or exact to rounding).
	RelErr float64 `json:"relative_error,omitempty"`
	// MeanFirstPassage is the mean first-passage time from the start, where a
	// method gives it beside the rate (the exact discrete-time value).
	MeanFirstPassage *float64 `json:"mean_first_passage,omitempty"`
	// Question is the escape question the value answers: the start basin,
	// the escape set and which boundaries absorb (docs/theory.md §4). The
	// caller (host) fills it; a value is compared with a measurement only
	// when its question is the measurement's.
	Question string `json:"question,omitempty"`
}

// Kind says how far a prediction can be trusted (docs/theory.md §4).
type Kind string

const (
	// Exact values solve the model itself numerically, to a stated accuracy.
	// ExactDiscrete solves the discrete chain the simulator runs, at its own η;
	// ExactContinuous solves the η → 0 diffusion, so the simulator differs
	// from it by the O(η) discretisation bias (docs/theory.md §4.3).
	ExactDiscrete   Kind = "exact-discrete"
	ExactContinuous Kind = "exact-continuous"
	// Asymptotic values hold in the low-noise limit (large barrier in noise
	// units) of the continuous diffusion.
	Asymptotic Kind = "asymptotic"
	// Approximate values rest on a modelling step beyond the asymptotics, such
	// as reducing a d-dimensional escape to its minimum-energy path.
	Approximate Kind = "approximate"
)

// MinNoiseUnits is the smallest barrier, in units of the noise (ΔL/T for
// sgld, the exponent for the SGD formulas), at which the low-noise
// asymptotic formulas of docs/theory.md §4 are used.
const MinNoiseUnits = 3

// withTau fills Tau and Rate = 1/Tau.
func (p Prediction) withTau(tau float64) Prediction {
	r := 1 / tau
	p.Tau, p.Rate = &tau, &r
	return p
}

func (p Prediction) none(format string, args ...any) Prediction {
	p.Tau, p.Rate = nil, nil
	p.Reason = fmt.Sprintf(format, args...)
	return p
}

// checkMinSaddle verifies that hMin are the eigenvalues of a positive definite
// Hessian and hSaddle those of an index-1 saddle of the same dimension. It
// returns det H_a, |det H_b|, |λ_b| and an empty string, or a reason.
func checkMinSaddle(hMin, hSaddle []float64) (detA, detBAbs, lambdaBAbs float64, reason string) {
	if len(hMin) == 0 || len(hMin) != len(hSaddle) {
		return 0, 0, 0, fmt.Sprintf("need eigenvalues of H_a and H_b of equal, non-zero dimension (got %d and %d)", len(hMin), len(hSaddle))
	}
	detA, detBAbs = 1, 1
	for _, v := range hMin {
		if !(v > 0) || math.IsInf(v, 0) {
			return 0, 0, 0, fmt.Sprintf("H_a is not positive definite (eigenvalue %g)", v)
		}
		detA *= v
	}
	neg := 0
	for _, v := range hSaddle {
		switch {
		case v < 0 && !math.IsInf(v, 0):
			neg++
			lambdaBAbs = -v
		case v > 0 && !math.IsInf(v, 0):
		default:
			return 0, 0, 0, fmt.Sprintf("H_b is degenerate or not finite (eigenvalue %g)", v)
		}
		detBAbs *= math.Abs(v)
	}
	if neg != 1 {
		return 0, 0, 0, fmt.Sprintf("H_b is not an index-1 saddle (%d negative eigenvalues)", neg)
	}
	return detA, detBAbs, lambdaBAbs, ""
}

// EyringKramers is the mean escape time for white noise D = T·I
// (docs/theory.md §4.1; Berglund 2013, arXiv:1106.5799):
//
//	τ = (2π/|λ_b|) · sqrt(|det H_b| / det H_a) · exp(ΔL/T)
//
// hMinEig and hSaddleEig are the eigenvalues of H_a (all positive) and H_b
// (exactly one negative, λ_b). The law is a low-temperature asymptotic; the
// prediction is nil when ΔL/T < MinNoiseUnits.
func EyringKramers(hMinEig, hSaddleEig []float64, deltaL, temp float64) Prediction {
	p := Prediction{Name: "eyring_kramers", Kind: Asymptotic, Formula: "τ = (2π/|λ_b|)·sqrt(|det H_b|/det H_a)·exp(ΔL/T) (docs/theory.md §4.1)"}
	detA, detB, lb, reason := checkMinSaddle(hMinEig, hSaddleEig)
	if reason != "" {
		return p.none("%s", reason)
	}
	if !(temp > 0) || math.IsInf(temp, 0) {
		return p.none("temperature must be positive and finite (got %g)", temp)
	}
	if !(deltaL > 0) || math.IsInf(deltaL, 0) {
		return p.none("barrier ΔL must be positive and finite (got %g)", deltaL)
	}
	if u := deltaL / temp; u < MinNoiseUnits {
		return p.none("barrier below %d noise units (ΔL/T = %.3g)", MinNoiseUnits, u)
	}
	// Prefactor and exponent are combined in log space so that a high barrier
	// gives +Inf only when τ itself exceeds float64.
	logTau := math.Log(2*math.Pi/lb) + 0.5*(math.Log(detB)-math.Log(detA)) + deltaL/temp
	return p.withTau(math.Exp(logTau))
}

// XieExponent is the exponent of the escape time of Xie, Sato & Sugiyama
// (ICLR 2021; docs/theory.md §4.2) for Hessian-shaped SGD noise
// D = (η/2B)·|H|:
//
//	log τ = (2BΔL/η) · (s/H_ae + (1−s)/|H_be|) + log(prefactor)
//
// batch is B, lr is η, hae = eᵀH_a e, hbe = λ_b (its sign is ignored) and s is
// the path-dependent weight in (0, 1).
func XieExponent(deltaL, batch, lr, hae, hbe, s float64) float64 {
	return batch / lr * XieExponentSlope(deltaL, hae, hbe, s)
}

// XieExponentSlope is d log τ / d(B/η) = 2ΔL·(s/H_ae + (1−s)/|H_be|), the
// slope of log τ against B/η (docs/theory.md §4.2; Xie et al. ICLR 2021).
func XieExponentSlope(deltaL, hae, hbe, s float64) float64 {
	return 2 * deltaL * (s/hae + (1-s)/math.Abs(hbe))
}

// FitS inverts XieExponentSlope: given a measured slope of log τ against B/η
// it returns the s of docs/theory.md §4.2,
//
//	s = (slope/(2ΔL) − 1/|H_be|) / (1/H_ae − 1/|H_be|).
//
// It is NaN when H_ae = |H_be| (s is then not identifiable). The result is not
// clamped to (0, 1): a value outside says the quadratic picture does not hold.
func FitS(slope, deltaL, hae, hbe float64) float64 {
	ib := 1 / math.Abs(hbe)
	den := 1/hae - ib
	if den == 0 {
		return math.NaN()
	}
	return (slope/(2*deltaL) - ib) / den
}

// PWQS is the exact s of the piecewise-quadratic landscape,
// s = |H_b|/(H_a + |H_b|) (docs/theory.md §4.2).
func PWQS(ha, hbAbs float64) float64 {
	hbAbs = math.Abs(hbAbs)
	return hbAbs / (ha + hbAbs)
}

// XiePWQ is the escape time of the 1-D piecewise-quadratic landscape under
// sgd-hessian noise D = (η/2B)|L”| with the exact s = |H_b|/(H_a+|H_b|) and
// prefactor 2π/H_a (docs/theory.md §4.2; Xie et al. ICLR 2021). The prefactor
// comes from Laplace's method on the exact formula of §4.3: the inner integral
// around a gives (2/H_a)·sqrt(πB/η), the outer one around b (absorbing well past
// b) sqrt(πη/B). It is the low-noise limit; when the exponent is below
// MinNoiseUnits the value is still given, with a caveat in Reason.
func XiePWQ(ha, hbAbs, deltaL, batch, lr float64) Prediction {
	p := Prediction{Name: "xie", Kind: Asymptotic, Formula: "τ = (2π/H_a)·exp((2BΔL/η)(s/H_a+(1−s)/|H_b|)), s = |H_b|/(H_a+|H_b|) (docs/theory.md §4.2)"}
	hbAbs = math.Abs(hbAbs)
	switch {
	case !(ha > 0) || math.IsInf(ha, 0):
		return p.none("H_a must be positive and finite (got %g)", ha)
	case !(hbAbs > 0) || math.IsInf(hbAbs, 0):
		return p.none("|H_b| must be positive and finite (got %g)", hbAbs)
	case !(deltaL > 0) || math.IsInf(deltaL, 0):
		return p.none("barrier ΔL must be positive and finite (got %g)", deltaL)
	case !(batch > 0) || !(lr > 0) || math.IsInf(batch, 0) || math.IsInf(lr, 0):
		return p.none("batch and learning rate must be positive and finite (got B=%g, η=%g)", batch, lr)
	}
	x := XieExponent(deltaL, batch, lr, ha, hbAbs, PWQS(ha, hbAbs))
	p = p.withTau(math.Exp(math.Log(2*math.Pi/ha) + x))
	if x < MinNoiseUnits {
		p.Reason = fmt.Sprintf("low-noise asymptotic used at a small exponent (%.3g < %d): expect a few %% error", x, MinNoiseUnits)
	}
	return p
}

// MoriExponent is the power of the loss ratio in the escape rate of Mori et
// al. (ICML 2022; docs/theory.md §4.4): B/(η·h_a) + 1 − n/2, n the dimension.
func MoriExponent(batch, lr, ha float64, dim int) float64 {
	return batch/(lr*ha) + 1 - float64(dim)/2
}

// Mori is the escape rate for loss-proportional SGD noise
// D = (η/B)·L(θ)·H(a) (Mori, Ziyin, Liu & Ueda, ICML 2022; docs/theory.md §4.4):
//
//	κ = (|λ_b|/2π) · sqrt(det H_a / |det H_b|) · (L(b)/L(a))^−(B/(η h_a) + 1 − n/2)
//
// ha is the eigenvalue of H_a along the escape direction and dim = n. The
// prediction is nil when L(a) ≤ 0 (the noise model needs L > 0 at a) or
// L(b) ≤ L(a). It is a low-noise result; when the effective barrier
// (exponent · log(L(b)/L(a))) is below MinNoiseUnits a caveat is added.
func Mori(hMinEig, hSaddleEig []float64, ha, lossMin, lossSaddle, batch, lr float64, dim int) Prediction {
	p := Prediction{Name: "mori", Kind: Asymptotic, Formula: "κ = (|λ_b|/2π)·sqrt(det H_a/|det H_b|)·(L(b)/L(a))^−(B/(η h_a)+1−n/2) (docs/theory.md §4.4)"}
	detA, detB, lb, reason := checkMinSaddle(hMinEig, hSaddleEig)
	switch {
	case reason != "":
		return p.none("%s", reason)
	case dim != len(hMinEig):
		return p.none("dimension %d does not match %d Hessian eigenvalues", dim, len(hMinEig))
	case !(lossMin > 0):
		return p.none("L(a) = %g ≤ 0: loss-proportional noise vanishes at the minimum", lossMin)
	case !(lossSaddle > lossMin):
		return p.none("L(b) = %g is not above L(a) = %g", lossSaddle, lossMin)
	case !(ha > 0):
		return p.none("h_a must be positive (got %g)", ha)
	case !(batch > 0) || !(lr > 0):
		return p.none("batch and learning rate must be positive (got B=%g, η=%g)", batch, lr)
	}
	k := MoriExponent(batch, lr, ha, dim)
	units := k * math.Log(lossSaddle/lossMin)
	logRate := math.Log(lb/(2*math.Pi)) + 0.5*(math.Log(detA)-math.Log(detB)) - units
	p = p.withTau(math.Exp(-logRate))
	if units < MinNoiseUnits {
		p.Reason = fmt.Sprintf("low-noise asymptotic used at a small effective barrier (%.3g < %d)", units, MinNoiseUnits)
	}
	return p
}
