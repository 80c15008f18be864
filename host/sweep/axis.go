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
	of    func(p *host.Problem, value float64) float64
}

// Of evaluates the axis for one point.
func (a Axis) Of(p *host.Problem, value float64) float64 { return a.of(p, value) }

// AxisNames lists the accepted values of --axis.
var AxisNames = []string{"value", "1/value", "log", "1/k", "logk", "B/eta", "1/T", "log-loss-ratio"}

func sharpness(p *host.Problem) float64 {
	if k, ok := p.Landscape.Params["k"]; ok && k > 0 {
		return k
	}
	return 1
}

// NewAxis returns the named axis, or the natural one for the varied NAME and the noise model when
// name is "" (theory.md §4.2 and §4.5): 1/k for k, B/η for batch and lr under SGD noise, 1/T for
// temp, ln(L(b)/L(a)) for l0 under sgd-loss (§4.4), the value itself otherwise.
func NewAxis(name, varied string, noise host.NoiseModel) (Axis, error) {
	if name == "" {
		switch {
		case varied == "k":
			name = "1/k"
		case (varied == "batch" || varied == "lr") && noise != host.SGLD:
			name = "B/eta"
		case varied == "temp":
			name = "1/T"
		case varied == "l0" && noise == host.SGDLoss:
			name = "log-loss-ratio"
		default:
			name = "value"
		}
	}
	switch name {
	case "value":
		return Axis{name, varied, func(_ *host.Problem, v float64) float64 { return v }}, nil
	case "1/value":
		return Axis{name, "1/" + varied, func(_ *host.Problem, v float64) float64 { return 1 / v }}, nil
	case "log":
		return Axis{name, "ln " + varied, func(_ *host.Problem, v float64) float64 { return math.Log(v) }}, nil
	case "1/k":
		return Axis{name, "1/k (inverse sharpness, dimensionless)", func(p *host.Problem, _ float64) float64 { return 1 / sharpness(p) }}, nil
	case "logk":
		return Axis{name, "ln k (sharpness, dimensionless)", func(p *host.Problem, _ float64) float64 { return math.Log(sharpness(p)) }}, nil
	case "B/eta":
		return Axis{name, "B/η (dimensionless)", func(p *host.Problem, _ float64) float64 { return p.Config.Batch / p.Config.LR }}, nil
	case "1/T":
		return Axis{name, "1/T (inverse temperature, 1/loss units)", func(p *host.Problem, _ float64) float64 { return 1 / p.Config.Temp }}, nil
	case "log-loss-ratio":
		return Axis{name, "ln(L(b)/L(a)) (dimensionless)", func(p *host.Problem, _ float64) float64 {
			return math.Log(p.Analysis.LossSaddle / p.Analysis.LossMinimum)
		}}, nil
	}
	return Axis{}, inputErr("axis", "unknown axis %q; use one of %s", name, strings.Join(AxisNames, ", "))
}
