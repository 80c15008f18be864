package host

import (
	"errors"
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/minimum"
	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/floats"
)

// A network's minimum (docs/theory.md §9): a data landscape with more than TrainAboveDim
// parameters has its minimum found by full-batch training (host/minimum) instead of
// landscape.Analyze, whose gradient flow, Newton steps and exit search decompose the d×d Hessian
// at every step; its basin's exits are not searched, so a run needs an --escape of its own.

// TrainAboveDim is the largest d whose data landscape is analysed as before (flow, Newton, exit
// search); above it the minimum is trained. It is the exit search's own limit, MaxExitSearchDim
// (64: the largest network the expression language built, and where the search takes seconds,
// landscape.Analyze); a variable so that tests can route small networks to training.
var TrainAboveDim = MaxExitSearchDim

// TrainsMinimum reports whether ls's minimum is found by training rather than by landscape.Analyze.
func TrainsMinimum(ls *landscape.Landscape) bool {
	return ls.HasData() && ls.Dim > TrainAboveDim
}

// MinimumKey is the cache key of ls's trained minimum from start (minimum.Cache): the model with
// its resolved parameters, the data's content hash and the tolerance.
func MinimumKey(ls *landscape.Landscape, info *DataInfo, start []float64, tol float64) minimum.Key {
	k := minimum.Key{Model: ls.Spec, Name: ls.Name, Params: ls.Params, Dim: ls.Dim, Start: start, Tol: tol}
	if info != nil {
		k.Data = info.SHA256
	}
	if tol == 0 {
		k.Tol = minimum.DefaultTol
	}
	return k
}

// DescribeMinimum trains ls from start through the process's cache (minimum.Shared) and
// describes the minimum. Training that does not converge is an *InputError on flag (the
// flag that gave the start), with hint: how to change the budget or tolerance where the command
// has flags for them.
func DescribeMinimum(ls *landscape.Landscape, info *DataInfo, start []float64, opt minimum.TrainOptions, flag, hint string) (*minimum.Description, error) {
	desc, err := minimum.Describe(ls.Evaluator(), start, opt, minimum.Shared, MinimumKey(ls, info, start, opt.Tol))
	var nc *minimum.NotConvergedError
	if errors.As(err, &nc) {
		return nil, &InputError{Flag: flag, Msg: fmt.Sprintf("no minimum found from the start: %v (%s)", err, hint)}
	}
	if err != nil {
		return nil, &InputError{Flag: flag, Msg: err.Error()}
	}
	return desc, nil
}

// TrainedAnalysis is the Analysis of a trained minimum: a, L(a), H(a) and its eigenvalues (all
// of them, or the extremes above minimum.MaxDenseDim, when H(a) itself is left out), whether a is
// degenerate; no saddle and no exits (SaddleMethod says why). A saddle (a negative eigenvalue
// beyond round-off) is an error.
func TrainedAnalysis(ls *landscape.Landscape, desc *minimum.Description) (*landscape.Analysis, error) {
	t, s := desc.Training, desc.Spectrum
	d := ls.Dim
	if s.LambdaMin < -minimum.StrictTol*math.Abs(s.Sharpness) {
		return nil, fmt.Errorf("training stopped at a saddle, not a minimum: %s; start elsewhere", s.Verdict)
	}
	an := &landscape.Analysis{
		Start: append([]float64(nil), t.Start...), Minimum: append([]float64(nil), t.Minimum...), LossMinimum: t.Loss,
		StartIsMinimum: floats.Distance(t.Start, t.Minimum, 2) <= 1e-9*math.Max(1, floats.Norm(t.Minimum, math.Inf(1))),
		MinimumMethod:  "full-batch L-BFGS and Newton–CG, docs/theory.md §9",
		Exits:          []landscape.Exit{},
		SaddleMethod:   fmt.Sprintf("none: the minimum of this %d-parameter data landscape was found by training (%s); the basin's exits are not searched above d = %d", d, t.Method(), TrainAboveDim),
	}
	if s.Eigenvalues != nil {
		an.HessianMinEigenvalues = s.Eigenvalues
		an.HessianMin = append([]float64(nil), s.Hessian...) // the description is shared by the cache
	} else {
		an.HessianMinEigenvalues = append(append([]float64(nil), s.Smallest...), s.Largest...)
	}
	if !s.Strict {
		an.Degenerate, an.DegenerateReason = true, "the trained minimum is "+s.Verdict
	}
	return an, nil
}

