package sweep

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestApplyVaryParams: on an expression, --vary sets its parameters, k and l0 in a copy of
// Params (the base is untouched); a name the expression does not take is an error on --vary. On a
// catalogue spec a parameter goes into the SPEC, unless --param gives it.
func TestApplyVaryParams(t *testing.T) {
	base := host.DefaultConfig()
	base.Landscape = "(x^2-1)^2 + c*x"
	base.Params = map[string]float64{"c": 0.1}
	for _, c := range []struct {
		name string
		v    float64
		want map[string]float64
	}{
		{"k", 2, map[string]float64{"c": 0.1, "k": 2}},
		{"c", 0.05, map[string]float64{"c": 0.05}},
		{"l0", 0.3, map[string]float64{"c": 0.1, "l0": 0.3}},
	} {
		got, err := ApplyVary(base, c.name, c.v)
		if err != nil || !reflect.DeepEqual(got.Params, c.want) || got.Landscape != base.Landscape {
			t.Errorf("ApplyVary(%s=%g): %q %v %v; want %v", c.name, c.v, got.Landscape, got.Params, err, c.want)
		}
	}
	if !reflect.DeepEqual(base.Params, map[string]float64{"c": 0.1}) {
		t.Errorf("ApplyVary changed the base configuration's Params: %v", base.Params)
	}
	noParams := base
	noParams.Params = nil
	if got, err := ApplyVary(noParams, "k", 3); err != nil || !reflect.DeepEqual(got.Params, map[string]float64{"k": 3}) {
		t.Errorf("k on an expression without --param: %v %v", got.Params, err)
	}
	for _, bad := range []string{"zz", "x", "ha"} {
		_, err := ApplyVary(base, bad, 1)
		var ie *host.InputError
		if !errors.As(err, &ie) || ie.Flag != "vary" {
			t.Errorf("ApplyVary(%s) on an expression: %v, want an input error on --vary", bad, err)
		}
	}
	bad := base
	bad.Landscape = "x^^2"
	if _, err := ApplyVary(bad, "k", 2); err == nil {
		t.Error("ApplyVary on a malformed expression: no error")
	}

	cat := host.DefaultConfig()
	cat.Landscape = "pwq(ha=4,hb=2)"
	cat.Params = map[string]float64{"a": -1}
	got, err := ApplyVary(cat, "k", 2)
	if err != nil || got.Landscape != "pwq(ha=4,hb=2,k=2)" || !reflect.DeepEqual(got.Params, cat.Params) {
		t.Errorf("k on pwq: %q %v %v", got.Landscape, got.Params, err)
	}
	got, err = ApplyVary(cat, "a", -2)
	if err != nil || got.Landscape != cat.Landscape || !reflect.DeepEqual(got.Params, map[string]float64{"a": -2}) || cat.Params["a"] != -1 {
		t.Errorf("a given by --param on pwq: %q %v %v", got.Landscape, got.Params, err)
	}
}

// TestSweepVaryKOnExpression: a sweep of k on an expression prepares every point with the
// point's k (the minimum at the sharpened start) and puts it on the natural axis of k read from
// the landscape's k: ln k under sgld, 1/k under SGD noise. c varies as well.
func TestSweepVaryKOnExpression(t *testing.T) {
	base := host.DefaultConfig()
	base.Landscape, base.Start, base.Backend = "(x^2-1)^2 + c*x", []float64{-1}, host.CPU
	base.Params = map[string]float64{"c": 0.1}
	base.Particles, base.Steps = 1000, 500
	open := func(host.Config) (host.Backend, error) { return &fakeBackend{}, nil }
	for _, c := range []struct {
		noise host.NoiseModel
		axis  string
		of    func(k float64) float64
	}{
		{host.SGLD, "logk", math.Log},
		{host.SGDHessianMin, "1/k", func(k float64) float64 { return 1 / k }},
	} {
		b := base
		b.Noise = c.noise
		if c.noise != host.SGLD {
			b.Batch = 0.1
		}
		values := []float64{1, 2}
		res, err := RunSweep(context.Background(), Options{Base: b, Name: "k", Values: values}, open)
		if err != nil {
			t.Fatalf("%s: %v", c.noise, err)
		}
		if res.Axis.Name != c.axis || len(res.Points) != 2 {
			t.Fatalf("%s: axis %q, %d points", c.noise, res.Axis.Name, len(res.Points))
		}
		for i, pt := range res.Points {
			if want := c.of(values[i]); pt.X != want || pt.Problem.Landscape.Params["k"] != values[i] {
				t.Errorf("%s: point %d at %v on the axis (k = %v), want %v", c.noise, i, pt.X, pt.Problem.Landscape.Params["k"], want)
			}
		}
		a1, a2 := res.Points[0].Problem.Analysis, res.Points[1].Problem.Analysis
		if math.Abs(a2.Minimum[0]-a1.Minimum[0]/math.Sqrt2) > 1e-12 || math.Abs(a2.HessianMin[0]-2*a1.HessianMin[0]) > 1e-9 {
			t.Errorf("%s: k = 2 puts the minimum at %v (H %v), k = 1 at %v (H %v)", c.noise, a2.Minimum, a2.HessianMin, a1.Minimum, a1.HessianMin)
		}
	}
	res, err := RunSweep(context.Background(), Options{Base: base, Name: "c", Values: []float64{0.05, 0.1}}, open)
	if err != nil || res.Axis.Name != "value" || res.Points[0].X != 0.05 || res.Points[0].Problem.Config.Params["c"] != 0.05 {
		t.Fatalf("--vary c: %v %v", res, err)
	}
}
