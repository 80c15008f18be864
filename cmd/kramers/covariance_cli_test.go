package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

const covNeuron = "0.5*(x*tanh(y*f) - t)^2"

// TestAnalyzeCovarianceText: `kramers analyze --data` shows C beside H at the minimum and at the
// exit, with Σ = (f/B)·C under --batch; a landscape without data shows no such section.
func TestAnalyzeCovarianceText(t *testing.T) {
	code, out, errOut := runCLI(t, "analyze", "--data", "gen:neuron(n=200,seed=1)", "--landscape", covNeuron, "--start", "1,1.5", "--batch", "10")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"per-sample gradient covariance C = (1/N)·Σ∇ℓ∇ℓᵀ − ∇L∇Lᵀ beside the Hessian H (N = 200 rows;",
		"minibatch noise Σ = (f/B)·C with B = 10, f = 0.954774 (f/B = 0.0954774)",
		"  at the minimum a: C = [[",
		"  at exit 1, b = ",
		"  point   eigenvector v of H  vᵀHv",
		"vᵀCv/|vᵀHv|",
		"vᵀΣv",
		"unstable",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	rows := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "  a  ") || strings.HasPrefix(line, "  exit 1  ") {
			rows++
		}
		if strings.TrimRight(line, " ") != line {
			t.Errorf("trailing blanks: %q", line)
		}
	}
	if rows != 4 {
		t.Errorf("%d table rows, want 2 at a and 2 at exit 1:\n%s", rows, out)
	}
	code, out, errOut = runCLI(t, "analyze", "--landscape", "doublewell")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "covariance") || strings.Contains(out, "vᵀCv") {
		t.Errorf("a landscape without data shows a covariance section:\n%s", out)
	}
}

type covPointJSON struct {
	Point              []float64 `json:"point"`
	Covariance         []float64 `json:"covariance"`
	Hessian            []float64 `json:"hessian"`
	CovEigen           []float64 `json:"covariance_eigenvalues"`
	HessEigen          []float64 `json:"hessian_eigenvalues"`
	RelativeDifference *float64  `json:"relative_difference"`
	Sigma              []float64 `json:"sigma"`
	Directions         []struct {
		Direction []float64 `json:"direction"`
		Curvature float64   `json:"curvature"`
		Variance  float64   `json:"variance"`
		Ratio     *float64  `json:"ratio"`
		Unstable  bool      `json:"unstable"`
		Sigma     *float64  `json:"sigma"`
	} `json:"directions"`
}

type covReportJSON struct {
	Rows  int `json:"rows"`
	Noise *struct {
		Batch, Factor, Scale float64
	} `json:"noise"`
	Minimum covPointJSON   `json:"minimum"`
	Saddle  covPointJSON   `json:"saddle"`
	Exits   []covPointJSON `json:"exits"`
}

