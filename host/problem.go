package host

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/theory"
	"gonum.org/v1/gonum/mat"
)

// Problem is a Config resolved against its landscape: everything a backend needs to advance
// particles, and everything theory needs to predict them.
type Problem struct {
	Config    Config
	Landscape *landscape.Landscape
	Eval      *landscape.Evaluator
	Analysis  *landscape.Analysis
	Dim       int
	Start     []float64 // where every particle starts
	Noise     Noise
	Escape    *EscapeCondition
	Basin     *EscapeCondition // the saddle hyperplane with margin 0: splits the two basins
	Bound     float64          // divergence box: |θ_i − a_i| > Bound counts as diverged
	// Data describes the data set of a finite-data run (Config.Data); nil otherwise.
	Data *DataInfo
	// EscapeWarnings are what the check of the escape region against the start basin found
	// (host/basin.go): points of the basin's minimum neighbourhood where a user's --escape holds.
	EscapeWarnings []Warning
	// burnInFloor is relaxationFloor, fixed once by Prepare: Measure runs at every frame of the
	// view and every point of a sweep, and a trained minimum's floor decomposes H_a.
	burnInFloor int

	predictions map[string]theory.Prediction   // Predictions, computed once
	perExit     []map[string]theory.Prediction // each exit's own theory (EscapeExits), with predictions
}

// Noise holds the constants of one step's noise term (docs/theory.md §1). The step is
//
//	θ ← θ − η∇L(θ) + ξ,  with ξ by model:
//	sgld             ξ = Amplitude · z                       Amplitude = sqrt(2ηT)
//	sgd-hessian      ξ = Amplitude · (|H(θ)| + εI)^{1/2} z   Amplitude = η/sqrt(B)
//	sgd-hessian-min  ξ = Matrix · z                          Matrix = (η/sqrt(B)) · H(a)^{1/2}
//	sgd-loss         ξ = sqrt(max(L(θ),0)) · Matrix · z      Matrix = η·sqrt(2/B) · H(a)^{1/2}
//
// so that the per-step covariance is 2ηD(θ) for the D of docs/theory.md §1. z ~ N(0, I_d) comes from
// Philox block ⌊i/4⌋, word i mod 4, for coordinate i.
type Noise struct {
	Model     NoiseModel `json:"model"`
	Amplitude float64    `json:"amplitude"`
	Floor     float64    `json:"floor"`
	Matrix    []float64  `json:"matrix,omitempty"` // row-major d×d, sgd-hessian-min and sgd-loss
}

// MaxJacobiDim is the largest dimension for which sgd-hessian noise on a non-separable landscape
// is supported, and sgd-cov noise on the GPU: the square root of |H| or C is taken by cyclic
// Jacobi rotations in registers (shaders/matsqrt.glsl).
const MaxJacobiDim = 8

// MaxGPUBatch is the largest minibatch of real SGD on the GPU: each invocation holds the B row
// indices of its step in registers or local memory (shaders/minibatch.glsl). The CPU reference has
// no such limit.
const MaxGPUBatch = 1024

// parseLandscape parses cfg's landscape, over cfg's data when it has some (openData, which fills
// in the sampling law); a --dim that contradicts the landscape's own dimension is named.
func parseLandscape(cfg *Config) (*landscape.Landscape, *DataInfo, error) {
	var ls *landscape.Landscape
	var info *DataInfo
	var err error
	if cfg.Data != "" {
		if ls, info, err = openData(cfg); err != nil {
			return nil, nil, err
		}
	} else {
		ls, err = landscape.ParseWith(cfg.Landscape, cfg.Dim, cfg.Params)
	}
	if err != nil {
		if cfg.Dim > 0 {
			if own, err0 := landscape.ParseWith(cfg.Landscape, 0, cfg.Params); err0 == nil && own.Dim != cfg.Dim {
				return nil, nil, inputErr("dim", "%s is %d-dimensional but --dim %d was given; drop --dim or give --dim %d", cfg.Landscape, own.Dim, cfg.Dim, own.Dim)
			}
		}
		return nil, nil, landscapeErr(cfg.Landscape, err)
	}
	return ls, info, nil
}

