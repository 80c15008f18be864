package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestParamFlagErrors: what --param cannot use exits with status 2 and one line that names the
// flag at fault and the fix.
func TestParamFlagErrors(t *testing.T) {
	expr := []string{"run", "--landscape", "(x^2-1)^2 + c*x", "--start", "-1", "--backend", "cpu", "--quiet"}
	for _, c := range []struct {
		args []string
		want string // the whole line, or its start when it ends in *
	}{
		{nil, `kramers: --landscape: "(x^2-1)^2 + c*x": column 13: unknown name c: a parameter without a value; give it with --param c=0.1 (variables are x, y or x1..xd; *`},
		{[]string{"--param", "c=0.1,q=1"}, "kramers: --param: parameter q = 1 is given but the expression does not use it; drop it from --param or use it in the expression"},
		{[]string{"--param", "c=0.1,x=1"}, "kramers: --param: x is a coordinate of the expression language, not a parameter; give the parameter another name, in the expression and in --param"},
		{[]string{"--param", "c=0.1,exp=1"}, "kramers: --param: exp is a function of the expression language, not a parameter; give the parameter another name, in the expression and in --param"},
		{[]string{"--param", "c=inf"}, "kramers: --param: c=inf: the value is not a finite number; give a number such as c=0.1"},
		{[]string{"--param", "c=NaN"}, "kramers: --param: c=NaN: the value is not a finite number; give a number such as c=0.1"},
		{[]string{"--param", "c"}, `kramers: --param: "c" is not NAME=VALUE; write comma-separated pairs such as c=0.1,k=2`},
		{[]string{"--param", "c=1,c=2"}, "kramers: --param: c is given twice; give each parameter once"},
		{[]string{"--param", "c=0.1", "--param", "k=2"}, "kramers: --param is given twice; give it once (a repeated flag would silently keep the last value)"},
		{[]string{"--param", "c=0.1,k=0"}, "kramers: --param: the sharpness k must be positive, got 0; give for example --param k=2"},
		{[]string{"--param", "2c=1"}, `kramers: --param: "2c" is not a parameter name: a name is letters, digits and _, starting with a letter or _, as in --param c=0.1`},
	} {
		args := append(append([]string{}, expr...), c.args...)
		code, _, errOut := runCLI(t, args...)
		msg := strings.TrimSpace(errOut)
		want, prefix := strings.CutSuffix(c.want, "*")
		if code != 2 || strings.Contains(msg, "\n") || (!prefix && msg != want) || (prefix && !strings.HasPrefix(msg, want)) {
			t.Errorf("kramers %s: exit %d\n got %q\nwant %q", strings.Join(args, " "), code, msg, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--landscape", "pwq(ha=4)", "--param", "ha=5", "--backend", "cpu", "--quiet"},
			"kramers: --param: parameter ha is given both in the spec pwq(ha=4) and in --param; give it once"},
		{[]string{"run", "--landscape", "pwq(ha=4)", "--param", "zz=5", "--backend", "cpu", "--quiet"},
			"kramers: --param: pwq has no parameter zz; its parameters are ha, hb, a, b, k, l0"},
		{[]string{"theory", "--landscape", "(x^2-1)^2", "--start", "-1", "--param", "c=1"},
			"kramers: --param: parameter c = 1 is given but the expression does not use it; drop it from --param or use it in the expression"},
	} {
		code, _, errOut := runCLI(t, c.args...)
		if msg := strings.TrimSpace(errOut); code != 2 || msg != c.want {
			t.Errorf("kramers %s: exit %d\n got %q\nwant %q", strings.Join(c.args, " "), code, msg, c.want)
		}
	}
}

// TestParamTheory: kramers theory with --param k on an expression moves the minimum to
// -1/sqrt(k) and multiplies its Hessian by k, as doublewell(k=…) does; the configuration keeps the
// parameters, and their values change its hash.
func TestParamTheory(t *testing.T) {
	theory := func(args ...string) (min, h, dl float64, params map[string]float64) {
		t.Helper()
		code, out, errOut := runCLI(t, append([]string{"theory", "--landscape", "(x^2-1)^2", "--start", "-1"}, args...)...)
		if code != 0 {
			t.Fatalf("theory %v: exit %d: %s", args, code, errOut)
		}
		var doc struct {
			Config struct {
				Params map[string]float64 `json:"params"`
			} `json:"config"`
			Analysis struct {
				Minimum    []float64 `json:"minimum"`
				HessianMin []float64 `json:"hessian_min"`
				DeltaL     float64   `json:"delta_l"`
			} `json:"analysis"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Analysis.Minimum) != 1 || len(doc.Analysis.HessianMin) != 1 {
			t.Fatalf("theory %v: %v\n%s", args, err, out)
		}
		return doc.Analysis.Minimum[0], doc.Analysis.HessianMin[0], doc.Analysis.DeltaL, doc.Config.Params
	}
	m, h, dl, params := theory("--param", "k=4,l0=0.5")
	if math.Abs(m+0.5) > 1e-12 || math.Abs(h-32) > 1e-9 || math.Abs(dl-1) > 1e-12 || params["k"] != 4 || params["l0"] != 0.5 {
		t.Errorf("k = 4: a = %v, H_a = %v, ΔL = %v, params %v; want -0.5, 32, 1", m, h, dl, params)
	}
	m, h, _, params = theory()
	if math.Abs(m+1) > 1e-12 || math.Abs(h-8) > 1e-9 || params != nil {
		t.Errorf("k = 1: a = %v, H_a = %v, params %v", m, h, params)
	}
}

// TestParamSweep: the sweep of the issue on an expression: --vary k with the natural axis of the
// noise model (ln k for sgld, 1/k for SGD noise), and --vary c.
func TestParamSweep(t *testing.T) {
	base := []string{"sweep", "--landscape", "(x^2-1)^2 + c*x", "--start", "-1", "--backend", "cpu", "--fixed",
		"--particles", "1000", "--steps", "500", "--quiet"}
	for _, c := range []struct {
		extra  []string
		column string
		want   []float64
	}{
		{[]string{"--param", "c=0.1", "--vary", "k=1,2"}, "axis_ln_k", []float64{0, math.Log(2)}},
		{[]string{"--param", "c=0.1", "--vary", "k=1,2", "--noise", "sgd-hessian-min", "--batch", "0.1"}, "axis_inv_k", []float64{1, 0.5}},
		{[]string{"--param", "c=0.1", "--vary", "c=0.05,0.1"}, "c", []float64{0.05, 0.1}},
		{[]string{"--param", "k=2", "--vary", "c=0.05,0.1"}, "c", []float64{0.05, 0.1}},
	} {
		dir := t.TempDir()
		args := append(append(append([]string{}, base...), c.extra...), "--out", dir)
		code, _, errOut := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("kramers %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		header, rows := readSweepCSV(t, filepath.Join(dir, "sweep.csv"))
		if len(rows) != 2 {
			t.Fatalf("%v: %d rows (%v)", c.extra, len(rows), header)
		}
		for i, r := range rows {
			got, err := strconv.ParseFloat(r[c.column], 64)
			if err != nil || math.Abs(got-c.want[i]) > 1e-9 {
				t.Errorf("%v: row %d %s = %q, want %v (header %v)", c.extra, i, c.column, r[c.column], c.want[i], header)
			}
		}
	}
	code, _, errOut := runCLI(t, append(append([]string{}, base...), "--param", "c=0.1", "--vary", "zz=1,2", "--out", t.TempDir())...)
	if code != 2 || !strings.Contains(errOut, "--vary") || !strings.Contains(errOut, "(c, k, l0)") {
		t.Errorf("--vary zz on an expression: exit %d, %q", code, errOut)
	}
}
