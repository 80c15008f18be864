package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSweepCLI: `kramers sweep` on the CPU reference sizes each point by the sweep rule (500
// particles for the defaults of 100 escapes × safety 2 at 40%), prints the burn-in and the escapes
// after it, writes sweep.csv with the quasi-stationary numbers, and marks a point without a rate
// UNRESOLVED with the estimate's reason.
func TestSweepCLI(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "sweep", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
		"--backend", "cpu", "--vary", "seed=1,2", "--out", dir, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "burn-in t0") || !strings.Contains(out, "escaped after t0 (all)") || strings.Contains(out, "UNRESOLVED") {
		t.Fatalf("table:\n%s", out)
	}
	f, err := os.Open(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 3 {
		t.Fatalf("sweep.csv: %v %v", rows, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"particles", "escaped", "escaped_total", "burn_in_time", "rate", "tau_time", "resolved", "reached_target", "note", "theory_discrete_tau_time"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("sweep.csv lacks %q: %v", h, rows[0])
		}
	}
	for _, r := range rows[1:] {
		if r[col["particles"]] != "500" || r[col["resolved"]] != "true" || r[col["tau_time"]] == "" || r[col["burn_in_time"]] == "" {
			t.Errorf("row %v", r)
		}
	}
	for _, png := range []string{"sweep.png", "hazard.png"} {
		if st, err := os.Stat(filepath.Join(dir, png)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", png, err)
		}
	}

	// Too few particles and steps for any escape: unresolved, with the reason, and empty numbers.
	dir = t.TempDir()
	code, out, errOut = runCLI(t, "sweep", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
		"--backend", "cpu", "--vary", "k=1,2", "--fixed", "--particles", "50", "--steps", "20", "--out", dir, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "UNRESOLVED: ") || !strings.Contains(out, "fewer than two resolved points") {
		t.Fatalf("table:\n%s", out)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	if strings.Contains(string(data), "NaN") {
		t.Fatalf("sweep.csv writes NaN instead of an empty field:\n%s", data)
	}
}

// TestSweepBadVary: what --vary cannot use is an input error (exit status 2) naming the flag.
func TestSweepBadVary(t *testing.T) {
	for _, c := range []struct{ land, vary, flag string }{
		{"pwq(ha=4,hb=2,a=-1,b=0)", "zz=1,2", "--vary"},
		{"x^4/4 - x^2/2", "k=1,2", "--vary"},
		{"pwq(ha=4,hb=2,a=-1,b=0)", "batch", "--vary"},
		{"pwq(ha=4,zz=2)", "k=1,2", "--landscape"},
	} {
		code, _, errOut := runCLI(t, "sweep", "--landscape", c.land, "--start", "-1", "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
			"--backend", "cpu", "--vary", c.vary, "--out", t.TempDir())
		if code != 2 || !strings.Contains(errOut, c.flag) {
			t.Errorf("sweep --landscape %q --vary %s: exit %d, %q; want 2 naming %s", c.land, c.vary, code, errOut, c.flag)
		}
	}
}