// TestAnalyzeCovarianceJSON: the JSON of `kramers analyze --data` has the data set and the
// covariance report: C and H at a (H equal to the analysis' hessian_min), at the saddle and at
// every exit, the ratios along H's eigenvectors, and Σ's scale f/B = ((N−B)/(N−1))/B. For the
// unscaled squared error ½r² of the neuron (noise σ = 0.1) C ≈ σ²·H, so the ratios at a lie near
// 0.01; at the saddle (0, 0) every per-sample gradient vanishes, and so does C.
func TestAnalyzeCovarianceJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "analyze", "--data", "gen:neuron(n=200,seed=1)", "--landscape", covNeuron, "--start", "1,1.5", "--batch", "10", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m struct {
		HessianMin []float64 `json:"hessian_min"`
		Exits      []struct {
			Saddle []float64 `json:"saddle"`
		} `json:"exits"`
		Data *struct {
			Spec string `json:"spec"`
			N    int    `json:"n"`
		} `json:"data"`
		Covariance *covReportJSON `json:"covariance"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	c := m.Covariance
	if m.Data == nil || m.Data.N != 200 || c == nil || c.Rows != 200 || c.Noise == nil {
		t.Fatalf("data %+v, covariance %+v", m.Data, c)
	}
	if f := 190.0 / 199; c.Noise.Batch != 10 || math.Abs(c.Noise.Factor-f) > 1e-15 || math.Abs(c.Noise.Scale-f/10) > 1e-15 {
		t.Errorf("noise %+v", *c.Noise)
	}
	if len(c.Exits) != len(m.Exits) || len(c.Exits) == 0 {
		t.Fatalf("%d exits in the report, %d in the analysis", len(c.Exits), len(m.Exits))
	}
	a := c.Minimum
	if len(a.Covariance) != 4 || len(a.Sigma) != 4 || len(a.Directions) != 2 || a.RelativeDifference == nil {
		t.Fatalf("minimum %+v", a)
	}
	for i := range a.Hessian {
		if math.Abs(a.Hessian[i]-m.HessianMin[i]) > 1e-12 || math.Abs(a.Sigma[i]-c.Noise.Scale*a.Covariance[i]) > 1e-15 {
			t.Errorf("H[%d] = %v (analysis %v), Σ %v, C %v", i, a.Hessian[i], m.HessianMin[i], a.Sigma[i], a.Covariance[i])
		}
	}
	for k, d := range a.Directions {
		if d.Ratio == nil || *d.Ratio < 0.005 || *d.Ratio > 0.02 || d.Unstable || d.Sigma == nil {
			t.Errorf("direction %d at a: %+v", k, d)
		}
	}
	for i, ex := range c.Exits {
		if ex.Point[0] != m.Exits[i].Saddle[0] || ex.Point[1] != m.Exits[i].Saddle[1] || !ex.Directions[0].Unstable || ex.Directions[1].Unstable {
			t.Errorf("exit %d: %+v", i+1, ex)
		}
		for _, v := range ex.Covariance {
			if math.Abs(v) > 1e-12 {
				t.Errorf("exit %d: C = %v, want 0 (the per-sample gradients vanish at (0, 0))", i+1, ex.Covariance)
			}
		}
	}
	// Without data: no data and no covariance fields.
	code, out, errOut = runCLI(t, "analyze", "--landscape", "doublewell", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, `"covariance"`) || strings.Contains(out, `"data"`) {
		t.Errorf("analyze without data has covariance or data fields:\n%s", out)
	}
}

// TestTheoryCovarianceJSON: `kramers theory` on a data landscape carries the covariance report,
// with Σ's scale for sgd-cov and none for sgld; without data it has no such field.
func TestTheoryCovarianceJSON(t *testing.T) {
	base := []string{"theory", "--backend", "cpu", "--data", "gen:neuron(n=200,seed=1)", "--landscape", "(t - x*tanh(y*f))^2", "--start", "1,1.5", "--lr", "0.05"}
	for _, tc := range []struct {
		args  []string
		scale float64
	}{{[]string{"--noise", "sgd-cov", "--batch", "10", "--sampling", "with"}, 0.1}, {[]string{"--noise", "sgld"}, 0}} {
		code, out, errOut := runCLI(t, append(append([]string{}, base...), tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		var m struct {
			Covariance *covReportJSON `json:"covariance"`
		}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		c := m.Covariance
		if c == nil || c.Rows != 200 || len(c.Minimum.Directions) != 2 || len(c.Exits) == 0 {
			t.Fatalf("%v: covariance %+v", tc.args, c)
		}
		if tc.scale == 0 {
			if c.Noise != nil || c.Minimum.Sigma != nil {
				t.Errorf("%v: noise %+v, Σ %v", tc.args, c.Noise, c.Minimum.Sigma)
			}
		} else if c.Noise == nil || math.Abs(c.Noise.Scale-tc.scale) > 1e-15 || len(c.Minimum.Sigma) != 4 {
			t.Errorf("%v: noise %+v", tc.args, c.Noise)
		}
	}
	code, out, errOut := runCLI(t, "theory", "--backend", "cpu", "--landscape", "doublewell")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, `"covariance"`) {
		t.Errorf("theory without data has a covariance field")
	}
}

// TestAnalyzeDataBadInput: analyze's finite-data flags are checked like run's.
func TestAnalyzeDataBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--landscape", "doublewell", "--batch", "10"}, "kramers: --batch: applies only to a finite-data landscape; add --data"},
		{[]string{"--landscape", "doublewell", "--sampling", "with"}, "kramers: --sampling: applies only to a finite-data landscape; add --data"},
		{[]string{"--data", "gen:neuron(n=20)", "--landscape", covNeuron, "--start", "1,1.5", "--sampling", "with"}, "kramers: --sampling: sets the factor f of Σ = (f/B)·C; give --batch with it"},
		{[]string{"--data", "gen:neuron(n=20)", "--landscape", covNeuron, "--start", "1,1.5", "--batch", "10", "--sampling", "often"}, "kramers: --sampling: unknown sampling \"often\""},
		{[]string{"--data", "gen:neuron(n=20)", "--landscape", covNeuron, "--start", "1,1.5", "--batch", "-1"}, "kramers: --batch: the batch size B must be a positive finite number, got -1"},
		{[]string{"--data", "gen:neuron(n=20)", "--landscape", covNeuron, "--start", "1,1.5", "--batch", "21"}, "kramers: --batch: B = 21 exceeds the N = 20 rows"},
		{[]string{"--data", "gen:nosuch", "--landscape", covNeuron, "--start", "1,1.5"}, "kramers: --data: gen:nosuch: unknown generator"},
	} {
		code, _, errOut := runCLI(t, append([]string{"analyze"}, tc.args...)...)
		msg := strings.TrimSpace(errOut)
		if code != exitUsage || strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, tc.want) {
			t.Errorf("analyze %s: exit %d, stderr %q; want exit 2 and %q…", strings.Join(tc.args, " "), code, msg, tc.want)
		}
	}
	// --batch B > N is fine with --sampling with (f = 1).
	code, out, errOut := runCLI(t, "analyze", "--data", "gen:neuron(n=20)", "--landscape", covNeuron, "--start", "1,1.5", "--batch", "21", "--sampling", "with")
	if code != 0 || !strings.Contains(out, "B = 21, f = 1 ") {
		t.Errorf("exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
}
