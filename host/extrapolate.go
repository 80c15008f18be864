package host

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/kramers-sim/kramers/host/survival"
)

// HalfStep is cfg at η/2 with the same continuous-time dynamics in the limit: the same diffusion
// D (B/η kept for the SGD noise models, T kept for sgld; docs/theory.md §1), the same window in
// time units (twice the steps) and the same burn-in time.
func HalfStep(cfg Config) Config {
	h := cfg
	h.LR = cfg.LR / 2
	if cfg.Noise != SGLD {
		h.Batch = cfg.Batch / 2
	}
	h.Steps = 2 * cfg.Steps
	return h
}

// ExtrapolationSteps is how many step sizes --extrapolate runs: η, η/2 and η/4.
const ExtrapolationSteps = 3

// Extrapolation is the η → 0 limit of the quasi-stationary τ from runs at η, η/2 and η/4
// (docs/theory.md §4.3). The model is τ(η) = τ₀ + a·η + c·√η: Euler–Maruyama has a weak error
// O(η), and monitoring the escape only at the iterations adds an O(√η) term for a killed diffusion
// (Gobet, Stoch. Proc. Appl. 87, 167 (2000)). Three step sizes fix the three coefficients exactly.
// A linear Richardson step from two step sizes, 2τ(η/2) − τ(η), leaves the √η term in: measured
// with the exact discrete value on pwq(ha=6,hb=3,a=−0.5,b=0.5), sgd-hessian, B/η = 12, escape at
// θ > 1.2, τ = 712.2, 759.4, 788.1 at η = 0.01, 0.005, 0.0025 against 841.6 for η → 0: the linear
// step from the two finest gives 816.9 (−2.9%), the three-term model 841.9.
type Extrapolation struct {
	LR  []float64 `json:"lr"`  // η, η/2, η/4
	Tau []float64 `json:"tau"` // the quasi-stationary τ̂ at each
	// TauSigma are the standard errors τ̂/√E of the runs (Poisson error of the censored MLE).
	TauSigma []float64 `json:"tau_sigma"`
	// Weights are τ₀'s coefficients on the three τ̂ (the first row of the inverse of the model's
	// design matrix): τ₀ = Σ wᵢτ̂ᵢ and σ₀² = Σ wᵢ²σᵢ².
	Weights []float64 `json:"weights"`
	// Tau0 is the extrapolated τ; Tau0CI95 is Tau0 ± 1.96·σ₀, a normal approximation that holds
	// when every run has many escapes. It covers the statistical error under the model, not
	// terms beyond √η and η.
	Tau0     *float64   `json:"tau0"`
	Tau0CI95 [2]float64 `json:"tau0_ci95"`
	// Linear is 2τ(η/4) − τ(η/2), the linear Richardson step from the two finest runs, beside it.
	Linear   float64 `json:"linear_richardson"`
	Model    string  `json:"model"`
	Resolved bool    `json:"resolved"`
	Note     string  `json:"note,omitempty"`
	// Estimates are those of the runs at η/2 and η/4 (the run at η is the result itself).
	Estimates []survival.Estimate `json:"finer_estimates,omitempty"`
}

// Extrapolate fits τ(η) = τ₀ + a·η + c·√η through the estimates made at lr, lr/2, lr/4.
func Extrapolate(lr float64, ests []survival.Estimate) Extrapolation {
	x := Extrapolation{Model: "τ(η) = τ₀ + a·η + c·√η (docs/theory.md §4.3)"}
	if len(ests) != ExtrapolationSteps {
		x.Note = fmt.Sprintf("unresolved: %d estimates, need %d", len(ests), ExtrapolationSteps)
		return x
	}
	design := mat.NewDense(ExtrapolationSteps, 3, nil)
	for i, e := range ests {
		eta := lr / math.Exp2(float64(i))
		x.LR = append(x.LR, eta)
		design.SetRow(i, []float64{1, eta, math.Sqrt(eta)})
		if !e.Resolved || e.Tau == nil {
			x.Note = fmt.Sprintf("unresolved: the run at η = %g has no resolved rate (%s)", eta, e.Note)
			return x
		}
		x.Tau = append(x.Tau, *e.Tau)
		x.TauSigma = append(x.TauSigma, *e.Tau/math.Sqrt(float64(e.Escaped)))
	}
	var inv mat.Dense
	if err := inv.Inverse(design); err != nil {
		x.Note = "unresolved: " + err.Error()
		return x
	}
	t0, v0 := 0.0, 0.0
	for i := range ExtrapolationSteps {
		w := inv.At(0, i)
		x.Weights = append(x.Weights, w)
		t0 += w * x.Tau[i]
		v0 += w * w * x.TauSigma[i] * x.TauSigma[i]
	}
	s0 := math.Sqrt(v0)
	x.Linear = 2*x.Tau[2] - x.Tau[1]
	if !(t0 > 0) {
		x.Note = fmt.Sprintf("unresolved: the extrapolated τ is not positive (%.4g): η is outside the range where the bias follows the model; run at a smaller --lr", t0)
		return x
	}
	x.Tau0 = &t0
	x.Tau0CI95 = [2]float64{t0 - 1.96*s0, t0 + 1.96*s0}
	x.Resolved = true
	return x
}

// ExtrapolateRun runs the configuration of res at η/2 and η/4 (HalfStep), each on a backend open
// gives, and attaches the extrapolation to η → 0 (Extrapolate), with the finer runs' estimates, to
// res. starting, when not nil, is told of each run before it starts. A cancelled ctx stops it
// with ErrRunInterrupted and leaves res as it was.
func ExtrapolateRun(ctx context.Context, res *Result, open BackendFactory, starting func(Config)) error {
	ests := []survival.Estimate{res.Estimate}
	cfg := res.Config
	for len(ests) < ExtrapolationSteps {
		cfg = HalfStep(cfg)
		if starting != nil {
			starting(cfg)
		}
		est, err := finerEstimate(ctx, cfg, open)
		if err != nil {
			return err
		}
		ests = append(ests, est)
	}
	x := Extrapolate(res.LR, ests)
	x.Estimates = ests[1:]
	res.Extrapolation = &x
	return nil
}

// finerEstimate is the estimate of one of ExtrapolateRun's finer runs.
func finerEstimate(ctx context.Context, cfg Config, open BackendFactory) (survival.Estimate, error) {
	if err := cfg.Validate(); err != nil {
		return survival.Estimate{}, fmt.Errorf("--extrapolate: the run at η = %g: %w", cfg.LR, err)
	}
	p, err := Prepare(cfg)
	if err != nil {
		return survival.Estimate{}, err
	}
	b, err := open(p.Config)
	if err != nil {
		return survival.Estimate{}, err
	}
	defer b.Close()
	r, err := Execute(ctx, p, b, RunOptions{})
	if err != nil {
		return survival.Estimate{}, err
	}
	if r.Partial {
		return survival.Estimate{}, ErrRunInterrupted
	}
	return r.Estimate, nil
}