// trainedNeedsEscape is the refusal of a trained minimum's run without an --escape of its own: a
// NoExitsError, for which a run proposes a loss level from a pilot (ProposeEscape).
func trainedNeedsEscape(d int) error {
	return newNoExitsError(fmt.Sprintf("the minimum of this %d-parameter data landscape is found by training and its basin's exits are not searched (above d = %d)", d, TrainAboveDim))
}

// trainedBound is the divergence box of a run from a trained minimum, which has no saddle to
// measure it by: 100·max(1, ‖a‖∞), far outside a network's weights near a.
func trainedBound(a []float64) float64 {
	return 100 * math.Max(1, floats.Norm(a, math.Inf(1)))
}

// trainedMinimum is Prepare's analysis of a trained minimum: trained and described through the
// cache, a degenerate minimum refused unless --escape is given (checkDegenerate), and an --escape
// required in any case, since no exit was searched.
func trainedMinimum(cfg Config, ls *landscape.Landscape, info *DataInfo, start []float64) (*landscape.Analysis, error) {
	desc, err := DescribeMinimum(ls, info, start, minimum.TrainOptions{}, "start",
		"runs train with the defaults; kramers analyze with --max-iter and --gtol shows how far training gets")
	if err != nil {
		return nil, err
	}
	an, err := TrainedAnalysis(ls, desc)
	if err != nil {
		return nil, &InputError{Flag: "start", Msg: err.Error()}
	}
	if err := checkDegenerate(cfg, an); err != nil {
		return nil, err
	}
	if !explicitEscape(cfg) {
		return nil, trainedNeedsEscape(ls.Dim)
	}
	return an, nil
}

// basinSplit is Problem.Basin, the surface past which a particle counts as beyond the saddle: the
// saddle's hyperplane, or for a trained minimum, which has no saddle, a sphere no particle
// reaches before the divergence box (radius 10¹⁸, whose square still fits a float32).
func basinSplit(an *landscape.Analysis) *EscapeCondition {
	if an.Saddle != nil {
		return hyperplane(an, 0)
	}
	return &EscapeCondition{Kind: EscapeRadius, Point: an.Minimum, Radius: 1e18,
		Text: "none: a trained minimum has no saddle to split its basin from the next"}
}

// trainedPredictions are the theory values of a run from a trained minimum: each one n/a, since
// each needs the saddle (or, in 1-D, the loss along the line) that training does not give.
func (p *Problem) trainedPredictions() map[string]theory.Prediction {
	out := map[string]theory.Prediction{}
	for _, k := range p.theoryCandidates() {
		out[k] = theory.Prediction{Name: k, Reason: fmt.Sprintf("the minimum was found by training (d = %d > %d) and no saddle was searched: the value needs one", p.Dim, TrainAboveDim)}
	}
	return out
}

// WeightDecayHint is the sentence added where no minimum is found on a data model without weight
// decay: a network's loss then seldom has a strict minimum (flat directions of redundant units, or
// weights running off to fit the rows exactly), and weight decay makes one (docs/theory.md §9);
// "" for other landscapes.
func WeightDecayHint(ls *landscape.Landscape) string {
	wd, ok := ls.Params["wd"]
	if !ls.HasData() || !ok || wd != 0 {
		return ""
	}
	return fmt.Sprintf("; without weight decay a network's loss seldom has a strict minimum: add one, such as wd=0.01 in --landscape (%s with wd=0.01), or see where training goes with kramers analyze --train", ls.Spec)
}

// minimumText names the minimum and how --start led to it, in a message: its coordinates up to
// d = 8, else its loss and d (a network's hundreds of weights would fill the terminal).
func minimumText(an *landscape.Analysis) string {
	how := "that --start flows to"
	if an.MinimumMethod != "" {
		how = "that training from --start reaches"
	}
	if len(an.Minimum) <= 8 {
		return fmt.Sprintf("a = %v %s", an.Minimum, how)
	}
	return fmt.Sprintf("a (d = %d, L(a) = %.6g) %s", len(an.Minimum), an.LossMinimum, how)
}
