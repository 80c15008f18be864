package sweep

import (
	"math"
	"strings"

	"github.com/kramers-sim/kramers/host"
)

// Axis is the x coordinate of a sweep plot and fit: a function of the prepared problem.
type Axis struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Column is the CSV column of the axis ("axis_inv_k"), Unit its unit, and Reading what a
	// straight line of ln τ against it means (docs/theory.md §4), for the panel titles.
	Column  string `json:"column"`
	Unit    string `json:"unit"`
	Reading string `json:"reading"`
	of      func(p *host.Problem, value float64) float64
	// uses is the model-specific run flag the axis is made of ("batch", "temp"), "" for none: the
	// axis applies only to the noise models that use it (Applies).
	uses string
}

// Of evaluates the axis for one point.
func (a Axis) Of(p *host.Problem, value float64) float64 { return a.of(p, value) }

// AppliesTo reports whether the axis means something for the noise model: B/η only for the SGD
// models (which have a batch), 1/T only for sgld.
func (a Axis) AppliesTo(noise host.NoiseModel) bool { return a.uses == "" || Applies(a.uses, noise) }

// AxisNames lists the accepted values of --axis.
var AxisNames = []string{"value", "1/value", "log", "1/k", "logk", "B/eta", "1/T", "log-loss-ratio"}

func sharpness(p *host.Problem) float64 {
	if k, ok := p.Landscape.Params["k"]; ok && k > 0 {
		return k
	}
	return 1
}

// NaturalAxis is the name of the axis on which theory predicts a straight line of ln τ for the
// varied NAME under the noise model (docs/theory.md §4.1, §4.2, §4.4, §4.5):
//   - k: 1/k for the SGD noise models (ln τ linear in 1/k: exponential in the flatness), ln k for
//     sgld (τ ∝ 1/k: ln τ linear in ln k with slope −1, the sharpness only in the prefactor; the
//     panel titles write it τ = c/k, as the plot font has no ∝);
//   - batch, lr under SGD noise: B/η; temp: 1/T (Arrhenius);
//   - l0 under sgd-loss: ln(L(b)/L(a)) (Mori et al.'s power law);
//   - anything else: the value itself.
func NaturalAxis(varied string, noise host.NoiseModel) string {
	switch {
	case varied == "k" && noise == host.SGLD:
		return "logk"
	case varied == "k":
		return "1/k"
	case (varied == "batch" || varied == "lr") && noise != host.SGLD:
		return "B/eta"
	case varied == "temp":
		return "1/T"
	case varied == "l0" && noise == host.SGDLoss:
		return "log-loss-ratio"
	}
	return "value"
}

// NewAxis returns the named axis, or the natural one for the varied NAME and the noise model when
// name is "" (NaturalAxis).
func NewAxis(name, varied string, noise host.NoiseModel) (Axis, error) {
	if name == "" {
		name = NaturalAxis(varied, noise)
	}
	switch name {
	case "value":
		return Axis{Name: name, Label: varied, Column: "", Unit: ParamUnit(varied), Reading: "ln τ̂ against " + varied,
			of: func(_ *host.Problem, v float64) float64 { return v }}, nil
	case "1/value":
		return Axis{Name: name, Label: "1/" + varied, Column: "axis_inv_" + varied, Unit: "1/(" + ParamUnit(varied) + ")",
			Reading: "straight: τ exponential in 1/" + varied, of: func(_ *host.Problem, v float64) float64 { return 1 / v }}, nil
	case "log":
		return Axis{Name: name, Label: "ln " + varied, Column: "axis_ln_" + varied, Unit: "ln of " + ParamUnit(varied),
			Reading: "straight: τ a power of " + varied, of: func(_ *host.Problem, v float64) float64 { return math.Log(v) }}, nil
	case "1/k":
		return Axis{Name: name, Label: "1/k (inverse sharpness, dimensionless)", Column: "axis_inv_k", Unit: "dimensionless",
			Reading: "straight: τ exponential in 1/k (SGD noise, theory §4.5)",
			of:      func(p *host.Problem, _ float64) float64 { return 1 / sharpness(p) }}, nil
	case "logk":
		return Axis{Name: name, Label: "ln k (sharpness, dimensionless)", Column: "axis_ln_k", Unit: "dimensionless",
			Reading: "straight with slope −1: τ = c/k, polynomial (SGLD, theory §4.1)",
			of:      func(p *host.Problem, _ float64) float64 { return math.Log(sharpness(p)) }}, nil
	case "B/eta":
		return Axis{Name: name, Label: "B/η (dimensionless)", Column: "axis_B_over_eta", Unit: "dimensionless",
			Reading: "straight: τ exponential in B/η (theory §4.2)", uses: "batch",
			of: func(p *host.Problem, _ float64) float64 { return p.Config.Batch / p.Config.LR }}, nil
	case "1/T":
		return Axis{Name: name, Label: "1/T (inverse temperature, 1/loss units)", Column: "axis_inv_T", Unit: "1/loss units",
			Reading: "straight: Arrhenius, τ exponential in ΔL/T (theory §4.1)", uses: "temp",
			of: func(p *host.Problem, _ float64) float64 { return 1 / p.Config.Temp }}, nil
	case "log-loss-ratio":
		return Axis{Name: name, Label: "ln(L(b)/L(a)) (dimensionless)", Column: "axis_ln_loss_ratio", Unit: "dimensionless",
			Reading: "straight: τ a power of L(b)/L(a) (Mori et al., theory §4.4)",
			of: func(p *host.Problem, _ float64) float64 {
				return math.Log(p.Analysis.LossSaddle / p.Analysis.LossMinimum)
			}}, nil
	}
	return Axis{}, inputErr("axis", "unknown axis %q; use one of %s", name, strings.Join(AxisNames, ", "))
}
