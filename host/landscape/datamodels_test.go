package landscape_test

// Tests of the data-model catalogue (datamodels.go) on the generators of host/data. An external
// test package: host/data imports host/landscape.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kramers-sim/kramers/host/data"
	"github.com/kramers-sim/kramers/host/landscape"
)

func openData(t *testing.T, spec string) *data.Data {
	t.Helper()
	d, err := data.Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func parseModel(t *testing.T, spec string, d *data.Data) *landscape.Landscape {
	t.Helper()
	l, err := landscape.ParseData(spec, 0, nil, d.Columns, d.Values)
	if err != nil {
		t.Fatalf("%s on %s: %v", spec, d.Spec, err)
	}
	return l
}

// refModel is a hand-written float64 per-sample loss ℓ(θ; row) and its gradient, at k = 1 and
// without l0 (the test applies the sharpness and the offset).
type refModel func(theta, row []float64, grad []float64) float64

// refMean is the full-data loss and gradient of ref under k and l0: L(θ) = mean ℓ(sqrt(k)·θ) + l0.
func refMean(ref refModel, d *data.Data, theta []float64, k, l0 float64) (float64, []float64, [][]float64) {
	sk := math.Sqrt(k)
	u := make([]float64, len(theta))
	for i, v := range theta {
		u[i] = sk * v
	}
	grad := make([]float64, len(theta))
	per := make([][]float64, d.N)
	loss := 0.0
	for r := 0; r < d.N; r++ {
		g := make([]float64, len(theta))
		loss += ref(u, d.Row(r), g)
		for i := range g {
			g[i] *= sk
			grad[i] += g[i]
		}
		per[r] = g
	}
	for i := range grad {
		grad[i] /= float64(d.N)
	}
	return loss/float64(d.N) + l0, grad, per
}

func col(d *data.Data, name string) int { return slices.Index(d.Columns, name) }

// refNeuron: ½(v·tanh(w·f + c) − t)² + (wd/2)(v² + w²).
func refNeuron(d *data.Data, c, wd float64) refModel {
	fi, ti := col(d, "f"), col(d, "t")
	return func(th, row, g []float64) float64 {
		v, w := th[0], th[1]
		a := math.Tanh(w*row[fi] + c)
		res := v*a - row[ti]
		g[0] = res*a + wd*v
		g[1] = res*v*(1-a*a)*row[fi] + wd*w
		return 0.5*res*res + wd/2*(v*v+w*w)
	}
}

// refLogistic: log(1 + exp(z)) − t·z + (wd/2)|θ|², z = Σ θ_j f_j (+ θ_d).
func refLogistic(d *data.Data, bias bool, wd float64) refModel {
	ti := col(d, "t")
	return func(th, row, g []float64) float64 {
		z, j := 0.0, 0
		for c, v := range row {
			if c != ti {
				z += th[j] * v
				j++
			}
		}
		if bias {
			z += th[j]
		}
		tt := row[ti]
		sig := 1 / (1 + math.Exp(-z))
		loss := math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - tt*z
		j = 0
		for c, v := range row {
			if c != ti {
				g[j] = (sig-tt)*v + wd*th[j]
				j++
			}
		}
		if bias {
			g[j] = sig - tt + wd*th[j]
		}
		for _, v := range th {
			loss += wd / 2 * v * v
		}
		return loss
	}
}

// refMLP: ½(out − t)² + (wd/2)|θ|² of the tanh network with the documented weight order (layer
// by layer, unit by unit, incoming weights in input order then the bias; the output last), with
// backpropagation for the gradient.
func refMLP(d *data.Data, widths []int, bias bool, wd float64) refModel {
	ti := col(d, "t")
	b := 0
	if bias {
		b = 1
	}
	return func(th, row, g []float64) float64 {
		in := []float64{}
		for c, v := range row {
			if c != ti {
				in = append(in, v)
			}
		}
		// forward, remembering each layer's input, output and weight offset
		type layer struct {
			in, out []float64
			off     int
		}
		var layers []layer
		off := 0
		for _, w := range widths {
			out := make([]float64, w)
			for j := range out {
				z := 0.0
				for i, u := range in {
					z += th[off+j*(len(in)+b)+i] * u
				}
				if bias {
					z += th[off+j*(len(in)+b)+len(in)]
				}
				out[j] = math.Tanh(z)
			}
			layers = append(layers, layer{in, out, off})
			off += w * (len(in) + b)
			in = out
		}
		outOff := off
		y := 0.0
		for i, u := range in {
			y += th[outOff+i] * u
		}
		if bias {
			y += th[outOff+len(in)]
		}
		res := y - row[ti]
		loss := 0.5 * res * res
		for i := range g {
			g[i] = 0
		}
		// backward: delta is ∂ℓ/∂(unit output) of the current layer
		delta := make([]float64, len(in))
		for i, u := range in {
			g[outOff+i] = res * u
			delta[i] = res * th[outOff+i]
		}
		if bias {
			g[outOff+len(in)] = res
		}
		for li := len(layers) - 1; li >= 0; li-- {
			L := layers[li]
			nin := len(L.in)
			prev := make([]float64, nin)
			for j, o := range L.out {
				dz := delta[j] * (1 - o*o)
				base := L.off + j*(nin+b)
				for i, u := range L.in {
					g[base+i] = dz * u
					prev[i] += dz * th[base+i]
				}
				if bias {
					g[base+nin] = dz
				}
			}
			delta = prev
		}
		for i, v := range th {
			loss += wd / 2 * v * v
			g[i] += wd * v
		}
		return loss
	}
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))) {
		t.Errorf("%s: got %.17g, want %.17g", what, got, want)
	}
}

