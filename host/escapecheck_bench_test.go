package host

import "testing"

// BenchmarkRowCost measures c_loss/c_grad, the cost of the full-batch loss against the full-batch
// gradient on the CPU (both N rows), for the estimate from operation counts that the check period m
// rests on (landscape.Evaluator.RowCostRatio, docs/theory.md §2): compare ns/op of the two.
func BenchmarkRowCost(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Data, cfg.Noise, cfg.Batch = "mlp(h1=3,wd=0.01)", "gen:mlp(n=200)", Minibatch, 8
	cfg.Escape = "loss - loss_a > 0.02"
	p, err := Prepare(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("estimated c_loss/c_grad = %.3g, m = %d", p.Eval.RowCostRatio(), p.Escape.Period())
	x := p.Analysis.Minimum
	g := make([]float64, p.Dim)
	b.Run("loss", func(b *testing.B) {
		for range b.N {
			p.Eval.Loss(x)
		}
	})
	b.Run("gradient", func(b *testing.B) {
		for range b.N {
			p.Eval.Gradient(x, g)
		}
	})
}
