package landscape_test

// Tests of the compiled network (network.go, network_hvp.go, network_eval.go): its gradient and
// Hessian-vector product against finite differences, the compiled mlp against the expression mlp
// it replaced, and its spec choices.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/landscape"
)

// netData is a seeded table of n rows with f features (f1…) and the targets the loss needs: t
// (mse: a real number; logistic: 0 or 1) or one-hot t0…t{c−1} (xent, c classes).
func netData(seed uint64, n, f int, loss string, classes int) ([]string, []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var cols []string
	for j := range f {
		cols = append(cols, fmt.Sprintf("f%d", j+1))
	}
	if loss == "xent" {
		for c := range classes {
			cols = append(cols, fmt.Sprintf("t%d", c))
		}
	} else {
		cols = append(cols, "t")
	}
	var vals []float64
	for range n {
		for range f {
			vals = append(vals, rng.NormFloat64())
		}
		switch loss {
		case "xent":
			k := rng.IntN(classes)
			for c := range classes {
				vals = append(vals, float64(boolInt(c == k)))
			}
		case "logistic":
			vals = append(vals, float64(rng.IntN(2)))
		default:
			vals = append(vals, rng.NormFloat64())
		}
	}
	return cols, vals
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// netCases are every activation × loss × bias × depth (1–3 hidden layers), all at k ≠ 1, wd > 0
// and l0 ≠ 0.
func netCases() []string {
	var specs []string
	for _, act := range []string{"tanh", "relu", "softplus"} {
		for _, loss := range []string{"mse", "xent", "logistic"} {
			for _, bias := range []int{0, 1} {
				for _, hidden := range []string{"h1=4", "h1=3,h2=4", "h1=3,h2=2,h3=3"} {
					specs = append(specs, fmt.Sprintf("mlp(%s,bias=%d,act=%s,loss=%s,wd=0.03,k=1.7,l0=0.5)", hidden, bias, act, loss))
				}
			}
		}
	}
	return specs
}

func parseNet(t *testing.T, spec string, seed uint64) *landscape.Landscape {
	t.Helper()
	loss := "mse"
	for _, l := range []string{"xent", "logistic"} {
		if strings.Contains(spec, "loss="+l) {
			loss = l
		}
	}
	cols, vals := netData(seed, 9, 3, loss, 3)
	l, err := landscape.ParseData(spec, 0, nil, cols, vals)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	if !l.IsNetwork() {
		t.Fatalf("%s: not a compiled network", spec)
	}
	return l
}

// TestNetworkGradientFiniteDifferences: the backward pass agrees with central differences of the
// loss, (L(θ + h·eᵢ) − L(θ − h·eᵢ))/2h with h = 1e-5, at seeded random points. Tolerance 1e-6
// relative to max(1, |∇L|∞): the truncation error is h²·L”'/6 ≈ 1e-10·L”' and the rounding error
// about ε·L/h ≈ 1e-11; the rest covers L”' of order a hundred. For relu a difference straddling a
// kink would be off by O(1); with these seeds no pre-activation lies within h of 0.
func TestNetworkGradientFiniteDifferences(t *testing.T) {
	for i, spec := range netCases() {
		l := parseNet(t, spec, uint64(i+1))
		ev := l.Evaluator()
		d := l.Dim
		g := make([]float64, d)
		for _, x := range randomPoints(uint64(100+i), d, 2, 0.7) {
			ev.Gradient(x, g)
			scale := math.Max(1, maxAbs(g))
			const h = 1e-5
			for k := range d {
				xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
				xp[k] += h
				xm[k] -= h
				fd := (ev.Loss(xp) - ev.Loss(xm)) / (2 * h)
				if math.Abs(fd-g[k]) > 1e-6*scale {
					t.Errorf("%s: ∂L/∂x%d = %.12g, finite difference %.12g", spec, k+1, g[k], fd)
					break
				}
			}
		}
	}
}

// TestNetworkHessianVector: the R-operator's H·v agrees with central differences of the gradient,
// (∇L(θ + h·v) − ∇L(θ − h·v))/2h with h = 1e-5 (tolerance 1e-6 relative to max(1, |Hv|∞), the
// same error budget as the gradient test one derivative up); the Hessian built from d products is
// symmetric and its product with v is HessianVector's to 1e-12; its diagonal is HessianDiagonal.
func TestNetworkHessianVector(t *testing.T) {
	for i, spec := range netCases() {
		l := parseNet(t, spec, uint64(i+1))
		ev := l.Evaluator()
		d := l.Dim
		pts := randomPoints(uint64(200+i), d, 2, 0.7)
		v := randomPoints(uint64(300+i), d, 1, 1)[0]
		hv, gp, gm := make([]float64, d), make([]float64, d), make([]float64, d)
		h := make([]float64, d*d)
		diag := make([]float64, d)
		for _, x := range pts {
			ev.HessianVector(x, v, hv)
			const step = 1e-5
			xp, xm := make([]float64, d), make([]float64, d)
			for k := range d {
				xp[k], xm[k] = x[k]+step*v[k], x[k]-step*v[k]
			}
			ev.Gradient(xp, gp)
			ev.Gradient(xm, gm)
			scale := math.Max(1, maxAbs(hv))
			for k := range d {
				if fd := (gp[k] - gm[k]) / (2 * step); math.Abs(fd-hv[k]) > 1e-6*scale {
					t.Errorf("%s: (Hv)%d = %.12g, finite difference %.12g", spec, k+1, hv[k], fd)
					break
				}
			}
			ev.Hessian(x, h)
			ev.HessianDiagonal(x, diag)
			for a := range d {
				s := 0.0
				for b := range d {
					s += h[a*d+b] * v[b]
					if h[a*d+b] != h[b*d+a] {
						t.Fatalf("%s: Hessian not symmetric at %d,%d", spec, a, b)
					}
				}
				if math.Abs(s-hv[a]) > 1e-12*scale || diag[a] != h[a*d+a] {
					t.Errorf("%s: (H·v)%d = %g, HessianVector %g; diagonal %g vs %g", spec, a+1, s, hv[a], diag[a], h[a*d+a])
					break
				}
			}
		}
	}
}

// TestNetworkSampleGradients: the per-sample gradients average to the gradient, and Batch's
// MeanSampleGradient over all rows of each point is the gradient at that point (to 1e-13
// relative: the same sums in another order).
func TestNetworkSampleGradients(t *testing.T) {
	l := parseNet(t, "mlp(h1=4,h2=3,act=softplus,loss=xent,wd=0.1,k=2)", 5)
	ev := l.Evaluator()
	d, n := l.Dim, l.Rows
	pts := randomPoints(9, d, 3, 0.5)
	per := make([]float64, n*d)
	g := make([]float64, d)
	x := make([]float64, d*len(pts)) // structure of arrays
	rows := make([]int, 0, n*len(pts))
	for j, p := range pts {
		for k := range d {
			x[k*len(pts)+j] = p[k]
		}
		for r := range n {
			rows = append(rows, r)
		}
	}
	mean := make([]float64, d*len(pts))
	b := ev.Batch(len(pts))
	b.MeanSampleGradient(x, len(pts), n, rows, mean)
	loss := make([]float64, len(pts))
	b.Loss(x, len(pts), loss)
	for j, p := range pts {
		ev.Gradient(p, g)
		ev.SampleGradients(p, per)
		for k := range d {
			s := 0.0
			for r := range n {
				s += per[r*d+k]
			}
			if math.Abs(s/float64(n)-g[k]) > 1e-13*math.Max(1, maxAbs(g)) || math.Abs(mean[k*len(pts)+j]-g[k]) > 1e-13*math.Max(1, maxAbs(g)) {
				t.Fatalf("point %d, component %d: gradient %g, mean of SampleGradients %g, MeanSampleGradient %g", j, k, g[k], s/float64(n), mean[k*len(pts)+j])
			}
		}
		if loss[j] != ev.Loss(p) {
			t.Errorf("point %d: Batch.Loss %g, Loss %g", j, loss[j], ev.Loss(p))
		}
	}
}

// mlpExpressionText is the expression mlp that the compiled network replaced (tanh hidden layers,
// a linear output, ½(out − t)²), written as before: the reference for the coordinate order.
func mlpExpressionText(feats []string, widths []int, bias bool, wd float64) (string, int) {
	d, in := 0, len(feats)
	b := boolInt(bias)
	for _, w := range widths {
		d += w * (in + b)
		in = w
	}
	d += in + b
	next := 0
	unit := func(inputs []string) string {
		var terms []string
		for _, u := range inputs {
			next++
			terms = append(terms, fmt.Sprintf("x%d*%s", next, u))
		}
		if bias {
			next++
			terms = append(terms, fmt.Sprintf("x%d", next))
		}
		return strings.Join(terms, " + ")
	}
	inputs := feats
	for _, w := range widths {
		layer := make([]string, w)
		for j := range layer {
			layer[j] = "tanh(" + unit(inputs) + ")"
		}
		inputs = layer
	}
	text := "0.5*(" + unit(inputs) + " - t)^2"
	if wd > 0 {
		text += fmt.Sprintf(" + %g*sum(xi^2 in xi)", wd/2)
	}
	return text, d
}

// TestNetworkMatchesExpressionMLP: the compiled mlp equals the expression mlp it replaced (same
// coordinates, loss, gradient and Hessian) to 1e-12 relative, on shapes with one and two hidden
// layers, with and without biases, weight decay and sharpness: both are float64 evaluations of one
// formula whose sums run in different orders.
func TestNetworkMatchesExpressionMLP(t *testing.T) {
	for _, c := range []struct {
		gen    string
		widths []int
		bias   bool
		wd, k  float64
	}{
		{"gen:mlp(n=30,seed=2,d=2,h=3)", []int{3}, true, 0, 1},
		{"gen:mlp(n=30,seed=3,d=3,h=2)", []int{3, 2}, false, 0.05, 1},
		{"gen:mlp(n=30,seed=4,d=2,h=2)", []int{4, 2}, true, 0.1, 2.5},
	} {
		dt := openData(t, c.gen)
		spec := fmt.Sprintf("mlp(h1=%d,bias=%d,wd=%g,k=%g,l0=0.25)", c.widths[0], boolInt(c.bias), c.wd, c.k)
		if len(c.widths) > 1 {
			spec = fmt.Sprintf("mlp(h1=%d,h2=%d,bias=%d,wd=%g,k=%g,l0=0.25)", c.widths[0], c.widths[1], boolInt(c.bias), c.wd, c.k)
		}
		net := parseModel(t, spec, dt)
		text, d := mlpExpressionText(dt.Columns[:len(dt.Columns)-1], c.widths, c.bias, c.wd)
		expr, err := landscape.ParseData(text, d, map[string]float64{"k": c.k, "l0": 0.25}, dt.Columns, dt.Values)
		if err != nil {
			t.Fatalf("%s: reference %v", spec, err)
		}
		if net.Dim != d {
			t.Fatalf("%s: d = %d, expression %d", spec, net.Dim, d)
		}
		en, ee := net.Evaluator(), expr.Evaluator()
		gn, ge := make([]float64, d), make([]float64, d)
		hn, he := make([]float64, d*d), make([]float64, d*d)
		for _, x := range append(randomPoints(41, d, 3, 0.8), net.DefaultStart) {
			close := func(what string, a, b []float64) {
				scale := math.Max(maxAbs(a), maxAbs(b))
				for i := range a {
					if math.Abs(a[i]-b[i]) > 1e-12*scale {
						t.Errorf("%s: %s[%d] compiled %.15g, expression %.15g", spec, what, i, a[i], b[i])
						return
					}
				}
			}
			close("loss", []float64{en.Loss(x)}, []float64{ee.Loss(x)})
			en.Gradient(x, gn)
			ee.Gradient(x, ge)
			close("gradient", gn, ge)
			en.Hessian(x, hn)
			ee.Hessian(x, he)
			close("Hessian", hn, he)
		}
	}
}

// TestNetworkSpec: act and loss read by name or index and are written by name; the default start
// is the expression mlp's up to d = 64 and is divided by sqrt(fan-in) beyond.
func TestNetworkSpec(t *testing.T) {
	s, ok, err := landscape.ParseSpec("mlp(h1=4, act=relu)")
	if !ok || err != nil {
		t.Fatalf("ParseSpec: %v %v", ok, err)
	}
	s.Set("act", 2)
	s.Set("loss", 1)
	if got := s.String(); got != "mlp(h1=4,act=softplus,loss=xent)" {
		t.Errorf("Set: %s", got)
	}
	cols, vals := netData(1, 5, 3, "mse", 0)
	byName, err := landscape.ParseData("mlp(act=relu)", 0, nil, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	byIndex, err := landscape.ParseData("mlp", 0, map[string]float64{"act": 1}, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	if byName.Params["act"] != 1 || byIndex.Evaluator().Loss(byIndex.DefaultStart) != byName.Evaluator().Loss(byName.DefaultStart) {
		t.Errorf("act=relu and act index 1 differ: %v %v", byName.Params["act"], byIndex.Params["act"])
	}
	small, err := landscape.ParseData("mlp(h1=4)", 0, nil, cols, vals) // d = 4·4 + 5 = 21
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range small.DefaultStart {
		if v != 0.5*math.Sin(float64(i+1)) {
			t.Fatalf("d = %d: start[%d] = %g, want 0.5·sin(%d)", small.Dim, i, v, i+1)
		}
	}
	wide, err := landscape.ParseData("mlp(h1=20)", 0, nil, cols, vals) // d = 20·4 + 21 = 101
	if err != nil {
		t.Fatal(err)
	}
	if wide.Dim != 101 {
		t.Fatalf("d = %d, want 101", wide.Dim)
	}
	for i, v := range wide.DefaultStart {
		fan := 4.0 // 3 inputs + bias in the first layer
		if i >= 80 {
			fan = 21 // 20 hidden units + bias at the output
		}
		if want := 0.5 * math.Sin(float64(i+1)) / math.Sqrt(fan); math.Abs(v-want) > 1e-15 {
			t.Fatalf("d = 101: start[%d] = %g, want %g", i, v, want)
		}
	}
}
