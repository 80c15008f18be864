package host

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/landscape"
	"gonum.org/v1/gonum/floats"
)

// covData is a small two-column data set (f, g) with non-trivial variances and covariance.
var covData = [][2]float64{{0.3, -1.2}, {-0.7, 0.4}, {1.1, 0.9}, {0.2, -0.3}, {-0.5, 1.6}, {0.9, -0.8}, {-0.1, 0.5}}

func covValues() []float64 {
	var v []float64
	for _, r := range covData {
		v = append(v, r[0], r[1])
	}
	return v
}

// popCov is the 1/N covariance matrix of the columns (a·f, b·g) of covData.
func popCov(a, b float64) [4]float64 {
	n := float64(len(covData))
	var mf, mg float64
	for _, r := range covData {
		mf += a * r[0] / n
		mg += b * r[1] / n
	}
	var c [4]float64
	for _, r := range covData {
		df, dg := a*r[0]-mf, b*r[1]-mg
		c[0] += df * df / n
		c[1] += df * dg / n
		c[3] += dg * dg / n
	}
	c[2] = c[1]
	return c
}

func nearRel(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestCovarianceReportQuadratic: for ℓ = ½(x − f)² + ½·s·(y − g)² the per-sample gradient is
// (x − f, s(y − g)), so C is the covariance matrix of (f, s·g) over the rows at every θ and
// H = diag(1, s): the report's C, H, eigenvalues, ratios vᵀCv/|vᵀHv| (Var f and s·Var g), Σ = (f/B)·C
// and ‖C − H‖/‖H‖ against these closed forms within 1e-12, at the minimum, the saddle and an exit
// (points given by hand: the quadratic has no saddle of its own).
func TestCovarianceReportQuadratic(t *testing.T) {
	const s = 3.0
	ls, err := landscape.ParseData(fmt.Sprintf("0.5*(x - f)^2 + 0.5*(y - g)^2*%v", s), 0, nil, []string{"f", "g"}, covValues())
	if err != nil {
		t.Fatal(err)
	}
	an := &landscape.Analysis{
		Minimum: []float64{0.2, 0.1},
		Saddle:  []float64{0.7, -0.4},
		Exits:   []landscape.Exit{{Saddle: []float64{0.7, -0.4}}, {Saddle: []float64{-2, 3}}},
	}
	noise := NewCovarianceNoise(len(covData), 2, SampleWithout)
	if want := (7.0 - 2) / 6; !nearRel(noise.Factor, want, 1e-15) || !nearRel(noise.Scale, want/2, 1e-15) {
		t.Fatalf("noise %+v, want factor %v", noise, want)
	}
	r := NewCovarianceReport(ls.Evaluator(), an, noise)
	if r.Rows != len(covData) || len(r.Exits) != 2 {
		t.Fatalf("rows %d, %d exits", r.Rows, len(r.Exits))
	}
	c := popCov(1, s)
	h := [4]float64{1, 0, 0, s}
	hn := math.Sqrt(1 + s*s)
	rd := 0.0
	for i := range c {
		rd += (c[i] - h[i]) * (c[i] - h[i])
	}
	rd = math.Sqrt(rd) / hn
	for name, pt := range map[string]CovariancePoint{"minimum": r.Minimum, "saddle": r.Saddle, "exit 1": r.Exits[0], "exit 2": r.Exits[1]} {
		for i := range c {
			if !nearRel(pt.Covariance[i], c[i], 1e-12) || !nearRel(pt.Hessian[i], h[i], 1e-12) || !nearRel(pt.Sigma[i], noise.Scale*c[i], 1e-12) {
				t.Errorf("%s [%d]: C %.17g H %.17g Σ %.17g, want %.17g %.17g %.17g", name, i, pt.Covariance[i], pt.Hessian[i], pt.Sigma[i], c[i], h[i], noise.Scale*c[i])
			}
		}
		if len(pt.Directions) != 2 {
			t.Fatalf("%s: %d directions", name, len(pt.Directions))
		}
		for k, want := range []struct {
			v          []float64
			curv, vari float64
		}{{[]float64{1, 0}, 1, c[0]}, {[]float64{0, 1}, s, c[3]}} {
			dir := pt.Directions[k]
			if !nearRel(dir.Curvature, want.curv, 1e-12) || !nearRel(dir.Variance, want.vari, 1e-12) || dir.Ratio == nil ||
				!nearRel(*dir.Ratio, want.vari/want.curv, 1e-12) || !nearRel(*dir.Sigma, noise.Scale*want.vari, 1e-12) || dir.Unstable {
				t.Errorf("%s direction %d: %+v (ratio %v), want curvature %v variance %v ratio %v", name, k, dir, dir.Ratio, want.curv, want.vari, want.vari/want.curv)
			}
			for i := range want.v {
				if !nearRel(dir.Direction[i], want.v[i], 1e-12) {
					t.Errorf("%s direction %d: v = %v, want %v", name, k, dir.Direction, want.v)
				}
			}
		}
		if pt.RelativeDifference == nil || !nearRel(*pt.RelativeDifference, rd, 1e-12) {
			t.Errorf("%s: relative difference %v, want %v", name, pt.RelativeDifference, rd)
		}
		tr, det := c[0]+c[3], c[0]*c[3]-c[1]*c[2]
		disc := math.Sqrt(tr*tr/4 - det)
		if ev := pt.CovarianceEigenvalues; !nearRel(ev[0], tr/2-disc, 1e-12) || !nearRel(ev[1], tr/2+disc, 1e-12) {
			t.Errorf("%s: eigenvalues of C %v, want %v %v", name, ev, tr/2-disc, tr/2+disc)
		}
	}
	// The ratio is 1 where C = H: rows (f, g) = (±1, ±1/√s) in all four sign combinations give
	// Var f = 1, Cov = 0 and s²·Var g = s.
	var vals []float64
	for _, sf := range []float64{1, -1} {
		for _, sg := range []float64{1, -1} {
			vals = append(vals, sf, sg/math.Sqrt(s))
		}
	}
	ls1, err := landscape.ParseData(fmt.Sprintf("0.5*(x - f)^2 + 0.5*(y - g)^2*%v", s), 0, nil, []string{"f", "g"}, vals)
	if err != nil {
		t.Fatal(err)
	}
	r1 := NewCovarianceReport(ls1.Evaluator(), an, nil)
	for k, dir := range r1.Minimum.Directions {
		if !nearRel(*dir.Ratio, 1, 1e-12) || dir.Sigma != nil {
			t.Errorf("C = H: direction %d ratio %v, Σ %v; want 1 and none", k, *dir.Ratio, dir.Sigma)
		}
	}
	if r1.Noise != nil || r1.Minimum.Sigma != nil || *r1.Minimum.RelativeDifference > 1e-12 {
		t.Errorf("C = H: noise %v, Σ %v, relative difference %v", r1.Noise, r1.Minimum.Sigma, *r1.Minimum.RelativeDifference)
	}
}

// TestCovarianceReportSaddle: a tilted double well with data, ℓ = (x² − 1)² + x·f + ½(y − g)²,
// analysed from (−1, 0): per-sample gradients (4x(x² − 1) + f, y − g) give C = [[Var f, −Cov],
// [−Cov, Var g]] at every θ and H = diag(12x² − 4, 1). At each exit the unstable direction is
// ±e_x pointing away from a, with vᵀCv/|vᵀHv| = Var f/|12b_x² − 4| (within 1e-12).
func TestCovarianceReportSaddle(t *testing.T) {
	ls, err := landscape.ParseData("(x^2 - 1)^2 + x*f + 0.5*(y - g)^2", 0, nil, []string{"f", "g"}, covValues())
	if err != nil {
		t.Fatal(err)
	}
	an, err := landscape.Analyze(ls, landscape.AnalyzeOptions{Start: []float64{-1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(an.Exits) == 0 {
		t.Fatal("no exits")
	}
	r := NewCovarianceReport(ls.Evaluator(), an, nil)
	cf := popCov(1, -1)
	check := func(name string, pt CovariancePoint, saddle bool) {
		bx := pt.Point[0]
		hx := 12*bx*bx - 4
		for i, want := range []float64{hx, 0, 0, 1} {
			if !nearRel(pt.Hessian[i], want, 1e-12) || !nearRel(pt.Covariance[i], cf[i], 1e-12) {
				t.Errorf("%s [%d]: H %.17g C %.17g, want %.17g %.17g", name, i, pt.Hessian[i], pt.Covariance[i], want, cf[i])
			}
		}
		dir := pt.Directions[0] // ascending: at a saddle the unstable e_x, at a e_y (curvature 1 < 12a_x² − 4 ≈ 8)
		if saddle {
			away := math.Copysign(1, bx-an.Minimum[0])
			if !dir.Unstable || !nearRel(dir.Curvature, hx, 1e-12) || !nearRel(dir.Direction[0], away, 1e-12) || !nearRel(*dir.Ratio, cf[0]/math.Abs(hx), 1e-12) {
				t.Errorf("%s: unstable direction %+v (ratio %v), want v = (%v, 0), curvature %v, ratio %v", name, dir, *dir.Ratio, away, hx, cf[0]/math.Abs(hx))
			}
		} else {
			// at a: H = diag(≈8, 1), eigenvectors e_y (1) then e_x
			if dir.Unstable || !nearRel(dir.Curvature, 1, 1e-12) || !nearRel(*dir.Ratio, cf[3], 1e-12) || !nearRel(*pt.Directions[1].Ratio, cf[0]/hx, 1e-12) {
				t.Errorf("%s: directions %+v, want ratios %v and %v", name, pt.Directions, cf[3], cf[0]/hx)
			}
		}
	}
	check("minimum", r.Minimum, false)
	check("saddle", r.Saddle, true)
	for i, ex := range r.Exits {
		check(fmt.Sprintf("exit %d", i+1), ex, true)
		if !floats.Equal(ex.Point, an.Exits[i].Saddle) {
			t.Errorf("exit %d at %v, analysis %v", i+1, ex.Point, an.Exits[i].Saddle)
		}
	}
}

// TestProblemCovarianceReport: Problem.CovarianceReport takes Σ's scale from the data noise model
// (f/B from DataInfo), has none for a full-data noise model, and is nil without data.
func TestProblemCovarianceReport(t *testing.T) {
	var b strings.Builder
	b.WriteString("f,g\n")
	for _, r := range covData {
		fmt.Fprintf(&b, "%v,%v\n", r[0], r[1])
	}
	path := filepath.Join(t.TempDir(), "d.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		noise    NoiseModel
		sampling string
		scale    float64
	}{{SGDCov, SampleWith, 1.0 / 2}, {SGDCov, SampleWithout, 5.0 / 6 / 2}, {Minibatch, SampleWithout, 5.0 / 6 / 2}, {SGLD, "", 0}} {
		cfg := DefaultConfig()
		cfg.Backend = CPU
		cfg.Data, cfg.Landscape, cfg.Start = path, "(x^2 - 1)^2 + x*f + 0.5*(y - g)^2", []float64{-1, 0}
		cfg.Noise, cfg.Batch, cfg.LR, cfg.Sampling = tc.noise, 2, 0.01, tc.sampling
		p, err := Prepare(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := p.CovarianceReport()
		if r == nil {
			t.Fatalf("%s: no report", tc.noise)
		}
		if tc.scale == 0 {
			if r.Noise != nil || r.Minimum.Sigma != nil {
				t.Errorf("%s: noise %+v", tc.noise, r.Noise)
			}
			continue
		}
		if r.Noise == nil || !nearRel(r.Noise.Scale, tc.scale, 1e-15) || r.Noise.Batch != 2 {
			t.Errorf("%s %s: noise %+v, want scale %v", tc.noise, tc.sampling, r.Noise, tc.scale)
			continue
		}
		sig := p.Covariance(r.Minimum.Point)
		for i := range sig {
			if !nearRel(r.Minimum.Sigma[i], sig[i], 1e-12) {
				t.Errorf("%s %s: Σ[%d] = %v, Problem.Covariance %v", tc.noise, tc.sampling, i, r.Minimum.Sigma[i], sig[i])
			}
		}
	}
	cfg := DefaultConfig()
	cfg.Backend = CPU
	cfg.Landscape = "doublewell"
	p, err := Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r := p.CovarianceReport(); r != nil {
		t.Errorf("no data: report %+v", r)
	}
}
