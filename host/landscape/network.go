package landscape

import (
	"fmt"
	"math"
	"regexp"
	"slices"
)

// This file is the compiled multilayer perceptron (docs/theory.md §8, "Networks"): the data model
// mlp is not an expression tree but a shape, and its per-sample loss, gradient and Hessian-vector
// product are loops over layers and units (a forward and a backward pass, and Pearlmutter's
// R-operator for H·v), in float64. The DAG fields of its Landscape stay nil.
//
// Coordinates, the order the expression mlp used: layer by layer (first hidden layer, …, output
// layer), unit by unit, each unit's incoming weights in the order of its inputs (the features in
// column order, or the previous layer's units) followed by its bias (bias = 1). The per-sample
// loss at θ is ℓ(w) + (wd/2)|w|² + l0 with w = sqrt(k)·θ (the sharpness of every landscape), and
// ℓ one of
//
//	mse:      ½(z − t)², one linear output z, target column t;
//	logistic: softplus(z) − t·z, one output, label t ∈ [0, 1];
//	xent:     (Σ_c t_c)·logsumexp(z) − Σ_c t_c·z_c, one output per one-hot column t<c>.
//
// Its gradient in θ is sqrt(k)·∇_w, its Hessian k·∇²_w (docs/theory.md §4.5).

// activation is a hidden unit's nonlinearity.
type activation int

const (
	actTanh activation = iota
	actReLU
	actSoftplus
)

// activationNames are the choices of mlp's act parameter, by index.
var activationNames = []string{"tanh", "relu", "softplus"}

// lossKind is the per-sample loss on the network's outputs.
type lossKind int

const (
	lossMSE lossKind = iota
	lossXent
	lossLogistic
)

// lossNames are the choices of mlp's loss parameter, by index.
var lossNames = []string{"mse", "xent", "logistic"}

// maxNetworkDim bounds a compiled network's parameter count on the CPU (the GPU's bound is lower:
// gpu/stepsource.go). 10⁶ float64 coordinates are 8 MB per particle.
const maxNetworkDim = 1_000_000

// network is the shape of a compiled MLP with its constants.
type network struct {
	widths []int // inputs, hidden widths…, outputs
	bias   int   // 1: every unit has a bias
	act    activation
	loss   lossKind
	wd     float64 // weight decay on w
	scale  float64 // sqrt(k): w = scale·θ
	l0     float64
	feat   []int // data column of each input
	targ   []int // data column of each target (one for mse and logistic)
	ncol   int
	offset []int // first coordinate of layer l's weights (l = 0 … layers−1), offset[layers] = dim
	dim    int
	units  int // hidden and output units in all
}

// layers is the number of weight layers (hidden layers + 1).
func (n *network) layers() int { return len(n.widths) - 1 }

// stride is the number of coordinates per unit of layer l: its inputs and its bias.
func (n *network) stride(l int) int { return n.widths[l] + n.bias }

// oneHotColumn matches the target columns that --targets onehot writes (host/data/options.go).
var oneHotColumn = regexp.MustCompile(`^t[0-9]+$`)

// newNetwork builds the shape from the resolved mlp parameters and the data's columns and values.
func newNetwork(p map[string]float64, columns []string, values []float64) (*network, error) {
	bias, err := flag(p, "bias")
	if err != nil {
		return nil, err
	}
	act, err := choice(p, "act", activationNames)
	if err != nil {
		return nil, err
	}
	loss, err := choice(p, "loss", lossNames)
	if err != nil {
		return nil, err
	}
	hidden, err := hiddenWidths(p)
	if err != nil {
		return nil, err
	}
	n := &network{bias: bias, act: activation(act), loss: lossKind(loss), wd: p["wd"], scale: math.Sqrt(p["k"]), l0: p["l0"], ncol: len(columns)}
	if err := n.setColumns(columns, values); err != nil {
		return nil, err
	}
	n.widths = append(append([]int{len(n.feat)}, hidden...), len(n.targ))
	d := 0
	for l := range n.layers() {
		n.offset = append(n.offset, d)
		d += n.widths[l+1] * n.stride(l)
		n.units += n.widths[l+1]
		if d > maxNetworkDim {
			break
		}
	}
	n.offset = append(n.offset, d)
	n.dim = d
	if d > maxNetworkDim {
		return nil, fmt.Errorf("%d inputs, hidden widths %v and %d outputs give more than %d coordinates, the most a network takes; use smaller widths or fewer columns",
			len(n.feat), hidden, len(n.targ), maxNetworkDim)
	}
	return n, nil
}

// hiddenWidths reads h1…h4: h1 ≥ 1, the others 0 (no layer) or more, no layer after a 0.
func hiddenWidths(p map[string]float64) ([]int, error) {
	var widths []int
	for i, name := range []string{"h1", "h2", "h3", "h4"} {
		h := p[name]
		lo := 1
		if i > 0 {
			lo = 0
		}
		if h != math.Trunc(h) || h < float64(lo) || h > maxNetworkDim {
			return nil, fmt.Errorf("the width %s must be a whole number from %d to %d, got %g", name, lo, maxNetworkDim, h)
		}
		if h == 0 {
			continue
		}
		if len(widths) < i {
			return nil, fmt.Errorf("the width %s = %g follows an empty layer (h%d = 0); give the hidden layers in order h1, h2, …", name, h, len(widths)+1)
		}
		widths = append(widths, int(h))
	}
	return widths, nil
}

