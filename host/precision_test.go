package host

import (
	"strings"
	"testing"
)

func TestPrecisionWarning(t *testing.T) {
	prep := func(lr, temp float64, precision Precision) *Problem {
		cfg := DefaultConfig()
		cfg.Landscape, cfg.Noise, cfg.LR, cfg.Temp, cfg.Precision = "doublewell(k=1)", SGLD, lr, temp, precision
		p, err := Prepare(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The bench case: noise per step sqrt(2·0.01·0.1) ≈ 0.045 ≫ 2⁻²⁴; no warning.
	if w := PrecisionWarning(prep(0.01, 0.1, "f32")); w != "" {
		t.Fatalf("unexpected warning: %s", w)
	}
	// η = 1e-12: the drift per step, η·h·s ≈ 1e-12·8·0.11, is far below 8·2⁻²⁴ ≈ 4.8e-7.
	w := PrecisionWarning(prep(1e-12, 0.1, "f32"))
	if !strings.Contains(w, "--precision f64") {
		t.Fatalf("want a float64 recommendation, got %q", w)
	}
	if w := PrecisionWarning(prep(1e-12, 0.1, "f64")); w != "" {
		t.Fatalf("f64 run warned: %s", w)
	}
}
