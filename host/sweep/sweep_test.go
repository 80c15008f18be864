package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/kramers-sim/kramers/host"
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
		// data models: a network's widths, and its choice parameters written by name
		{"mlp(h1=3)", "h2", 4, "mlp(h1=3,h2=4)"},
		{"mlp(h1=3,act=tanh)", "act", 1, "mlp(h1=3,act=relu)"},
		{"mlp", "loss", 2, "mlp(loss=logistic)"},
	}
	for _, c := range cases {
		got, err := SetSpecParam(c.spec, c.name, c.v)
		if err != nil || got != c.want {
			t.Errorf("SetSpecParam(%q, %s=%g) = %q, %v; want %q", c.spec, c.name, c.v, got, err, c.want)
		}
	}
	for _, bad := range []struct{ spec, name string }{{"x^4/4 - x^2/2", "k"}, {"pwq(ha=4)", "zz"}, {"doublewell", "ha"}} {
		_, err := SetSpecParam(bad.spec, bad.name, 1)
		var ie *host.InputError
		if !errors.As(err, &ie) || ie.Flag != "vary" {
			t.Errorf("SetSpecParam(%q, %s) should be an input error on --vary, got %v", bad.spec, bad.name, err)
		}
	}
	// A malformed catalogue spec is the landscape's fault, read by host/landscape's grammar.
	for _, bad := range []string{"pwq(ha=4", "pwq(zz=1)", "pwq(ha=1,ha=2)"} {
		_, err := SetSpecParam(bad, "k", 1)
		var ie *host.InputError
		if !errors.As(err, &ie) || ie.Flag != "landscape" {
			t.Errorf("SetSpecParam(%q, k) should be an input error on --landscape, got %v", bad, err)
		}
	}
}