// StartGuess is the start guess on ls of a run or an analysis: start as given, one number standing
// for every coordinate (BroadcastStart), or the landscape's default. An expression has no default,
// and a guess of another dimension is refused: both with an *InputError on --start.
func StartGuess(ls *landscape.Landscape, start []float64) ([]float64, error) {
	if start == nil {
		start = ls.DefaultStart
	}
	d := ls.Dim
	if start == nil {
		return nil, inputErr("start", "an expression landscape needs a start guess: add --start with %d comma-separated numbers", d)
	}
	start = BroadcastStart(start, d)
	if len(start) != d {
		return nil, inputErr("start", "has %d coordinates but the landscape is %d-dimensional; give %d comma-separated numbers, or one for every coordinate", len(start), d, d)
	}
	return start, nil
}

// Prepare parses the landscape, locates the critical points and fixes every constant of the run.
// Errors caused by the input are *InputError.
func Prepare(cfg Config) (*Problem, error) {
	if cfg.Precision == "" {
		cfg.Precision = F32
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ls, info, err := parseLandscape(&cfg)
	if err != nil {
		return nil, err
	}
	d := ls.Dim
	if spec, _ := cfg.Noise.Spec(); spec.NeedsHessian && ls.IsNetwork() {
		return nil, inputErr("noise", "%s needs the Hessian as a d×d matrix in every step, which the compiled network %s (d = %d) does not form (its Hessian exists only as Hessian-vector products on the CPU); use --noise minibatch (true SGD), sgld or sgd-cov", cfg.Noise, cfg.Landscape, d)
	}
	start, target := cfg.Start, cfg.Target
	if ls.Name == "expression" {
		// An expression's start guess and target are points of the expression as written; under
		// the sharpness k they move to θ/sqrt(k) with the minimum, as the catalogue's default
		// start does, so that one --start serves every k of a sweep.
		start, target = ls.Sharpen(start), ls.Sharpen(target)
	}
	if start, err = StartGuess(ls, start); err != nil {
		return nil, err
	}
	if target != nil && len(target) != d {
		return nil, inputErr("target", "has %d coordinates but the landscape is %d-dimensional; give %d comma-separated numbers", len(target), d, d)
	}
	if d > MaxExitSearchDim && !explicitEscape(cfg) && !TrainsMinimum(ls) { // a trained one says why itself
		return nil, newNoExitsError(fmt.Sprintf("the landscape has d = %d parameters, more than the %d in which kramers searches the exits of a basin, and no --escape was given", d, MaxExitSearchDim))
	}
	an, err := analyzeBasin(cfg, ls, info, start, target)
	if err != nil {
		return nil, err
	}
	if !an.Index1 && d == 1 && cfg.Escape == "" {
		// In 1-D no --target helps: the search left the minimum in both directions. A given
		// --escape is a question that needs no saddle (the run below).
		return nil, inputErr("escape", "no barrier encloses the basin of the minimum %v: the search for a saddle ended at %v, where the loss is flat (%d negative Hessian eigenvalues, not 1); give --escape with the region that counts as escaped, such as 'radius(1)' (both sides) or 'x > 1' (--target is for d > 1)",
			an.Minimum, an.Saddle, countNegative(an.HessianSaddleEigenvalues))
	}
	if err := checkDegenerate(cfg, an); err != nil {
		return nil, err
	}
	if !an.Index1 && d > 1 && an.Saddle != nil {
		return nil, inputErr("start", "the saddle found at %v has %d negative Hessian eigenvalues, not 1; give --target inside the basin to escape into", an.Saddle, countNegative(an.HessianSaddleEigenvalues))
	}
	p := &Problem{Config: cfg, Landscape: ls, Eval: ls.Evaluator(), Analysis: an, Dim: d, Data: info}
	if cfg.StartExact {
		p.Start = append([]float64(nil), start...)
	} else {
		p.Start = append([]float64(nil), an.Minimum...)
	}
	if p.Noise, err = newNoise(cfg, ls, an); err != nil {
		return nil, err
	}
	if cfg.Noise == SGDCov {
		p.Noise.Amplitude *= math.Sqrt(info.Factor)
	}
	if cfg.Noise == SGDHessian && !ls.DiagonalHessian && d > MaxJacobiDim {
		return nil, inputErr("noise", "sgd-hessian on a non-separable %d-dimensional landscape is limited to d ≤ %d (Jacobi square root); use sgd-hessian-min or a separable landscape", d, MaxJacobiDim)
	}
	p.Basin = basinSplit(an)
	if p.Escape, err = newEscape(cfg, ls, p); err != nil {
		return nil, err
	}
	p.setCheckPeriod()
	if p.Escape.Holds(p.Start) {
		return nil, inputErr("escape", "the escape condition %s already holds at the start %v; choose a condition outside the start basin", p.Escape.Text, p.Start)
	}
	if an.Saddle != nil {
		p.EscapeWarnings = checkEscapeRegion(p)
	}
	p.Bound = cfg.Bound
	if p.Bound == 0 {
		p.Bound = defaultBound(an)
	}
	p.burnInFloor = p.relaxationFloor()
	return p, nil
}

// analyzeBasin finds the minimum that start leads to and the exits of its basin
// (landscape.Analyze), or, for a network above TrainAboveDim, trains the minimum and searches no
// exit (host/trained.go). Errors are *InputError.
func analyzeBasin(cfg Config, ls *landscape.Landscape, info *DataInfo, start, target []float64) (*landscape.Analysis, error) {
	if TrainsMinimum(ls) {
		return trainedMinimum(cfg, ls, info, start)
	}
	an, err := landscape.Analyze(ls, landscape.AnalyzeOptions{Start: start, Target: target, MaxExits: cfg.Exits, AllowDegenerate: true,
		Escaped: escapeRegion(cfg, ls.Dim)})
	var noBarrier landscape.NoBarrierError
	if errors.As(err, &noBarrier) && cfg.Escape == "" {
		return nil, inputErr("escape", "%v; give --escape with the region that counts as escaped, such as 'radius(1)' (both sides) or 'x > 1'", err)
	}
	if err != nil {
		return nil, &InputError{Flag: "start", Msg: fmt.Sprintf("no escape problem from the basin of %v (%v); start inside a basin that a barrier encloses (inspect it with kramers analyze)%s", start, err, WeightDecayHint(ls))}
	}
	return an, nil
}

// defaultBound is the divergence box without --bound: 100 saddle distances, far outside anything a
// confined particle visits, near enough that an unstable step size is caught within a few
// iterations of blowing up; a trained minimum, which has no saddle, has trainedBound.
func defaultBound(an *landscape.Analysis) float64 {
	if an.Saddle == nil {
		return trainedBound(an.Minimum)
	}
	return 100 * math.Max(1, maxAbsDiff(an.Saddle, an.Minimum))
}

// escapeRegion is the user's escape region as a function of the minimum a and a point x, for
// the analysis of a 1-D basin without a barrier (landscape.AnalyzeOptions.Escaped): an
// expression or radius(r). nil where none was given or it does not parse (newEscape reports
// the error with its fix).
func escapeRegion(cfg Config, d int) func(a, x []float64) bool {
	src := strings.TrimSpace(cfg.Escape)
	switch {
	case src == "" || src == "saddle" || src == "exits":
		return nil
	case radiusRE.MatchString(src):
		r, err := strconv.ParseFloat(strings.TrimSpace(radiusRE.FindStringSubmatch(src)[1]), 64)
		if err != nil || !(r > 0) {
			return nil
		}
		return func(a, x []float64) bool { return norm(sub(x, a)) > r }
	}
	c, err := landscape.ParseCondition(src, d)
	if err != nil {
		return nil
	}
	holds := c.Func()
	return func(_, x []float64) bool { return holds(x) }
}

// landscapeErr is the input error for a landscape that does not parse: on --param when the
// values given beside the spec are at fault, else on --landscape, with the generic hint unless
// the parser's message already shows the fix.
func landscapeErr(spec string, err error) error {
	var le *landscape.Error
	if errors.As(err, &le) && le.Param {
		return &InputError{Flag: "param", Msg: le.Error()}
	}
	msg := fmt.Sprintf("%q: %v", spec, err)
	if errors.As(err, &le) && le.Example {
		return &InputError{Flag: "landscape", Msg: msg}
	}
	return &InputError{Flag: "landscape", Msg: msg, Hint: "name a catalogue landscape (kramers analyze --landscape list) or write an expression in x, x,y or x1..xd"}
}

func countNegative(v []float64) int {
	n := 0
	for _, x := range v {
		if x < 0 {
			n++
		}
	}
	return n
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// newNoise fixes the constants of docs/theory.md §1 for the chosen model.
func newNoise(cfg Config, ls *landscape.Landscape, an *landscape.Analysis) (Noise, error) {
	eta, b := cfg.LR, cfg.Batch
	n := Noise{Model: cfg.Noise, Floor: cfg.Floor}
	switch cfg.Noise {
	case SGLD:
		n.Amplitude = math.Sqrt(2 * eta * cfg.Temp)
	case SGDHessian:
		n.Amplitude = eta / math.Sqrt(b)
	case SGDHessianMin:
		n.Amplitude = eta / math.Sqrt(b)
		n.Matrix = scaledSqrt(an.HessianMin, ls.Dim, n.Amplitude)
	case Minibatch:
		// no constants: the step is the mean of B per-sample gradients
	case SGDCov:
		// ξ = Amplitude·C(θ)^{1/2} z with Amplitude = η·sqrt(f/B), so Cov ξ = η²Σ(θ); f is set by
		// Prepare's caller (Data.Factor) and applied there.
		n.Amplitude = eta / math.Sqrt(b)
	case SGDLoss:
		la := an.LossMinimum
		if !(la > 0) {
			return n, inputErr("landscape", "sgd-loss needs L(a) > 0 but L(a) = %.6g; add an offset such as l0=0.1 to the catalogue landscape (or a constant to the expression)", la)
		}
		n.Amplitude = eta * math.Sqrt(2/b)
		n.Matrix = scaledSqrt(an.HessianMin, ls.Dim, n.Amplitude)
	}
	return n, nil
}

// scaledSqrt returns c·A^{1/2} for the symmetric positive semi-definite A (row-major d×d),
// through gonum's symmetric eigendecomposition: A^{1/2} = V·sqrt(Λ)·Vᵀ.
func scaledSqrt(a []float64, d int, c float64) []float64 {
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(d, append([]float64(nil), a...)), true) {
		panic("host: eigendecomposition of a symmetric Hessian failed")
	}
	vals := eig.Values(nil)
	var v mat.Dense
	eig.VectorsTo(&v)
	out := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			s := 0.0
			for k := 0; k < d; k++ {
				s += v.At(i, k) * math.Sqrt(math.Abs(vals[k])) * v.At(j, k)
			}
			out[i*d+j] = c * s
		}
	}
	return out
}

