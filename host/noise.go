package host

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kramers-sim/kramers/host/textdist"
)

// NoiseParam is a run parameter that only some noise models use: a flag of run, and a name that
// sweep --vary and --compare take.
type NoiseParam struct {
	Flag  string // the flag and sweep name: temp, batch, floor
	Unit  string // for tables, CSV headers and JSON
	Range string // what values are accepted, in words
}

// NoiseSpec describes one noise model (docs/theory.md §1, §8). It is the one place that knows
// what a model is: which parameters it uses, whether it needs data, which theory values apply,
// what each backend runs. Flag applicability (run, theory, view, sweep --vary and --compare),
// did-you-mean candidates, the help text and the messages all read NoiseSpecs.
//
// How to add a noise model: one entry here, its constant beside the others, its step on each
// backend (validate/cpu.go's noise routine; NOISE_MODEL in shaders/step.comp.glsl and the
// constants of gpu/stepsource.go), its D(θ) in docs/theory.md §1 and its theory in host/predict.go
// (docs/architecture.md, "How to add a noise model").
type NoiseSpec struct {
	Model NoiseModel
	// Noise is the diffusion matrix or step in one line.
	Noise string
	// Synonyms are names people try for this model (lower case).
	Synonyms []string
	// Params are the model-specific parameters it uses, by flag.
	Params []string
	// NeedsData: the model exists only for a finite data set (--data).
	NeedsData bool
	// NeedsHessian: the step uses the Hessian, H(θ) or H(a), as a d×d matrix; Prepare refuses the
	// model on a compiled network (the data model mlp), whose Hessian exists only as
	// Hessian-vector products on the CPU (host/landscape network.go).
	NeedsHessian bool
	// Theory lists the theory values (keys of Result.Theory) that can apply, in preference order.
	Theory []string
	// Limits says what no backend runs ("" if nothing); GPULimits what the GPU backend does not
	// run beyond that (Prepare enforces both).
	Limits, GPULimits string
}

// NoiseParams are the model-specific parameters, by flag.
var NoiseParams = map[string]NoiseParam{
	"temp":  {Flag: "temp", Unit: "loss units (temperature T)", Range: "T > 0"},
	"batch": {Flag: "batch", Unit: "dimensionless batch size B", Range: "B > 0; a whole number of rows B ≥ 1 under minibatch"},
	"floor": {Flag: "floor", Unit: "loss curvature units (ε added to |H|)", Range: "ε ≥ 0"},
}

// NoiseSpecs lists every noise model, those without data first.
var NoiseSpecs = []NoiseSpec{
	{Model: SGLD, Noise: "D = T·I (white noise, Langevin)", Synonyms: []string{"langevin", "white", "isotropic", "gld"},
		Params: []string{"temp"}, Theory: []string{"discrete", "quadrature", "eyring_kramers", "path"}},
	{Model: SGDHessian, Noise: "D = (η/2B)(|H(θ)| + εI) (Xie et al.)", Synonyms: []string{"sgd", "hessian", "sgd-h", "sgdhessian"},
		Params: []string{"batch", "floor"}, NeedsHessian: true, Theory: []string{"discrete", "quadrature", "xie", "path"},
		Limits: fmt.Sprintf("d ≤ %d on a landscape that is not separable (the square root of |H| each step)", MaxJacobiDim)},
	{Model: SGDHessianMin, Noise: "D = (η/2B)·H(a) (fixed at the minimum)", Synonyms: []string{"hessian-min", "sgd-hmin"},
		Params: []string{"batch"}, NeedsHessian: true, Theory: []string{"discrete", "quadrature", "path"}},
	{Model: SGDLoss, Noise: "D = (η/B)·L(θ)·H(a) (Mori et al.)", Synonyms: []string{"sgd", "mori", "loss"},
		Params: []string{"batch"}, NeedsHessian: true, Theory: []string{"discrete", "quadrature", "mori", "path"}},
	{Model: Minibatch, Noise: "real SGD: the mean gradient of B rows drawn by --sampling", Synonyms: []string{"sgd", "mini-batch", "true-sgd"},
		Params: []string{"batch"}, NeedsData: true, Theory: []string{"discrete", "quadrature", "path"},
		GPULimits: fmt.Sprintf("B ≤ %d rows per step", MaxGPUBatch)},
	{Model: SGDCov, Noise: "Gaussian steps with the exact minibatch covariance (η²/B)·f·C(θ)", Synonyms: []string{"cov", "gaussian", "sgdcov"},
		Params: []string{"batch"}, NeedsData: true, Theory: []string{"discrete", "quadrature", "path"},
		GPULimits: fmt.Sprintf("d ≤ %d (the square root of C each step)", MaxJacobiDim)},
}

// Spec returns the description of m (ok false for an unknown model).
func (m NoiseModel) Spec() (NoiseSpec, bool) {
	for _, s := range NoiseSpecs {
		if s.Model == m {
			return s, true
		}
	}
	return NoiseSpec{}, false
}

// Uses reports whether the model uses the model-specific parameter flag; every other name (lr,
// k, a landscape parameter) applies to every model.
func (m NoiseModel) Uses(flag string) bool {
	if _, specific := NoiseParams[flag]; !specific {
		return true
	}
	s, ok := m.Spec()
	return ok && slices.Contains(s.Params, flag)
}

// NoiseUsers lists the models that use a model-specific parameter, in NoiseSpecs order.
func NoiseUsers(flag string) []NoiseModel {
	var out []NoiseModel
	for _, s := range NoiseSpecs {
		if slices.Contains(s.Params, flag) {
			out = append(out, s.Model)
		}
	}
	return out
}

// NoiseNames lists the models' names, those that need data marked "(with --data)" when marked.
func NoiseNames(marked bool) string {
	var plain, data []string
	for _, s := range NoiseSpecs {
		if s.NeedsData {
			data = append(data, string(s.Model))
		} else {
			plain = append(plain, string(s.Model))
		}
	}
	if marked {
		return strings.Join(plain, ", ") + "; with --data also " + strings.Join(data, ", ")
	}
	return strings.Join(append(plain, data...), ", ")
}

// ParseNoise reads a model name in any case. For an unknown name it returns a suggestion: the
// models a synonym stands for, or the nearest name within edit distance 3.
func ParseNoise(name string) (NoiseModel, string, bool) {
	low := strings.ToLower(strings.TrimSpace(name))
	if _, ok := NoiseModel(low).Spec(); ok {
		return NoiseModel(low), "", true
	}
	var syn []string
	for _, s := range NoiseSpecs {
		if slices.Contains(s.Synonyms, low) {
			syn = append(syn, string(s.Model))
		}
	}
	if len(syn) > 0 {
		return NoiseModel(name), strings.Join(syn, " or "), false
	}
	best, bestD := "", 4
	for _, s := range NoiseSpecs {
		if d := textdist.EditDistance(low, string(s.Model)); d < bestD {
			best, bestD = string(s.Model), d
		}
	}
	return NoiseModel(name), best, false
}

// UnknownNoise is the message for a name ParseNoise did not know.
func UnknownNoise(name, hint string) string {
	msg := "unknown noise model " + "\"" + name + "\""
	if hint != "" {
		msg += "; did you mean " + hint + "?"
	}
	return msg + " (the models: " + NoiseNames(true) + ")"
}
