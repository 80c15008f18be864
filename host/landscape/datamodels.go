package landscape

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// This file is the catalogue of data models (docs/theory.md §8): named per-sample losses that
// --landscape NAME(params) gives together with --data. A model writes its per-sample loss as an
// expression text in the coordinates, the data's column names and numbers (its parameters
// substituted), and ParseData parses that text as it parses a loss the user typed, so the
// gradient, the Hessian, the common subexpressions and the GLSL come from the same machinery. The
// landscape keeps the spec as written, the model's name and its resolved parameters.
//
//   - neuron(c=0, wd=0): ½(x·tanh(y·f + c) − t)², columns f and t, θ = (v, w) = (x, y).
//   - logistic(bias=1, wd=0): softplus(z) − t·z with z = Σⱼ xⱼ·fⱼ (+ x_d with the bias), the
//     cross-entropy of a label t ∈ [0, 1] (log(1 + exp(−s·z)) for t ∈ {0, 1}, s = 2t − 1); the
//     features are every column but t, in the data's order.
//   - mlp(h1=3, h2=0, h3=0, h4=0, bias=1, act=tanh, loss=mse, wd=0): a multilayer perceptron on
//     every column but the targets, compiled (network.go), not written as an expression; the
//     weight order is in network.go.
//
// Every model adds (wd/2)·|θ|² per sample and takes k and l0 like every landscape: the loss is
// ℓ(sqrt(k)·θ) + l0 with ℓ the formula above (weight decay included).

// maxDataModelDim is the largest number of coordinates an expression data model (neuron,
// logistic) may have: the symbolic Hessian has d² entries, and at d = 64 a model still parses in
// well under a second. The compiled network (mlp) has maxNetworkDim.
const maxDataModelDim = 64

// dataModel is a data-model catalogue entry: its Entry (spec grammar, documentation) and the
// function that writes its per-sample loss for the given parameters and data columns.
type dataModel struct {
	ent *catEntry // Name, Doc, Formula and Params (commonParams appended); expr and derive unused
	// expr returns the per-sample loss text without weight decay, the dimension and the start
	// guess (a point of the unsharpened loss), or an error that says what is wrong.
	// The data (values, row-major) are there for checks of their contents.
	expr func(p map[string]float64, columns []string, values []float64) (text string, dim int, start []float64, err error)
	// network: the model is the compiled network of network.go (mlp), expr is nil.
	network bool
}

// wdParam is the parameter every data model takes.
var wdParam = Param{Name: "wd", Default: 0, Doc: "weight decay: adds (wd/2)·|θ|² per sample"}

