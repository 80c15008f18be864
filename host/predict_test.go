package host

import (
	"math"
	"testing"

	"github.com/kramers-sim/kramers/host/theory"
)

// For loss-proportional noise the quadrature places its reflecting wall at 200 well widths; the
// result must not move when the wall goes twice as far (the neglected tail is below 1e-8), and it
// must exist (the automatic wall of theory.ReflectingBoundary does not converge here).
func TestSGDLossQuadratureWall(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Batch = "pwq(ha=4,hb=2,a=-1,b=0,l0=0.3333)", SGDLoss, 0.005, 0.05
	p, err := Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	q := Predictions(p)["quadrature"]
	if q.Tau == nil {
		t.Fatalf("no quadrature: %s", q.Reason)
	}
	// Independent evaluation with the wall at 400 well widths and the same breaks.
	an := p.Analysis
	w := math.Sqrt(2 * an.LossMinimum / an.HessianMin[0])
	x, g := make([]float64, 1), make([]float64, 1)
	dL := func(u float64) float64 { x[0] = u; p.Eval.Gradient(x, g); return g[0] }
	a := p.Start[0]
	breaks := append(junctions(p), a-w, a-3*w, a-10*w, a-30*w, a-100*w, a-200*w)
	far, _, err := theory.MeanFirstPassage1D(dL, p.Diffusion1D(), a, an.Saddle[0]+p.Escape.Margin, a-400*w, theory.QuadOptions{Breaks: breaks, Tol: 1e-7})
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(*q.Tau/far - 1); d > 1e-6 {
		t.Fatalf("τ = %.9g with the wall at 200 widths, %.9g at 400: relative difference %.2e > 1e-6", *q.Tau, far, d)
	}
	t.Logf("τ = %.6g (wall at 200 widths), %.6g (400)", *q.Tau, far)
}

// TestTheoryKeysAreNames: every theory value is keyed by its own name, on a run of each noise
// model without data and on a basin with several exits (per-exit values too), so that a reader of
// the JSON finds "eyring_kramers" under eyring_kramers (the trial found "eyring-kramers" there).
func TestTheoryKeysAreNames(t *testing.T) {
	for _, c := range []struct {
		spec  string
		noise NoiseModel
	}{
		{"pwq(ha=4,hb=2,a=-1,b=0)", SGLD}, {"pwq(ha=4,hb=2,a=-1,b=0)", SGDHessian}, {"pwq(ha=4,hb=2,a=-1,b=0)", SGDHessianMin},
		{"pwq(ha=4,hb=2,a=-1,b=0,l0=0.3333)", SGDLoss}, {"zhu2d", SGLD}, {"(x^2-1)^2 + (y^2-1)^2 + 0.1*x", SGLD},
	} {
		cfg := DefaultConfig()
		cfg.Landscape, cfg.Noise, cfg.Temp, cfg.Batch, cfg.LR = c.spec, c.noise, 0.2, 0.05, 0.005
		if c.spec[0] == '(' {
			cfg.Start = []float64{-1, -1}
		}
		p, err := Prepare(cfg)
		if err != nil {
			t.Fatalf("%s %s: %v", c.spec, c.noise, err)
		}
		maps := append([]map[string]theory.Prediction{Predictions(p)}, p.exitPredictions()...)
		for _, m := range maps {
			for k, pr := range m {
				if pr.Name != k {
					t.Errorf("%s %s: theory keyed %q is named %q", c.spec, c.noise, k, pr.Name)
				}
			}
		}
	}
}
