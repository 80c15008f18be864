package host

import (
	"context"
	"errors"
	"math"
	"testing"
)

func TestSetSpecParam(t *testing.T) {
	cases := []struct {
		spec, name string
		v          float64
		want       string
	}{
		{"pwq(ha=4,hb=2,a=-1,b=0)", "k", 2, "pwq(ha=4,hb=2,a=-1,b=0,k=2)"},
		{"pwq(ha=4,hb=2,a=-1,b=0,k=3)", "k", 0.5, "pwq(ha=4,hb=2,a=-1,b=0,k=0.5)"},
		{"pwq(ha=4, hb=2)", "ha", 8, "pwq(ha=8,hb=2)"},
		{"doublewell", "k", 2, "doublewell(k=2)"},
		{" doublewell() ", "dl", 1.5, "doublewell(dl=1.5)"},
		{"tilted(c=0.1)", "c", -0.2, "tilted(c=-0.2)"},
		{"pwq(ha=4,hb=2,a=-1,b=0)", "l0", 0.0333333, "pwq(ha=4,hb=2,a=-1,b=0,l0=0.0333333)"},
		{"twowell(hs=4)", "dl", 0.25, "twowell(hs=4,dl=0.25)"},
	}
	for _, c := range cases {
		got, err := SetSpecParam(c.spec, c.name, c.v)
		if err != nil || got != c.want {
			t.Errorf("SetSpecParam(%q, %s=%g) = %q, %v; want %q", c.spec, c.name, c.v, got, err, c.want)
		}
	}
	for _, bad := range []struct{ spec, name string }{{"x^4/4 - x^2/2", "k"}, {"pwq(ha=4)", "zz"}, {"doublewell", "ha"}} {
		_, err := SetSpecParam(bad.spec, bad.name, 1)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Flag != "vary" {
			t.Errorf("SetSpecParam(%q, %s) should be an input error on --vary, got %v", bad.spec, bad.name, err)
		}
	}
}

func TestApplyVaryAndParse(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape = "pwq(ha=4,hb=2,a=-1,b=0)"
	name, vals, err := ParseVary("batch=0.02, 0.04,0.08")
	if err != nil || name != "batch" || len(vals) != 3 || vals[1] != 0.04 {
		t.Fatalf("ParseVary: %v %v %v", name, vals, err)
	}
	if _, _, err := ParseVary("batch"); err == nil {
		t.Fatal("ParseVary without '=' should fail")
	}
	if _, _, err := ParseVary("lr=0.1,x"); err == nil {
		t.Fatal("ParseVary with a non-number should fail")
	}
	c, err := ApplyVary(cfg, "lr", 0.02)
	if err != nil || c.LR != 0.02 || c.Landscape != cfg.Landscape {
		t.Fatalf("lr: %+v %v", c, err)
	}
	c, err = ApplyVary(cfg, "particles", 1000)
	if err != nil || c.Particles != 1000 {
		t.Fatalf("particles: %v", err)
	}
	if _, err := ApplyVary(cfg, "steps", 10.5); err == nil {
		t.Fatal("fractional steps accepted")
	}
	c, err = ApplyVary(cfg, "hb", 3)
	if err != nil || c.Landscape != "pwq(ha=4,hb=3,a=-1,b=0)" {
		t.Fatalf("hb: %q %v", c.Landscape, err)
	}
}

func TestNewAxis(t *testing.T) {
	for _, c := range []struct {
		varied string
		noise  NoiseModel
		want   string
	}{{"k", SGDHessian, "1/k"}, {"k", SGLD, "1/k"}, {"batch", SGDHessian, "B/eta"}, {"lr", SGDLoss, "B/eta"}, {"lr", SGLD, "value"},
		{"temp", SGLD, "1/T"}, {"l0", SGDLoss, "log-loss-ratio"}, {"seed", SGLD, "value"}} {
		a, err := NewAxis("", c.varied, c.noise)
		if err != nil || a.Name != c.want {
			t.Errorf("natural axis of %s under %s = %q, want %q", c.varied, c.noise, a.Name, c.want)
		}
	}
	if a, _ := NewAxis("logk", "k", SGLD); a.Name != "logk" {
		t.Error("override ignored")
	}
	if _, err := NewAxis("nope", "k", SGLD); err == nil {
		t.Error("unknown axis accepted")
	}
}

