package main

import (
	"math"
	"strings"
	"testing"
)

// Issue 20, items 3 and 4: the minimum that --start flows to, degenerate minima with an explicit
// escape, and default exit surfaces that stay outside the start basin (docs/theory.md §2).

// Row 4: sin(3x) + 0.01x² from 2.5. Gradient flow reaches 1.5673 (the old minimiser jumped to
// −2.612); the run escapes from that minimum and says so in its summary and its JSON.
func TestStartFlowsToItsMinimum(t *testing.T) {
	args := []string{"run", "--landscape", "sin(3*x) + 0.01*x^2", "--start", "2.5", "--backend", "cpu", "--steps", "10", "--particles", "64", "--quiet"}
	out := mustRun(t, t.TempDir(), nil, args...)
	if !strings.Contains(out, "minimum: start (2.5) flows to the minimum a = (1.56731) (gradient flow)") {
		t.Errorf("summary does not name the minimum used:\n%s", out)
	}
	m := runJSON(t, args[:len(args)-1]...)
	a, _ := m["minimum"].([]any)
	if len(a) != 1 || math.Abs(a[0].(float64)-1.5673) > 1e-4 {
		t.Errorf("JSON minimum %v, want [1.5673]", m["minimum"])
	}
	if note, _ := m["minimum_note"].(string); !strings.Contains(note, "flows to the minimum") {
		t.Errorf("JSON minimum_note %q", note)
	}
	out = mustRun(t, t.TempDir(), nil, "analyze", "--landscape", "sin(3*x)+sin(3*y)+0.01*(x^2+y^2)", "--start", "2.5,2.5")
	if !strings.Contains(out, "start (2.5, 2.5) flows to the minimum a = (1.56731, 1.56731)") {
		t.Errorf("analyze does not say where the start flows:\n%s", out)
	}
}

// The flat minimum of x⁴/4 − x⁵/5 at 0 (H_a = 0) with an explicit escape x > 1.2 is a run: the
// exact 1-D discrete chain still applies, and the run agrees with it within 2% + 3σ (the
// tolerance of trust_test.go: σ = κ̂/√E', 2% for the exact value's grid error and the burn-in's
// residual bias); Eyring–Kramers needs H_a and is n/a with that reason. T = 0.03, η = 0.01: τ ≈
// 100 time units, 2048 particles × 8000 iterations give ≈ 1000 escapes in a few seconds on the
// CPU backend (fixed seed 1).
func TestDegenerateMinimumRuns(t *testing.T) {
	m := runJSON(t, "run", "--landscape", "x^4/4 - x^5/5", "--start", "0", "--escape", "x > 1.2", "--noise", "sgld",
		"--temp", "0.03", "--lr", "0.01", "--particles", "2048", "--steps", "8000", "--backend", "cpu", "--seed", "1")
	checkAgainstDiscrete(t, "x⁴/4 − x⁵/5, x > 1.2", m)
	ek, _ := m["theory"].(map[string]any)["eyring_kramers"].(map[string]any)
	if reason, _ := ek["reason"].(string); ek["rate"] != nil || !strings.Contains(reason, "degenerate") {
		t.Errorf("eyring_kramers at a degenerate minimum: %v", ek)
	}
	an := m["analysis"].(map[string]any)
	if an["degenerate_minimum"] != true {
		t.Errorf("analysis does not say the minimum is degenerate: %v", an["degenerate_reason"])
	}
}
