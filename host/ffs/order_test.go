package ffs

import (
	"math"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestReferenceFFSOrder: forward flux sampling's default order of `dist > r` is dist − r, and
// --order loss is accepted for --escape 'loss - loss_a > δ' as an increasing affine function of
// it, with the escape level L(a) + δ (fitted by affineLevel to 10⁻⁹ of the values' scale).
func TestReferenceFFSOrder(t *testing.T) {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Escape = "doublewell(k=1)", "dist > 0.5"
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := DefaultOrder(p); err != nil || o != "(dist) - (0.5)" {
		t.Errorf("default order of dist > 0.5: %q, %v", o, err)
	}
	cfg.Escape = "loss - loss_a > 0.2"
	if p, err = host.Prepare(cfg); err != nil {
		t.Fatal(err)
	}
	order, level, err := ffsOrder(p, Options{Order: "loss"})
	want := p.Analysis.LossMinimum + 0.2
	if err != nil || order != "loss" || math.Abs(level-want) > 1e-9 {
		t.Errorf("--order loss: %q, level %v (want %v), %v", order, level, want, err)
	}
}