var dataModels = []*dataModel{
	{
		ent: &catEntry{Entry: Entry{
			Name:    "neuron",
			Formula: "ℓ = ½(x·tanh(y·f + c) − t)² + (wd/2)(x² + y²) + l0, with (x, y) → sqrt(k)·(x, y)",
			Doc: "One-neuron regression t ≈ v·tanh(w·f + c) with θ = (v, w) = (x, y) and the fixed offset c; columns f (input) and t (target). " +
				"At c = 0 the loss is symmetric under θ → −θ: two minima (v, w) and (−v, −w) and the saddle (0, 0), where every per-sample " +
				"gradient vanishes (no minibatch noise there); c ≠ 0 breaks the symmetry and leaves per-sample noise along v at the saddle. " +
				"Default start (1, 1)/sqrt(k).",
			Params: []Param{
				{Name: "c", Default: 0, Doc: "fixed offset inside the tanh (not trained)"},
				wdParam,
			},
		}},
		expr: func(p map[string]float64, columns []string, values []float64) (string, int, []float64, error) {
			if err := needColumns("neuron", columns, "f", "t"); err != nil {
				return "", 0, nil, err
			}
			arg := "y*f"
			if c := p["c"]; c != 0 {
				arg += " + " + num(c)
			}
			return "0.5*(x*tanh(" + arg + ") - t)^2", 2, []float64{1, 1}, nil
		},
	},
	{
		ent: &catEntry{Entry: Entry{
			Name: "logistic",
			Formula: "ℓ = softplus(z) − t·z + (wd/2)|θ|² + l0, z = Σⱼ xⱼ·fⱼ (+ x_d with bias = 1), softplus(z) = log(1 + exp(z)), " +
				"with θ → sqrt(k)·θ",
			Doc: "Logistic regression: the cross-entropy of the label column t ∈ [0, 1] (log(1 + exp(−s·z)), s = 2t − 1, for t ∈ {0, 1}) " +
				"with features f_j = every other column in the data's order, coefficient x_j for feature j, and with bias = 1 the " +
				"intercept as the last coordinate; d = features + bias (at most 64). Convex: one minimum when the classes overlap " +
				"(or wd > 0), none when they are separable. Softplus is written as select(z > 0, z + log(1 + exp(−z)), log(1 + exp(z))), " +
				"exact and stable with its derivatives at every z. Default start 0.",
			Params: []Param{
				{Name: "bias", Default: 1, Doc: "1: an intercept (the last coordinate), 0: none"},
				wdParam,
			},
		}},
		expr: func(p map[string]float64, columns []string, values []float64) (string, int, []float64, error) {
			feats, err := featureColumns("logistic", columns)
			if err != nil {
				return "", 0, nil, err
			}
			bias, err := flag(p, "bias")
			if err != nil {
				return "", 0, nil, err
			}
			ti := slices.Index(columns, "t")
			for r := 0; r*len(columns) < len(values); r++ {
				if v := values[r*len(columns)+ti]; !(v >= 0 && v <= 1) {
					return "", 0, nil, fmt.Errorf("the label column t must hold 0 or 1 (or a probability in [0, 1]), but data row %d (the header not counted) has t = %g", r+1, v)
				}
			}
			d := len(feats) + bias
			if d > maxDataModelDim {
				return "", 0, nil, fmt.Errorf("%d feature columns give d = %d coordinates, more than the %d a data model takes; use fewer columns", len(feats), d, maxDataModelDim)
			}
			terms := make([]string, 0, d)
			for j, f := range feats {
				terms = append(terms, coord(j, d)+"*"+f)
			}
			if bias == 1 {
				terms = append(terms, coord(d-1, d))
			}
			z := "(" + strings.Join(terms, " + ") + ")"
			text := "select(" + z + " > 0, " + z + " + log(1 + exp(-" + z + ")), log(1 + exp(" + z + "))) - t*" + z
			return text, d, make([]float64, d), nil
		},
	},
	{
		ent: &catEntry{Entry: Entry{
			Name: "mlp",
			Formula: "ℓ = loss(out, t) + (wd/2)|θ|² + l0, out = W·h (+ b) linear, h = act(W·u (+ b)) layer by layer from u = the features, " +
				"with θ → sqrt(k)·θ; loss: mse ½(out − t)², logistic softplus(out) − t·out, xent (Σ t_c)·logsumexp(out) − Σ t_c·out_c",
			Doc: "Multilayer perceptron, compiled (a forward and a backward pass over loops, not an expression): features = every column " +
				"but the targets, in the data's order; h1 units, then h2, h3, h4 more (0: no such layer) with the activation act, then a " +
				"linear output layer: one unit for loss=mse (target column t) and loss=logistic (label t ∈ {0, 1}, --targets 01), one per " +
				"class for loss=xent (softmax cross-entropy on the one-hot columns t<c> that --targets onehot writes). With bias = 1 " +
				"every unit has a bias. Coordinates x1…xd, layer by layer, unit by unit: a unit's incoming weights in the order of its " +
				"inputs, then its bias; the output units last. d = Σ_layers (inputs + bias)·units. The Hessian is formed from exact " +
				"Hessian-vector products (no symbolic matrix); the GPU runs the gradient only, so the noise models that need H(θ) or H(a) " +
				"are refused. Default start xᵢ = 0.5·sin(i) (θ = 0 is a critical point), divided by sqrt(fan-in) (inputs + bias of the " +
				"weight's unit) when d > 64, a shape the expression mlp did not take; act and loss take names (act=relu) or their index.",
			Params: []Param{
				{Name: "h1", Default: 3, Doc: "width of the first hidden layer (whole number ≥ 1)"},
				{Name: "h2", Default: 0, Doc: "width of the second hidden layer (0: none)"},
				{Name: "h3", Default: 0, Doc: "width of the third hidden layer (0: none; needs h2 > 0)"},
				{Name: "h4", Default: 0, Doc: "width of the fourth hidden layer (0: none; needs h3 > 0)"},
				{Name: "bias", Default: 1, Doc: "1: every unit has a bias, 0: none"},
				{Name: "act", Default: 0, Doc: "hidden activation: tanh (0), relu (1) or softplus (2)", Choices: activationNames},
				{Name: "loss", Default: 0, Doc: "loss: mse (0, column t), xent (1, columns t<c>) or logistic (2, label t ∈ {0, 1})", Choices: lossNames},
				wdParam,
			},
		}},
		network: true,
	},
}