func TestApplyVaryAndParse(t *testing.T) {
	cfg := host.DefaultConfig()
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
		noise  host.NoiseModel
		want   string
	}{{"k", host.SGDHessian, "1/k"}, {"k", host.SGDLoss, "1/k"}, {"k", host.SGLD, "logk"}, {"batch", host.SGDHessian, "B/eta"}, {"lr", host.SGDLoss, "B/eta"}, {"lr", host.SGLD, "value"},
		{"temp", host.SGLD, "1/T"}, {"l0", host.SGDLoss, "log-loss-ratio"}, {"seed", host.SGLD, "value"}} {
		a, err := NewAxis("", c.varied, c.noise)
		if err != nil || a.Name != c.want {
			t.Errorf("natural axis of %s under %s = %q, want %q", c.varied, c.noise, a.Name, c.want)
		}
	}
	if a, _ := NewAxis("1/k", "k", host.SGLD); a.Name != "1/k" {
		t.Error("override ignored")
	}
	if _, err := NewAxis("nope", "k", host.SGLD); err == nil {
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

// fakeBackend escapes particle i of n at the exponential quantile 1 + ⌊−ln(1 − (i+½)/n)/h⌋
// (deterministic, a constant hazard of h per step, so the quasi-stationary estimate finds its
// plateau), for the sweep plumbing. h is the problem's exact discrete-time escape probability per
// step where it has one (a rate far from it would be withdrawn as no quasi-stationary rate,
// host.refutedByExact), else 0.02. Its cost does not depend on the iterations, so the tests give
// budgets large enough to reach the target escapes at the true τ.
type fakeBackend struct {
	n, steps int
	h        float64
	rec      []uint32
}

func (f *fakeBackend) Name() string                      { return "fake" }
func (f *fakeBackend) Renderer() string                  { return "fake" }
func (f *fakeBackend) Supports(*host.Problem, int) error { return nil }
func (f *fakeBackend) Load(p *host.Problem, first, count int) error {
	f.n, f.rec, f.h = count, make([]uint32, count), 0.02
	if d := host.Predictions(p)["discrete"]; d.Rate != nil {
		f.h = *d.Rate * p.Config.LR
	}
	for i := range f.rec {
		f.rec[i] = host.Running
	}
	return nil
}
func (f *fakeBackend) Advance(iter, n int) (host.ChunkCounts, error) {
	var c host.ChunkCounts
	for i := range f.rec {
		s := uint32(1 + math.Floor(-math.Log(1-(float64(i)+0.5)/float64(len(f.rec)))/f.h))
		if f.rec[i] == host.Running && int(s) > iter && int(s) <= iter+n {
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
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Batch = "pwq(ha=4,hb=2,a=-1,b=0)", host.SGDHessian, 0.005, 0.04
	cfg.Particles, cfg.Steps, cfg.Backend = 1000, 100, "cpu"
	open := func(host.Config) (host.Backend, error) { return &fakeBackend{}, nil }
	res, err := RunSweep(context.Background(), Options{Base: cfg, Name: "k", Values: []float64{0.5, 1, 2}, Budget: 1e10, AutoSize: true}, open)
	if err != nil {
		t.Fatal(err)
	}
	if res.Axis.Name != "1/k" || len(res.Points) != 3 || res.Points[0].X != 2 || res.Points[2].X != 0.5 {
		t.Fatalf("axis: %+v", res.Axis)
	}
	for _, pt := range res.Points {
		if _, ok := pt.Theory["quadrature"]; !ok || pt.Plan.TauSource != "discrete" || float64(pt.Particles)*float64(pt.Steps) > 1e10 {
			t.Fatalf("point %+v", pt)
		}
	}
	if _, ok := res.Theory["quadrature"]; !ok || res.Fit.N != 3 {
		t.Fatalf("fits: %+v %+v", res.Fit, res.Theory)
	}
	// Every number of a point is its run's measurement, not recomputed.
	for _, pt := range res.Points {
		m := pt.Result.Measurement()
		e := m.Estimate
		if !e.Resolved || float64(pt.Rate) != *e.Rate || float64(pt.Tau) != *e.Tau || float64(pt.TauLo) != float64(e.TauCI95[0]) ||
			float64(pt.TauHi) != float64(e.TauCI95[1]) || pt.Escaped != e.Escaped || pt.EscapedTotal != pt.Result.EscapedTotal ||
			float64(pt.BurnIn) != m.QuasiStationary.BurnInTime || len(pt.Comparisons) != len(m.Comparisons) ||
			pt.Theory["quadrature"] != *m.Theory["quadrature"].Tau {
			t.Fatalf("point %+v differs from its measurement %+v", pt, m)
		}
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}
}

// noEscapes is a backend in which no particle ever escapes.
type noEscapes struct{ fakeBackend }

func (f *noEscapes) Advance(iter, n int) (host.ChunkCounts, error) { return host.ChunkCounts{}, nil }

// TestUnresolvedPoint: a point without escapes is unresolved with the estimate's reason, its τ is
// NaN, and the point, the sweep and its fit (no slope) still encode as JSON, with null.
func TestUnresolvedPoint(t *testing.T) {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Temp = "pwq(ha=4,hb=2,a=-1,b=0)", host.SGLD, 0.01, 0.15
	cfg.Particles, cfg.Steps, cfg.Backend = 100, 50, "cpu"
	open := func(host.Config) (host.Backend, error) { return &noEscapes{}, nil }
	res, err := RunSweep(context.Background(), Options{Base: cfg, Name: "seed", Values: []float64{1, 2}}, open)
	if err != nil {
		t.Fatal(err)
	}
	pt := res.Points[0]
	if pt.Resolved || pt.Reached || pt.Tau.Finite() || pt.Rate.Finite() || pt.Note != pt.Result.Estimate.Note || pt.Note == "" ||
		pt.Plan.TauSource != "fixed" || pt.Particles != 100 || pt.Steps != 50 {
		t.Fatalf("unresolved point: %+v", pt)
	}
	if !math.IsNaN(res.Fit.Slope) {
		t.Fatalf("fit without resolved points: %+v", res.Fit)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Points []struct {
			Tau  *float64 `json:"tau_time"`
			Note string   `json:"note"`
		} `json:"points"`
		Fit struct {
			Slope *float64 `json:"slope"`
		} `json:"fit"`
	}
	if err := json.Unmarshal(b, &back); err != nil || back.Points[0].Tau != nil || back.Fit.Slope != nil || back.Points[0].Note != pt.Note {
		t.Fatalf("JSON %s: %v", b, err)
	}
}

// TestSizing: the one rule for the particles of a run sized for a target escape count, and the
// defaults of a sweep.
func TestSizing(t *testing.T) {
	// safety·target/EscapeFraction: 500 for the sweep defaults, 1950 for reproduce's quick slope
	// points (600 escapes, safety 1.3); never below 2·target.
	for _, c := range []struct {
		target int
		safety float64
		want   int
	}{{DefaultEscapes, DefaultSafety, 500}, {600, 1.3, 1950}, {4000, 1.3, 13000}, {10, 0.5, 20}} {
		if got := SizeFor(c.target, c.safety); got != c.want {
			t.Errorf("SizeFor(%d, %g) = %d, want %d", c.target, c.safety, got, c.want)
		}
	}
	if ParticlesFor(100, 0.25) != 400 || ParticlesFor(100, 0.3) != 334 {
		t.Error("ParticlesFor")
	}
	g, c := Defaults("gpu"), Defaults("cpu")
	if g.Budget != 2e9 || c.Budget != 2e8 || g.TargetEscapes != 100 || g.Safety != 2 || !g.AutoSize || !g.SizeParticles {
		t.Fatalf("defaults: %+v %+v", g, c)
	}
	o := Defaults("cpu")
	o.Base = host.DefaultConfig()
	o.Base.Landscape = "pwq(ha=4,hb=2,a=-1,b=0)"
	o.Name = "k"
	cfg, err := o.PointConfig(2)
	if err != nil || cfg.Particles != 500 || cfg.Landscape != "pwq(ha=4,hb=2,a=-1,b=0,k=2)" {
		t.Fatalf("sized point: %d %q %v", cfg.Particles, cfg.Landscape, err)
	}
	// Varying particles turns sizing off: the value is kept.
	o.Name = "particles"
	if cfg, err := o.PointConfig(1234); err != nil || cfg.Particles != 1234 {
		t.Fatalf("varied particles: %d %v", cfg.Particles, err)
	}
	// Without SizeParticles the configured particles are kept.
	o.Name, o.SizeParticles = "k", false
	if cfg, err := o.PointConfig(2); err != nil || cfg.Particles != o.Base.Particles {
		t.Fatalf("configured particles: %d %v", cfg.Particles, err)
	}
}
