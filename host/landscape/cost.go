package landscape

// RowCostRatio is c_loss/c_grad, the cost of one per-sample loss against one per-sample gradient,
// estimated by their programs' operation counts (every node of the DAG one operation, shared
// subexpressions once: the arithmetic both the CPU programs and the generated GLSL perform). The
// loss-check period of host (docs/theory.md §2, "Monitoring every m iterations") is built on it.
// A gradient the compiler finds to be constant (no operations) counts as one operation.
//
// A compiled network (network.go) has no DAG: its per-sample loss is the forward pass, one
// multiply-add per weight, and its gradient the forward pass plus the backward pass, which takes
// two more per weight (the error sent back to the layer's inputs and the weight's own gradient), so
// the ratio is 1/3 (the operation count of reverse-mode differentiation: Griewank & Walther,
// Evaluating Derivatives, 2nd ed., §4.6, bound the gradient at a small multiple of the function).
func (e *Evaluator) RowCostRatio() float64 {
	if e.net != nil {
		return 1.0 / 3
	}
	return float64(max(len(e.loss.code), 1)) / float64(max(len(e.grad.code), 1))
}
