package gpu_test

import (
	"context"
	"testing"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

// lossEscapeConfig: real SGD on the tilted double well over 400 rows with a loss-level escape, its
// check every m iterations (0: automatic).
func lossEscapeConfig(m int) host.Config {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Data, cfg.Noise = "x^4/4 - x^2/2 + 3*f*x", "gen:neuron(n=400)", host.Minibatch
	cfg.Batch, cfg.LR, cfg.Start, cfg.Escape, cfg.CheckEvery = 5, 0.05, []float64{-1}, "loss - loss_a > 0.05", m
	cfg.Particles, cfg.Steps, cfg.Seed, cfg.Absorb, cfg.Chunk = 256, 3000, 5, false, 3000
	return cfg
}

// TestLossCheckLoopBound: the loss check's row loop is in the step program's loop bound, once per
// check period: checking every iteration allows shorter dispatches than the automatic m, and the
// dispatches the bound allows stay within llvmpipe's budget.
func TestLossCheckLoopBound(t *testing.T) {
	var steps [2]int
	for k, m := range []int{1, 0} {
		p, err := host.Prepare(lossEscapeConfig(m))
		if err != nil {
			t.Fatal(err)
		}
		lb := gpu.StepLoopBound(p)
		steps[k] = lb.MaxSteps()
		t.Logf("m = %d: %d turns per check, at most %d iterations per dispatch", p.Escape.Period(), lb.PerCheck, steps[k])
		if lb.PerCheck <= 400 || lb.CheckPeriod != p.Escape.Period() {
			t.Errorf("m = %d: the bound counts %d turns per check every %d iterations, want > 400 (the rows) every m", p.Escape.Period(), lb.PerCheck, lb.CheckPeriod)
		}
		if steps[k] > 0 && lb.Turns(steps[k]) > gpu.LoopTurnLimit-gpu.LoopTurnLimit/8 {
			t.Errorf("m = %d: MaxSteps %d takes %d turns, beyond the budget", p.Escape.Period(), steps[k], lb.Turns(steps[k]))
		}
	}
	if steps[0] >= steps[1] {
		t.Errorf("checking every iteration allows %d iterations per dispatch, not fewer than the automatic m's %d", steps[0], steps[1])
	}
}

// TestLossCheckEveryIterationLongChunk: the loss checked after every iteration (400 rows each, in a
// requested chunk of 3000 iterations) records on the GPU what the reference records: the loop
// bound sizes the dispatches so that llvmpipe's loop limit cuts nothing. Tolerance: records equal
// for all but 1 in 1000 particles (float32 rounding at the level, as validate's cross-checks).
func TestLossCheckEveryIterationLongChunk(t *testing.T) {
	p, err := host.Prepare(lossEscapeConfig(1))
	if err != nil {
		t.Fatal(err)
	}
	records := func(b host.Backend) []uint32 {
		defer b.Close()
		if _, err := host.Execute(context.Background(), p, b, host.RunOptions{}); err != nil {
			t.Fatal(err)
		}
		r, err := b.Records()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ref := records(validate.NewCPU())
	got := records(newGPUBackend(t, gpu.GuardAuto))
	differ, escaped := 0, 0
	for i := range ref {
		if ref[i] != got[i] {
			differ++
		}
		if _, ok := host.Escaped(ref[i]); ok {
			escaped++
		}
	}
	t.Logf("%d of %d particles escaped in the reference; %d records differ", escaped, len(ref), differ)
	if differ*1000 > len(ref) || escaped < 50 {
		t.Errorf("%d records differ (allowed %d), %d escapes (want ≥ 50)", differ, len(ref)/1000, escaped)
	}
}
