package reproduce

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

// TestReproduceK12CPU runs K12 (finite data) at a quarter of the quick sizes (about 70 escapes
// per point, so the tolerances, 3σ wide, are loose) with a primary backend that refuses finite-data runs, as the GPU did before it had a data
// path: the case must fall back to the CPU reference and say so, every marked check must pass, the
// B = 1 rows must carry no mark, and both figures must be written.
func TestReproduceK12CPU(t *testing.T) {
	dir := t.TempDir()
	cpu := func(host.Config) (host.Backend, error) { return validate.NewCPU(), nil }
	refusing := func(cfg host.Config) (host.Backend, error) {
		if cfg.Data != "" {
			return nil, &host.InputError{Flag: "backend", Msg: "finite-data runs run on the CPU reference for now"}
		}
		return validate.NewCPU(), nil
	}
	rep, err := Execute(context.Background(), Options{Quick: true, Out: dir, Primary: refusing, Reference: cpu, Backend: host.GPU,
		Scale: 0.25, Cases: []string{"K12"}})
	if err != nil {
		t.Fatal(err)
	}
	var cs *Case
	for _, c := range rep.Cases {
		if c.ID == "K12" {
			cs = c
		}
	}
	if cs == nil || cs.Status != "run" {
		t.Fatalf("K12 did not run: %+v", cs)
	}
	if !strings.Contains(strings.Join(cs.Notes, " "), "refused a finite-data run") {
		t.Errorf("no note on the fallback to the CPU reference: %q", cs.Notes)
	}
	for _, run := range cs.Runs {
		if run.Backend != host.CPU {
			t.Errorf("%s ran on %s, want the CPU reference", run.Label, run.Backend)
		}
	}
	for _, f := range []string{"K12-batch.png", "K12-ratio.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	for _, c := range cs.Checks {
		t.Logf("%-7s %s: measured %v ± %v, predicted %v; %s", c.Status, c.Name, c.Measured, c.Sigma, c.Predicted, c.Note)
		if strings.Contains(c.Name, "B = 1,") && c.Status != StatusNoMark {
			t.Errorf("%s: %s, want no mark", c.Name, c.Status)
		}
		if c.Status == StatusFail || c.Status == StatusError {
			t.Errorf("%s: %s (%s)", c.Name, c.Status, c.RequireWhy)
		}
	}
	fmt.Printf("K12 at scale 0.25: %.1f s\n", float64(cs.Seconds))
}
