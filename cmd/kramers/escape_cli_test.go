package main

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// testResumeAcrossCheck: a loss-level escape on data is checked every m = 200 iterations
// (host/escapecheck.go); a run checkpointed at iteration 1100, inside a check period, and resumed to
// 2000 must equal the straight run bit for bit, positions and records, and its records lie on the
// checks.
func testResumeAcrossCheck(t *testing.T, backend string) {
	dir := t.TempDir()
	base := []string{"run", "--landscape", "x^4/4 - x^2/2 + 3*f*x", "--data", "gen:neuron(n=100)", "--noise", "minibatch",
		"--batch", "5", "--lr", "0.05", "--start", "-1", "--escape", "loss - loss_a > 0.05", "--particles", "1000",
		"--backend", backend, "--quiet", "--absorb=false"}
	mustRun(t, dir, nil, append(base, "--steps", "2000", "--checkpoint", "straight.ckpt")...)
	mustRun(t, dir, nil, append(base, "--steps", "1100", "--checkpoint", "half.ckpt")...)
	mustRun(t, dir, nil, "run", "--resume", "half.ckpt", "--steps", "2000", "--checkpoint", "resumed.ckpt", "--quiet")
	a, b := readCk(t, filepath.Join(dir, "straight.ckpt")), readCk(t, filepath.Join(dir, "resumed.ckpt"))
	diffPos, diffRec, escaped, offCheck := 0, 0, 0, 0
	for i := range a.Positions {
		if math.Float64bits(a.Positions[i]) != math.Float64bits(b.Positions[i]) {
			diffPos++
		}
	}
	for i := range a.Records {
		if a.Records[i] != b.Records[i] {
			diffRec++
		}
		if s, ok := host.Escaped(a.Records[i]); ok {
			escaped++
			if s%200 != 0 {
				offCheck++
			}
		}
	}
	t.Logf("%s: %d particles, %d escaped; %d positions and %d records differ; %d records off the checks", backend, len(a.Records), escaped, diffPos, diffRec, offCheck)
	if diffPos != 0 || diffRec != 0 || escaped == 0 || offCheck != 0 {
		t.Errorf("%s: resume across a check period is not bit-identical or off the checks (%d positions, %d records differ, %d escaped, %d off)", backend, diffPos, diffRec, escaped, offCheck)
	}
}

func TestResumeAcrossCheckPeriodCPU(t *testing.T) { testResumeAcrossCheck(t, "cpu") }
func TestResumeAcrossCheckPeriodGPU(t *testing.T) { testResumeAcrossCheck(t, "gpu") }
