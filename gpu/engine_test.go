package gpu_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/reproduce"
	"github.com/kramers-sim/kramers/shaders"
	"github.com/kramers-sim/kramers/validate"
)

// gpuFactory opens the GPU backend; a missing GL fails the test (never skips).
func gpuFactory(t *testing.T) host.BackendFactory {
	return func(cfg host.Config) (host.Backend, error) {
		b, err := gpu.NewBackend(cfg.Precision == "f64")
		if err != nil {
			t.Fatalf("no OpenGL 4.3 context (run under xvfb-run or with EGL): %v", err)
		}
		return b, nil
	}
}

// One shared table, run against the GPU with the CPU reference as the oracle (validate.Suite):
// short trajectories of every noise model to 1e-4, both precisions, and the K6 rate comparison.
func TestCrossChecks(t *testing.T) {
	f := gpuFactory(t)
	for _, c := range validate.Suite(false) {
		t.Run(c.Name, func(t *testing.T) {
			o := c.Run(f)
			t.Logf("%s: %s (tolerance %s)", o.Name, o.Measured, o.Tolerance)
			if o.Err != "" {
				t.Fatal(o.Err)
			}
			if !o.Pass {
				t.Fatalf("%s failed: %s", o.Name, o.Measured)
			}
		})
	}
}

// catalogueSpecs are the landscapes whose generated code the GPU must evaluate like Go.
var catalogueSpecs = []string{
	"doublewell(k=2,dl=1)", "tilted(c=0.1)", "pwq(ha=4,hb=2,a=-1,b=0)", "styblinski-tang(d=5)",
	"zhu2d", "muller-brown", "twowell", "pwq(ha=6,hb=3,a=-0.5,b=0.5,k=3,l0=0.2)",
}

// evalProgram writes L, ∇L and H for each point of an input buffer.
const evalMain = `
layout(local_size_x = 1) in;
#include "landscape.glsl"
layout(std430, binding = 0) buffer Points { REAL pts[]; };
layout(std430, binding = 1) buffer Values { REAL vals[]; };
void main() {
	const int D = LANDSCAPE_DIM;
	uint i = gl_GlobalInvocationID.x;
	REAL x[D];
	for (int k = 0; k < D; k++) x[k] = pts[i * uint(D) + uint(k)];
	uint o = i * uint(1 + D + D * D);
	vals[o] = landscapeLoss(x);
	REAL g[D];
	landscapeGradient(x, g);
	for (int k = 0; k < D; k++) vals[o + 1u + uint(k)] = g[k];
	REAL h[D * D];
	landscapeHessian(x, h);
	for (int k = 0; k < D * D; k++) vals[o + 1u + uint(D) + uint(k)] = h[k];
}
`

// For every catalogue landscape, the GPU's float32 evaluation of L, ∇L and H at fixed points
// matches the Go closures to 1e-5, relative to the largest entry of the same quantity at that
// point (a normwise relative error: float32 rounding is 6e-8 per operation, and the largest
// landscapes here sum a few dozen terms with mild cancellation).
func TestLandscapeEvaluationMatchesGo(t *testing.T) {
	ctx, err := gpu.NewContext(gpu.Options{})
	if err != nil {
		t.Fatalf("no OpenGL 4.3 context: %v", err)
	}
	defer ctx.Close()
	for _, spec := range catalogueSpecs {
		t.Run(spec, func(t *testing.T) {
			ls, err := landscape.Parse(spec, 0)
			if err != nil {
				t.Fatal(err)
			}
			d := ls.Dim
			// Points near the default start, displaced off any critical point or junction.
			var pts []float64
			offsets := []float64{0.137, -0.211, 0.05, 0.31, -0.093}
			for j := 0; j < 6; j++ {
				for k := 0; k < d; k++ {
					pts = append(pts, ls.DefaultStart[k]+offsets[(j+k)%len(offsets)]*float64(j+1)/3)
				}
			}
			n := len(pts) / d
			u, err := shaders.Assemble("eval", map[string]string{"REAL": "float"},
				map[string]string{"eval": evalMain, "landscape.glsl": ls.GLSL(landscape.GLSLOptions{})})
			if err != nil {
				t.Fatal(err)
			}
			prog, err := ctx.CompileComputeUnit(u)
			if err != nil {
				t.Fatal(err)
			}
			defer prog.Delete()
			f32 := make([]float32, len(pts))
			for i, v := range pts {
				f32[i] = float32(v)
			}
			in, err := gpu.NewBufferFrom(ctx, f32, gpu.StaticDraw)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Delete()
			stride := 1 + d + d*d
			out, err := ctx.NewBuffer(4*n*stride, gpu.StreamRead)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Delete()
			in.BindBase(0)
			out.BindBase(1)
			if err := prog.Dispatch(uint32(n), 1, 1); err != nil {
				t.Fatal(err)
			}
			got := make([]float32, n*stride)
			if err := gpu.Download(out, 0, got); err != nil {
				t.Fatal(err)
			}
			ev := ls.Evaluator()
			g := make([]float64, d)
			h := make([]float64, d*d)
			worst := 0.0
			for i := 0; i < n; i++ {
				// Evaluate Go at the float32-rounded point the GPU saw.
				x := make([]float64, d)
				for k := range x {
					x[k] = float64(f32[i*d+k])
				}
				ev.Gradient(x, g)
				ev.Hessian(x, h)
				want := [][]float64{{ev.Loss(x)}, g, h}
				gotq := [][]float32{got[i*stride : i*stride+1], got[i*stride+1 : i*stride+1+d], got[i*stride+1+d : (i+1)*stride]}
				for q, w := range want {
					scale := 0.0
					for _, v := range w {
						scale = math.Max(scale, math.Abs(v))
					}
					for k, v := range w {
						e := math.Abs(float64(gotq[q][k])-v) / math.Max(scale, 1e-12)
						worst = math.Max(worst, e)
						if e > 1e-5 || math.IsNaN(float64(gotq[q][k])) {
							t.Errorf("point %v quantity %d entry %d: gpu %g, go %g (rel %.2e)", x, q, k, gotq[q][k], v, e)
						}
					}
				}
			}
			t.Logf("%s: worst normwise relative difference %.2e over %d points", spec, worst, n)
		})
	}
}

