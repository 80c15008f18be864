package sweep

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitLineExact: points on a line give its slope and intercept to rounding, R² = 1.
func TestFitLineExact(t *testing.T) {
	x := []float64{0.5, 1, 2, 3, 5}
	y := make([]float64, len(x))
	for i := range x {
		y[i] = 1.5 - 0.75*x[i]
	}
	f := FitLine(x, y, []float64{1, 2, 3, 4, 5})
	if math.Abs(f.Slope+0.75) > 1e-12 || math.Abs(f.Intercept-1.5) > 1e-12 || math.Abs(f.R2-1) > 1e-12 || f.N != 5 {
		t.Fatalf("exact line: %+v", f)
	}
}

// TestFitLineWeighted: synthetic ln τ̂ with Gaussian noise of known σ_i (seed 7). The fitted slope
// must lie within 4 standard errors of the truth (a 6e-5 two-sided chance of failing for a correct
// fit) and the standard error must match the spread of slopes over 400 repetitions to 15%
// (the sampling error of a standard deviation from 400 draws is 3.5%).
func TestFitLineWeighted(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x := []float64{4, 6, 8, 10, 12, 13}
	sig := []float64{0.02, 0.03, 0.05, 0.08, 0.1, 0.2}
	w := make([]float64, len(x))
	for i := range sig {
		w[i] = 1 / (sig[i] * sig[i])
	}
	const slope, icpt = 5.0 / 9, 0.4
	var slopes []float64
	var se float64
	for rep := 0; rep < 400; rep++ {
		y := make([]float64, len(x))
		for i := range x {
			y[i] = icpt + slope*x[i] + sig[i]*rng.NormFloat64()
		}
		f := FitLine(x, y, w)
		if rep == 0 {
			if math.Abs(f.Slope-slope) > 4*f.SlopeErr || f.R2 < 0.99 {
				t.Fatalf("slope %v ± %v (truth %v), R² %v", f.Slope, f.SlopeErr, slope, f.R2)
			}
		}
		slopes = append(slopes, f.Slope)
		se = f.SlopeErr
	}
	m, v := 0.0, 0.0
	for _, s := range slopes {
		m += s
	}
	m /= float64(len(slopes))
	for _, s := range slopes {
		v += (s - m) * (s - m)
	}
	sd := math.Sqrt(v / float64(len(slopes)-1))
	if math.Abs(sd/se-1) > 0.15 || math.Abs(m-slope) > 4*se/math.Sqrt(400) {
		t.Fatalf("spread of slopes %.4g vs standard error %.4g; mean %.5g vs %.5g", sd, se, m, slope)
	}
}

// TestFitLineDegenerate: non-finite points are dropped; one distinct x gives NaN.
func TestFitLineDegenerate(t *testing.T) {
	f := FitLine([]float64{1, 1, math.NaN()}, []float64{2, 3, 4}, nil)
	if !math.IsNaN(f.Slope) || f.N != 2 {
		t.Fatalf("degenerate fit: %+v", f)
	}
	f = FitLine([]float64{1, 2, 3}, []float64{1, math.Inf(1), 3}, []float64{1, 1, 0})
	if !math.IsNaN(f.Slope) || f.N != 1 {
		t.Fatalf("only one usable point: %+v", f)
	}
}
