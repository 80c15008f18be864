package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ctrlCOnPrivateXvfb starts kramers with args on a private Xvfb (no DISPLAY, KRAMERS_GL=xvfb, as on
// a machine without EGL) in a process group of its own, waits until its output shows started and
// a private Xvfb runs beside it, and sends SIGINT to the whole group, as a terminal's Ctrl-C does.
// It returns the exit status and the output, and fails the test if an Xvfb outlives the command.
func ctrlCOnPrivateXvfb(t *testing.T, args []string, started string) (int, string) {
	t.Helper()
	viewNeedTools(t, "Xvfb", "pgrep")
	env := append(viewEnvWithout("DISPLAY", "KRAMERS_GL"), "KRAMERS_GL=xvfb")
	v := viewStart(t, env, args)
	deadline := time.Now().Add(60 * time.Second)
	xvfb := 0
	for xvfb == 0 || !strings.Contains(v.out.String(), started) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q with a private Xvfb within 60 s; output:\n%s", started, v.out.String())
		}
		time.Sleep(20 * time.Millisecond)
		xvfb = viewXvfbChild(t, v.cmd.Process.Pid)
	}
	// A command that opens one GPU context per run (reproduce) replaces its private Xvfb between
	// runs: the one found may be gone by now, so the group is checked on whichever runs.
	for try := 0; ; try++ {
		if _, err := syscall.Getpgid(xvfb); err == nil || try == 100 {
			break
		}
		time.Sleep(20 * time.Millisecond)
		if x := viewXvfbChild(t, v.cmd.Process.Pid); x != 0 {
			xvfb = x
		}
	}
	viewCheckOwnGroup(t, v.cmd.Process.Pid, xvfb)
	if err := syscall.Kill(-v.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	code := v.exitCode(t, 60*time.Second)
	if viewAlive(xvfb) {
		syscall.Kill(xvfb, syscall.SIGKILL)
		t.Errorf("the private Xvfb (pid %d) survived the command", xvfb)
	}
	return code, v.out.String()
}

// TestSweepCtrlC: Ctrl-C during the second point of a GPU sweep on a private Xvfb finishes that
// point's chunk, writes the table, sweep.csv and sweep.json of the points so far (marked
// interrupted) and exits 130 (docs/architecture.md, "Command-line contract").
func TestSweepCtrlC(t *testing.T) {
	out := t.TempDir()
	code, text := ctrlCOnPrivateXvfb(t, []string{"sweep", "--landscape", "doublewell", "--noise", "sgld", "--lr", "0.01",
		"--vary", "temp=0.3,0.25,0.2,0.15,0.12", "--fixed", "--particles", "4096", "--steps", "20000", "--chunk", "200",
		"--theory", "none", "--out", out, "--json", filepath.Join(out, "sweep.json")}, "[1/5]")
	if code != exitSignal {
		t.Fatalf("Ctrl-C: exit status %d, want 130; output:\n%s", code, text)
	}
	if !strings.Contains(text, "writing the points so far") {
		t.Errorf("no word of the interrupt in the output:\n%s", text)
	}
	csv, err := os.ReadFile(filepath.Join(out, "sweep.csv"))
	if err != nil {
		t.Fatalf("sweep.csv after Ctrl-C: %v", err)
	}
	var doc struct {
		Interrupted bool `json:"interrupted"`
		Series      []struct {
			Points []json.RawMessage `json:"points"`
		} `json:"series"`
	}
	data, err := os.ReadFile(filepath.Join(out, "sweep.json"))
	if err != nil || json.Unmarshal(data, &doc) != nil {
		t.Fatalf("sweep.json after Ctrl-C: %v", err)
	}
	rows := -1 // the header line of column names
	for _, line := range strings.Split(strings.TrimSpace(string(csv)), "\n") {
		if !strings.HasPrefix(line, "#") {
			rows++
		}
	}
	if !doc.Interrupted || len(doc.Series) != 1 || n(doc.Series[0].Points) < 1 || n(doc.Series[0].Points) >= 5 || rows != n(doc.Series[0].Points) {
		t.Errorf("sweep.json interrupted=%t with %d series; sweep.csv %d rows: want interrupted, 1 to 4 points, one row each", doc.Interrupted, len(doc.Series), rows)
	}
}

func n(p []json.RawMessage) int { return len(p) }

// TestReproduceCtrlC: Ctrl-C after the first measurement of K1 on a private Xvfb finishes the
// run in hand, writes report.md and results.json of the checks so far and exits 130.
func TestReproduceCtrlC(t *testing.T) {
	out := t.TempDir()
	code, text := ctrlCOnPrivateXvfb(t, []string{"reproduce", "--cases", "K1", "--quick", "--scale", "0.2", "--backend", "gpu", "--out", out},
		"pwq sgld T=0.15 η=0.01:")
	if code != exitSignal {
		t.Fatalf("Ctrl-C: exit status %d, want 130; output:\n%s", code, text)
	}
	if !strings.Contains(text, "writing the report of the checks so far") {
		t.Errorf("no word of the interrupt in the output:\n%s", text)
	}
	for _, f := range []string{"report.md", "results.json"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s after Ctrl-C: %v", f, err)
		}
	}
	// The checks of the interrupted case measured nothing after the signal: none may fail.
	if strings.Contains(text, " FAIL ") {
		t.Errorf("an interrupted case reports failed checks:\n%s", text)
	}
}
