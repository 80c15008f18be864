package host

import (
	"math"
	"testing"
)

// TestMarginsFiniteWhereNoiseVanishes: at two of the four exits of mlp(h1=3,wd=0.01) on
// gen:mlp(n=200) the per-sample gradients vanish along the escape direction, and the minibatch
// diffusion eᵀDe rounded to −10⁻²⁰; the automatic margin 3·sqrt(2D/|λ_b|) was NaN there, and the
// GPU's escape code failed to compile ("s > NaN.0"). Every margin must be a finite number ≥ 0.
func TestMarginsFiniteWhereNoiseVanishes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Data, cfg.Noise, cfg.Batch, cfg.LR = "mlp(h1=3,wd=0.01)", "gen:mlp(n=200)", Minibatch, 8, 0.1
	p, err := Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Escape.Surfaces) == 0 {
		t.Fatalf("want the exits' surfaces, got escape %q", p.Escape.Text)
	}
	for i, s := range p.Escape.Surfaces {
		if math.IsNaN(s.Margin) || math.IsInf(s.Margin, 0) || s.Margin < 0 {
			t.Errorf("exit %d: margin %v", i+1, s.Margin)
		}
	}
}
