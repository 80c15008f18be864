package host

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/theory"
)

// TestParamsHash: Params are part of the Model and its hash; the JSON (and so the hash) does not
// depend on the order the map was filled in, and a run without parameters hashes as before.
func TestParamsHash(t *testing.T) {
	base := DefaultConfig()
	base.Landscape = "(x^2-1)^2 + c*x"
	a, b := base, base
	a.Params = map[string]float64{"c": 0.1, "k": 2}
	b.Params = map[string]float64{"c": 0.05, "k": 2}
	if a.Hash() == b.Hash() {
		t.Error("configurations with c = 0.1 and c = 0.05 hash alike")
	}
	c := base
	c.Params = map[string]float64{}
	c.Params["k"] = 2
	c.Params["c"] = 0.1
	if a.Hash() != c.Hash() {
		t.Error("the hash depends on the order the parameters were set")
	}
	data, err := json.Marshal(a.Model)
	if err != nil || !strings.Contains(string(data), `"params":{"c":0.1,"k":2}`) {
		t.Errorf("Model JSON: %s %v", data, err)
	}
	empty, none := base, base
	empty.Params = map[string]float64{}
	if empty.Hash() != none.Hash() || strings.Contains(mustJSON(t, none.Model), "params") {
		t.Error("an empty Params changes the hash or is written")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestPrepareParams: Prepare hands Params to the landscape; under k an expression's --start moves
// to θ/sqrt(k) with the minimum; errors land on --param, or on --landscape for a parameter
// without a value (with the fix, not the generic hint).
func TestPrepareParams(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Backend = CPU
	cfg.Landscape = "(x^2-1)^2 + c*x"
	cfg.Start = []float64{-1}
	cfg.Params = map[string]float64{"c": 0.1, "k": 4, "l0": 0.5}
	p, err := Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The minimum of (u^2-1)^2 + 0.1u is u* ≈ -1.0245; under k = 4 it lies at u*/2.
	written := DefaultConfig()
	written.Landscape, written.Start = "(x^2-1)^2 + 0.1*x", []float64{-1}
	q, err := Prepare(written)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.Analysis.Minimum[0]-q.Analysis.Minimum[0]/2) > 1e-12 || math.Abs(p.Analysis.HessianMin[0]-4*q.Analysis.HessianMin[0]) > 1e-9 ||
		math.Abs(p.Analysis.DeltaL-q.Analysis.DeltaL) > 1e-12 || math.Abs(p.Analysis.LossMinimum-q.Analysis.LossMinimum-0.5) > 1e-12 {
		t.Errorf("k = 4, l0 = 0.5: a %v H_a %v ΔL %v L(a) %v; at k = 1: a %v H_a %v ΔL %v L(a) %v", p.Analysis.Minimum, p.Analysis.HessianMin, p.Analysis.DeltaL,
			p.Analysis.LossMinimum, q.Analysis.Minimum, q.Analysis.HessianMin, q.Analysis.DeltaL, q.Analysis.LossMinimum)
	}
	cfg.StartExact = true
	if p, err := Prepare(cfg); err != nil || p.Start[0] != -0.5 {
		t.Errorf("--start-exact -1 at k = 4: start %v, %v; want -0.5", p.Start, err)
	}
	cfg.StartExact = false

	for _, c := range []struct {
		params      map[string]float64
		flag, want  string
		genericHint bool
	}{
		{nil, "landscape", `"(x^2-1)^2 + c*x": column 13: unknown name c: a parameter without a value; give it with --param c=0.1`, false},
		{map[string]float64{"c": 0.1, "q": 1}, "param", "--param: parameter q = 1 is given but the expression does not use it; drop it from --param or use it in the expression", false},
		{map[string]float64{"c": 0.1, "x": 1}, "param", "--param: x is a coordinate", false},
		{map[string]float64{"c": math.Inf(1)}, "param", "--param: c=+Inf is not a finite number", false},
	} {
		cfg.Params = c.params
		_, err := Prepare(cfg)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Flag != c.flag || !strings.HasPrefix(err.Error(), "--"+c.flag+": ") || !strings.Contains(err.Error(), c.want) ||
			strings.Contains(err.Error(), "name a catalogue landscape") != c.genericHint {
			t.Errorf("Params %v: %v, want an input error on --%s containing %q", c.params, err, c.flag, c.want)
		}
	}
	// A catalogue spec takes --param as if written in it.
	cat := DefaultConfig()
	cat.Landscape, cat.Params = "pwq(hb=2)", map[string]float64{"ha": 4, "k": 2}
	p, err = Prepare(cat)
	if err != nil || math.Abs(p.Analysis.Minimum[0]+1/math.Sqrt2) > 1e-12 {
		t.Errorf("pwq with --param ha=4,k=2: %v %v", p, err)
	}
	cat.Params = map[string]float64{"hb": 3}
	if _, err := Prepare(cat); err == nil || !strings.Contains(err.Error(), "--param: parameter hb is given both in the spec") {
		t.Errorf("hb in the spec and in --param: %v", err)
	}
}

// A theory value beyond float64 is withheld with its reason, never printed as +Inf or a rate of
// 0 (which JSON cannot even encode); under true minibatch noise the discrete chain (that of the
// Gaussian model) is labelled approximate, not exact.
func TestPredictionsQualified(t *testing.T) {
	p := &Problem{Config: DefaultConfig()}
	inf, zero := math.Inf(1), 0.0
	pr := p.qualify(theory.Prediction{Name: "quadrature", Kind: theory.ExactContinuous, Tau: &inf, Rate: &zero})
	if pr.Tau != nil || pr.Rate != nil || !strings.Contains(pr.Reason, "beyond float64") {
		t.Errorf("overflowing value kept: %+v", pr)
	}
	p.Config.Noise = Minibatch
	tau, rate := 10.0, 0.1
	pr = p.qualify(theory.Prediction{Name: "discrete", Kind: theory.ExactDiscrete, Tau: &tau, Rate: &rate})
	if pr.Kind != theory.Approximate || pr.Tau == nil || !strings.Contains(pr.Reason, "Gaussian model") {
		t.Errorf("minibatch discrete value: %+v", pr)
	}
	pr = p.qualify(theory.Prediction{Name: "quadrature", Kind: theory.ExactContinuous, Tau: &tau, Rate: &rate})
	if pr.Kind != theory.Approximate || !strings.Contains(pr.Reason, "diffusion of the Gaussian model") {
		t.Errorf("minibatch quadrature value: %+v", pr)
	}
	p.Config.Sampling = SampleEpoch
	pr = p.qualify(theory.Prediction{Name: "path", Kind: theory.Approximate, Tau: &tau, Rate: &rate})
	if !strings.Contains(pr.Reason, "anti-correlated") {
		t.Errorf("epoch sampling value without its reason: %+v", pr)
	}
	p.Config.Noise = SGDCov // a Gaussian model: its exact values stay exact
	pr = p.qualify(theory.Prediction{Name: "discrete", Kind: theory.ExactDiscrete, Tau: &tau, Rate: &rate})
	if pr.Kind != theory.ExactDiscrete {
		t.Errorf("sgd-cov discrete value relabelled: %+v", pr)
	}
}