// checkAgainst compares the loss, gradient and per-sample gradients of l with ref at pts (1e-12
// relative), and the gradient with central differences of the loss and the Hessian with central
// differences of the gradient (1e-6).
func checkAgainst(t *testing.T, name string, l *landscape.Landscape, d *data.Data, ref refModel, pts [][]float64) {
	t.Helper()
	ev := l.Evaluator()
	k, l0 := l.Params["k"], l.Params["l0"]
	n := l.Dim
	for _, p := range pts {
		loss, grad, per := refMean(ref, d, p, k, l0)
		near(t, name+" loss", ev.Loss(p), loss, 1e-12)
		g := make([]float64, n)
		ev.Gradient(p, g)
		for i := range g {
			near(t, name+" gradient", g[i], grad[i], 1e-12)
		}
		sg := make([]float64, d.N*n)
		ev.SampleGradients(p, sg)
		for r := 0; r < d.N; r += 7 {
			for i := 0; i < n; i++ {
				near(t, name+" per-sample gradient", sg[r*n+i], per[r][i], 1e-12)
			}
		}
		// finite differences
		const h = 1e-5
		h2 := make([]float64, n*n)
		ev.Hessian(p, h2)
		q := append([]float64(nil), p...)
		gp, gm := make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			q[i] = p[i] + h
			lp := ev.Loss(q)
			ev.Gradient(q, gp)
			q[i] = p[i] - h
			lm := ev.Loss(q)
			ev.Gradient(q, gm)
			q[i] = p[i]
			near(t, name+" gradient vs finite differences", g[i], (lp-lm)/(2*h), 1e-6)
			for j := 0; j < n; j++ {
				near(t, name+" Hessian vs finite differences", h2[j*n+i], (gp[j]-gm[j])/(2*h), 1e-6)
			}
		}
	}
}

func randomPoints(seed uint64, d, count int, scale float64) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	pts := make([][]float64, count)
	for i := range pts {
		pts[i] = make([]float64, d)
		for j := range pts[i] {
			pts[i][j] = scale * r.NormFloat64()
		}
	}
	return pts
}

// TestDataModelNeuron: neuron's loss, gradients and Hessian against the hand-written model, with
// and without c, wd, k and l0; the spec, name and parameters the landscape keeps.
func TestDataModelNeuron(t *testing.T) {
	d := openData(t, "gen:neuron(n=60,seed=3)")
	for _, c := range []struct {
		spec             string
		cc, wd, k, l0    float64
		wantName, params string
	}{
		{"neuron", 0, 0, 1, 0, "neuron", ""},
		{"neuron(c=0.3, wd=0.01, k=2, l0=0.5)", 0.3, 0.01, 2, 0.5, "neuron", ""},
		{"neuron(c=-0.7,wd=1e-3)", -0.7, 1e-3, 1, 0, "neuron", ""},
	} {
		l := parseModel(t, c.spec, d)
		if l.Dim != 2 || l.Name != "neuron" || l.Spec != c.spec || l.String() != c.spec || l.Rows != 60 || !l.HasData() {
			t.Errorf("%s: dim %d name %q spec %q string %q rows %d", c.spec, l.Dim, l.Name, l.Spec, l.String(), l.Rows)
		}
		if l.Params["c"] != c.cc || l.Params["wd"] != c.wd || l.Params["k"] != c.k || l.Params["l0"] != c.l0 {
			t.Errorf("%s: params %v", c.spec, l.Params)
		}
		pts := [][]float64{{0.8, 1.3}, {-1.1, 0.4}, {0, 0}, {2.5, -3}}
		checkAgainst(t, c.spec, l, d, refNeuron(d, c.cc, c.wd), pts)
	}
}

