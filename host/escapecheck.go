package host

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/survival"
	"github.com/kramers-sim/kramers/host/textdist"
	"gonum.org/v1/gonum/stat"
)

// Escapes by loss level and by distance (docs/guide.md, "Escape conditions"; docs/theory.md §2,
// "Monitoring every m iterations"): the names loss, loss_a and dist of an --escape condition, the
// period m at which a condition that uses the full-batch loss is checked, and the pilot that
// proposes a loss level where a landscape has no exits that kramers can search.

// reference binds loss, loss_a and dist to the run's minimum a (known once Analyze has run).
func (p *Problem) reference() *landscape.Reference {
	return &landscape.Reference{Minimum: p.Analysis.Minimum, LossMinimum: p.Analysis.LossMinimum, Loss: p.Eval.Loss}
}

// ParseOrder parses an order parameter of p: an expression in the coordinates and in loss,
// loss_a and dist (forward flux sampling, host/ffs.go).
func (p *Problem) ParseOrder(src string) (*landscape.Scalar, error) {
	return landscape.ParseScalarAt(src, p.Dim, p.reference())
}

// ExpressionEscape is the escape condition of src (the condition language, as --escape EXPR) with
// loss, loss_a and dist bound to p's minimum, checked every iteration: both backends evaluate the
// same parsed tree. Forward flux sampling (host/ffs) runs each stage with one.
func (p *Problem) ExpressionEscape(src string) (*EscapeCondition, error) {
	c, err := landscape.ParseConditionAt(src, p.Dim, p.reference())
	if err != nil {
		return nil, err
	}
	return &EscapeCondition{Kind: EscapeExpression, Text: src, expr: c, exprFn: c.Func()}, nil
}

