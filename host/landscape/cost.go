package landscape

// RowCostRatio is c_loss/c_grad, the cost of one per-sample loss against one per-sample gradient,
// estimated by their programs' operation counts (every node of the DAG one operation, shared
// subexpressions once: the arithmetic both the CPU programs and the generated GLSL perform). The
// loss-check period of host (docs/theory.md §2, "Monitoring every m iterations") is built on it.
// A gradient the compiler finds to be constant (no operations) counts as one operation.
func (e *Evaluator) RowCostRatio() float64 {
	return float64(max(len(e.loss.code), 1)) / float64(max(len(e.grad.code), 1))
}
