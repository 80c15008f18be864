package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestTheoryFlagSelectsValues: --theory picks the theory values that are computed (issue 21); the
// others are present with no τ and the reason "not computed", and a name that is no theory value
// is refused with exit 2 and the list of names. The 1-D double well under sgld has three values
// (docs/theory.md §4): discrete, quadrature and eyring_kramers.
func TestTheoryFlagSelectsValues(t *testing.T) {
	all := []string{"discrete", "eyring_kramers", "quadrature"}
	cases := []struct {
		theory   string
		computed []string
		refused  bool
	}{
		{"", all, false},
		{"all", all, false},
		{"none", nil, false},
		{"discrete", []string{"discrete"}, false},
		{"eyring_kramers,quadrature", []string{"eyring_kramers", "quadrature"}, false},
		{"bogus", nil, true},
		{"discrete,exact", nil, true},
	}
	for _, c := range cases {
		args := []string{"theory", "--landscape", "doublewell(k=1)", "--noise", "sgld", "--temp", "0.2", "--lr", "0.01", "--backend", "cpu"}
		if c.theory != "" {
			args = append(args, "--theory", c.theory)
		}
		code, out, errOut := runCLI(t, args...)
		if c.refused {
			if code != exitUsage || !strings.Contains(errOut, "--theory") || !strings.Contains(errOut, "eyring_kramers") {
				t.Errorf("--theory %q: exit %d, stderr %q; want exit 2 naming --theory and the values", c.theory, code, errOut)
			}
			continue
		}
		if code != 0 {
			t.Fatalf("--theory %q: exit %d: %s", c.theory, code, errOut)
		}
		var res struct {
			Theory map[string]struct {
				Tau    *float64 `json:"tau"`
				Reason string   `json:"reason"`
			} `json:"theory"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("--theory %q: %v", c.theory, err)
		}
		for _, k := range all {
			v, ok := res.Theory[k]
			want := strings.Contains(","+strings.Join(c.computed, ",")+",", ","+k+",")
			switch {
			case !ok:
				t.Errorf("--theory %q: %s is absent; want it present (computed or not)", c.theory, k)
			case want && v.Tau == nil:
				t.Errorf("--theory %q: %s not computed: %s", c.theory, k, v.Reason)
			case !want && (v.Tau != nil || !strings.Contains(v.Reason, "not computed")):
				t.Errorf("--theory %q: %s has τ %v, reason %q; want none and 'not computed'", c.theory, k, v.Tau, v.Reason)
			}
		}
	}
}

// TestSummaryWithholdsZAgainstApproximations: in 2-D under sgld the run's theory is Eyring–Kramers
// (asymptotic) and the path value (approximate); the summary shows each one's ratio and why there
// is no z, never a z (docs/theory.md §4, "Comparisons"), and the JSON comparisons have z_withheld
// and no z. A CPU run of 4000 particles over 20 time units at T = 0.2 (τ ≈ 180, so several
// hundred escapes, far above the 10 a rate needs).
func TestSummaryWithholdsZAgainstApproximations(t *testing.T) {
	code, out, errOut := runCLI(t, "run", "--landscape", "(x^2-1)^2 + y^2", "--start", "-1,0", "--noise", "sgld", "--temp", "0.2",
		"--lr", "0.01", "--particles", "4000", "--steps", "2000", "--backend", "cpu", "--quiet", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Comparisons map[string]map[string]any `json:"comparisons"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"eyring_kramers", "path"} {
		c, ok := res.Comparisons[k]
		if !ok {
			t.Fatalf("no comparison with %s in %v", k, res.Comparisons)
		}
		if _, hasZ := c["z"]; hasZ || c["z_withheld"] == nil || !(c["ratio"].(float64) > 0) {
			t.Errorf("%s: %v; want a ratio, z_withheld and no z", k, c)
		}
	}
	code, out, errOut = runCLI(t, "run", "--landscape", "(x^2-1)^2 + y^2", "--start", "-1,0", "--noise", "sgld", "--temp", "0.2",
		"--lr", "0.01", "--particles", "4000", "--steps", "2000", "--backend", "cpu", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "theory ") || !strings.Contains(line, "measured/theory") {
			continue
		}
		lines++
		if regexp.MustCompile(`z = `).MatchString(line) || !strings.Contains(line, "no z: ") {
			t.Errorf("summary line gives a z against a value without a bounded error: %s", line)
		}
	}
	if lines != 2 {
		t.Errorf("%d comparison lines, want 2 (eyring_kramers, path):\n%s", lines, out)
	}
}

// TestResumeTakesTheoryFlag: --theory is part of the Execution, so --resume takes it without the
// configuration being restated, as it takes --backend (cmd/kramers/run.go resumeFlags).
func TestResumeTakesTheoryFlag(t *testing.T) {
	ck := t.TempDir() + "/run.ckpt"
	code, _, errOut := runCLI(t, "run", "--landscape", "doublewell(k=1)", "--noise", "sgld", "--temp", "0.2", "--lr", "0.01",
		"--particles", "1000", "--steps", "200", "--backend", "cpu", "--quiet", "--checkpoint", ck)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "run", "--resume", ck, "--steps", "400", "--theory", "none", "--quiet", "--json", "-")
	if code != 0 {
		t.Fatalf("resume with --theory none: exit %d: %s", code, errOut)
	}
	var res struct {
		Theory map[string]struct {
			Tau    *float64 `json:"tau"`
			Reason string   `json:"reason"`
		} `json:"theory"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if d, ok := res.Theory["discrete"]; !ok || d.Tau != nil || !strings.Contains(d.Reason, "not computed") {
		t.Errorf("resumed with --theory none: discrete = %+v; want no τ and 'not computed'", d)
	}
}
