package gpu

import (
	"fmt"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/shaders"
)

// StepLocalSize is the work-group size of the step program: one particle per invocation.
// 64 keeps llvmpipe's 8-wide SIMD lanes full and is a multiple of NVIDIA's 32-wide warps.
const StepLocalSize = 64

// noiseModelCode is the NOISE_MODEL define of step.comp.glsl.
var noiseModelCode = map[host.NoiseModel]int{host.SGLD: 0, host.SGDHessian: 1, host.SGDHessianMin: 2, host.SGDLoss: 3,
	host.Minibatch: 4, host.SGDCov: 5}

// samplingCode is the SAMPLING define of shaders/minibatch.glsl.
var samplingCode = map[string]int{host.SampleWith: 0, host.SampleWithout: 1, host.SampleEpoch: 2}

// EpochBinding is the storage-block binding of the epoch permutations (sampling epoch); the
// data's rows are at landscape.DataBinding.
const EpochBinding = 6

// StepSource assembles the step program for p as Load does on a loop-limited driver: the
// generated landscape code, the constants of the run, the escape condition, the shared step,
// Philox and Box–Muller code, and the loop-limit probe where NeedsLoopGuard.
func StepSource(p *host.Problem, double bool) (*shaders.Unit, error) {
	return stepSource(p, double, NeedsLoopGuard(p))
}

// stepSource assembles the step program, with the loop-limit probe if probe.
func stepSource(p *host.Problem, double, probe bool) (*shaders.Unit, error) {
	// Only sgd-hessian calls the Hessian functions; leaving them out spares the compiler.
	opt := landscape.GLSLOptions{Double: double, NoHessian: p.Noise.Model != host.SGDHessian}
	real := "float"
	if double {
		real = "double"
	}
	isDouble := 0
	if double {
		isDouble = 1
	}
	absorb := 0
	if p.Config.Absorb {
		absorb = 1
	}
	defines := map[string]string{
		"REAL":           real,
		"REAL_IS_DOUBLE": fmt.Sprint(isDouble),
		"LOCAL_SIZE":     fmt.Sprint(StepLocalSize),
		"NOISE_MODEL":    fmt.Sprint(noiseModelCode[p.Noise.Model]),
		"ABSORB":         fmt.Sprint(absorb),
		"LOOP_PROBE":     "0",
		"CHECK_PERIOD":   fmt.Sprint(p.Escape.Period()),
	}
	if probe {
		defines["LOOP_PROBE"] = "1"
	}
	if p.Noise.Model.IsData() {
		defines["BATCH"] = fmt.Sprint(int(p.Config.Batch))
		defines["SAMPLING"] = fmt.Sprint(samplingCode[p.Config.Sampling])
		defines["EPOCH_BINDING"] = fmt.Sprint(EpochBinding)
	}
	extra := map[string]string{
		"landscape.glsl": p.Landscape.GLSL(opt),
		"run.glsl":       runConstants(p, double),
		"records.glsl":   host.RecordGLSL(),
	}
	return shaders.Assemble("step.comp.glsl", defines, extra)
}

