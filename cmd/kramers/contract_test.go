package main

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// runCLI runs the program in-process with captured output and returns the exit code.
func runCLI(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	oldOut, oldErr := stdout, stderr
	stdout, stderr = &o, &e
	defer func() { stdout, stderr = oldOut, oldErr }()
	code = mainCode(args)
	return code, o.String(), e.String()
}

// The command of issue 3, with no display set (EGL headless, or a private Xvfb): it prints one
// JSON object with every field of the docs/architecture.md contract.
func TestRunJSONContractWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	os.Unsetenv("DISPLAY")
	code, out, errOut := runCLI(t, "run", "--landscape", "doublewell(k=1)", "--noise", "sgld", "--temp", "0.2",
		"--lr", "0.01", "--particles", "1000000", "--steps", "4000", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	for _, k := range []string{"particles", "steps", "lr", "escaped", "exposure_time", "rate", "rate_ci95", "tau",
		"tau_iterations", "backend", "renderer", "seconds", "particle_steps_per_second", "theory", "analysis"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if m["particles"].(float64) != 1e6 || m["steps"].(float64) != 4000 || m["backend"] != "gpu" {
		t.Errorf("particles %v, steps %v, backend %v", m["particles"], m["steps"], m["backend"])
	}
	if ci, ok := m["rate_ci95"].([]any); !ok || len(ci) != 2 {
		t.Errorf("rate_ci95 = %v, want two numbers", m["rate_ci95"])
	}
	th, _ := m["theory"].(map[string]any)
	if _, ok := th["eyring_kramers"]; !ok {
		t.Errorf("theory lacks eyring_kramers: %v", th)
	}
	an, _ := m["analysis"].(map[string]any)
	for _, k := range []string{"minimum", "saddle", "delta_l", "hessian_min_eigenvalues", "hessian_saddle_eigenvalues", "escape_direction", "index1"} {
		if _, ok := an[k]; !ok {
			t.Errorf("analysis lacks %q", k)
		}
	}
	// doublewell(k=1) at T = 0.2 over t = 40: τ ≈ 180 (quadrature), so roughly 20% escape.
	if esc := m["escaped"].(float64); esc < 1e5 || esc > 4e5 {
		t.Errorf("escaped = %v, expected about 2·10⁵ of 10⁶ for τ ≈ 180 over t = 40", esc)
	}
	t.Logf("renderer %v, %.3g particle-steps/s", m["renderer"], m["particle_steps_per_second"])
}

// `kramers analyze` reports the critical points of issue 2's checks as JSON.
func TestAnalyzeJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "analyze", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m struct {
		Minimum   []float64 `json:"minimum"`
		Saddle    []float64 `json:"saddle"`
		DeltaL    float64   `json:"delta_l"`
		HMin      []float64 `json:"hessian_min_eigenvalues"`
		HSaddle   []float64 `json:"hessian_saddle_eigenvalues"`
		Index1    bool      `json:"index1"`
		EscapeDir []float64 `json:"escape_direction"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }
	if !near(m.Minimum[0], -1) || !near(m.Saddle[0], 0) || !near(m.DeltaL, 2.0/3) || !near(m.HMin[0], 4) || !near(m.HSaddle[0], -2) || !m.Index1 || !near(m.EscapeDir[0], 1) {
		t.Fatalf("pwq analysis: %+v", m)
	}
}

// Typos in expressions give the column, and every bad landscape exits with status 2.
func TestAnalyzeBadExpressions(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"x^4/4 - x^2/2 + 0.1*", "column"},
		{"x^4 + foo", "unknown name"},
		{"max(x, 1, 2) + x^2", "arguments"},
		{"x/0 + x^2", "zero"},
	} {
		code, _, errOut := runCLI(t, "analyze", "--landscape", c.spec, "--start", "-1")
		if code != 2 || !bytes.Contains([]byte(errOut), []byte(c.want)) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 mentioning %q", c.spec, code, errOut, c.want)
		}
	}
	code, out, errOut := runCLI(t, "analyze", "--landscape", "x^4/4 - x^2/2 + 0.1*x", "--start", "-1", "--json", "-")
	if code != 0 || !bytes.Contains([]byte(out), []byte("delta_l")) {
		t.Fatalf("user expression end to end: exit %d, %s %s", code, out, errOut)
	}
}
