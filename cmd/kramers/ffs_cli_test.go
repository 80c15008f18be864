package main

import (
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
	code, _, errOut = runBin(t, dir, nil, append(base, "--method", "ffs", "--interfaces", "-0.5,-0.9,0")...)
	if code != 2 || !strings.Contains(errOut, "ascending") {
		t.Errorf("non-ascending --interfaces: exit %d, %q; want 2 and a message", code, errOut)
	}
	code, _, errOut = runBin(t, dir, nil, append(base, "--interfaces", "-0.5,0")...)
	if code != 2 {
		t.Errorf("--interfaces with brute force: exit %d, %q; want 2", code, errOut)
	}
}