// runConstants writes the constants of one run as GLSL literals, plus the escape condition and
// the saddle-hyperplane side test.
func runConstants(p *host.Problem, double bool) string {
	lit := func(v float64) string { return landscape.Literal(v, landscape.GLSLOptions{Double: double}) }
	arr := func(v []float64) string {
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = lit(x)
		}
		return strings.Join(parts, ", ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "const REAL ETA = %s;\n", lit(p.Config.LR))
	fmt.Fprintf(&b, "const REAL AMP = %s;\n", lit(p.Noise.Amplitude))
	fmt.Fprintf(&b, "const REAL FLOOR = %s;\n", lit(p.Noise.Floor))
	fmt.Fprintf(&b, "const REAL BOUND = %s;\n", lit(p.Bound))
	fmt.Fprintf(&b, "const REAL MINIMUM[LANDSCAPE_DIM] = REAL[](%s);\n", arr(p.Analysis.Minimum))
	m := p.Noise.Matrix
	if m == nil {
		m = make([]float64, p.Dim*p.Dim)
	}
	fmt.Fprintf(&b, "const REAL NOISE_MATRIX[LANDSCAPE_DIM * LANDSCAPE_DIM] = REAL[](%s);\n", arr(m))
	opt := landscape.GLSLOptions{Double: double}
	b.WriteString(p.Escape.GLSL("escapeCondition", opt))
	b.WriteString(p.Basin.GLSL("beyondSaddle", opt))
	return b.String()
}

// Loop turns of the step program. Mesa's software rasterizers stop every loop of a shader
// invocation once LoopTurnLimit turns have been taken in all (loopLimited in backend.go). The
// loops of shaders/step.comp.glsl and of what it includes have trip counts known when the program
// is generated (d, the Philox rounds, the noise blocks, the data's rows, B, the Jacobi sweeps), so
// the turns of a dispatch of n iterations have an upper bound: fixed + ⌈n/S + 2⌉·perGroup, with
// S = STEPS_PER_DRAW and perGroup the turns of one turn of main's loop over draws. The bound
// counts every turn the source can take, as if no loop were unrolled, plus one for each loop's
// exit test; a compiler that unrolls constant loops takes fewer.

// LoopTurnLimit is the turns of all loops one invocation may take on a loop-limited driver
// (LP_MAX_TGSI_LOOP_ITERATIONS in Mesa's gallivm).
const LoopTurnLimit = 65535

// loopTurnBudget is the part of LoopTurnLimit a dispatch is sized to: an eighth is left as a
// margin for turns the bound does not see (a driver's own loops around a lowered construct).
const loopTurnBudget = LoopTurnLimit - LoopTurnLimit/8

// minUnguardedSteps is the fewest iterations per dispatch that the bound must allow before the
// probe and the copy are switched off. The bound counts turns as if no loop were unrolled, so where
// it allows only a few dozen iterations the probe learns dispatches ten times longer (sgd-cov on
// 100 rows: bound 52, learned 500; Jacobi sweeps in 3-D: bound 36, learned 500; both in
// TestLongChunksAgreeWithReference on llvmpipe), worth the copy. Where the bound allows more, its dispatches already hold
// thousands of turns of work each, against llvmpipe's fixed cost per dispatch of 16–25 iterations
// of case 1 for 2²⁰ particles (BENCHMARKS.md, "The dispatch's fixed cost"), and the copy, one more
// pass over the ensemble per dispatch, would cost about as much as that fixed cost again.
const minUnguardedSteps = 64

// LoopBound is an upper bound of the loop turns the step program of a problem takes.
type LoopBound struct {
	Fixed         int // per invocation, outside the loop over draws
	PerGroup      int // per turn of the loop over draws (one draw and its STEPS_PER_DRAW steps)
	StepsPerGroup int // STEPS_PER_DRAW
	// PerCheck is the turns of one escape check beyond PerGroup's, taken on every CheckPeriod-th
	// iteration only: the row loop of a full-batch loss condition (host EscapeCondition.CheckPeriod).
	PerCheck, CheckPeriod int
}

// Turns is the bound for a dispatch of n iterations: a chunk that starts and ends inside draw
// groups takes at most n/S + 2 groups, which visit at most n + 2S iterations and so at most
// (n + 2S)/m + 1 check iterations.
func (lb LoopBound) Turns(n int) int {
	t := lb.Fixed + (n/lb.StepsPerGroup+2)*lb.PerGroup + 1
	if lb.PerCheck > 0 {
		t += ((n+2*lb.StepsPerGroup)/max(lb.CheckPeriod, 1) + 1) * lb.PerCheck
	}
	return t
}

// MaxSteps is the most iterations one dispatch may take with Turns within the budget (0: not even
// one).
func (lb LoopBound) MaxSteps() int { return lb.StepsWithin(loopTurnBudget) }

// StepsWithin is the most iterations n, a whole number of draw groups, with Turns(n) ≤ turns (0:
// none).
func (lb LoopBound) StepsWithin(turns int) int {
	// Turns grows with n: the largest whole number of groups within turns, by bisection.
	lo, hi := 0, max(turns, 0)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if lb.Turns(mid*lb.StepsPerGroup) <= turns {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo * lb.StepsPerGroup
}

// NeedsLoopGuard reports whether a dispatch of p's step program, sized by the bound, could still
// be too short to be worth it on a loop-limited driver: then the probe and the copy before each
// dispatch stay (Backend.Advance).
func NeedsLoopGuard(p *host.Problem) bool { return StepLoopBound(p).MaxSteps() < minUnguardedSteps }

// loop is the bound of a loop of k turns whose body takes body turns: k turns of the body and
// k + 1 tests of the condition.
func loop(k, body int) int { return k*(1+body) + 1 }

// StepLoopBound counts the loops of shaders/step.comp.glsl for p, function by function.
func StepLoopBound(p *host.Problem) LoopBound {
	d := p.Dim
	model := p.Noise.Model
	const philoxRounds = 9 // stepPhilox and philox4x32_10: rounds 1…9 in a loop (philox.glsl)
	steps, perDraw := 1, 0
	if model != host.Minibatch {
		if d <= 2 {
			steps = 4 / d
		}
		perDraw = loop((d+3)/4, philoxRounds) // drawNormals: one stepPhilox per noise block
	}
	perStep := 3 * loop(d, 0) // the copy into y, the copy of the step's normals, hasDiverged
	perStep += stepTurns(p)
	return LoopBound{
		Fixed:         2*loop(d, 0) + loop(10, 0) + loop(2, 0), // load, philoxParticle, probe, store
		PerGroup:      1 + perDraw + loop(steps, perStep),
		StepsPerGroup: steps,
		PerCheck:      checkTurns(p),
		CheckPeriod:   p.Escape.Period(),
	}
}

// checkTurns bounds one call of escapeCondition: straight-line code (the coordinates, and dist,
// written out by host/landscape) but for loss on a data landscape, landscapeLoss's loop over the N
// rows (host/landscape glsl_data.go), each row straight-line for an expression and the forward
// pass's loops for a compiled network (Landscape.SampleLoopTurns).
func checkTurns(p *host.Problem) int {
	if !p.Escape.UsesLoss() || !p.Landscape.HasData() {
		return 0
	}
	lossTurns, _ := p.Landscape.SampleLoopTurns()
	return loop(p.Landscape.Rows, lossTurns)
}

// stepTurns bounds one call of step (or minibatchStep): the gradient, the noise and the update.
func stepTurns(p *host.Problem) int {
	d := p.Dim
	n := 0 // the data's rows
	if p.Landscape.HasData() {
		n = p.Landscape.Rows
	}
	// The loops inside one sampleLoss and one sampleGradient call: none for an expression
	// (straight-line code), the forward and backward passes of a compiled network.
	lossTurns, gradTurns := p.Landscape.SampleLoopTurns()
	// meanOver (host/landscape glsl_data.go): a row mean of a per-sample function of m outputs;
	// on a landscape without data the function is straight-line code.
	mean := func(m, perRow int) int {
		if n == 0 {
			return 0
		}
		return 2*loop(m, 0) + loop(n, perRow+loop(m, 0))
	}
	update := loop(d, 0)
	switch p.Noise.Model {
	case host.SGLD:
		return mean(d, gradTurns) + loop(d, 0) + update
	case host.SGDHessian:
		if p.Landscape.DiagonalHessian {
			return mean(d, gradTurns) + mean(d, 0) + loop(d, 0) + update
		}
		hessian := loop(d*d, 0) // the zero fill of landscapeHessian (host/landscape glsl.go)
		if n > 0 {
			hessian = mean(d*d, loop(d*d, 0))
		}
		return mean(d, gradTurns) + hessian + rootNoiseTurns(d) + update
	case host.SGDHessianMin, host.SGDLoss:
		loss := 0
		if n > 0 {
			loss = loop(n, lossTurns)
		}
		return mean(d, gradTurns) + loss + loop(d, loop(d, 0)) + update
	case host.SGDCov:
		// gradientCovariance (minibatch.glsl): one pass over the rows, then symmetricRootNoise.
		cov := 2*loop(d, 0) + 2*loop(d*d, 0) + loop(n, gradTurns+2*loop(d, 0)+loop(d, loop(d, 0)))
		return cov + rootNoiseTurns(d) + update
	case host.Minibatch:
		return minibatchTurns(p, n, gradTurns) + update
	}
	panic(fmt.Sprintf("gpu: no loop bound for noise model %q", p.Noise.Model))
}

// minibatchTurns bounds minibatchRows and minibatchGradient (minibatch.glsl) for N = n rows and
// batch B: each index word may cost a Philox call (streamWord); each sampleGradient call takes
// gradTurns.
func minibatchTurns(p *host.Problem, n, gradTurns int) int {
	d, b := p.Dim, int(p.Config.Batch)
	const philox = 9
	var rows int
	switch p.Config.Sampling {
	case host.SampleWithout:
		rows = loop(b, philox+loop(b, 0)) // the search of the moved positions
	case host.SampleEpoch:
		rows = loop(n, 0) + loop(n, philox) + loop(b, 0) // epochPermutation, then the copy
	default:
		rows = loop(b, philox)
	}
	return rows + 2*loop(d, 0) + loop(b, gradTurns+loop(d, 0))
}

// rootNoiseTurns bounds symmetricRootNoise (matsqrt.glsl) in d dimensions: closed forms up to
// d = 2, ten Jacobi sweeps over the d(d−1)/2 pairs from 3 on (each pair three loops over k).
func rootNoiseTurns(d int) int {
	if d <= 2 {
		return 0
	}
	sweep := loop(d, loop(d, 0)) + loop(d, loop(d, 3*loop(d, 0)))
	return loop(d*d, 0) + loop(d, 0) + loop(10, sweep) + 2*loop(d, loop(d, 0))
}
