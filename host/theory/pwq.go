package theory

import "math"

// Func1D is a real function of one variable.
type Func1D func(float64) float64

// PWQ returns the 1-D piecewise-quadratic landscape of docs/theory.md §4.2 in
// closed form: a minimum at a with curvature ha, a maximum at b > a with
// curvature −|hbAbs|, joined with a continuous first derivative at the
// junction c = (ha·a + |hb|·b)/(ha + |hb|):
//
//	L(θ) = (ha/2)(θ−a)²            θ ≤ c
//	L(θ) = ΔL − (|hb|/2)(θ−b)²     θ > c,   ΔL = ha|hb|(b−a)²/(2(ha+|hb|)).
//
// L” jumps from ha to −|hb| at c, so quadratures must break there. This is an
// independent closed form for checks; the landscape package is the source of
// truth for what the simulator runs.
func PWQ(ha, hbAbs, a, b float64) (L, dL, d2L Func1D, deltaL, junction float64) {
	hb := math.Abs(hbAbs)
	c := (ha*a + hb*b) / (ha + hb)
	dl := ha * hb * (b - a) * (b - a) / (2 * (ha + hb))
	L = func(x float64) float64 {
		if x <= c {
			return 0.5 * ha * (x - a) * (x - a)
		}
		return dl - 0.5*hb*(x-b)*(x-b)
	}
	dL = func(x float64) float64 {
		if x <= c {
			return ha * (x - a)
		}
		return -hb * (x - b)
	}
	d2L = func(x float64) float64 {
		if x <= c {
			return ha
		}
		return -hb
	}
	return L, dL, d2L, dl, c
}

// PWQMinimum returns the position a of the minimum of the piecewise-quadratic
// landscape with barrier height deltaL, curvatures ha and |hb| and its maximum
// at b (the inverse of ΔL = ha|hb|(b−a)²/(2(ha+|hb|)), docs/theory.md §4.2).
func PWQMinimum(ha, hbAbs, b, deltaL float64) float64 {
	hb := math.Abs(hbAbs)
	return b - math.Sqrt(2*deltaL*(ha+hb)/(ha*hb))
}
