package host

import (
	"math/rand/v2"
	"testing"
)

// HoldsBatch (the CPU reference's block test) agrees with Holds point by point for the three kinds
// of escape condition, on a 2-D landscape, at 200 random points in blocks of 64 with 50 in use.
func TestHoldsBatchMatchesHolds(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	for _, esc := range []string{"", "radius(0.8)", "x > 0.3 && y < 0.5 || x*y > 0.2"} {
		cfg := DefaultConfig()
		cfg.Landscape, cfg.Noise, cfg.LR, cfg.Temp, cfg.Escape = "zhu2d", SGLD, 0.002, 0.1, esc
		p, err := Prepare(cfg)
		if err != nil {
			t.Fatalf("escape %q: %v", esc, err)
		}
		const size, m = 64, 50
		holds, point := make([]bool, size), make([]float64, 2)
		agree, trueCount := 0, 0
		for round := 0; round < 4; round++ {
			x := make([]float64, 2*size)
			for i := range x {
				x[i] = rng.Float64()*3 - 1.5
			}
			p.Escape.HoldsBatch(x, size, m, holds, point)
			for j := 0; j < m; j++ {
				want := p.Escape.Holds([]float64{x[j], x[size+j]})
				if holds[j] != want {
					t.Errorf("escape %q (%s) at (%g, %g): HoldsBatch %v, Holds %v", esc, p.Escape.Kind, x[j], x[size+j], holds[j], want)
				}
				agree++
				if want {
					trueCount++
				}
			}
		}
		// Guard against a vacuous comparison: the points must fall on both sides.
		if trueCount == 0 || trueCount == agree {
			t.Errorf("escape %q: %d of %d points escaped; the test needs both outcomes", esc, trueCount, agree)
		}
	}
}