// withOffset raises a catalogue landscape so that L(a) > 0, as sgd-loss needs. The offset l0
// is additive; on landscapes whose minimum is not at L = 0 it must exceed −L(a).
func withOffset(spec string) string {
	l0 := map[string]string{"styblinski-tang(d=5)": "200", "muller-brown": "150", "tilted(c=0.1)": "0.5", "zhu2d": "1"}[spec]
	if l0 == "" {
		l0 = "0.5"
	}
	if strings.Contains(spec, "l0=") {
		return spec
	}
	if !strings.Contains(spec, "(") {
		return spec + "(l0=" + l0 + ")"
	}
	return strings.TrimSuffix(spec, ")") + ",l0=" + l0 + ")"
}

// The step program, assembled for every catalogue landscape, noise model and precision,
// passes glslangValidator (the Khronos reference compiler) as a #version 430 compute shader.
func TestStepProgramValidates(t *testing.T) {
	bin, err := exec.LookPath("glslangValidator")
	if err != nil {
		t.Fatalf("glslangValidator not found: install glslang-tools (make deps): %v", err)
	}
	dir := t.TempDir()
	n := 0
	for _, spec := range catalogueSpecs {
		for _, ns := range host.NoiseSpecs {
			noise := ns.Model
			if ns.NeedsData {
				continue // the data models run on the GPU in data_test.go
			}
			for _, prec := range []host.Precision{host.F32, host.F64} {
				cfg := host.DefaultConfig()
				cfg.Landscape, cfg.Noise, cfg.Precision = spec, noise, prec
				cfg.Batch, cfg.LR = 0.1, 0.001
				if noise == host.SGDLoss {
					cfg.Landscape = withOffset(spec)
				}
				if noise == host.SGDHessian && spec == "styblinski-tang(d=5)" {
					cfg.Floor = 0.1
				}
				p, err := host.Prepare(cfg)
				if err != nil {
					t.Errorf("%s %s: %v", cfg.Landscape, noise, err)
					continue
				}
				u, err := gpu.StepSource(p, prec == "f64")
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(dir, fmt.Sprintf("step%d.comp", n))
				n++
				if err := os.WriteFile(path, []byte(u.Text), 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(bin, "-S", "comp", path).CombinedOutput(); err != nil {
					t.Errorf("%s %s %s: glslangValidator: %v\n%s", cfg.Landscape, noise, prec, err, out)
				}
			}
		}
	}
	// Finite data (docs/theory.md §8): every noise model on per-sample losses in 1, 2 and 3
	// dimensions, minibatch under each sampling.
	type dataCase struct {
		spec     string
		start    []float64
		noise    host.NoiseModel
		sampling string
	}
	var cases []dataCase
	for _, ls := range []struct {
		spec  string
		start []float64
	}{{"x^4/4 - x^2/2 + 3*f*x", []float64{-1}}, {"0.5*(x*tanh(y*f+0.5) - t)^2", []float64{0.9, 2.9}},
		{"(x1^2-1)^2 + x2^2 + x3^2 + 0.5*x1*x2 + f*x1 + t*x2 + f^2*x3", []float64{-1, 0.2, -0.1}}} {
		for _, s := range []string{host.SampleWith, host.SampleWithout, host.SampleEpoch} {
			cases = append(cases, dataCase{ls.spec, ls.start, host.Minibatch, s})
		}
		for _, noise := range []host.NoiseModel{host.SGDCov, host.SGLD, host.SGDHessian} {
			cases = append(cases, dataCase{ls.spec, ls.start, noise, ""})
		}
	}
	for _, c := range cases {
		for _, prec := range []host.Precision{host.F32, host.F64} {
			cfg := host.DefaultConfig()
			cfg.Landscape, cfg.Start, cfg.Noise, cfg.Sampling, cfg.Precision = c.spec, c.start, c.noise, c.sampling, prec
			cfg.Data, cfg.Batch, cfg.LR = "gen:neuron(n=40)", 4, 0.01
			p, err := host.Prepare(cfg)
			if err != nil {
				t.Errorf("%s %s: %v", c.spec, c.noise, err)
				continue
			}
			u, err := gpu.StepSource(p, prec == "f64")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, fmt.Sprintf("step%d.comp", n))
			n++
			if err := os.WriteFile(path, []byte(u.Text), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(bin, "-S", "comp", path).CombinedOutput(); err != nil {
				t.Errorf("%s %s %s %s: glslangValidator: %v\n%s", c.spec, c.noise, c.sampling, prec, err, out)
			}
		}
	}
}

// Against the exact 1-D quadrature (docs/theory.md §4.3, implemented in host/theory): tilted(c=0.1)
// under sgld, T = 0.08, η = 0.01, 2·10⁵ particles. τ̂ must lie within 5% plus 3σ of the
// quadrature; the 5% covers the Euler–Maruyama bias at η = 0.01, which docs/theory.md measures
// at +2% for this very case, and σ = τ̂/sqrt(E) is the censored MLE's Poisson error.
// The observation window is 160 time units (τ ≈ 400): the exponential MLE ignores the lag of
// about 3 time units that a particle needs to travel from the saddle to the escape point, which
// biases κ̂ low by about lag/t_max (measured here: 8% at t_max = 40, 1% at t_max = 400).
func TestTiltedAgainstQuadrature(t *testing.T) {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.Temp, cfg.LR = "tilted(c=0.1)", host.SGLD, 0.08, 0.01
	cfg.Particles, cfg.Steps, cfg.Seed = 200000, 16000, 11
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := gpuFactory(t)(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	res, err := host.Execute(context.Background(), p, b, host.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q := res.Theory["quadrature"]
	if q.Tau == nil || res.Estimate.Tau == nil {
		t.Fatalf("missing τ: quadrature %v (%s), estimate %v", q.Tau, q.Reason, res.Estimate.Tau)
	}
	tau, want := *res.Estimate.Tau, *q.Tau
	sigma := tau / math.Sqrt(float64(res.Estimate.Escaped))
	t.Logf("τ̂ = %.2f (E = %d, σ = %.2f), quadrature %.2f, ratio %.4f", tau, res.Estimate.Escaped, sigma, want, tau/want)
	if math.Abs(tau-want) > 0.05*want+3*sigma {
		t.Fatalf("τ̂ = %.2f differs from the quadrature %.2f by more than 5%% + 3σ (σ = %.2f)", tau, want, sigma)
	}
}

// TestShortWindowsBothBackends runs the validation case K9 (host/reproduce) on the GPU and on the
// CPU reference: 1-D sgld and sgd-hessian runs with windows t_max from 2% to 100% of τ and η from
// 0.005 to 0.02, each against the exact rate of the discrete chain at its own η, within 2% + 3σ
// (σ = κ̂/√E′). Scale 0.25 sizes each run for about 1000 escapes after the burn-in (σ ≈ 3%).
func TestShortWindowsBothBackends(t *testing.T) {
	cpu := func(host.Config) (host.Backend, error) { return validate.NewCPU(), nil }
	for _, b := range []struct {
		name host.BackendKind
		open host.BackendFactory
	}{{host.GPU, gpuFactory(t)}, {host.CPU, cpu}} {
		rep, err := reproduce.Execute(context.Background(), reproduce.Options{Quick: true, Primary: b.open, Reference: cpu,
			Backend: b.name, Scale: 0.25, Cases: []string{"K9"}})
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		checks := 0
		for _, c := range rep.Checks() {
			if c.Case != "K9" {
				continue
			}
			checks++
			t.Logf("%s %s: %s measured %v ± %v, exact %v; %s", b.name, c.Status, c.Name, c.Measured, c.Sigma, c.Predicted, c.Note)
			if c.Status != reproduce.StatusPass {
				t.Errorf("%s: %s: %s (%s)", b.name, c.Name, c.Status, c.RequireWhy)
			}
		}
		if checks < 9 {
			t.Errorf("%s: %d K9 checks, want 9", b.name, checks)
		}
	}
}