// setColumns finds the input and target columns for the loss and checks the targets' values.
func (n *network) setColumns(columns []string, values []float64) error {
	isTarget := func(c string) bool { return c == "t" }
	if n.loss == lossXent {
		isTarget = oneHotColumn.MatchString
	}
	for j, c := range columns {
		if isTarget(c) {
			n.targ = append(n.targ, j)
		} else {
			n.feat = append(n.feat, j)
		}
	}
	switch {
	case n.loss == lossXent && len(n.targ) < 2:
		return fmt.Errorf("loss=xent needs one-hot target columns t<c> for at least two classes (--targets onehot writes them), but the data have %v; add --targets onehot, or use loss=mse or loss=logistic with a column t", columns)
	case n.loss != lossXent && len(n.targ) == 0:
		return fmt.Errorf("loss=%s needs a target column t and at least one feature column (every other column) but the data have %v; name the target column t (or use loss=xent with --targets onehot)", lossNames[n.loss], columns)
	case len(n.feat) == 0:
		return fmt.Errorf("the network needs at least one feature column besides the targets, but the data have only %v", columns)
	}
	if n.loss == lossLogistic {
		ti := n.targ[0]
		for r := 0; r*n.ncol < len(values); r++ {
			if v := values[r*n.ncol+ti]; !(v >= 0 && v <= 1) {
				return fmt.Errorf("loss=logistic needs the label column t to hold 0 or 1 (or a probability in [0, 1]), but data row %d (the header not counted) has t = %g; use --targets 01", r+1, v)
			}
		}
	}
	return nil
}

// choice reads a parameter with named choices, stored as the index of the choice.
func choice(p map[string]float64, name string, names []string) (int, error) {
	v := p[name]
	if v != math.Trunc(v) || v < 0 || int(v) >= len(names) {
		return 0, fmt.Errorf("parameter %s must be one of %s (or its index 0–%d), got %g", name, choiceList(names), len(names)-1, v)
	}
	return int(v), nil
}

// defaultStart is the mlp's start guess at k = 1: xᵢ = 0.5·sin(i) (i from 1), as the expression
// mlp had, for shapes of at most 64 coordinates (which it accepted); beyond, each weight is
// divided by sqrt(fan-in), the inputs + bias of its unit, so that a unit's pre-activation stays of
// order one however wide its layer (LeCun et al., "Efficient BackProp", 1998, §4.6).
func (n *network) defaultStart() []float64 {
	start := make([]float64, n.dim)
	for i := range start {
		start[i] = 0.5 * math.Sin(float64(i+1))
	}
	if n.dim <= maxDataModelDim {
		return start
	}
	for l := range n.layers() {
		f := 1 / math.Sqrt(float64(n.stride(l)))
		for i := n.offset[l]; i < n.offset[l+1]; i++ {
			start[i] *= f
		}
	}
	return start
}

// netState is one sample's passes at one θ: pre-activations z, activations a (the inputs first,
// then every unit's output), the activation's first two derivatives d1, d2 at z, and the
// back-propagated errors δ = ∂ℓ/∂z. Layer l's units start at unitStart(l) in z, d1, d2 and δ, and
// at widths[0] + unitStart(l) in a. The Hessian keeps one per row (the R-operator's passes in
// every direction read them).
type netState struct {
	z, a, d1, d2, delta []float64
}

func (n *network) newState() netState {
	u := n.units
	return netState{z: make([]float64, u), a: make([]float64, n.widths[0]+u), d1: make([]float64, u), d2: make([]float64, u), delta: make([]float64, u)}
}

// netScratch is one goroutine's work space: a row's state, the R-operator's values R{z}, R{a},
// R{δ}, and w = scale·θ, the HVP's direction v and a gradient accumulator g.
type netScratch struct {
	st             netState
	rz, ra, rdelta []float64
	w, v, g        []float64
}

func (n *network) newScratch() *netScratch {
	u, in := n.units, n.widths[0]
	return &netScratch{st: n.newState(), rz: make([]float64, u), ra: make([]float64, in+u), rdelta: make([]float64, u),
		w: make([]float64, n.dim), v: make([]float64, n.dim), g: make([]float64, n.dim)}
}

// unitStart is the index of layer l's first unit (l = 0: the first hidden layer) in z and δ; in a,
// add widths[0].
func (n *network) unitStart(l int) int {
	s := 0
	for i := range l {
		s += n.widths[i+1]
	}
	return s
}

// setW writes w = scale·θ into s.w.
func (n *network) setW(s *netScratch, x []float64) {
	for i, xi := range x[:n.dim] {
		s.w[i] = n.scale * xi
	}
}

