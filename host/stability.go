package host

import (
	"fmt"
	"github.com/kramers-sim/kramers/host/landscape"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Stability is the step-size check of gradient descent on the escape problem. The map
// θ ← θ − η∇L(θ) is stable at a minimum only while η·λ_max(H) < 2 (on a quadratic the iteration
// multiplies the error along an eigenvector by 1 − ηλ, which must stay inside (−1, 1)); the well is
// then no metastable state and no escape rate exists. Between 1 and 2 the iteration overshoots and
// oscillates, and the O(η) bias of the discrete chain against its continuous limit is large
// (docs/theory.md §4.3). The check looks at the largest positive Hessian eigenvalue at the minimum
// and along the straight segment from the minimum to the saddle (in 1-D the escape path itself;
// in d ≥ 2 an approximation of the minimum-energy path), before anything is simulated.
type Stability struct {
	LambdaMax float64   `json:"lambda_max"`    // the largest positive Hessian eigenvalue found
	At        []float64 `json:"at"`            // where it was found
	EtaLambda float64   `json:"eta_lambda"`    // η·λ_max
	Unstable  bool      `json:"unstable"`      // η·λ_max ≥ 2: no metastable well at this η
	Overshoot bool      `json:"overshoot"`     // η·λ_max ≥ 1: gradient descent oscillates
	MaxStable float64   `json:"max_stable_lr"` // 2/λ_max, the stability limit of η
}

// stabilityPoints is the number of points on the segment from the minimum to the saddle at which
// the Hessian is examined.
const stabilityPoints = 64

// StepStability examines the Hessian at the minimum and along the segment to the saddle.
func (p *Problem) StepStability() Stability {
	d := p.Dim
	a, b := p.Analysis.Minimum, p.Analysis.Saddle
	points := stabilityPoints
	if b == nil { // a trained minimum has no saddle (host/trained.go): the minimum only
		b, points = a, 0
	}
	x := make([]float64, d)
	h := make([]float64, d*d)
	vals := make([]float64, d)
	var eig mat.EigenSym
	st := Stability{At: append([]float64(nil), a...)}
	for i := 0; i <= points; i++ {
		f := float64(i) / stabilityPoints
		for k := range x {
			x[k] = a[k] + f*(b[k]-a[k])
		}
		p.Eval.Hessian(x, h)
		var top float64
		if d == 1 {
			top = h[0]
		} else if eig.Factorize(mat.NewSymDense(d, h), false) {
			top = eig.Values(vals)[d-1]
		} else {
			continue
		}
		if top > st.LambdaMax {
			st.LambdaMax = top
			st.At = append(st.At[:0], x...)
		}
	}
	st.EtaLambda = p.Config.LR * st.LambdaMax
	st.Unstable = st.EtaLambda >= 2
	st.Overshoot = st.EtaLambda >= 1
	if st.LambdaMax > 0 {
		st.MaxStable = 2 / st.LambdaMax
	} else {
		st.MaxStable = math.Inf(1)
	}
	return st
}

// Reason is the one-line explanation of an unstable step size.
func (s Stability) Reason() string {
	return fmt.Sprintf("η·λ_max(H) = %.3g ≥ 2 (λ_max = %.4g at θ = %s): gradient descent is unstable there, so no escape rate exists at this η; use --lr below %.3g", s.EtaLambda, s.LambdaMax, fmtPoint(s.At), s.MaxStable)
}

// Warning is the caution for 1 ≤ η·λ_max < 2.
func (s Stability) Warning() string {
	return fmt.Sprintf("η·λ_max(H) = %.3g ≥ 1 (λ_max = %.4g at θ = %s): gradient descent overshoots and the discrete chain is far from its continuous limit; compare with the exact-discrete value, not a continuous-time formula (stable only for --lr < %.3g)", s.EtaLambda, s.LambdaMax, fmtPoint(s.At), s.MaxStable)
}

func fmtPoint(x []float64) string { return landscape.FormatPoint(x, 4) }
