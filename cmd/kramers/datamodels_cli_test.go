package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataModelAnalyze: `kramers analyze --data gen:neuron --landscape neuron` finds the neuron's
// minimum near the teacher (1, 1.5), its mirror image and the saddle (0, 0) between them, with no
// --start (the model's default start).
func TestDataModelAnalyze(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runBin(t, dir, nil, "analyze", "--data", "gen:neuron(n=200,seed=1)", "--landscape", "neuron", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var an struct {
		Landscape     string    `json:"landscape"`
		Dim           int       `json:"dim"`
		Minimum       []float64 `json:"minimum"`
		Saddle        []float64 `json:"saddle"`
		TargetMinimum []float64 `json:"target_minimum"`
		Index1        bool      `json:"index1"`
		DeltaL        float64   `json:"delta_l"`
	}
	if err := json.Unmarshal([]byte(out), &an); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	m, s := an.Minimum, an.Saddle
	if an.Landscape != "neuron" || an.Dim != 2 || len(m) != 2 || len(s) != 2 || len(an.TargetMinimum) != 2 {
		t.Fatalf("analysis %+v", an)
	}
	if math.Abs(m[0]-1) > 0.05 || math.Abs(m[1]-1.5) > 0.15 || math.Hypot(s[0], s[1]) > 1e-6 || !an.Index1 || !(an.DeltaL > 0.3) ||
		math.Abs(an.TargetMinimum[0]+m[0]) > 1e-6 || math.Abs(an.TargetMinimum[1]+m[1]) > 1e-6 {
		t.Errorf("minimum %v, other minimum %v, saddle %v, index-1 %v, ΔL %g", m, an.TargetMinimum, s, an.Index1, an.DeltaL)
	}
}

// TestDataModelRun: a minibatch run of a data model from the command line, with the model's
// default start, records the spec as typed and the data set. The escape is the sign change of the
// output weight v (into the mirror basin), which keeps the run short.
func TestDataModelRun(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runBin(t, dir, nil, "run", "--backend", "cpu", "--quiet", "--data", "gen:neuron(n=40,seed=1)",
		"--landscape", "neuron(c=0.3, wd=0.01)", "--noise", "minibatch", "--batch", "4", "--lr", "0.1", "--escape", "x < 0",
		"--particles", "64", "--steps", "100", "--json", "r.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Config struct {
			Landscape string `json:"landscape"`
		} `json:"config"`
		Data struct {
			Spec    string   `json:"spec"`
			N       int      `json:"n"`
			Columns []string `json:"columns"`
			Batch   float64  `json:"batch"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if res.Config.Landscape != "neuron(c=0.3, wd=0.01)" || res.Data.Spec != "gen:neuron(n=40,seed=1)" || res.Data.N != 40 ||
		strings.Join(res.Data.Columns, ",") != "f,t" || res.Data.Batch != 4 {
		t.Errorf("config %+v, data %+v", res.Config, res.Data)
	}
}

// TestDataModelBadInput: data models on the wrong data, with bad widths or without data exit with
// status 2 and one line naming what is needed. A logistic regression is convex: run refuses it
// (one minimum, no escape problem) as it refuses every single-minimum landscape.
func TestDataModelBadInput(t *testing.T) {
	dir := t.TempDir()
	rows := []struct {
		args []string
		want string
	}{
		{[]string{"analyze", "--data", "gen:logistic(n=10)", "--landscape", "neuron"},
			`kramers: --landscape: "neuron": neuron: the model needs the data columns f, t but the data have f1, f2, t (missing f)`},
		{[]string{"run", "--backend", "cpu", "--quiet", "--data", "gen:neuron(n=10)", "--landscape", "logistic"},
			`kramers: --landscape: "logistic": logistic: the label column t must hold 0 or 1 (or a probability in [0, 1]), but data row`},
		// the compiled network's limit (10⁶ parameters) and the expression models' (64 coordinates)
		{[]string{"run", "--backend", "cpu", "--quiet", "--data", "gen:mlp(n=10,d=4)", "--landscape", "mlp(h1=1000,h2=1000)"},
			`kramers: --landscape: "mlp(h1=1000,h2=1000)": mlp: 4 inputs, hidden widths [1000 1000] and 1 outputs give more than 1000000 coordinates, the most a network takes`},
		{[]string{"run", "--backend", "cpu", "--quiet", "--data", "gen:logistic(n=10,d=64)", "--landscape", "logistic"},
			`kramers: --landscape: "logistic": logistic: 64 feature columns give d = 65 coordinates, more than the 64 a data model takes`},
		// a network has no Hessian in the step: the noise models that need one are refused before any analysis
		{[]string{"run", "--backend", "cpu", "--quiet", "--data", "gen:mlp(n=10,d=2)", "--landscape", "mlp(h1=2,wd=0.01)", "--noise", "sgd-hessian-min", "--batch", "1"},
			"kramers: --noise: sgd-hessian-min needs the Hessian as a d×d matrix in every step, which the compiled network mlp(h1=2,wd=0.01) (d = 9) does not form"},
		{[]string{"run", "--backend", "cpu", "--quiet", "--data", "gen:mlp(n=10,d=2)", "--landscape", "mlp(act=sigmoid)"},
			`kramers: --landscape: "mlp(act=sigmoid)": column 9: parameter act of mlp is one of tanh, relu or softplus (or its index 0–2), got "sigmoid"`},
		{[]string{"analyze", "--landscape", "mlp(h1=2)"}, "kramers: --landscape: mlp is a data model"},
		{[]string{"run", "--backend", "cpu", "--quiet", "--data", "gen:logistic(n=100,seed=1)", "--landscape", "logistic",
			"--noise", "minibatch", "--batch", "4", "--lr", "0.05", "--particles", "64", "--steps", "100"},
			"kramers: --start: no escape problem from the basin of [0 0 0] (no other minimum found"},
	}
	for _, row := range rows {
		code, _, errOut := runBin(t, dir, nil, row.args...)
		msg := strings.TrimSpace(errOut)
		if code != exitUsage || strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, row.want) {
			t.Errorf("kramers %s: exit %d, stderr %q; want exit 2 and %q…", strings.Join(row.args, " "), code, msg, row.want)
		}
	}
}
