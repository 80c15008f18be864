package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// `kramers analyze` lists every exit of the basin (docs/theory.md §2): the example has two.
func TestAnalyzeExitsCLI(t *testing.T) {
	args := []string{"analyze", "--landscape", "(x^2-1)^2 + (y^2-1)^2 + 0.1*x", "--start", "-1,-1"}
	code, out, errOut := runCLI(t, append(args, "--json", "-")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m struct {
		Saddle []float64 `json:"saddle"`
		DeltaL float64   `json:"delta_l"`
		Exits  []struct {
			Saddle     []float64 `json:"saddle"`
			DeltaL     float64   `json:"delta_l"`
			Eig        []float64 `json:"hessian_saddle_eigenvalues"`
			Escape     []float64 `json:"escape_direction"`
			FarMinimum []float64 `json:"far_minimum"`
			Method     string    `json:"method"`
		} `json:"exits"`
		Search struct {
			Exits, Reported, EigenDirections int
		} `json:"exit_search"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	// ΔL = 1 exactly over the y barrier, f(x_m) − f(x_a) ≈ 1.1019 over the x barrier (host/landscape tests).
	if len(m.Exits) != 2 || m.Search.Exits != 2 || m.Search.Reported != 2 ||
		!(m.Exits[0].DeltaL > 0.999999 && m.Exits[0].DeltaL < 1.000001) || !(m.Exits[1].DeltaL > 1.10 && m.Exits[1].DeltaL < 1.11) ||
		len(m.Exits[0].FarMinimum) != 2 || len(m.Exits[1].Eig) != 2 || m.Exits[0].Method == "" {
		t.Fatalf("exits %+v, search %+v", m.Exits, m.Search)
	}
	if m.DeltaL != m.Exits[0].DeltaL {
		t.Errorf("delta_l %v is not the lowest exit's %v", m.DeltaL, m.Exits[0].DeltaL)
	}
	code, out, errOut = runCLI(t, append(args, "--exits", "1", "--json", "-")...)
	if code != 0 {
		t.Fatalf("--exits 1: exit %d: %s", code, errOut)
	}
	m.Exits = nil
	if err := json.Unmarshal([]byte(out), &m); err != nil || len(m.Exits) != 1 || m.Search.Exits != 2 || m.Search.Reported != 1 {
		t.Errorf("--exits 1: %d exits listed, search %+v, %v", len(m.Exits), m.Search, err)
	}
	code, out, errOut = runCLI(t, args...)
	if code != 0 || !strings.Contains(out, "2 exits of the basin") || !strings.Contains(out, "far minimum") || !strings.Contains(out, "search: ") {
		t.Errorf("text output: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("\n%s", out)
	if code, _, errOut = runCLI(t, append(args, "--exits", "-1")...); code != 2 || !strings.Contains(errOut, "--exits") {
		t.Errorf("--exits -1: exit %d, %q; want 2 naming --exits", code, errOut)
	}
}
