package validate

import (
	"math"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// checkPeriodConfig is the 1-D double well under sgld with an escape beyond the saddle, non-absorbing
// (every particle moves on after its first passage, so that the runs with and without the check
// period follow the same trajectories: the Philox stream is iteration-indexed, host/rng doc.go).
func checkPeriodConfig(m, chunk int) host.Config {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.Temp, cfg.LR = "doublewell(k=1)", host.SGLD, 0.2, 0.01
	cfg.Escape, cfg.CheckEvery, cfg.Chunk = "x > 0.5", m, chunk
	cfg.Particles, cfg.Steps, cfg.Seed, cfg.Absorb = 4000, 6000, 11, false
	return cfg
}

func cpuRecords(t *testing.T, cfg host.Config) (*host.Problem, *host.Result, []uint32) {
	t.Helper()
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, _, recs, err := execute(p, func(host.Config) (host.Backend, error) { return NewCPU(), nil })
	if err != nil {
		t.Fatal(err)
	}
	return p, res, recs
}

// TestCheckPeriodExact: with the condition checked every m iterations a particle's record is the
// first multiple k·m at which the condition holds at θ_{k·m}, whatever the chunks: the reference is
// advanced m iterations at a time, its positions read back and the condition evaluated on the host,
// and the run with chunks of 37 iterations (which do not divide m) must record exactly those.
func TestCheckPeriodExact(t *testing.T) {
	const m = 25
	p, _, recs := cpuRecords(t, checkPeriodConfig(m, 37))
	b := NewCPU()
	if err := b.Load(p, 0, p.Config.Particles); err != nil {
		t.Fatal(err)
	}
	want := make([]uint32, p.Config.Particles)
	for i := range want {
		want[i] = host.Running
	}
	for it := 0; it < p.Config.Steps; it += m {
		if _, err := b.Advance(it, m); err != nil {
			t.Fatal(err)
		}
		pos, _ := b.Positions()
		for i := range want {
			if want[i] == host.Running && p.Escape.Holds(pos[i:i+1]) {
				want[i] = uint32(it + m)
			}
		}
	}
	differ, escaped := 0, 0
	for i := range want {
		if recs[i] != want[i] {
			differ++
		}
		if want[i] != host.Running {
			escaped++
		}
	}
	t.Logf("m = %d: %d escapes; %d of %d records differ from the host's check at multiples of m", m, escaped, differ, len(want))
	if differ != 0 || escaped < 1000 {
		t.Errorf("%d records differ (want 0), %d escapes (want ≥ 1000)", differ, escaped)
	}
}

// TestCheckPeriodBias: the same trajectories checked every iteration and every m = 25: each
// monitored record is the first check at or after the every-step one, late by (m − 1)/2 on average
// where the particle stays in the escape region (docs/theory.md §2), and no monitored escape is
// earlier or extra, so the monitored rate is not above the every-step one.
func TestCheckPeriodBias(t *testing.T) {
	const m = 25
	_, r1, rec1 := cpuRecords(t, checkPeriodConfig(0, 0))
	_, rm, recm := cpuRecords(t, checkPeriodConfig(m, 0))
	var late []float64
	bad := 0
	for i := range rec1 {
		s1, ok1 := host.Escaped(rec1[i])
		sm, okm := host.Escaped(recm[i])
		switch {
		case okm && (!ok1 || sm < s1 || int(sm)%m != 0):
			bad++ // a monitored escape must be a check iteration at or after the every-step one
		case ok1 && okm:
			late = append(late, float64(sm-s1))
		}
	}
	mean, sd := 0.0, 0.0
	for _, v := range late {
		mean += v
	}
	mean /= float64(len(late))
	for _, v := range late {
		sd += (v - mean) * (v - mean)
	}
	sd = math.Sqrt(sd / float64(len(late)-1))
	tau1, taum := *r1.Estimate.TauIterations, *rm.Estimate.TauIterations
	t.Logf("m = %d: %d escapes every step, %d every m; lateness %.2f ± %.2f (s.d. %.1f), (m−1)/2 = %.1f; τ̂ %.1f → %.1f iterations (ratio %.4f, m/τ̂ = %.4f)",
		m, r1.EscapedTotal, rm.EscapedTotal, mean, sd/math.Sqrt(float64(len(late))), sd, float64(m-1)/2, tau1, taum, taum/tau1, float64(m)/tau1)
	if bad != 0 || len(late) < 1000 || rm.EscapedTotal > r1.EscapedTotal {
		t.Errorf("%d monitored records before the every-step one or off the checks; %d escapes in both; %d monitored escapes against %d", bad, len(late), rm.EscapedTotal, r1.EscapedTotal)
	}
	// The phase of the every-step passage within its check period is spread over 0…m−1, so the
	// lateness is (m − 1)/2 on average for a particle that stays in the region until the next
	// check, and more for one that leaves it in between (an excursion, caught at a later check):
	// its mean may not lie below (m − 1)/2 by more than 4 standard errors.
	if se := sd / math.Sqrt(float64(len(late))); mean < float64(m-1)/2-4*se {
		t.Errorf("mean lateness %.2f below (m − 1)/2 = %.1f by more than 4 standard errors (%.2f)", mean, float64(m-1)/2, se)
	}
}