func init() {
	for _, m := range dataModels {
		m.ent.Params = append(m.ent.Params, commonParams...)
	}
	sort.Slice(dataModels, func(i, j int) bool { return dataModels[i].ent.Name < dataModels[j].ent.Name })
}

// DataModels lists the data-model catalogue (landscapes that need --data), sorted by name. Every
// model takes k and l0 as well.
func DataModels() []Entry {
	out := make([]Entry, len(dataModels))
	for i, m := range dataModels {
		out[i] = m.ent.Entry
		out[i].Params = append([]Param(nil), m.ent.Params...)
	}
	return out
}

func lookupDataModel(name string) *dataModel {
	for _, m := range dataModels {
		if m.ent.Name == name {
			return m
		}
	}
	return nil
}

// lookupSpecEntry is the catalogue entry or the data model called name (their spec grammar is
// one: ParseSpec, Parameters), or nil.
func lookupSpecEntry(name string) *catEntry {
	if ent := lookupEntry(name); ent != nil {
		return ent
	}
	if m := lookupDataModel(name); m != nil {
		return m.ent
	}
	return nil
}

// dataModelNames is "logistic, mlp, neuron".
func dataModelNames() string {
	names := make([]string, len(dataModels))
	for i, m := range dataModels {
		names[i] = m.ent.Name
	}
	return strings.Join(names, ", ")
}

