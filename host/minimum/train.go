package minimum

import (
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// DefaultTol is the default gradient tolerance: training stops when ‖∇L‖∞ ≤ Tol·max(1, |L|).
// docs/theory.md §9: a line search that compares losses resolves a decrease only above
// ≈ ε·|L| (ε = 2.2·10⁻¹⁶), and near a minimum a step lowers L by about ‖∇L‖²/(2λ_max), so
// L-BFGS stalls near ‖∇L‖ ≈ sqrt(2ε·|L|·λ_max) ≈ 2·10⁻⁸·sqrt(|L|·λ_max); 10⁻⁸ relative is at
// that limit for |L|·λ_max ≲ 1 and the Newton–CG polish, which compares gradients, not losses,
// goes below it. Relative to max(1, |L|) so that a loss scaled by c > 1 keeps its tolerance.
const DefaultTol = 1e-8

// DefaultMaxIter is the default budget of L-BFGS iterations.
const DefaultMaxIter = 20000

// TrainOptions are the inputs of Train; zero values take the defaults.
type TrainOptions struct {
	Tol     float64 // relative gradient tolerance (DefaultTol)
	MaxIter int     // L-BFGS iterations at most (DefaultMaxIter)
}

func (o TrainOptions) resolved() TrainOptions {
	if o.Tol == 0 {
		o.Tol = DefaultTol
	}
	if o.MaxIter == 0 {
		o.MaxIter = DefaultMaxIter
	}
	return o
}

// Training is the minimum that full-batch training from Start reached, and how.
type Training struct {
	Start   []float64 `json:"start"`
	Minimum []float64 `json:"minimum"`
	Loss    float64   `json:"loss"`
	// GradientMax and GradientNorm are ‖∇L‖∞ and ‖∇L‖₂ at Minimum.
	GradientMax  float64 `json:"gradient_max"`
	GradientNorm float64 `json:"gradient_norm"`
	// Tol is the relative tolerance; Threshold = Tol·max(1, |L|) the bound on ‖∇L‖∞ it sets.
	Tol       float64 `json:"tol"`
	Threshold float64 `json:"threshold"`
	// Iterations and Evaluations are L-BFGS's major iterations and loss-and-gradient evaluations;
	// PolishSteps the accepted Newton–CG steps after it, PolishProducts their Hessian-vector products.
	Iterations     int     `json:"iterations"`
	Evaluations    int     `json:"evaluations"`
	PolishSteps    int     `json:"polish_steps"`
	PolishProducts int     `json:"polish_products"`
	Seconds        float64 `json:"seconds"`
	Status         string  `json:"status"` // gonum's status of the L-BFGS run
}

// Method is the sentence that says how the minimum was found.
func (t *Training) Method() string {
	return fmt.Sprintf("full-batch L-BFGS from the start (%d iterations, %d evaluations) and %d Newton–CG steps (%d Hessian-vector products), %.3g s, to ‖∇L‖∞ = %.3g ≤ %.3g = %g·max(1, |L|)",
		t.Iterations, t.Evaluations, t.PolishSteps, t.PolishProducts, t.Seconds, t.GradientMax, t.Threshold, t.Tol)
}

// NotConvergedError says that training stopped short of the gradient tolerance.
type NotConvergedError struct {
	Training *Training
	MaxIter  int
}

func (e *NotConvergedError) Error() string {
	t := e.Training
	return fmt.Sprintf("training did not reach the gradient tolerance: after %d L-BFGS iterations (%s) and %d Newton–CG steps ‖∇L‖∞ = %.3g at L = %.6g, above %.3g = %g·max(1, |L|); the loss may have no minimum near the start (weights running off: add weight decay, such as wd=0.01) or need more than %d iterations or a looser tolerance than %g",
		t.Iterations, t.Status, t.PolishSteps, t.GradientMax, t.Loss, t.Threshold, t.Tol, e.MaxIter, t.Tol)
}

// relativeGradient is gonum's convergence test at each major iteration: ‖∇L‖∞ ≤ tol·max(1, |L|).
type relativeGradient struct{ tol float64 }

func (relativeGradient) Init(int) {}

func (c relativeGradient) Converged(loc *optimize.Location) optimize.Status {
	if loc.Gradient != nil && floats.Norm(loc.Gradient, math.Inf(1)) <= c.tol*math.Max(1, math.Abs(loc.F)) {
		return optimize.GradientThreshold
	}
	return optimize.NotTerminated
}

// Train minimises m from start by full-batch L-BFGS (gonum optimize) to ‖∇L‖∞ ≤ Tol·max(1, |L|),
// then polishes with Newton–CG steps (polish). A run that ends above the tolerance is a
// *NotConvergedError; a loss that is not finite at the start is an error.
func Train(m Model, start []float64, opt TrainOptions) (*Training, error) {
	opt = opt.resolved()
	d := m.Dim()
	if len(start) != d {
		return nil, fmt.Errorf("start has %d coordinates, the model has %d", len(start), d)
	}
	if l := m.Loss(start); math.IsNaN(l) || math.IsInf(l, 0) {
		return nil, fmt.Errorf("the loss is not finite at the start (L = %v)", l)
	}
	began := time.Now()
	p := optimize.Problem{
		Func: m.Loss,
		Grad: func(g, x []float64) { m.Gradient(x, g) },
	}
	settings := &optimize.Settings{Converger: relativeGradient{opt.Tol}, MajorIterations: opt.MaxIter}
	res, err := optimize.Minimize(p, start, settings, &optimize.LBFGS{GradStopThreshold: math.NaN()})
	// A line search that cannot resolve a further decrease (ErrLinesearcherFailure, ErrNoProgress)
	// ends near the round-off floor of the loss: the polish below and the tolerance decide.
	if err != nil && !errors.Is(err, optimize.ErrLinesearcherFailure) && !errors.Is(err, optimize.ErrNoProgress) {
		return nil, fmt.Errorf("L-BFGS: %v", err)
	}
	t := &Training{Start: append([]float64(nil), start...), Tol: opt.Tol, Status: res.Status.String(),
		Iterations: res.Stats.MajorIterations, Evaluations: res.Stats.FuncEvaluations + res.Stats.GradEvaluations}
	if err != nil {
		t.Status = err.Error()
	}
	x := append([]float64(nil), res.X...)
	x, t.PolishSteps, t.PolishProducts = polish(m, x)
	t.Minimum = x
	t.measure(m)
	t.Seconds = time.Since(began).Seconds()
	if !(t.GradientMax <= t.Threshold) {
		return t, &NotConvergedError{Training: t, MaxIter: opt.MaxIter}
	}
	return t, nil
}

// measure fills in L, the gradient norms and the threshold at t.Minimum.
func (t *Training) measure(m Model) {
	g := make([]float64, len(t.Minimum))
	m.Gradient(t.Minimum, g)
	t.Loss = m.Loss(t.Minimum)
	t.GradientMax, t.GradientNorm = floats.Norm(g, math.Inf(1)), floats.Norm(g, 2)
	t.Threshold = t.Tol * math.Max(1, math.Abs(t.Loss))
}
