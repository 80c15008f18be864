package gpu_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/data"
	"github.com/kramers-sim/kramers/host/landscape"
)

// loopCase is a problem whose step program's loop bound is checked.
type loopCase struct {
	name, spec, data string
	noise            host.NoiseModel
	batch            float64
	sampling         string
	start            []float64
	escape           string
	guard            bool // NeedsLoopGuard expected
}

// loopCases are case 1 of kramers bench and the three programs of TestLongChunksAgreeWithReference,
// plus one of each remaining noise model.
var loopCases = []loopCase{
	{name: "case 1", spec: "doublewell(k=1)", noise: host.SGLD},
	{name: "pwq sgd-hessian", spec: "pwq", noise: host.SGDHessian, batch: 0.5},
	{name: "muller-brown sgld", spec: "muller-brown", noise: host.SGLD},
	{name: "zhu2d sgd-hessian", spec: "zhu2d", noise: host.SGDHessian, batch: 4},
	{name: "styblinski-tang d=10 sgd-hessian", spec: "styblinski-tang(d=10)", noise: host.SGDHessian, batch: 1},
	{name: "sgd-hessian-min 2-D", spec: "muller-brown", noise: host.SGDHessianMin, batch: 1},
	{name: "minibatch 1-D B=5", spec: "x^4/4 - x^2/2 + 3*f*x", data: "gen:neuron(n=100)", noise: host.Minibatch, batch: 5, start: []float64{-1}},
	{name: "sgd-hessian Jacobi", spec: "(x1^2-1)^2 + x2^2 + x3^2 + 0.5*x1*x2 + 0.3*x2*x3", noise: host.SGDHessian, batch: 0.2, start: []float64{-1, 0.2, -0.1}, guard: true},
	{name: "sgd-cov 100 rows", spec: "x^4/4 - x^2/2 + 3*f*x", data: "gen:neuron(n=100)", noise: host.SGDCov, batch: 5, start: []float64{-1}, guard: true},
	{name: "sgld d = 16", spec: "styblinski-tang(d=16)", noise: host.SGLD},
	{name: "sgd-hessian-min d = 32", spec: "styblinski-tang(d=32)", noise: host.SGDHessianMin, batch: 1, guard: true},
	{name: "minibatch epoch 100 rows", spec: "x^4/4 - x^2/2 + 3*f*x", data: "gen:neuron(n=100)", noise: host.Minibatch, batch: 5, sampling: host.SampleEpoch, start: []float64{-1}, guard: true},
	// compiled networks: the per-sample functions' loops (Landscape.SampleLoopTurns); 16 inputs
	// give inner products of 16 terms, in two chunks of 8 (host/landscape network_glsl.go)
	{name: "minibatch network d = 13", spec: "mlp(h1=3,wd=0.01)", data: "gen:mlp(n=40,seed=2,d=2,h=2)", noise: host.Minibatch, batch: 16, escape: "x1 > 50", guard: true},
	{name: "sgld network 16-1-1 softplus", spec: "mlp(h1=1,act=softplus,wd=0.01)", data: "gen:mlp(n=30,seed=1,d=16,h=2)", noise: host.SGLD, escape: "x1 > 50", guard: true},
}

func (c loopCase) problem(t *testing.T) *host.Problem {
	t.Helper()
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.Data, cfg.Start, cfg.Sampling, cfg.Escape = c.spec, c.noise, c.data, c.start, c.sampling, c.escape
	cfg.LR, cfg.Temp = 0.01, 0.1
	if c.batch > 0 {
		cfg.Batch = c.batch
	}
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return p
}

// The loop-limit probe is in the step program exactly where the loop bound cannot keep dispatches
// of at least 64 iterations below llvmpipe's limit: not in case 1 of kramers bench, in sgd-cov
// over 100 rows, Jacobi sweeps and a d×d noise matrix in 32 dimensions. Where it is absent the bound's dispatches stay
// within the limit less its margin.
func TestLoopProbeOnlyWhereNeeded(t *testing.T) {
	for _, c := range loopCases {
		p := c.problem(t)
		lb := gpu.StepLoopBound(p)
		u, err := gpu.StepSource(p, false)
		if err != nil {
			t.Fatal(err)
		}
		probe := strings.Contains(u.Text, "#define LOOP_PROBE 1")
		t.Logf("%s: bound %d + %d per %d iterations, at most %d iterations per dispatch, probe %v", c.name, lb.Fixed, lb.PerGroup, lb.StepsPerGroup, lb.MaxSteps(), probe)
		if gpu.NeedsLoopGuard(p) != c.guard || probe != c.guard {
			t.Errorf("%s: NeedsLoopGuard %v, probe in the source %v, want %v", c.name, gpu.NeedsLoopGuard(p), probe, c.guard)
		}
		if m := lb.MaxSteps(); m > 0 {
			if got := lb.Turns(m); got > gpu.LoopTurnLimit-gpu.LoopTurnLimit/8 {
				t.Errorf("%s: a dispatch of MaxSteps = %d iterations is bounded by %d turns, beyond the budget", c.name, m, got)
			}
			if got := lb.Turns(m + 2*lb.StepsPerGroup); got <= gpu.LoopTurnLimit-gpu.LoopTurnLimit/8 {
				t.Errorf("%s: MaxSteps = %d is not the largest: %d iterations take %d turns", c.name, m, m+2*lb.StepsPerGroup, got)
			}
		}
	}
}

