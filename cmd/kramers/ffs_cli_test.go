package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFFSCLI: `kramers run --method ffs` prints a rate and the stage table; a non-ascending
// --interfaces and the ffs flags with brute force are refused with status 2.
func TestFFSCLI(t *testing.T) {
	dir := t.TempDir()
	base := []string{"run", "--backend", "cpu", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--temp", "0.05", "--quiet"}
	code, out, errOut := runBin(t, dir, nil, append(base, "--method", "ffs")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"stage", "λ from", "rate ", "tau ", "theory discrete"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The JSON does not contradict itself (issue 20 item 6): no brute-force field that forward flux
	// sampling does not have (steps, escaped_total, quasi_stationary: zeros and an unresolved
	// burn-in estimate under a resolved rate), and no resolved: false anywhere under resolved: true.
	code, _, errOut = runBin(t, dir, nil, append(base, "--method", "ffs", "--json", "ffs.json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc := readJSON(t, filepath.Join(dir, "ffs.json"))
	if doc["resolved"] != true || doc["method"] != "ffs" {
		t.Fatalf("ffs JSON: resolved %v, method %v", doc["resolved"], doc["method"])
	}
	for _, k := range []string{"steps", "exposure_iterations", "escaped_total", "diverged", "survival", "histogram", "quasi_stationary"} {
		if v, ok := doc[k]; ok {
			t.Errorf("ffs JSON has the brute-force field %s = %v", k, v)
		}
	}
	if bad := resolvedFalse(doc, ""); len(bad) > 0 {
		t.Errorf("ffs JSON is resolved but has resolved: false at %v", bad)
	}
	code, _, errOut = runBin(t, dir, nil, append(base, "--method", "ffs", "--interfaces", "-0.5,-0.9,0")...)
	if code != 2 || !strings.Contains(errOut, "ascending") {
		t.Errorf("non-ascending --interfaces: exit %d, %q; want 2 and a message", code, errOut)
	}
	code, _, errOut = runBin(t, dir, nil, append(base, "--interfaces", "-0.5,0")...)
	if code != 2 {
		t.Errorf("--interfaces with brute force: exit %d, %q; want 2", code, errOut)
	}
}

// TestFFSCheckpointCLI: --method ffs --checkpoint writes the state after each stage and prints a
// progress line per stage (none with --quiet); --resume of that state finishes the run with the
// uninterrupted run's rate bit for bit (CPU backend).
func TestFFSCheckpointCLI(t *testing.T) {
	dir := t.TempDir()
	base := []string{"run", "--backend", "cpu", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--temp", "0.05", "--method", "ffs"}
	code, _, errOut := runBin(t, dir, nil, append(base, "--checkpoint", "ffs.ckpt", "--json", "full.json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"ffs: stage 1/", "successes", "P = ", "κ̂ ≈ "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("progress lacks %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ffs.ckpt")); err != nil {
		t.Fatalf("no checkpoint: %v", err)
	}
	code, _, errOut = runBin(t, dir, nil, "run", "--resume", "ffs.ckpt", "--json", "resumed.json", "--quiet")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("--quiet resume wrote to stderr: %q", errOut)
	}
	rate := func(name string) float64 {
		var r struct {
			Rate float64 `json:"rate"` // the Estimate's fields are at the top level
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatal(err)
		}
		return r.Rate
	}
	if a, b := rate("full.json"), rate("resumed.json"); a != b || a == 0 {
		t.Errorf("resumed rate %v, uninterrupted %v", b, a)
	}
	code, _, errOut = runBin(t, dir, nil, "run", "--resume", "ffs.ckpt", "--temp", "0.06")
	if code != 2 {
		t.Errorf("--resume with a changed --temp: exit %d, %q; want 2", code, errOut)
	}
}

// resolvedFalse lists the paths below v whose "resolved" is false.
func resolvedFalse(v any, path string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if k == "resolved" && c == false {
				out = append(out, path+"."+k)
			}
			out = append(out, resolvedFalse(c, path+"."+k)...)
		}
	case []any:
		for i, c := range x {
			out = append(out, resolvedFalse(c, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}