// suggestReferenceName adds "did you mean dist?" to a parser error about an unknown name within
// two edits of loss, loss_a or dist.
func suggestReferenceName(err error) string {
	var le *landscape.Error
	if !errors.As(err, &le) || le.Unknown == "" {
		return ""
	}
	best, bestD := "", 3
	for _, n := range landscape.ReferenceNames {
		if d := textdist.EditDistance(strings.ToLower(le.Unknown), n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %s? ", best)
}

// checkShareTarget is the most that the escape check may cost, as a share of the steps' work: the
// 10% of docs/theory.md §2 ("Monitoring every m iterations").
const checkShareTarget = 0.1

// setCheckPeriod fixes how often p's escape condition is checked: every Config.CheckEvery
// iterations where given; else every iteration, unless the condition uses the full-batch loss of a
// data landscape. That costs N per-sample losses, against a step's R per-sample gradients (R = B
// for real SGD, N for the models whose gradient or covariance is a full-data mean), so it is checked
// every
//
//	m = ⌈N·c_loss / (0.1·R·c_grad)⌉
//
// iterations (c_loss/c_grad: landscape.Evaluator.RowCostRatio), which keeps it near 10% of the
// steps' row work (docs/theory.md §2). Without data the loss is one evaluation of the expression, no
// dearer than the step's own gradient, and is checked every iteration.
func (p *Problem) setCheckPeriod() {
	c := p.Escape
	if n := p.Config.CheckEvery; n > 0 {
		c.CheckPeriod = n
		c.CheckNote = fmt.Sprintf("checked every %d iterations, as configured; an escape is recorded at the check that sees it, up to m − 1 iterations late (docs/theory.md §2)", n)
		return
	}
	if c.expr == nil || !c.expr.UsesLoss() || !p.Landscape.HasData() {
		return
	}
	n := float64(p.Landscape.Rows)
	r := n
	if p.Config.Noise == Minibatch {
		r = p.Config.Batch
	}
	ratio := p.Eval.RowCostRatio()
	m := int(math.Ceil(n * ratio / (checkShareTarget * r)))
	if m <= 1 {
		return
	}
	c.CheckPeriod = m
	c.CheckNote = fmt.Sprintf("checked every m = %d iterations: the full-batch loss costs N = %d per-sample losses against %g per-sample gradients a step (c_loss/c_grad = %.3g), m keeps the check near %.0f%% of the steps; an escape is recorded at the check that sees it, up to m − 1 iterations late (docs/theory.md §2)",
		m, p.Landscape.Rows, r, ratio, 100*checkShareTarget)
}

// Period is m, the check period of the condition: 1 when it is checked after every iteration.
func (c *EscapeCondition) Period() int { return max(c.CheckPeriod, 1) }

// CheckedAfter reports whether the condition is checked after iteration it (0-based, counted from
// the run's iteration 0, as the Philox counter): after the iterations whose count it+1 is a
// multiple of m. A resumed or chunked run checks the same iterations as an unbroken one.
func (c *EscapeCondition) CheckedAfter(it int) bool { return (it+1)%c.Period() == 0 }

// monitoringResolution is how many check periods τ̂ must span: an escape is recorded up to m − 1
// iterations late ((m − 1)/2 on average), which biases τ̂ by O(m/τ̂) (docs/theory.md §2); at
// m ≤ τ̂/100 that is at most 1%, within the 2% the trust suite allows for what the burn-in leaves.
const monitoringResolution = 100

// monitoringUnresolved withdraws a rate whose τ̂ (iterations) does not span monitoringResolution
// check periods m.
func monitoringUnresolved(e *survival.Estimate, m int) {
	if m <= 1 || !e.Resolved || e.TauIterations == nil || float64(m)*monitoringResolution <= *e.TauIterations {
		return
	}
	e.Note = fmt.Sprintf("unresolved: τ̂ = %.4g iterations is not ≫ the check period m = %d (m > τ̂/%d): an escape is recorded up to m − 1 iterations late, a bias of order m/τ̂ (docs/theory.md §2); raise the loss level or check more often",
		*e.TauIterations, m, monitoringResolution)
	e.Rate, e.Tau, e.TauIterations, e.Resolved = nil, nil, nil, false
}

// MaxExitSearchDim is the largest dimension in which the exits of a basin are searched when no
// --escape is given: beyond it (a network's parameters) the saddle search of every direction of
// H_a is not affordable, and a loss level or a distance is the escape (NoExitsError).
const MaxExitSearchDim = 64

// NoExitsError says that a landscape has no exits that kramers can search (d > MaxExitSearchDim,
// or a degenerate minimum) and no --escape was given. ProposeEscape turns it into the input error
// with a proposed loss level; unwrapped it is that input error without the proposal.
type NoExitsError struct {
	Reason string // why there are no searchable exits
	err    *InputError
}

func newNoExitsError(reason string) *NoExitsError {
	return &NoExitsError{Reason: reason, err: &InputError{Flag: "escape", Msg: reason + "; give --escape with the escape region, such as 'loss - loss_a > 0.1' or 'dist > 1'"}}
}

func (e *NoExitsError) Error() string { return e.err.Error() }

// Unwrap makes a NoExitsError an *InputError (exit code 2) for callers that do not run the pilot.
func (e *NoExitsError) Unwrap() error { return e.err }

// Pilot is what the short pilot run at the minimum measured: the stationary fluctuation of
// L − L(a) (mean and standard deviation over particles and sample times) and the proposed level.
type Pilot struct {
	Particles, Iterations int
	Mean, SD              float64
	Delta                 float64 // the proposed δ of loss - loss_a > δ
}

// pilotParticles and pilotSigmas: 256 particles sampled at 4 times give about 10³ values of
// L − L(a), enough for its mean and s.d. to a few percent. The level mean + 6 s.d. lies where the
// stationary law puts little mass: 2·10⁻³ beyond it for one harmonic direction (L − L(a) a scaled
// χ²₁: mean + 6 s.d. = 9.5 times its mean), 10⁻⁹ for many (a Gaussian by the central limit), so
// crossing it is a rare event, yet near enough to be seen in long runs of large ensembles.
const (
	pilotParticles = 256
	pilotSamples   = 4
	pilotSigmas    = 6
)

// ProposeEscape runs the pilot for cfg (whose landscape has no searchable exits, ne) on a backend
// from open and returns the input error that proposes --escape 'loss - loss_a > δ'.
func ProposeEscape(ctx context.Context, cfg Config, ne *NoExitsError, open BackendFactory) error {
	pl, err := RunPilot(ctx, cfg, open)
	if err != nil {
		return &InputError{Flag: "escape", Msg: ne.Reason + fmt.Sprintf(" (the pilot run that would propose a loss level failed: %v)", err),
			Hint: "give --escape with the escape region, such as 'loss - loss_a > 0.1' or 'dist > 1'"}
	}
	return &InputError{Flag: "escape", Msg: fmt.Sprintf("%s. A pilot of %d particles × %d iterations at the minimum measured L − L(a) = %.3g ± %.3g (mean ± s.d.); give --escape 'loss - loss_a > %.3g' (mean + %d s.d.: a level the particles reach rarely, docs/guide.md \"Escape conditions\"), or another level or 'dist > r'",
		ne.Reason, pl.Particles, pl.Iterations, pl.Mean, pl.SD, pl.Delta, pilotSigmas)}
}

// RunPilot runs pilotParticles particles of cfg from the minimum with a never-holding escape for
// 2n iterations, n = ⌈2/(η·λ)⌉ for the smallest eigenvalue λ of H_a above 10⁻³·λ_max (two relaxation
// times of the slowest curved direction), between 100 and 5000, and samples L − L(a) at pilotSamples
// times spread over the second half.
func RunPilot(ctx context.Context, cfg Config, open BackendFactory) (Pilot, error) {
	cfg.Escape, cfg.CheckEvery = "dist < 0", 0 // never holds: the pilot only watches the loss
	cfg.Particles, cfg.Absorb, cfg.First, cfg.Count = pilotParticles, false, 0, 0
	p, err := Prepare(cfg)
	if err != nil {
		return Pilot{}, err
	}
	half := pilotHalf(p)
	b, err := open(p.Config)
	if err != nil {
		return Pilot{}, err
	}
	defer b.Close()
	if err := b.Load(p, 0, pilotParticles); err != nil {
		return Pilot{}, err
	}
	if _, err := b.Advance(0, half); err != nil {
		return Pilot{}, err
	}
	var excess []float64
	la, d, it := p.Analysis.LossMinimum, p.Dim, half
	for s := 0; s < pilotSamples; s++ {
		if err := ctx.Err(); err != nil {
			return Pilot{}, err
		}
		n := half / pilotSamples
		if _, err := b.Advance(it, n); err != nil {
			return Pilot{}, err
		}
		it += n
		pos, err := b.Positions()
		if err != nil {
			return Pilot{}, err
		}
		recs, err := b.Records()
		if err != nil {
			return Pilot{}, err
		}
		for i, r := range recs {
			if !Diverged(r) {
				excess = append(excess, p.Eval.Loss(pos[i*d:(i+1)*d])-la)
			}
		}
	}
	if len(excess) < 2 {
		return Pilot{}, fmt.Errorf("every pilot particle diverged: lower --lr")
	}
	mean, sd := stat.MeanStdDev(excess, nil)
	return Pilot{Particles: pilotParticles, Iterations: it, Mean: mean, SD: sd, Delta: mean + pilotSigmas*sd}, nil
}

// pilotHalf is n of RunPilot, a multiple of pilotSamples.
func pilotHalf(p *Problem) int {
	ev := p.Analysis.HessianMinEigenvalues
	top := math.Abs(ev[len(ev)-1])
	lambda := top
	for _, v := range ev {
		if v > 1e-3*top {
			lambda = v
			break
		}
	}
	n := 100
	if lambda > 0 {
		n = int(math.Min(5000, math.Max(100, math.Ceil(2/(p.Config.LR*lambda)))))
	}
	return (n + pilotSamples - 1) / pilotSamples * pilotSamples
}
