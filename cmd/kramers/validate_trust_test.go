package main

import (
	"strings"
	"testing"
)

// TestValidateTrustBadInput: the trust suite's flags refuse bad values with exit status 2 and a
// sentence that names the fix, before any case runs.
func TestValidateTrustBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"validate", "--trust", "--backend", "tpu"}, "--backend: unknown value \"tpu\"; use cpu, gpu or both"},
		{[]string{"validate", "--trust", "--cases", "-3"}, "--cases: must be ≥ 0, got -3"},
		{[]string{"validate", "--out", "x"}, "--out, --backend and --cases belong to --trust; add --trust or drop them"},
	} {
		code, _, errOut := runBin(t, dir, nil, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