// TestDataModelLogistic: logistic with and without the bias against the hand-written model, at
// θ = 0 (z = 0 in every row: the join of softplus's two branches) and at large |z| (stability).
func TestDataModelLogistic(t *testing.T) {
	d := openData(t, "gen:logistic(n=80,seed=5,d=3,sep=1.5)")
	for _, c := range []struct {
		spec string
		bias bool
		wd   float64
	}{
		{"logistic", true, 0}, {"logistic(bias=0)", false, 0}, {"logistic(wd=0.2,k=3,l0=-1)", true, 0.2},
	} {
		l := parseModel(t, c.spec, d)
		dim := 3
		if c.bias {
			dim = 4
		}
		if l.Dim != dim || l.Name != "logistic" || len(l.DefaultStart) != dim {
			t.Fatalf("%s: dim %d name %s start %v", c.spec, l.Dim, l.Name, l.DefaultStart)
		}
		pts := append(randomPoints(11, dim, 3, 1), make([]float64, dim), randomPoints(12, dim, 1, 40)[0])
		checkAgainst(t, c.spec, l, d, refLogistic(d, c.bias, c.wd), pts)
		far := randomPoints(13, dim, 1, 400)[0]
		if v := l.Evaluator().Loss(far); math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s: loss %g at |z| of thousands", c.spec, v)
		}
	}
	// soft labels in [0, 1] are taken (the cross-entropy), labels outside are refused
	soft := []float64{0.5, 0.25, -1, 1}
	if _, err := landscape.ParseData("logistic", 0, nil, []string{"f", "t"}, soft); err != nil {
		t.Errorf("soft labels: %v", err)
	}
}

// TestDataModelMLP: the MLP against a hand-written forward and backward pass with the documented
// weight order, one and two hidden layers, with and without biases.
func TestDataModelMLP(t *testing.T) {
	for _, c := range []struct {
		gen, spec string
		widths    []int
		bias      bool
		wd        float64
		dim       int
	}{
		{"gen:mlp(n=40,seed=2,d=1,h=2)", "mlp", []int{3}, true, 0, 3*2 + 4},
		{"gen:mlp(n=40,seed=2,d=2,h=3)", "mlp(h1=3,h2=2,bias=0)", []int{3, 2}, false, 0, 3*2 + 2*3 + 2},
		{"gen:mlp(n=40,seed=4,d=3,h=2)", "mlp(h1=4, h2=2, wd=0.1, k=1.5, l0=2)", []int{4, 2}, true, 0.1, 4*4 + 2*5 + 3},
		{"gen:neuron(n=30,seed=1)", "mlp(h1=1,bias=0)", []int{1}, false, 0, 2},
	} {
		d := openData(t, c.gen)
		l := parseModel(t, c.spec, d)
		if l.Dim != c.dim || l.Name != "mlp" || len(l.DefaultStart) != c.dim {
			t.Fatalf("%s: dim %d (want %d) name %s", c.spec, l.Dim, c.dim, l.Name)
		}
		pts := append(randomPoints(21, c.dim, 3, 0.8), l.DefaultStart)
		checkAgainst(t, c.spec, l, d, refMLP(d, c.widths, c.bias, c.wd), pts)
	}
}

