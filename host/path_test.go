package host

import (
	"math"
	"testing"

	"github.com/kramers-sim/kramers/host/theory"
)

// On a separable landscape each exit's minimum-energy path is a straight coordinate line, so the
// path-based value must equal the exact separable value (docs/theory.md §4.6). Tolerance 1e-3:
// the path is traced with 2000 arc-length steps and interpolated linearly (O(h²) ≈ 1e-6 in L
// along a straight line), and both values carry the discrete solver's own error (< 1e-4).
func TestPathEqualsSeparableExact(t *testing.T) {
	for _, tc := range []struct {
		noise NoiseModel
		temp  float64
		batch float64
		floor float64
	}{
		{SGLD, 0.3, 0, 0},
		{SGDHessian, 0, 0.05, 1},
	} {
		cfg := DefaultConfig()
		cfg.Landscape, cfg.Start, cfg.Noise, cfg.LR = "(x^2-1)^2 + (y^2-1)^2 + 0.1*x", []float64{-1, -1}, tc.noise, 0.005
		cfg.Temp, cfg.Batch, cfg.Floor = tc.temp, tc.batch, tc.floor
		if tc.noise == SGLD {
			cfg.Batch = 1
		}
		p, err := Prepare(cfg)
		if err != nil {
			t.Fatal(err)
		}
		pr := Predictions(p)
		path, exact := pr["path"], pr["discrete"]
		if path.Rate == nil || exact.Rate == nil || path.Kind != theory.Approximate {
			t.Fatalf("%s: path %+v, exact %+v", tc.noise, path, exact)
		}
		t.Logf("%s: path τ = %.6g, exact separable τ = %.6g", tc.noise, *path.Tau, *exact.Tau)
		if math.Abs(*path.Rate / *exact.Rate - 1) > 1e-3 {
			t.Errorf("%s: path %.6g against exact %.6g", tc.noise, *path.Rate, *exact.Rate)
		}
		for i, m := range p.exitPredictions() {
			if pe, ex := m["path"], m["discrete"]; pe.Rate == nil || ex.Rate == nil || math.Abs(*pe.Rate / *ex.Rate - 1) > 1e-3 {
				t.Errorf("%s exit %d: path %v, exact %v", tc.noise, i+1, pe.Rate, ex.Rate)
			}
		}
	}
}

// A non-separable 2-D landscape under sgd-hessian gets a theory value and its kind: the path.
func TestPathOnZhu2d(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Batch = "zhu2d", SGDHessian, 0.002, 0.05
	p, err := Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := Predictions(p)["path"]
	if path.Rate == nil || path.Kind != theory.Approximate || !(*path.Tau > 0) {
		t.Fatalf("zhu2d: %+v", path)
	}
	t.Logf("zhu2d sgd-hessian: path τ = %.5g (%s)", *path.Tau, path.Kind)
}
