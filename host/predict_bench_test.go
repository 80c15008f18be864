package host

import "testing"

// BenchmarkPredictionsData times the theory of a finite-data run in 2-D (issue 21: the runs of
// K12's one-neuron regression, docs/theory.md §8), whose only value is the path value: the
// minimum-energy path and the exact discrete chain along it, D a sum over the 200 rows at each node.
// The analysis (Prepare) is done once, outside the timing.
func BenchmarkPredictionsData(b *testing.B) {
	for _, noise := range []NoiseModel{Minibatch, SGDCov} {
		b.Run(string(noise), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Landscape, cfg.Params, cfg.Start = "0.5*(x*tanh(y*f + c) - t)^2", map[string]float64{"c": 0.5}, []float64{0.7, 1}
			cfg.Data, cfg.Noise, cfg.Batch, cfg.LR, cfg.Backend = "gen:neuron(n=200,seed=1,v=0.7,w=1,c=0.5,sigma=1)", noise, 2, 1, CPU
			p, err := Prepare(cfg)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				p.predictions, p.perExit = nil, nil
				if Predictions(p)["path"].Tau == nil {
					b.Fatal("no path value")
				}
			}
		})
	}
}
