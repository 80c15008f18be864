package reproduce

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/sweep"
	"github.com/kramers-sim/kramers/validate"
)

// TestCheckEvaluate: every criterion is decided by its numbers.
func TestCheckEvaluate(t *testing.T) {
	c := &Check{Measured: 104, Sigma: 1, Predicted: 100, Kind: Within, RelTol: 0.05, NSigma: 3}
	c.Evaluate()
	if c.Status != StatusPass {
		t.Fatalf("104 ± 1 vs 100 within 5%%+3σ: %s", c.Status)
	}
	c = &Check{Measured: 109, Sigma: 1, Predicted: 100, Kind: Within, RelTol: 0.05, NSigma: 3}
	c.Evaluate()
	if c.Status != StatusFail {
		t.Fatalf("109 ± 1 vs 100 within 5%%+3σ (tolerance 8): %s", c.Status)
	}
	c = &Check{Measured: 1.2, Sigma: 0.05, Kind: Above, Threshold: 1, NSigma: 3}
	c.Evaluate()
	if c.Status != StatusPass {
		t.Fatalf("1.2 − 3·0.05 > 1: %s", c.Status)
	}
	c.Sigma = 0.1
	c.Status = ""
	c.Evaluate()
	if c.Status != StatusFail {
		t.Fatalf("1.2 − 3·0.1 > 1 is false: %s", c.Status)
	}
	c = &Check{Measured: 0.99, Kind: AtLeast, Threshold: 0.98, Require: boolp(false)}
	c.Evaluate()
	if c.Status != StatusFail {
		t.Fatal("a failed requirement must fail the check")
	}
	c = &Check{Measured: F(math.NaN()), Predicted: 1, Kind: Within, RelTol: 1}
	c.Evaluate()
	if c.Status != StatusFail {
		t.Fatal("NaN measured must fail")
	}
	c = &Check{Measured: 3, Kind: NoMark}
	c.Evaluate()
	if c.Status != StatusNoMark {
		t.Fatal("no-mark row got a mark")
	}
}

// TestReproduceSmallCPU runs K1 and K6 on the CPU reference at 1% of the quick sizes (about 50
// escapes per point, so the 5%+3σ tolerance is about 45%) and checks that report.md,
// results.json and the K1 figure are written, that every row carries a computed mark, and that
// moving a measured number outside its tolerance flips the mark.
func TestReproduceSmallCPU(t *testing.T) {
	dir := t.TempDir()
	cpu := func(host.Config) (host.Backend, error) { return validate.NewCPU(), nil }
	rep, err := Execute(context.Background(), Options{Quick: true, Out: dir, Primary: cpu, Reference: cpu, Backend: "cpu",
		Scale: 0.01, Cases: []string{"K1", "K6"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.md", "results.json", "K1-ratio.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s not written: %v", f, err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !strings.Contains(string(md), "![K1-ratio.png](K1-ratio.png)") || !strings.Contains(string(md), "| K2 |") {
		t.Fatalf("report.md lacks the figure or the not-run row:\n%s", md)
	}
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	checks := back.Checks()
	if len(checks) != 6 { // K1: 2 landscapes × 2 checks; K6: 2
		t.Fatalf("want 6 checks, got %d", len(checks))
	}
	for _, c := range checks {
		if c.Status != StatusPass && c.Status != StatusFail {
			t.Fatalf("check %q has no computed mark: %q", c.Name, c.Status)
		}
		before := c.Status
		c.Status = ""
		c.Evaluate()
		if c.Status != before {
			t.Fatalf("check %q: recomputed %q, stored %q", c.Name, c.Status, before)
		}
		// Tamper: move the measured value far outside the tolerance; the mark must be FAIL.
		c.Measured = c.Predicted + F(10*(math.Abs(float64(c.Predicted))+float64(c.Sigma)+1))
		c.Evaluate()
		if c.Status != StatusFail {
			t.Fatalf("check %q still %q after tampering", c.Name, c.Status)
		}
	}
	// K1's Richardson rows against the exact quadrature (tolerance 5% + 3σ with σ of ~50 escapes)
	// and K6 (same seed on the same backend: identical) must pass.
	for _, c := range rep.Checks() {
		if c.Status != StatusPass {
			t.Errorf("%s: %s (measured %v ± %v, predicted %v)", c.Name, c.Status, c.Measured, c.Sigma, c.Predicted)
		}
	}
}

// K3's two SGD rows each lead their note with their own statistic (the report once printed the
// slope beside the R² row and the R² beside the slope row).
func TestK3NotesNameTheirStatistic(t *testing.T) {
	cs := k3SGDChecks(sweep.LineFit{Slope: 5.2, SlopeErr: 0.1, R2: 0.991}, sweep.LineFit{Slope: 4.4, SlopeErr: 0.2, R2: 0.97}, 4.44)
	if !strings.Contains(cs[0].Name, "R²") || !strings.HasPrefix(cs[0].Note, "R² = 0.9910") || float64(cs[0].Measured) != 0.991 {
		t.Errorf("R² row: %+v", cs[0])
	}
	if !strings.Contains(cs[1].Name, "slope") || !strings.HasPrefix(cs[1].Note, "slope = 4.4 ± 0.2") || float64(cs[1].Measured) != 4.4 {
		t.Errorf("slope row: %+v", cs[1])
	}
}

// TestReproduceK11CPU runs K11 (forward flux sampling) on the CPU reference at 5% of the quick
// sizes for its brute-force runs (about 200 escapes each; the FFS runs are not scaled): every check
// must pass, the FFS runs must reach τ ≥ 10¹¹ iterations, and the figure must be written.
func TestReproduceK11CPU(t *testing.T) {
	dir := t.TempDir()
	cpu := func(host.Config) (host.Backend, error) { return validate.NewCPU(), nil }
	rep, err := Execute(context.Background(), Options{Quick: true, Out: dir, Primary: cpu, Reference: cpu, Backend: "cpu",
		Scale: 0.05, Cases: []string{"K11"}})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, "K11-ffs.png")); err != nil || st.Size() == 0 {
		t.Fatalf("K11-ffs.png not written: %v", err)
	}
	n := 0
	for _, c := range rep.Checks() {
		if c.Case != "K11" {
			continue
		}
		n++
		t.Logf("%s %s: measured %v ± %v, predicted %v; %s", c.Status, c.Name, c.Measured, c.Sigma, c.Predicted, c.Note)
		if c.Status != StatusPass {
			t.Errorf("%s: %s (%s)", c.Name, c.Status, c.RequireWhy)
		}
	}
	if n != 15 {
		t.Errorf("%d K11 checks, want 15", n)
	}
	top := 0.0
	for _, cs := range rep.Cases {
		if cs.ID != "K11" {
			continue
		}
		for _, run := range cs.Runs {
			top = math.Max(top, float64(run.TauIterations))
		}
	}
	if top < 1e11 {
		t.Errorf("largest τ̂ %.3g iterations, want ≥ 1e11", top)
	}
}
