package landscape

import (
	"math"
	"strings"
	"testing"
)

// TestParseDataShadow: a column may not shadow a coordinate, function, constant, k, l0 or a
// parameter; a catalogue spec is refused with data.
func TestParseDataShadow(t *testing.T) {
	vals := []float64{1, 2}
	for _, c := range []struct{ col, want string }{
		{"x", "shadows a coordinate"}, {"y", "shadows a coordinate"}, {"x3", "shadows a coordinate"},
		{"sin", "shadows a function"}, {"pi", "shadows a constant"}, {"k", "shadows the parameter k"},
		{"c", "given with --param"},
	} {
		_, err := ParseData("(t - x*c)^2", 1, map[string]float64{"c": 2}, []string{c.col, "t"}, vals)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("column %s: %v, want %q", c.col, err, c.want)
		}
	}
	if _, err := ParseData("doublewell(k=1)", 0, nil, []string{"t"}, vals[:1]); err == nil || !strings.Contains(err.Error(), "per-sample loss") {
		t.Errorf("catalogue spec: %v", err)
	}
	if _, err := ParseData("(t - x)^2 + u", 0, nil, []string{"t"}, vals[:1]); err == nil || !strings.Contains(err.Error(), "unknown name u") {
		t.Errorf("unknown name: %v", err)
	}
}

// TestDataMeans: the Evaluator and Batch of a data landscape return the row means of the
// per-sample loss, gradient and Hessian of ℓ(x, y; f, t) = (t − x·tanh(y·f))², checked against a
// direct float64 computation (tolerance 1e-12 relative: the sums run in another order), and
// SampleGradients the per-sample gradients.
func TestDataMeans(t *testing.T) {
	cols := []string{"f", "t"}
	vals := []float64{0.5, 0.3, -1.2, -0.7, 2, 0.9, 0.1, -0.2}
	l, err := ParseData("(t - x*tanh(y*f))^2", 0, nil, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	if l.Dim != 2 || !l.HasData() || l.Rows != 4 || l.String() != "(t - x*tanh(y*f))^2" {
		t.Fatalf("dim %d rows %d string %q", l.Dim, l.Rows, l.String())
	}
	p := []float64{0.8, 1.3}
	var loss float64
	grad := make([]float64, 2)
	hess := make([]float64, 4)
	per := make([]float64, 8)
	for r := 0; r < 4; r++ {
		f, tt := vals[2*r], vals[2*r+1]
		th := math.Tanh(p[1] * f)
		s2 := 1 - th*th
		res := tt - p[0]*th
		loss += res * res / 4
		gx, gy := -2*res*th, -2*res*p[0]*f*s2
		per[2*r], per[2*r+1] = gx, gy
		grad[0] += gx / 4
		grad[1] += gy / 4
		// Hessian of (t − x·th)²: ∂xx = 2th², ∂xy = 2x·f·s2·th − 2res·f·s2, ∂yy = 2(x f s2)² + 2res·x·f²·2th·s2
		hess[0] += 2 * th * th / 4
		hxy := (2*p[0]*f*s2*th - 2*res*f*s2) / 4
		hess[1] += hxy
		hess[2] += hxy
		hess[3] += (2*math.Pow(p[0]*f*s2, 2) + 4*res*p[0]*f*f*th*s2) / 4
	}
	ev := l.Evaluator()
	near := func(what string, got, want float64) {
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: got %.17g, want %.17g", what, got, want)
		}
	}
	near("loss", ev.Loss(p), loss)
	g := make([]float64, 2)
	ev.Gradient(p, g)
	h := make([]float64, 4)
	ev.Hessian(p, h)
	for i := range g {
		near("gradient", g[i], grad[i])
	}
	for i := range h {
		near("hessian", h[i], hess[i])
	}
	sg := make([]float64, 8)
	ev.SampleGradients(p, sg)
	for i := range sg {
		near("per-sample gradient", sg[i], per[i])
	}
	// Batch at two points (the second p itself), and the mean over chosen rows.
	b := ev.Batch(4)
	x := []float64{0, p[0], 0, 0, 0, p[1], 0, 0}
	bg := make([]float64, 8)
	b.Gradient(x, 2, bg)
	near("batch gradient", bg[1], grad[0])
	near("batch gradient", bg[4+1], grad[1])
	b.MeanSampleGradient(x, 2, 3, []int{0, 0, 0, 3, 1, 1}, bg)
	near("mean of rows 3,1,1", bg[1], (per[6]+2*per[2])/3)
	near("mean of rows 3,1,1", bg[5], (per[7]+2*per[3])/3)
}