// actEval returns the activation and its first two derivatives at z.
func (n *network) actEval(z float64) (a, d1, d2 float64) {
	switch n.act {
	case actReLU:
		if z > 0 {
			return z, 1, 0
		}
		return 0, 0, 0
	case actSoftplus:
		sg := sigmoid(z)
		return softplus(z), sg, sg * (1 - sg)
	}
	t := math.Tanh(z)
	d := 1 - t*t
	return t, d, -2 * t * d
}

// softplus is log(1 + eᶻ), stable at every z.
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

// sigmoid is 1/(1 + e⁻ᶻ), stable at every z.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// forward runs the network on the row with weights w, filling st's z, a, d1 and d2 (the output
// layer is linear: d1 = 1, d2 = 0).
func (n *network) forward(st *netState, w, row []float64) {
	in := n.widths[0]
	for i, c := range n.feat {
		st.a[i] = row[c]
	}
	prev := 0 // index in a of the layer's inputs
	for l := range n.layers() {
		nin, nout, stride := n.widths[l], n.widths[l+1], n.stride(l)
		u0 := n.unitStart(l)
		inputs := st.a[prev : prev+nin]
		for j := range nout {
			wj := w[n.offset[l]+j*stride:]
			z := 0.0
			for i, ai := range inputs {
				z += wj[i] * ai
			}
			if n.bias == 1 {
				z += wj[nin]
			}
			u := u0 + j
			st.z[u] = z
			if l < n.layers()-1 {
				st.a[in+u], st.d1[u], st.d2[u] = n.actEval(z)
			} else {
				st.a[in+u], st.d1[u], st.d2[u] = z, 1, 0
			}
		}
		prev = in + u0
	}
}

// output is the index of the first output unit in z and δ.
func (n *network) output() int { return n.units - n.widths[len(n.widths)-1] }

// outLoss is ℓ of the outputs for the row, and writes ∂ℓ/∂z into st.delta's output units.
func (n *network) outLoss(st *netState, row []float64) float64 {
	o := n.output()
	z, dz := st.z[o:], st.delta[o:]
	switch n.loss {
	case lossMSE:
		r := z[0] - row[n.targ[0]]
		dz[0] = r
		return 0.5 * r * r
	case lossLogistic:
		t := row[n.targ[0]]
		dz[0] = sigmoid(z[0]) - t
		return softplus(z[0]) - t*z[0]
	}
	zmax := slices.Max(z[:len(n.targ)])
	sum := 0.0
	for c := range n.targ {
		sum += math.Exp(z[c] - zmax)
	}
	lse := zmax + math.Log(sum)
	tsum, l := 0.0, 0.0
	for c, col := range n.targ {
		tsum += row[col]
		l -= row[col] * z[c]
	}
	for c, col := range n.targ {
		dz[c] = tsum*math.Exp(z[c]-lse) - row[col]
	}
	return tsum*lse + l
}

// backward propagates the output errors in st.delta to every unit and, unless g is nil, adds the
// per-sample weight gradient ∂ℓ/∂w to g.
func (n *network) backward(st *netState, w, g []float64) {
	in := n.widths[0]
	for l := n.layers() - 1; l >= 0; l-- {
		nin, nout, stride := n.widths[l], n.widths[l+1], n.stride(l)
		u0 := n.unitStart(l)
		if g != nil {
			prev := 0
			if l > 0 {
				prev = in + n.unitStart(l-1)
			}
			inputs := st.a[prev : prev+nin]
			for j := range nout {
				dj := st.delta[u0+j]
				gj := g[n.offset[l]+j*stride:]
				for i, ai := range inputs {
					gj[i] += dj * ai
				}
				if n.bias == 1 {
					gj[nin] += dj
				}
			}
		}
		if l == 0 {
			break
		}
		p0 := n.unitStart(l - 1)
		for i := range nin {
			sum := 0.0
			for j := range nout {
				sum += w[n.offset[l]+j*stride+i] * st.delta[u0+j]
			}
			st.delta[p0+i] = st.d1[p0+i] * sum
		}
	}
}

// decay is (wd/2)|w|².
func (n *network) decay(w []float64) float64 {
	if n.wd == 0 {
		return 0
	}
	sq := 0.0
	for _, wi := range w {
		sq += wi * wi
	}
	return 0.5 * n.wd * sq
}

// addSampleGradient adds ∂ℓ/∂w of the row (no weight decay, no scale) to g and returns ℓ's
// network part. s.w must hold scale·θ.
func (n *network) addSampleGradient(s *netScratch, row, g []float64) float64 {
	n.forward(&s.st, s.w, row)
	l := n.outLoss(&s.st, row)
	n.backward(&s.st, s.w, g)
	return l
}

// finishGradient turns the mean ∂ℓ/∂w in g into the gradient in θ: sqrt(k)·(g + wd·w).
func (n *network) finishGradient(s *netScratch, g []float64) {
	for i := range g[:n.dim] {
		g[i] = n.scale * (g[i] + n.wd*s.w[i])
	}
}

// choiceList is "tanh, relu or softplus".
func choiceList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	out := ""
	for i, s := range names[:len(names)-1] {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out + " or " + names[len(names)-1]
}