// needColumns reports the columns of want that the data lack, naming both lists.
func needColumns(model string, columns []string, want ...string) error {
	have := map[string]bool{}
	for _, c := range columns {
		have[c] = true
	}
	var missing []string
	for _, w := range want {
		if !have[w] {
			missing = append(missing, w)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("the model needs the data columns %s but the data have %s (missing %s); rename the columns in the data file",
		strings.Join(want, ", "), strings.Join(columns, ", "), strings.Join(missing, ", "))
}

// featureColumns is every column but the target t, in order; t and at least one feature must exist.
func featureColumns(model string, columns []string) ([]string, error) {
	if err := needColumns(model, columns, "t"); err != nil {
		return nil, fmt.Errorf("the model needs a target column t and at least one feature column (every other column) but the data have %s; name the target column t in the data file",
			strings.Join(columns, ", "))
	}
	var feats []string
	for _, c := range columns {
		if c != "t" {
			feats = append(feats, c)
		}
	}
	if len(feats) == 0 {
		return nil, fmt.Errorf("the model needs at least one feature column besides the target t, but the data have only t")
	}
	return feats, nil
}

// flag reads a 0/1 parameter.
func flag(p map[string]float64, name string) (int, error) {
	switch p[name] {
	case 0:
		return 0, nil
	case 1:
		return 1, nil
	}
	return 0, fmt.Errorf("parameter %s must be 0 or 1, got %g", name, p[name])
}

// coord is the name of coordinate i of d in the generated text.
func coord(i, d int) string {
	if d <= 2 {
		return varName(i, d)
	}
	return "x" + strconv.Itoa(i+1)
}

// num writes v so that the expression language reads it back exactly (negative values in
// parentheses).
func num(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if v < 0 || strings.ContainsAny(s, "e") {
		return "(" + s + ")"
	}
	return s
}

// weightDecay is the text of (wd/2)·|θ|² over d coordinates ("" for wd = 0).
func weightDecay(wd float64, d int) string {
	if wd == 0 {
		return ""
	}
	sq := make([]string, d)
	for i := range sq {
		sq[i] = coord(i, d) + "^2"
	}
	return " + " + num(wd/2) + "*(" + strings.Join(sq, " + ") + ")"
}

// parseDataModel builds the data model m from the spec's argument list rest, the values given beside
// it (--param) and the data.
func parseDataModel(spec string, m *dataModel, rest *specArg, dim int, given map[string]float64, columns []string, values []float64) (*Landscape, error) {
	name := m.ent.Name
	params, _, err := m.ent.resolve(spec, rest, given)
	if err != nil {
		return nil, err
	}
	if !(params["k"] > 0) {
		return nil, errAt(0, "%s: parameter k must be positive, got %g", name, params["k"])
	}
	for _, pn := range sortedNames(params) {
		if !finite(params[pn]) {
			return nil, errAt(0, "%s: parameter %s must be a finite number, got %g", name, pn, params[pn])
		}
	}
	if wd := params["wd"]; wd < 0 {
		return nil, errAt(0, "%s: the weight decay wd must be ≥ 0, got %g", name, wd).withExample()
	}
	cols, err := dataColumns(columns, nil)
	if err != nil {
		return nil, err
	}
	if m.network {
		return parseNetwork(spec, params, dim, given, columns, values)
	}
	text, d, start, err := m.expr(params, columns, values)
	if err != nil {
		return nil, errAt(0, "%s: %v", name, err).withExample()
	}
	if dim > 0 && dim != d {
		return nil, errAt(0, "dimension mismatch: %s on these data has dimension %d but dimension %d was asked for", name, d, dim)
	}
	text += weightDecay(params["wd"], d)
	sharp := map[string]float64{"k": params["k"], "l0": params["l0"]}
	l, err := parseExpression(text, d, sharp, cols)
	if err != nil {
		return nil, errAt(0, "%s on these data: %v", name, err)
	}
	l.Spec, l.Name, l.Params = spec, name, params
	l.DefaultStart = l.Sharpen(start)
	l.given = copyParams(given)
	l.Columns = append([]string(nil), columns...)
	l.data = values
	l.Rows = len(values) / len(columns)
	return l, nil
}

// parseNetwork builds the compiled network mlp from its resolved parameters and the data.
func parseNetwork(spec string, params map[string]float64, dim int, given map[string]float64, columns []string, values []float64) (*Landscape, error) {
	n, err := newNetwork(params, columns, values)
	if err != nil {
		return nil, errAt(0, "mlp: %v", err).withExample()
	}
	if dim > 0 && dim != n.dim {
		return nil, errAt(0, "dimension mismatch: mlp on these data has dimension %d but dimension %d was asked for", n.dim, dim)
	}
	sh := sharpnessOf(params)
	l := &Landscape{Spec: spec, Name: "mlp", Dim: n.dim, Params: params, sharp: sh, net: n}
	l.DefaultStart = l.Sharpen(n.defaultStart())
	l.given = copyParams(given)
	l.Columns = append([]string(nil), columns...)
	l.data = values
	l.Rows = len(values) / len(columns)
	return l, nil
}

// IsNetwork reports whether l is a compiled network (the data model mlp): its Hessian comes from
// Hessian-vector products on the CPU only, and its GLSL has no Hessian.
func (l *Landscape) IsNetwork() bool { return l.net != nil }
