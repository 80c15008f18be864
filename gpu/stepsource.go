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

// StepSource assembles the step program for p: the generated landscape code, the constants of the
// run, the escape condition, and the shared step, Philox and Box–Muller code.
func StepSource(p *host.Problem, double bool) (*shaders.Unit, error) {
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