// The loop bound holds on the driver: a dispatch of as many iterations as the bound allows within
// the whole limit (no margin) is not cut. The step programs carry the probe here (GuardProbe),
// and a cut would make Advance halve its dispatches. 64 particles (one work group) from the
// minimum, not absorbed, so that nearly every invocation runs the whole chunk.
func TestLoopBoundHoldsOnDriver(t *testing.T) {
	for _, c := range loopCases {
		t0 := time.Now()
		p := c.problem(t)
		p.Config.Absorb = false
		n := gpu.StepLoopBound(p).StepsWithin(gpu.LoopTurnLimit)
		if n == 0 {
			t.Fatalf("%s: the bound allows no iteration", c.name)
		}
		b := newGPUBackend(t, gpu.GuardProbe)
		if err := b.Load(p, 0, 64); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Advance(0, n); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := b.StepsPerDispatch(); got != 0 {
			t.Errorf("%s: a dispatch of %d iterations, within the loop bound, was cut (%s); dispatches shortened to %d", c.name, n, b.Renderer(), got)
		}
		t.Logf("%s: %d iterations in one dispatch, not cut (%s)", c.name, n, time.Since(t0).Round(time.Millisecond))
		b.Close()
	}
}

// An Advance of zero iterations dispatches the step program once per batch: host.Loop times it as
// a dispatch's fixed cost, from which its chunk rule sizes chunks (host/run.go chunkRule). In
// 0.3.1 it dispatched nothing, the rule saw no fixed cost, and case 1's chunks stayed short.
// An Advance of n iterations on a sized program takes ⌈n/MaxSteps⌉ dispatches.
func TestAdvanceDispatches(t *testing.T) {
	p := loopCases[0].problem(t) // case 1
	b := newGPUBackend(t, gpu.GuardAuto)
	defer b.Close()
	b.MaxBatch = 100 // two batches
	if err := b.Load(p, 0, 150); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Advance(0, 0); err != nil {
		t.Fatal(err)
	}
	if got := b.Dispatches(); got != 2 {
		t.Fatalf("Advance(0, 0) on two batches: %d dispatches, want 2", got)
	}
	if m := b.StepsPerDispatch(); m > 0 {
		if _, err := b.Advance(0, 2*m+1); err != nil {
			t.Fatal(err)
		}
		if got := b.Dispatches(); got != 2+2*3 {
			t.Fatalf("Advance of %d iterations with at most %d per dispatch on two batches: %d dispatches in all, want 8", 2*m+1, m, got)
		}
	}
}

// A compiled network beyond MaxNetworkDim is refused on the GPU with an input error that names
// the CPU backend (the step program holds θ in per-invocation arrays; the limit is measured).
func TestNetworkBeyondGPULimit(t *testing.T) {
	d, err := data.Open("gen:mlp(n=20,seed=1,d=30,h=2)")
	if err != nil {
		t.Fatal(err)
	}
	ls, err := landscape.ParseData("mlp(h1=20,wd=0.01)", 0, nil, d.Columns, d.Values) // d = 20·31 + 21 = 641
	if err != nil {
		t.Fatal(err)
	}
	cfg := host.DefaultConfig()
	cfg.Noise, cfg.Batch = host.Minibatch, 4
	p := &host.Problem{Config: cfg, Landscape: ls, Eval: ls.Evaluator(), Dim: ls.Dim}
	b := newGPUBackend(t, gpu.GuardAuto)
	defer b.Close()
	err = b.Supports(p, 64)
	var ie *host.InputError
	if !errors.As(err, &ie) || ie.Flag != "landscape" || !strings.Contains(ie.Msg, "d = 641 is beyond the 513") || !strings.Contains(ie.Msg, "--backend cpu") {
		t.Fatalf("Supports on a d = %d network: %v", ls.Dim, err)
	}
}
