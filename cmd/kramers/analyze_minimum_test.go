package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

const genMLP = "gen:mlp(n=200,seed=1,d=2,h=3,sigma=0.1)"

// TestAnalyzeTrainedMinimum: analyze --train on a d = 13 network with weight decay prints a strict
// minimum with its spectrum and C beside H, and --json carries the numbers (every eigenvalue, in
// ascending order, λ_max = the last); the second run takes the minimum from the cache.
func TestAnalyzeTrainedMinimum(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	args := []string{"analyze", "--data", genMLP, "--landscape", "mlp(h1=3,wd=0.01)", "--train"}
	code, out, errOut := runCLI(t, append(args, "--json", "-")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m struct {
		Dim     int       `json:"dim"`
		Minimum []float64 `json:"minimum"`
		Desc    struct {
			Cached   bool `json:"cached"`
			Training struct {
				GradientMax float64 `json:"gradient_max"`
				Threshold   float64 `json:"threshold"`
			} `json:"training"`
			Spectrum struct {
				Eigenvalues []float64 `json:"eigenvalues"`
				Sharpness   float64   `json:"sharpness"`
				Strict      bool      `json:"strict"`
			} `json:"spectrum"`
			Covariance struct {
				Leading []float64 `json:"leading"`
			} `json:"covariance"`
		} `json:"trained_minimum"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	s := m.Desc.Spectrum
	if m.Dim != 13 || len(m.Minimum) != 13 || len(s.Eigenvalues) != 13 || s.Eigenvalues[12] != s.Sharpness || !s.Strict ||
		m.Desc.Cached || !(m.Desc.Training.GradientMax <= m.Desc.Training.Threshold) || len(m.Desc.Covariance.Leading) != 5 {
		t.Errorf("JSON: %s", out)
	}
	code, out, errOut = runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"(d = 13)", "from the cache of trained minima", "sharpness λ_max =", "minimum strict:", "per-sample gradient covariance C", "exits: not searched"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

// TestAnalyzeTrainedDegenerate: without weight decay the network's minimum is reported degenerate,
// with weight decay named as the cure (a description, so exit 0).
func TestAnalyzeTrainedDegenerate(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, out, errOut := runCLI(t, "analyze", "--data", genMLP, "--landscape", "mlp(h1=3)", "--train")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "minimum degenerate") || !strings.Contains(out, "weight decay") {
		t.Errorf("output:\n%s", out)
	}
}

// TestAnalyzeTrainBadInput: training flags out of range, or given where nothing is trained, and
// training that stops short of the tolerance are exit 2 with the flag and the fix.
func TestAnalyzeTrainBadInput(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	base := []string{"analyze", "--data", genMLP, "--landscape", "mlp(h1=3,wd=0.01)"}
	for _, row := range []struct {
		args []string
		want string
	}{
		{[]string{"--train", "--gtol", "0"}, "--gtol: the relative gradient tolerance must be in (0, 1)"},
		{[]string{"--train", "--max-iter", "-1"}, "--max-iter: must be a positive number"},
		{[]string{"--gtol", "1e-6"}, "--gtol: applies only to a trained minimum; add --train"},
		{[]string{"--train", "--gtol", "1e-30"}, "--start: no minimum found from the start: training did not reach the gradient tolerance"},
	} {
		code, _, errOut := runCLI(t, append(base, row.args...)...)
		if code != exitUsage || !strings.Contains(errOut, row.want) {
			t.Errorf("%v: exit %d, %q; want %q", row.args, code, errOut, row.want)
		}
	}
}

// TestRunTrainedMinimum: with the training threshold lowered below the network's d = 13, a run
// trains the minimum instead of searching exits: without --escape it is refused (naming --escape),
// a degenerate minimum is refused naming weight decay, and with --escape 'radius(…)' it runs, its
// theory values n/a for want of a saddle.
func TestRunTrainedMinimum(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	old := host.TrainAboveDim
	host.TrainAboveDim = 8
	defer func() { host.TrainAboveDim = old }()
	run := []string{"run", "--backend", "cpu", "--quiet", "--data", genMLP, "--noise", "minibatch", "--batch", "8",
		"--lr", "0.05", "--particles", "64", "--steps", "200", "--seed", "1"}
	code, _, errOut := runCLI(t, append(run, "--landscape", "mlp(h1=3,wd=0.01)")...)
	if code != exitUsage || !strings.Contains(errOut, "--escape") || !strings.Contains(errOut, "found by training") {
		t.Errorf("no --escape: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, append(run, "--landscape", "mlp(h1=3)")...)
	if code != exitUsage || !strings.Contains(errOut, "weight decay") {
		t.Errorf("degenerate: exit %d, %q", code, errOut)
	}
	code, out, errOut := runCLI(t, append(run, "--landscape", "mlp(h1=3,wd=0.01)", "--escape", "radius(0.5)", "--json", "-")...)
	if code != 0 {
		t.Fatalf("with --escape: exit %d, %s", code, errOut)
	}
	var m struct {
		Escaped  *int `json:"escaped"`
		Analysis struct {
			SaddleMethod string `json:"saddle_method"`
		} `json:"analysis"`
		Theory map[string]struct {
			Reason string `json:"reason"`
		} `json:"theory"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if m.Escaped == nil || !strings.Contains(m.Analysis.SaddleMethod, "found by training") || len(m.Theory) == 0 {
		t.Errorf("JSON: %s", out)
	}
	for k, pr := range m.Theory {
		if !strings.Contains(pr.Reason, "found by training") {
			t.Errorf("theory %s: %q", k, pr.Reason)
		}
	}
}