// TestPlanSize checks the steps chooser against the exponential survival it assumes.
func TestPlanSize(t *testing.T) {
	// Small fraction: S ≈ safety·(target/N)·τ/η. τ = 100, η = 0.01, N = 1e4, 200 planned escapes:
	// fraction 0.02, S = −τ ln(1 − 0.02)/η = 202.03 → 203, expected 1e4·(1 − exp(−2.03)) ≈ 201.
	p := PlanSize(100, 0.01, 10_000, 1e12, 100, 2, 10)
	if p.Steps != 203 || p.Particles != 10_000 || !p.Reachable || math.Abs(p.Expected-201) > 0.5 {
		t.Fatalf("small fraction: %+v", p)
	}
	// Too few particles are raised to 2·target; the fraction is capped at 0.95.
	p = PlanSize(50, 0.01, 10, 1e12, 100, 2, 10)
	if p.Particles != 200 || p.Steps != int(math.Ceil(-50*math.Log(0.05)/0.01)) {
		t.Fatalf("few particles: %+v", p)
	}
	// The budget caps the steps and the point is marked unreachable: τ = 1e6, budget 1e8 with
	// N = 1e4 gives S = 1e4, expected ≈ N·Sη/τ = 1 escape.
	p = PlanSize(1e6, 0.01, 10_000, 1e8, 100, 2, 10)
	if p.Steps != 10_000 || p.Reachable || p.Expected > 1.01 {
		t.Fatalf("budget cap: %+v", p)
	}
	// The relaxation minimum wins over a tiny τ.
	p = PlanSize(0.001, 0.01, 1_000_000, 1e12, 100, 2, 500)
	if p.Steps != 500 {
		t.Fatalf("minimum steps: %+v", p)
	}
	// A budget below N·minSteps lowers N.
	p = PlanSize(100, 0.01, 1_000_000, 1e6, 100, 2, 100)
	if p.Particles != 10_000 || p.Steps != 100 {
		t.Fatalf("budget below N·minSteps: %+v", p)
	}
	// Unknown τ: the whole budget.
	p = PlanSize(math.NaN(), 0.01, 1000, 1e7, 100, 2, 10)
	if p.Steps != 10_000 || p.Reachable {
		t.Fatalf("unknown τ: %+v", p)
	}
}

// fakeBackend escapes particle i of n at the exponential quantile 1 + ⌊−ln(1 − (i+½)/n)/0.02⌋
// (deterministic, a constant hazard of 0.02 per step, so the quasi-stationary estimate finds its
// plateau), for the sweep plumbing.
type fakeBackend struct {
	n, steps int
	rec      []uint32
}

func (f *fakeBackend) Name() string     { return "fake" }
func (f *fakeBackend) Renderer() string { return "fake" }
func (f *fakeBackend) Load(p *Problem, first, count int) error {
	f.n, f.rec = count, make([]uint32, count)
	for i := range f.rec {
		f.rec[i] = Running
	}
	return nil
}
func (f *fakeBackend) Advance(iter, n int) (ChunkCounts, error) {
	var c ChunkCounts
	for i := range f.rec {
		s := uint32(1 + math.Floor(-math.Log(1-(float64(i)+0.5)/float64(len(f.rec)))/0.02))
		if f.rec[i] == Running && int(s) > iter && int(s) <= iter+n {
			f.rec[i] = s
			c.Escaped++
		}
	}
	return c, nil
}
func (f *fakeBackend) Records() ([]uint32, error)        { return f.rec, nil }
func (f *fakeBackend) Positions() ([]float64, error)     { return nil, nil }
func (f *fakeBackend) Restore([]float64, []uint32) error { return nil }
func (f *fakeBackend) Close() error                      { return nil }

// TestRunSweepPlumbing: a sweep over k on pwq with a fake backend fills the axis 1/k, the theory
// lines and the fit.
func TestRunSweepPlumbing(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Batch = "pwq(ha=4,hb=2,a=-1,b=0)", SGDHessian, 0.005, 0.04
	cfg.Particles, cfg.Steps, cfg.Backend = 1000, 100, "cpu"
	open := func(Config) (Backend, error) { return &fakeBackend{}, nil }
	res, err := RunSweep(context.Background(), SweepOptions{Base: cfg, Name: "k", Values: []float64{0.5, 1, 2}, Budget: 1e6, AutoSize: true}, open)
	if err != nil {
		t.Fatal(err)
	}
	if res.Axis.Name != "1/k" || len(res.Points) != 3 || res.Points[0].X != 2 || res.Points[2].X != 0.5 {
		t.Fatalf("axis: %+v", res.Axis)
	}
	for _, pt := range res.Points {
		if _, ok := pt.Theory["quadrature"]; !ok || pt.Plan.TauSource != "discrete" || pt.Particles*pt.Steps > 1e6 {
			t.Fatalf("point %+v", pt)
		}
	}
	if _, ok := res.Theory["quadrature"]; !ok || res.Fit.N != 3 {
		t.Fatalf("fits: %+v %+v", res.Fit, res.Theory)
	}
}
