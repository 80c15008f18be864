package host

import (
	"math"
	"strconv"

	"github.com/kramers-sim/kramers/host/theory"
)

// Predictions computes every theory of theory.md §4 that has something to say about p, keyed by
// name. A formula that does not apply is present with a nil τ and the reason.
func Predictions(p *Problem) map[string]theory.Prediction {
	an, cfg := p.Analysis, p.Config
	out := map[string]theory.Prediction{}
	lb := an.HessianSaddleEigenvalues[0]
	switch cfg.Noise {
	case SGLD:
		out["eyring_kramers"] = theory.EyringKramers(an.HessianMinEigenvalues, an.HessianSaddleEigenvalues, an.DeltaL, cfg.Temp)
	case SGDHessian:
		if p.Landscape.Name == "pwq" && p.Dim == 1 {
			pr := theory.XiePWQ(an.HessianMinEigenvalues[0], math.Abs(lb), an.DeltaL, cfg.Batch, cfg.LR)
			if cfg.Floor > 0 && pr.Tau != nil {
				pr.Reason = "the floor ε is not part of Xie et al.'s formula; compare at ε = 0"
			}
			out["xie"] = pr
		} else {
			out["xie"] = theory.Prediction{Name: "xie", Formula: "theory.md §4.2",
				Reason: "the path-dependent s is exact only for pwq; fit it from a sweep over --batch or --lr (kramers sweep)"}
		}
	case SGDLoss:
		out["mori"] = theory.Mori(an.HessianMinEigenvalues, an.HessianSaddleEigenvalues, p.escapeQuadratic(an.HessianMin),
			an.LossMinimum, an.LossSaddle, cfg.Batch, cfg.LR, p.Dim)
	}
	out["quadrature"] = p.quadrature()
	return out
}

// escapeQuadratic is eᵀ M e for a row-major d×d matrix M and the escape direction e.
func (p *Problem) escapeQuadratic(m []float64) float64 {
	e := p.Analysis.EscapeDirection
	s := 0.0
	for i := range e {
		for j := range e {
			s += e[i] * m[i*p.Dim+j] * e[j]
		}
	}
	return s
}

// Diffusion1D returns D(θ) of theory.md §1 for a 1-D problem.
func (p *Problem) Diffusion1D() func(float64) float64 {
	cfg, an := p.Config, p.Analysis
	ev := p.Eval
	h := make([]float64, 1)
	x := make([]float64, 1)
	switch cfg.Noise {
	case SGLD:
		return func(float64) float64 { return cfg.Temp }
	case SGDHessian:
		return func(t float64) float64 {
			x[0] = t
			ev.Hessian(x, h)
			return cfg.LR / (2 * cfg.Batch) * (math.Abs(h[0]) + cfg.Floor)
		}
	case SGDHessianMin:
		return func(float64) float64 { return cfg.LR / (2 * cfg.Batch) * an.HessianMin[0] }
	default:
		return func(t float64) float64 {
			x[0] = t
			return cfg.LR / cfg.Batch * ev.Loss(x) * an.HessianMin[0]
		}
	}
}

// quadrature is the exact 1-D mean first-passage time of theory.md §4.3 to the escape point.
func (p *Problem) quadrature() theory.Prediction {
	pr := theory.Prediction{Name: "quadrature", Formula: "exact 1-D mean first-passage time, theory.md §4.3"}
	if p.Dim != 1 {
		pr.Reason = "the quadrature is 1-D only"
		return pr
	}
	if p.Escape.Kind != EscapeHyperplane {
		pr.Reason = "the quadrature needs a one-sided escape point (the default saddle condition)"
		return pr
	}
	sign := p.Analysis.EscapeDirection[0] // ±1: work in u = sign·θ so that escape is u > uE
	ev := p.Eval
	d := p.Diffusion1D()
	x := make([]float64, 1)
	g := make([]float64, 1)
	dL := func(u float64) float64 {
		x[0] = sign * u
		ev.Gradient(x, g)
		return sign * g[0]
	}
	D := func(u float64) float64 { return d(sign * u) }
	u0 := sign * p.Start[0]
	uE := sign*p.Analysis.Saddle[0] + p.Escape.Margin
	var breaks []float64
	if p.Landscape.Name == "pwq" || p.Landscape.Name == "twowell" {
		// The piecewise landscapes switch formula where their curvature jumps; put panel
		// boundaries there so the quadrature never integrates across a kink.
		for _, c := range junctions(p) {
			breaks = append(breaks, sign*c)
		}
	}
	for u := u0; u < uE; u += (uE - u0) / 64 {
		if D(u) <= 0 || math.IsNaN(D(u)) {
			pr.Reason = "D(θ) is not positive between the start and the escape point (theory.md §1: the continuous-time escape time diverges); use --floor"
			return pr
		}
	}
	left, tol := math.NaN(), 0.0 // NaN: theory.ReflectingBoundary walks out until Φ has risen by 50
	if p.Config.Noise == SGDLoss {
		// Loss-proportional noise: Φ grows only like (B/(η·h_a))·ln L, so exp(−Φ) has a power-law
		// tail and the automatic wall lies so far out that the panels cannot resolve the well. Put
		// the wall at 200 well widths w = sqrt(2·L(a)/h_a) left of the start, with panel breaks at
		// geometric distances; the neglected tail is below 1e-8 of the integral for the pwq family
		// with B/(η·h_a) ≥ 2 (checked against a wall twice as far in reproduce's K7).
		ha := p.escapeQuadratic(p.Analysis.HessianMin)
		w := math.Sqrt(2 * math.Max(p.Analysis.LossMinimum, 1e-12) / ha)
		for _, f := range []float64{1, 3, 10, 30, 100} {
			breaks = append(breaks, u0-f*w)
		}
		left, tol = u0-200*w, 1e-7
	}
	tau, relErr, err := theory.MeanFirstPassage1D(dL, D, u0, uE, left, theory.QuadOptions{Breaks: breaks, Tol: tol})
	if err != nil {
		pr.Reason = err.Error()
		return pr
	}
	pr.Tau = &tau
	rate := 1 / tau
	pr.Rate = &rate
	if relErr > 1e-6 {
		pr.Reason = "estimated relative quadrature error " + formatG(relErr)
	}
	return pr
}

// junctions are the points where the piecewise catalogue landscapes switch formula
// (catalogue definitions in host/landscape), scaled by the sharpness k.
func junctions(p *Problem) []float64 {
	pr := p.Landscape.Params
	k := pr["k"]
	if k == 0 {
		k = 1
	}
	s := 1 / math.Sqrt(k)
	switch p.Landscape.Name {
	case "pwq":
		ha, hb, a, b := pr["ha"], pr["hb"], pr["a"], pr["b"]
		return []float64{s * (ha*a + hb*b) / (ha + hb)}
	case "twowell":
		hs, hf, hb, dl := pr["hs"], pr["hf"], pr["hb"], pr["dl"]
		xs := -math.Sqrt(2 * dl * (hs + hb) / (hs * hb))
		xf := math.Sqrt(2 * dl * (hf + hb) / (hf * hb))
		return []float64{s * hs * xs / (hs + hb), s * hf * xf / (hf + hb)}
	}
	return nil
}

func formatG(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
