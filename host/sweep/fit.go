package sweep

import (
	"encoding/json"
	"math"

	"github.com/kramers-sim/kramers/host/jsonnum"
	"gonum.org/v1/gonum/stat"
)

// LineFit is a weighted least-squares straight line y = Intercept + Slope·x.
type LineFit struct {
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`
	// SlopeErr is the standard error of the slope when the weights are 1/σ² of the y values:
	// σ_β² = S/(S·Sxx − Sx²) with S = Σw, Sx = Σw·x, Sxx = Σw·x² (the textbook weighted
	// least-squares covariance, e.g. Press et al., Numerical Recipes §15.2).
	SlopeErr float64 `json:"slope_err"`
	// R2 is the weighted coefficient of determination (gonum stat.RSquared).
	R2 float64 `json:"r2"`
	N  int     `json:"n"`
}

// FitLine fits y against x by weighted least squares (gonum stat.LinearRegression). weights may be
// nil (all 1); points with a non-finite x, y or weight, or a weight ≤ 0, are left out. With fewer
// than two distinct x values the result is NaN throughout.
func FitLine(x, y, weights []float64) LineFit {
	var xs, ys, ws []float64
	for i := range x {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		if isFinite(x[i]) && isFinite(y[i]) && isFinite(w) && w > 0 {
			xs, ys, ws = append(xs, x[i]), append(ys, y[i]), append(ws, w)
		}
	}
	nan := math.NaN()
	f := LineFit{Slope: nan, Intercept: nan, SlopeErr: nan, R2: nan, N: len(xs)}
	s, sx, sxx := 0.0, 0.0, 0.0
	for i := range xs {
		s += ws[i]
		sx += ws[i] * xs[i]
		sxx += ws[i] * xs[i] * xs[i]
	}
	den := s*sxx - sx*sx
	if len(xs) < 2 || !(den > 1e-300*s*sxx) {
		return f
	}
	f.Intercept, f.Slope = stat.LinearRegression(xs, ys, ws, false)
	f.R2 = stat.RSquared(xs, ys, ws, f.Intercept, f.Slope)
	f.SlopeErr = math.Sqrt(s / den)
	return f
}

// MarshalJSON writes the NaN of a fit without slope as null (jsonnum.Number).
func (f LineFit) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Slope     jsonnum.Number `json:"slope"`
		Intercept jsonnum.Number `json:"intercept"`
		SlopeErr  jsonnum.Number `json:"slope_err"`
		R2        jsonnum.Number `json:"r2"`
		N         int            `json:"n"`
	}{jsonnum.Number(f.Slope), jsonnum.Number(f.Intercept), jsonnum.Number(f.SlopeErr), jsonnum.Number(f.R2), f.N})
}

func isFinite(v float64) bool { return jsonnum.Number(v).Finite() }
