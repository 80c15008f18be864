package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gettingStartedStep is one command of README's "Getting started" and the lines it must print.
type gettingStartedStep struct {
	command  string
	expected []string
}

// readGettingStarted parses README's "Getting started" section: an indented line starting with
// "kramers " is a command; the indented lines after the next "expected" are its expected output,
// with "…" standing for text that varies.
func readGettingStarted(t *testing.T) []gettingStartedStep {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "## Getting started")
	if start < 0 {
		t.Fatal("README has no Getting started section")
	}
	text = text[start+len("## Getting started"):]
	if end := strings.Index(text, "\n## "); end >= 0 {
		text = text[:end]
	}
	var steps []gettingStartedStep
	inExpected := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		indented := strings.HasPrefix(line, "       ")
		switch {
		case indented && strings.HasPrefix(trimmed, "kramers "):
			steps = append(steps, gettingStartedStep{command: trimmed})
			inExpected = false
		case !indented && strings.Contains(trimmed, "expected"):
			inExpected = len(steps) > 0
		case indented && inExpected && trimmed != "":
			s := &steps[len(steps)-1]
			s.expected = append(s.expected, trimmed)
		case !indented && trimmed != "":
			inExpected = false
		}
	}
	return steps
}

// matches reports whether a line of output holds the pieces of pattern (split at "…") in order.
func matches(output, pattern string) bool {
	for _, line := range strings.Split(output, "\n") {
		rest, ok := line, true
		for _, piece := range strings.Split(pattern, "…") {
			i := strings.Index(rest, piece)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(piece):]
		}
		if ok {
			return true
		}
	}
	return false
}

// TestGettingStarted runs the five commands of README's "Getting started" with the built binary
// and checks their expected lines, so the page stays true.
func TestGettingStarted(t *testing.T) {
	steps := readGettingStarted(t)
	if len(steps) != 5 {
		t.Fatalf("Getting started has %d commands, want 5: %+v", len(steps), steps)
	}
	bin := kramersBin(t)
	dir := t.TempDir()
	for i, s := range steps {
		if len(s.expected) == 0 {
			t.Errorf("step %d (%s) has no expected output", i+1, s.command)
			continue
		}
		cmd := exec.Command("bash", "-c", s.command)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("step %d: %s: %v\n%s", i+1, s.command, err, out)
			continue
		}
		for _, e := range s.expected {
			if !matches(string(out), e) {
				t.Errorf("step %d: %s\nexpected a line like %q in:\n%s", i+1, s.command, e, out)
			}
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "frames", "view.gif")); err != nil || st.Size() == 0 {
		t.Errorf("step 5 wrote no frames/view.gif: %v", err)
	}
	if st, err := os.Stat(filepath.Join(dir, "sweep-out", "sweep.png")); err != nil || st.Size() == 0 {
		t.Errorf("step 4 wrote no sweep-out/sweep.png: %v", err)
	}
}
