package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// The command line as people use it: guessed names get a suggestion, counts may be written 1e6
// or 2^20, flags that do not apply or are repeated are refused, help and version exit 0, and
// runs without a terminal report progress. Each case runs the built binary.

func TestCLIDidYouMean(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--landscape", "doublewell(k=1)", "--learning-rate", "0.01"}, "did you mean --lr?"},
		{[]string{"run", "--landscape", "doublewell(k=1)", "--batch-size", "4"}, "did you mean --batch?"},
		{[]string{"run", "--landscape", "doublewell(k=1)", "--temperature", "0.2"}, "did you mean --temp?"},
		{[]string{"run", "--landscape", "doublewell(k=1)", "--partcles", "100"}, "did you mean --particles?"},
		{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "sgd", "--backend", "cpu"}, "did you mean sgd-hessian or sgd-loss or minibatch?"},
		{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "sgd-hesian", "--backend", "cpu"}, "did you mean sgd-hessian?"},
	} {
		code, _, errOut := runBin(t, dir, nil, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	// Model names in any case.
	m := runJSON(t, "run", "--landscape", "doublewell(k=1)", "--noise", "SGLD", "--temp", "0.3", "--lr", "0.05",
		"--particles", "100", "--steps", "10", "--backend", "cpu")
	if m["noise"].(map[string]any)["model"] != "sgld" {
		t.Errorf("--noise SGLD ran %v", m["noise"])
	}
}

func TestCLICounts(t *testing.T) {
	m := runJSON(t, "run", "--landscape", "doublewell(k=1)", "--lr", "0.05", "--temp", "0.3",
		"--particles", "2^10", "--steps", "1e3", "--backend", "cpu")
	if m["particles"] != float64(1024) || m["steps"] != float64(1000) {
		t.Errorf("--particles 2^10 --steps 1e3 ran %v particles × %v steps", m["particles"], m["steps"])
	}
	code, _, errOut := runBin(t, t.TempDir(), nil, "run", "--landscape", "doublewell(k=1)", "--steps", "1.5e2", "--particles", "2.5", "--backend", "cpu")
	if code != 2 || !strings.Contains(errOut, "--particles: \"2.5\" is not a whole number") {
		t.Errorf("--particles 2.5: exit %d, %q", code, errOut)
	}
}

func TestCLIRefusesInapplicableAndRepeatedFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "sgld", "--batch", "32"}, "--batch does not apply to --noise sgld: only sgd-hessian, sgd-hessian-min, sgd-loss, minibatch, sgd-cov use it"},
		{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "sgd-hessian", "--temp", "0.5"}, "--temp does not apply to --noise sgd-hessian: only sgld use it"},
		{[]string{"theory", "--landscape", "doublewell(k=1)", "--noise", "sgld", "--floor", "0.1"}, "--floor does not apply to --noise sgld"},
		{[]string{"run", "--landscape", "doublewell(k=1)", "--lr", "0.1", "--lr", "0.2"}, "--lr is given twice"},
		{[]string{"sweep", "--landscape", "doublewell(k=1)", "--vary", "lr=0.1,0.2", "--vary", "temp=0.1,0.2"}, "--vary is given twice"},
	} {
		code, _, errOut := runBin(t, dir, nil, append(tc.args, "--backend", "cpu")...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestCLIHelpAndVersion(t *testing.T) {
	dir := t.TempDir()
	// Every command answers -h with its usage (bench once answered "flag: help requested").
	help := [][]string{{"sweep", "--help"}, {"help"}}
	for _, c := range []string{"run", "analyze", "theory", "validate", "sweep", "reproduce", "bench", "view", "merge"} {
		help = append(help, []string{c, "-h"})
	}
	for _, args := range help {
		code, _, errOut := runBin(t, dir, nil, args...)
		if code != 0 || !strings.Contains(errOut, "usage") {
			t.Errorf("%v: exit %d, %q; want 0 and the usage", args, code, errOut)
		}
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runBin(t, dir, nil, args...)
		if code != 0 || !strings.HasPrefix(out, "kramers 0.") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}

// Without a terminal a run writes a progress line to stderr at an interval (5 s by default,
// $KRAMERS_PROGRESS_EVERY here), with the time left; --quiet silences it.
func TestCLIProgressWithoutTerminal(t *testing.T) {
	args := []string{"run", "--landscape", "doublewell(k=1)", "--lr", "0.05", "--temp", "0.3", "--particles", "20000",
		"--steps", "2000", "--chunk", "20", "--backend", "cpu", "--json", "-"}
	env := []string{"KRAMERS_PROGRESS_EVERY=1ms"}
	code, out, errOut := runBin(t, t.TempDir(), env, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("stdout is not the JSON alone: %v", err)
	}
	lines := strings.Count(errOut, "/2000 iterations")
	if lines < 3 || !strings.Contains(errOut, "left") || !strings.Contains(errOut, "2000/2000 iterations") {
		t.Errorf("%d progress lines on stderr:\n%s", lines, errOut)
	}
	// The rate of the progress line is the whole window's, without the burn-in (issue 20 item 6):
	// it says so, and it is not the reported rate.
	if !strings.Contains(errOut, "whole-window κ̂ ≈ ") || !strings.Contains(errOut, "(no burn-in)") {
		t.Errorf("the progress κ̂ does not say it is the whole-window estimate:\n%s", errOut)
	}
	_, _, quiet := runBin(t, t.TempDir(), env, append(args, "--quiet")...)
	if strings.Contains(quiet, "/2000 iterations") {
		t.Errorf("--quiet still printed progress:\n%s", quiet)
	}
}

// Smaller items: the catalogue listing says "L = …" once; an expression of sum() alone names --dim.
func TestCLISmallFixes(t *testing.T) {
	dir := t.TempDir()
	out := mustRun(t, dir, nil, "analyze", "--landscape", "list")
	if strings.Contains(out, "L = L =") || !strings.Contains(out, "L = dl·(x²−1)²") {
		t.Errorf("analyze --landscape list:\n%s", out)
	}
	code, _, errOut := runBin(t, dir, nil, "run", "--landscape", "sum(xi^4/4 - xi^2/2 in xi)", "--start", "-1", "--backend", "cpu")
	if code != 2 || !strings.Contains(errOut, "--dim") {
		t.Errorf("sum() alone: exit %d, %q; want 2 and a hint to give --dim", code, errOut)
	}
	// Conditions in words: 'or' as ||.
	m := runJSON(t, "run", "--landscape", "(x^2-1)^2 + (y^2-1)^2 + 0.1*x", "--start", "-1,-1", "--noise", "sgld", "--temp", "0.3",
		"--lr", "0.01", "--escape", "x > 0.5 or y > 0.5", "--particles", "500", "--steps", "200", "--backend", "cpu")
	if esc := m["escape"].(map[string]any)["text"]; esc != "x > 0.5 or y > 0.5" {
		t.Errorf("escape condition %v", esc)
	}
}

// --every is a duration in run (checkpoints); the view's count of iterations between saved frames
// is --frame-every, and --every there says so.
func TestCLIViewFrameEvery(t *testing.T) {
	code, _, errOut := runBin(t, t.TempDir(), nil, "view", "--landscape", "doublewell(k=1)", "--headless", "--every", "10")
	if code != 2 || !strings.Contains(errOut, "did you mean --frame-every?") {
		t.Errorf("view --every: exit %d, %q", code, errOut)
	}
}

// TestUnresolvedSummaryBound (issue 20 item 6): an unresolved run with too few escapes after the
// burn-in prints, as docs/guide.md says, the one-sided 95% upper bound on the rate and the lower bound
// on τ it gives; they are the JSON's rate_upper95 and its inverse. pwq at T = 0.05 has τ ≈ 1.4·10⁶
// (exact discrete): 200 particles × 30 time units expect 0.004 escapes.
func TestUnresolvedSummaryBound(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runBin(t, dir, nil, "run", "--backend", "cpu", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--noise", "sgld",
		"--temp", "0.05", "--lr", "0.01", "--particles", "200", "--steps", "3000", "--json", "u.json", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := readJSON(t, filepath.Join(dir, "u.json"))
	u, ok := m["rate_upper95"].(float64)
	if m["resolved"] != false || !ok || !(u > 0) {
		t.Fatalf("want an unresolved run with a rate_upper95: resolved %v, rate_upper95 %v", m["resolved"], m["rate_upper95"])
	}
	want := fmt.Sprintf("95%% upper bound: κ < %.4g per unit time, so τ > %.4g time = %.4g iterations", u, 1/u, 1/(u*0.01))
	if !strings.Contains(out, want) {
		t.Errorf("summary lacks %q:\n%s", want, out)
	}
}
