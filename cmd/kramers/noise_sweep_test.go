package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/sweep"
)

// neuronArgs is K12's one-neuron regression on 200 generated rows (docs/theory.md §8): every noise
// model runs on it, the data models included.
var neuronArgs = []string{"--landscape", "0.5*(x*tanh(y*f + c) - t)^2", "--param", "c=0.5", "--start", "0.7,1",
	"--data", "gen:neuron(n=200,seed=1,v=0.7,w=1,c=0.5,sigma=1)", "--lr", "1", "--backend", "cpu", "--quiet"}

// sweepRows reads dir/sweep.csv into its header index and rows.
func sweepRows(t *testing.T, dir string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comment = '#'
	rows, err := cr.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("sweep.csv: %v %v", rows, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	return col, rows[1:]
}

// TestSweepBatchEveryModel: `sweep --vary batch` runs under every noise model that uses B (read
// from host.NoiseSpecs, so a new model is covered when it is added), and each point gives a rate.
// The issue that asked for it: --vary batch under minibatch was refused because a second table
// of "who uses --batch" knew only the four older models. Budget 10⁶ particle-steps a point; every
// model's τ at B = 2, 3, η = 1 is 100–2000 iterations here, so 500 particles resolve it.
func TestSweepBatchEveryModel(t *testing.T) {
	users := host.NoiseUsers("batch")
	if len(users) < 5 {
		t.Fatalf("models using --batch: %v; want the five SGD models", users)
	}
	for _, m := range users {
		dir := t.TempDir()
		args := append([]string{"sweep", "--noise", string(m), "--vary", "batch=2,3", "--budget", "1e6", "--out", dir}, neuronArgs...)
		code, out, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", m, code, errOut)
		}
		col, rows := sweepRows(t, dir)
		if len(rows) != 2 {
			t.Fatalf("%s: %d rows:\n%s", m, len(rows), out)
		}
		for _, r := range rows {
			if r[col["resolved"]] != "true" {
				t.Errorf("%s batch=%s: unresolved: %s", m, r[col["batch"]], r[col["note"]])
			}
		}
	}
}

// TestSweepCompareEveryPair: for every pair of noise models, --compare noise=A,B passes the
// sweep's checks with each model-specific flag that one of the pair uses, and is refused with one
// that neither uses; then one sweep compares all models on the same data and gives each a series.
func TestSweepCompareEveryPair(t *testing.T) {
	base := host.DefaultConfig()
	base.Landscape, base.Data, base.Batch, base.Temp, base.LR = "x^2", "gen:neuron", 2, 0.1, 1
	var all []string
	for _, s := range host.NoiseSpecs {
		all = append(all, string(s.Model))
	}
	for i, a := range all {
		for _, b := range all[i+1:] {
			pair := []string{a, b}
			o := sweep.Options{Base: base, Name: "lr", Values: []float64{1, 0.8}, Compare: "noise", CompareValues: pair}
			if _, err := o.SeriesOptions(); err != nil {
				t.Errorf("--compare noise=%s,%s --vary lr: %v", a, b, err)
			}
			for flag := range host.NoiseParams {
				vals := slices.Clone(pair)
				err := compareNoiseFlags(&vals, map[string]bool{flag: true})
				uses := host.NoiseModel(a).Uses(flag) || host.NoiseModel(b).Uses(flag)
				if (err == nil) != uses {
					t.Errorf("--compare noise=%s,%s --%s: error %v, but a model of the pair uses it: %v", a, b, flag, err, uses)
				}
			}
		}
	}
	dir := t.TempDir()
	args := append([]string{"sweep", "--compare", "noise=" + strings.Join(all, ","), "--batch", "2", "--temp", "0.1",
		"--vary", "lr=1,0.8", "--budget", "4e5", "--out", dir}, neuronArgs...)
	code, _, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	col, rows := sweepRows(t, dir)
	seen := map[string]int{}
	for _, r := range rows {
		seen[r[col["noise"]]]++
	}
	for _, m := range all {
		if seen[m] != 2 {
			t.Errorf("noise=%s has %d points, want 2 (rows by noise: %v)", m, seen[m], seen)
		}
	}
}

// TestSweepTableAxisColumn: the table repeats the varied value in an axis column only where the
// axis differs from it (the trial saw a header "c    c" for --vary c).
func TestSweepTableAxisColumn(t *testing.T) {
	for _, c := range []struct {
		axis string
		want []string
	}{{"c", []string{"c", "particles"}}, {"ln k", []string{"k", "ln", "k", "particles"}}} {
		name := c.want[0]
		var b strings.Builder
		printSeries(&b, &sweep.Result{Name: name, Axis: sweep.Axis{Label: c.axis}})
		header := strings.Fields(strings.SplitN(b.String(), "\n", 2)[0])
		if !slices.Equal(header[:len(c.want)], c.want) {
			t.Errorf("axis %q: header starts %q, want %q", c.axis, header[:len(c.want)], c.want)
		}
	}
}