// TestDataModelNeuronAnalyze: analyze finds the neuron's two minima, mirror images (v, w) and
// (−v, −w) near the teacher's (1, 1.5), and the index-1 saddle at (0, 0) between them.
func TestDataModelNeuronAnalyze(t *testing.T) {
	d := openData(t, "gen:neuron(n=200,seed=1)")
	l := parseModel(t, "neuron", d)
	an, err := landscape.Analyze(l, landscape.AnalyzeOptions{Start: l.DefaultStart})
	if err != nil {
		t.Fatal(err)
	}
	m, s, tg := an.Minimum, an.Saddle, an.TargetMinimum
	if math.Abs(m[0]-1) > 0.05 || math.Abs(m[1]-1.5) > 0.15 {
		t.Errorf("minimum %v, want near the teacher (1, 1.5)", m)
	}
	if len(tg) != 2 || math.Abs(tg[0]+m[0]) > 1e-6 || math.Abs(tg[1]+m[1]) > 1e-6 {
		t.Errorf("other minimum %v, want −%v", tg, m)
	}
	if math.Hypot(s[0], s[1]) > 1e-6 || !an.Index1 || !(an.DeltaL > 0.3) {
		t.Errorf("saddle %v index-1 %v ΔL %g, want (0, 0), true, about 0.35", s, an.Index1, an.DeltaL)
	}
	// at the saddle every per-sample gradient vanishes when c = 0 (no minibatch noise there)…
	g := make([]float64, 2*d.N)
	l.Evaluator().SampleGradients(s, g)
	if mx := maxAbs(g); mx > 1e-12 {
		t.Errorf("c = 0: per-sample gradients at the saddle up to %g, want 0", mx)
	}
	// …and with c ≠ 0 they do not (the saddle moves off (0, 0) and the minima lose their symmetry)
	dc := openData(t, "gen:neuron(n=200,seed=1,c=0.3)")
	lc := parseModel(t, "neuron(c=0.3)", dc)
	anc, err := landscape.Analyze(lc, landscape.AnalyzeOptions{Start: lc.DefaultStart})
	if err != nil {
		t.Fatal(err)
	}
	lc.Evaluator().SampleGradients(anc.Saddle, g)
	if mx := maxAbs(g); !(mx > 0.1) || !anc.Index1 {
		t.Errorf("c = 0.3: per-sample gradients at the saddle %v up to %g, index-1 %v", anc.Saddle, mx, anc.Index1)
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// TestDataModelLogisticOneMinimum: the logistic loss is convex with one minimum: descents from
// several starts end at the same point, with a positive definite Hessian, and Analyze finds no
// other minimum to escape to.
func TestDataModelLogisticOneMinimum(t *testing.T) {
	d := openData(t, "gen:logistic(n=200,seed=1,d=3)")
	l := parseModel(t, "logistic", d)
	var first []float64
	for i, s := range append([][]float64{l.DefaultStart}, randomPoints(31, 4, 3, 2)...) {
		m, err := landscape.FindMinimum(l, s)
		if err != nil {
			t.Fatalf("from %v: %v", s, err)
		}
		if i == 0 {
			first = m
			continue
		}
		for j := range m {
			if math.Abs(m[j]-first[j]) > 1e-6 {
				t.Errorf("from %v: minimum %v, from 0: %v", s, m, first)
				break
			}
		}
	}
	// the class means lie along (1, 1, 1): the coefficients are positive, the intercept small
	for j := 0; j < 3; j++ {
		if !(first[j] > 0.3) {
			t.Errorf("coefficient %d = %g, want > 0.3 (minimum %v)", j, first[j], first)
		}
	}
	if math.Abs(first[3]) > 0.5 {
		t.Errorf("intercept %g", first[3])
	}
	if _, err := landscape.Analyze(l, landscape.AnalyzeOptions{Start: l.DefaultStart}); err == nil || !strings.Contains(err.Error(), "no other minimum") {
		t.Errorf("Analyze on a convex loss: %v, want no other minimum", err)
	}
}

// TestDataModelMLPSize: an MLP of about 30 coordinates (one and two hidden layers) parses, with its
// 900-entry symbolic Hessian, in well under a second, and evaluates the full-data loss, gradient
// and Hessian over 200 rows in milliseconds.
func TestDataModelMLPSize(t *testing.T) {
	for _, c := range []struct {
		gen, spec string
		dim       int
	}{
		{"gen:mlp(n=200,seed=1,d=4,h=3)", "mlp(h1=5)", 31},
		{"gen:mlp(n=200,seed=1,d=3,h=3)", "mlp(h1=4,h2=2)", 29},
		{"gen:mlp(n=200,seed=1,d=3,h=3)", "mlp(h1=6,h2=4)", 57},
	} {
		d := openData(t, c.gen)
		t0 := time.Now()
		l := parseModel(t, c.spec, d)
		parse := time.Since(t0)
		if l.Dim != c.dim {
			t.Fatalf("%s: dim %d, want %d", c.spec, l.Dim, c.dim)
		}
		if parse > 2*time.Second {
			t.Errorf("%s: parsing took %v", c.spec, parse)
		}
		ev := l.Evaluator()
		t1 := time.Now()
		g := make([]float64, c.dim)
		h := make([]float64, c.dim*c.dim)
		loss := ev.Loss(l.DefaultStart)
		ev.Gradient(l.DefaultStart, g)
		ev.Hessian(l.DefaultStart, h)
		eval := time.Since(t1)
		if eval > 2*time.Second || math.IsNaN(loss) || maxAbs(g) == 0 || maxAbs(h) == 0 {
			t.Errorf("%s: evaluation %v, loss %g, |g| %g, |H| %g", c.spec, eval, loss, maxAbs(g), maxAbs(h))
		}
		for i := 0; i < c.dim; i++ {
			for j := 0; j < i; j++ {
				if h[i*c.dim+j] != h[j*c.dim+i] {
					t.Fatalf("%s: Hessian not symmetric at %d,%d", c.spec, i, j)
				}
			}
		}
		t.Logf("%s: d = %d, parse %v, loss+gradient+Hessian over %d rows %v", c.spec, c.dim, parse, d.N, eval)
	}
}

// TestDataModelErrors: missing columns name what is needed and what the data have; bad widths,
// flags, weight decay, labels, dimensions and parameters are *Error values that say what is wrong.
func TestDataModelErrors(t *testing.T) {
	ab := []string{"a", "b"}
	two := []float64{1, 2, 3, 4}
	wide := openData(t, "gen:mlp(n=5,seed=1,d=4)")
	many := []string{"t"} // 64 features and t: the expression model logistic keeps its limit of 64 coordinates
	for j := range 64 {
		many = append(many, fmt.Sprintf("f%d", j+1))
	}
	rows := []struct {
		spec    string
		dim     int
		params  map[string]float64
		columns []string
		values  []float64
		want    string
	}{
		{"neuron", 0, nil, ab, two, "neuron: the model needs the data columns f, t but the data have a, b (missing f, t)"},
		{"neuron", 0, nil, []string{"f", "target"}, two, "the data have f, target (missing t)"},
		{"logistic", 0, nil, ab, two, "logistic: the model needs a target column t and at least one feature column (every other column) but the data have a, b"},
		{"mlp", 0, nil, []string{"t"}, two[:2], "mlp: the network needs at least one feature column besides the targets, but the data have only [t]"},
		{"logistic", 0, nil, []string{"f", "t"}, []float64{1, 0, 2, 3}, "label column t must hold 0 or 1 (or a probability in [0, 1]), but data row 2 (the header not counted) has t = 3"},
		{"mlp(h1=0)", 0, nil, ab[:1], nil, "mlp: the width h1 must be a whole number from 1 to 1000000, got 0"},
		{"mlp(h1=2.5)", 0, nil, ab[:1], nil, "the width h1 must be a whole number"},
		{"mlp(h2=-1)", 0, nil, ab[:1], nil, "the width h2 must be a whole number from 0 to 1000000, got -1"},
		{"mlp(h1=1000,h2=1000)", 0, nil, wide.Columns, wide.Values, "mlp: 4 inputs, hidden widths [1000 1000] and 1 outputs give more than 1000000 coordinates, the most a network takes"},
		{"mlp(h1=3,h3=2)", 0, nil, ab[:1], nil, "the width h3 = 2 follows an empty layer (h2 = 0); give the hidden layers in order h1, h2, …"},
		{"mlp(act=sigmoid)", 0, nil, ab[:1], nil, "column 9: parameter act of mlp is one of tanh, relu or softplus (or its index 0–2), got \"sigmoid\""},
		{"mlp", 0, map[string]float64{"loss": 3}, ab[:1], nil, "parameter loss must be one of mse, xent or logistic (or its index 0–2), got 3"},
		{"mlp(loss=xent)", 0, nil, wide.Columns, wide.Values, "loss=xent needs one-hot target columns t<c> for at least two classes (--targets onehot writes them)"},
		{"mlp(loss=logistic)", 0, nil, []string{"f", "t"}, []float64{1, 0, 2, 3}, "loss=logistic needs the label column t to hold 0 or 1 (or a probability in [0, 1]), but data row 2 (the header not counted) has t = 3; use --targets 01"},
		{"logistic", 0, nil, many, make([]float64, len(many)), "64 feature columns give d = 65 coordinates, more than the 64 a data model takes"},
		{"mlp(bias=2)", 0, nil, ab[:1], nil, "parameter bias must be 0 or 1, got 2"},
		{"logistic(wd=-1)", 0, nil, ab[:1], nil, "logistic: the weight decay wd must be ≥ 0, got -1"},
		{"neuron(k=0)", 0, nil, ab[:1], nil, "neuron: parameter k must be positive"},
		{"mlp(h=3)", 0, nil, ab[:1], nil, "unknown parameter \"h\" of mlp: parameters are h1, h2, h3, h4, bias, act, loss, wd, k, l0"},
		{"neuron(c=1", 0, nil, ab[:1], nil, "expected \")\" at the end of neuron(...)"},
		{"neuron", 3, nil, []string{"f", "t"}, two, "dimension mismatch: neuron on these data has dimension 2 but dimension 3 was asked for"},
		{"neuron(c=1)", 0, map[string]float64{"c": 2}, []string{"f", "t"}, two, "parameter c is given both in the spec neuron(c=1) and in --param"},
		{"neuron", 0, map[string]float64{"q": 2}, []string{"f", "t"}, two, "neuron has no parameter q; its parameters are c, wd, k, l0"},
		{"logistic", 0, nil, []string{"x", "t"}, two, "data column x shadows a coordinate"},
		{"doublewell", 0, nil, []string{"f", "t"}, two, "with data the landscape is a data model (logistic, mlp, neuron) or a per-sample loss"},
	}
	for _, r := range rows {
		cols, vals := r.columns, r.values
		if vals == nil {
			vals = make([]float64, len(cols))
			if slices.Contains(cols, "t") {
				cols = append(cols, "f") // a feature for the width and flag checks
				vals = append(vals, 0)
			} else {
				cols, vals = []string{"f", "t"}, []float64{0.5, 1}
			}
		}
		_, err := landscape.ParseData(r.spec, r.dim, r.params, cols, vals)
		var le *landscape.Error
		if err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%s on %v: %v, want …%s…", r.spec, cols, err, r.want)
		} else if !asError(err, &le) {
			t.Errorf("%s: %T is not a *landscape.Error", r.spec, err)
		}
	}
	// a data model without data says it needs data
	if _, err := landscape.Parse("neuron(c=0.1)", 0); err == nil || !strings.Contains(err.Error(), "neuron is a data model") || !strings.Contains(err.Error(), "--data") {
		t.Errorf("neuron without data: %v", err)
	}
}

func asError(err error, le **landscape.Error) bool {
	e, ok := err.(*landscape.Error)
	*le = e
	return ok
}

// TestDataModelSpecs: a data model's spec reads with the catalogue grammar (ParseSpec, Set, for a
// sweep's --vary) and its parameters are listed by Parameters and DataModels.
func TestDataModelSpecs(t *testing.T) {
	s, ok, err := landscape.ParseSpec("mlp(h1=4, wd=0.01)")
	if !ok || err != nil || s.Name != "mlp" || len(s.Args) != 2 {
		t.Fatalf("ParseSpec: %+v %v %v", s, ok, err)
	}
	s.Set("wd", 0.02)
	if s.String() != "mlp(h1=4,wd=0.02)" {
		t.Errorf("Set: %s", s)
	}
	names, cat, err := landscape.Parameters("logistic(bias=0)")
	if err != nil || !cat || strings.Join(names, ",") != "bias,k,l0,wd" {
		t.Errorf("Parameters: %v %v %v", names, cat, err)
	}
	var got []string
	for _, e := range landscape.DataModels() {
		got = append(got, e.Name)
		if e.Formula == "" || e.Doc == "" || e.Params[len(e.Params)-2].Name != "k" {
			t.Errorf("%s: entry %+v", e.Name, e)
		}
	}
	if strings.Join(got, ",") != "logistic,mlp,neuron" {
		t.Errorf("DataModels: %v", got)
	}
	for _, e := range landscape.Catalogue() {
		if slices.Contains(got, e.Name) {
			t.Errorf("data model %s is in the catalogue of landscapes without data", e.Name)
		}
	}
}
