// Package minimum finds the minimum of a large loss — a network trained on data — by full-batch
// optimisation and describes it: the loss and gradient there, the Hessian spectrum (all of it
// or its extremes), the trace, whether the minimum is strict, and the per-sample gradient
// covariance C beside the Hessian (docs/theory.md §9). It sees a loss only through Model, the
// matrix-free part of landscape.Evaluator, so that a compiled network and an expression landscape
// are treated alike; trained minima are kept in a cache keyed by model, data and start (cache.go).
package minimum

// Model is what training and the description need of a loss L(θ) = (1/N)·Σ_μ ℓ_μ(θ):
// *landscape.Evaluator implements it.
type Model interface {
	Dim() int
	Loss(x []float64) float64
	Gradient(x, g []float64)
	// HessianVector writes H(x)·v into hv.
	HessianVector(x, v, hv []float64)
	// Rows is the number of data rows N (0: not a data loss; then SampleGradients is not called).
	Rows() int
	// SampleGradients writes the N per-sample gradients ∇ℓ_μ(x), row-major N×d.
	SampleGradients(x, g []float64)
}