// SaddleDiffusion is eᵀD(b)e, the diffusion along the escape direction at the saddle
// (docs/theory.md §1 and §2), used for the automatic escape margin.
func (p *Problem) SaddleDiffusion() float64 {
	an := p.Analysis
	return p.diffusionAlong(an.Saddle, an.EscapeDirection, math.Abs(an.HessianSaddleEigenvalues[0]), an.LossSaddle)
}

// BroadcastStart gives a one-number --start to every one of d coordinates (--start 1 in 10-D is
// the point (1, …, 1)); any other start is returned as given.
func BroadcastStart(start []float64, d int) []float64 {
	if len(start) != 1 || d <= 1 {
		return start
	}
	out := make([]float64, d)
	for i := range out {
		out[i] = start[0]
	}
	return out
}

// MinimumDiffusion is eᵀD(a)e at the start minimum a along a unit vector e with curvature
// λ = eᵀH_a e: the diffusion of the run's noise model there (docs/theory.md §1), as diffusionAlong
// gives it at a saddle. The view sizes the box of a trained minimum by the stationary spread
// sqrt(D/λ) of the linearised well (docs/theory.md §1).
func (p *Problem) MinimumDiffusion(e []float64, lambda float64) float64 {
	an := p.Analysis
	return p.diffusionAlong(an.Minimum, e, lambda, an.LossMinimum)
}
