package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestFFSStateRoundTrip writes a forward-flux-sampling state and reads it back unchanged (float64
// values round-trip exactly through encoding/json, which a bit-for-bit resume relies on), and
// refuses a file of another format with a message naming the expected one.
func TestFFSStateRoundTrip(t *testing.T) {
	cfg := host.DefaultConfig()
	cfg.Landscape = "pwq(ha=4,hb=2,a=-1,b=0)"
	s := &FFSState{Format: FFSStateFormat, Config: cfg, TargetError: 0.1, Trials: 300, TargetP: 0.2, MaxSteps: 1 << 22,
		Result: host.FFSResult{Order: "x", Interfaces: []float64{-0.8, -0.4, 0}, Stages: []host.FFSStage{{Stage: 1, From: -0.8, To: -0.4, Trials: 300, Successes: 61, P: 61.0 / 300}}},
		Next:   1, Configs: []float64{-0.4000000000000001, -0.39}, Ancestors: []int32{0, 3}, NRoots: 4,
		TreeN: [][]int32{{75, 75, 75, 75}}, TreeS: [][]int32{{15, 16, 14, 16}}, Kappa: 1.0 / 3, RelVar: 0.0123,
		Warnings: []host.Warning{{Kind: host.WarnFFS, Message: "stage 1: 2 of 300 trials reached neither interface"}}}
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ffs")
	if err := WriteFFSState(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFFSState(path)
	if err != nil {
		t.Fatal(err)
	}
	// The configuration's empty maps and slices may read back as nil: compare the JSON, and the
	// numbers that a resume continues from exactly.
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(s)
	if string(a) != string(b) || !reflect.DeepEqual(got.Configs, s.Configs) || !reflect.DeepEqual(got.TreeS, s.TreeS) || got.Kappa != s.Kappa {
		t.Errorf("round trip changed the state:\n%s\n%s", a, b)
	}
	other := filepath.Join(dir, "result.json")
	if err := os.WriteFile(other, []byte(`{"format":"kramers-result/1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFFSState(other); err == nil || !strings.Contains(err.Error(), FFSStateFormat) {
		t.Errorf("a file of another format: %v", err)
	}
	if _, err := ReadFFSState(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("a missing file: %v, want the read error", err)
	}
}
