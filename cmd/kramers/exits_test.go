package main

import (
	"math"
	"testing"
)

// A basin with several exits (docs/theory.md §2): the default run escapes through any of them,
// and on a separable landscape its total rate and each exit's share are compared with the exact
// summed 1-D discrete-time values. Tolerances (the issue's): the total within 5% + 3σ,
// σ = κ̂/√E′; each share s_i within 3σ_i, σ_i = sqrt(s_i(1 − s_i)/E′) (a binomial proportion).
func TestExitsSeparable(t *testing.T) {
	for _, tc := range []struct {
		name, landscape, start string
		exits                  int
	}{
		// The example: the y saddle (ΔL = 1.00) is lower than the x saddle (ΔL = 1.10).
		{"2-D", "(x^2-1)^2 + (y^2-1)^2 + 0.1*x", "-1,-1", 2},
		{"3-D", "(x1^2-1)^2 + (x2^2-1)^2 + (x3^2-1)^2 + 0.1*x1 + 0.05*x2", "-1,-1,-1", 3},
	} {
		m := runJSON(t, "run", "--landscape", tc.landscape, "--start="+tc.start, "--noise", "sgld", "--temp", "0.3",
			"--lr", "0.005", "--particles", "100000", "--steps", "8000", "--backend", "gpu")
		exits, _ := m["exits"].([]any)
		if len(exits) != tc.exits {
			t.Fatalf("%s: %d exits in the result, want %d: %v", tc.name, len(exits), tc.exits, m["escape"])
		}
		checkAgainstDiscrete(t, tc.name+" total", m) // within 2% + 3σ, inside the 5% + 3σ asked for
		e := m["escaped"].(float64)
		var ps []float64
		sum := 0.0
		for _, x := range exits {
			th := x.(map[string]any)["theory"].(map[string]any)["discrete"].(map[string]any)
			p := th["rate"].(float64)
			ps = append(ps, p)
			sum += p
		}
		deltaL := -1.0
		for i, x := range exits {
			ex := x.(map[string]any)
			share, want := ex["share"].(float64), ps[i]/sum
			sigma := math.Sqrt(want * (1 - want) / e)
			t.Logf("%s exit %d: ΔL = %.4g, share %.4f, exact %.4f (%.2fσ)", tc.name, i+1, ex["delta_l"], share, want, (share-want)/sigma)
			if math.Abs(share-want) > 3*sigma {
				t.Errorf("%s exit %d: share %.4f, exact %.4f: beyond 3σ = %.4f", tc.name, i+1, share, want, 3*sigma)
			}
			if dl := ex["delta_l"].(float64); dl < deltaL {
				t.Errorf("%s: exits not sorted by ΔL", tc.name)
			} else {
				deltaL = dl
			}
		}
	}
}
