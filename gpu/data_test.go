package gpu_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/data"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/rng"
	"github.com/kramers-sim/kramers/shaders"
	"github.com/kramers-sim/kramers/validate"
)

// indexMain writes the minibatch rows of (particle, iteration) pairs: invocation i takes particle
// uParticle0 + i mod uParticles and the iteration iters[i / uParticles], and its own slot of the
// epoch permutations.
const indexMain = `
#include "philox.glsl"
layout(local_size_x = 1) in;
#include "landscape.glsl"
#include "minibatch.glsl"
layout(std430, binding = 0) readonly buffer Iterations { uint iters[]; };
layout(std430, binding = 1) writeonly buffer Rows { uint out_rows[]; };
uniform uvec2 uKey;
uniform uint uParticle0;
uniform uint uParticles;
void main() {
	uint i = gl_GlobalInvocationID.x;
	uint rows[BATCH];
	minibatchRows(uKey, uParticle0 + i % uParticles, iters[i / uParticles], i * (uint(DATA_ROWS) + 1u), rows);
	for (int k = 0; k < BATCH; k++) out_rows[i * uint(BATCH) + uint(k)] = rows[k];
}
`

// dataLandscape parses a per-sample loss over a generator's data.
func dataLandscape(t *testing.T, spec, gen string) *landscape.Landscape {
	t.Helper()
	d, err := data.Open(gen)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := landscape.ParseData(spec, 0, nil, d.Columns, d.Values)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// The GPU's minibatch index streams (shaders/minibatch.glsl) equal host/rng's BatchIndices bit
// for bit, for the three samplings, N = 37 rows (not a multiple of B = 5, so that epoch sampling
// drops rows), particles beyond 2³¹ and iterations across many epochs. The GPU computes
// without-replacement batches by a sparse partial shuffle and epochs into a storage block; the
// reference by an N-entry scratch array and a Go map: two implementations of one contract.
func TestMinibatchIndicesMatchGo(t *testing.T) {
	ctx := openContext(t)
	ls := dataLandscape(t, "x*f + t", "gen:neuron(n=37)")
	const n, b, particles = 37, 5, 16
	iters := []uint32{0, 1, 6, 7, 8, 13, 14, 699, 700, 123456789, 4294967295}
	key := rng.Key(20261201)
	p0 := uint32(1<<31 + 12345)
	for _, sampling := range []string{rng.With, rng.Without, rng.Epoch} {
		t.Run(sampling, func(t *testing.T) {
			code := map[string]int{rng.With: 0, rng.Without: 1, rng.Epoch: 2}[sampling]
			u, err := shaders.Assemble("index", map[string]string{"REAL": "float", "BATCH": fmt.Sprint(b), "SAMPLING": fmt.Sprint(code), "EPOCH_BINDING": "2"},
				map[string]string{"index": indexMain, "landscape.glsl": ls.GLSL(landscape.GLSLOptions{NoHessian: true})})
			if err != nil {
				t.Fatal(err)
			}
			prog, err := ctx.CompileComputeUnit(u)
			if err != nil {
				t.Fatal(err)
			}
			defer prog.Delete()
			count := particles * len(iters)
			in, _ := gpu.NewBufferFrom(ctx, iters, gpu.StaticDraw)
			out, _ := ctx.NewBuffer(4*count*b, gpu.StreamRead)
			perms, _ := ctx.NewBuffer(4*count*(n+1), gpu.DynamicCopy)
			defer in.Delete()
			defer out.Delete()
			defer perms.Delete()
			if err := perms.Zero(); err != nil {
				t.Fatal(err)
			}
			in.BindBase(0)
			out.BindBase(1)
			perms.BindBase(2)
			prog.SetUvec2("uKey", key[0], key[1])
			prog.SetUint("uParticle0", p0)
			prog.SetUint("uParticles", particles)
			if err := prog.Dispatch(uint32(count), 1, 1); err != nil {
				t.Fatal(err)
			}
			got := make([]uint32, count*b)
			if err := gpu.Download(out, 0, got); err != nil {
				t.Fatal(err)
			}
			scratch := make([]int, n)
			for i := range scratch {
				scratch[i] = i
			}
			want, perm := make([]int, b), make([]int, n)
			distinct := map[string]bool{}
			for i := 0; i < count; i++ {
				particle, it := p0+uint32(i%particles), iters[i/particles]
				if sampling == rng.Epoch {
					rng.EpochPermutation(key, particle, rng.EpochOf(it, n, b), perm)
				}
				rng.BatchIndices(key, sampling, particle, it, n, want, scratch, perm)
				for k := range want {
					if int(got[i*b+k]) != want[k] {
						t.Fatalf("particle %d iteration %d: gpu rows %v, host/rng %v", particle, it, got[i*b:(i+1)*b], want)
					}
				}
				distinct[fmt.Sprint(want)] = true
			}
			// The comparison must not be vacuous: the batches differ between draws.
			if len(distinct) < count*9/10 {
				t.Fatalf("only %d distinct batches among %d draws", len(distinct), count)
			}
			t.Logf("%s: %d batches of %d rows equal bit for bit (%d distinct)", sampling, count, b, len(distinct))
		})
	}
}

// covMain writes the full-data gradient and the per-sample gradient covariance at each point.
const covMain = `
#include "philox.glsl"
layout(local_size_x = 1) in;
#include "landscape.glsl"
#include "minibatch.glsl"
layout(std430, binding = 0) readonly buffer Points { REAL pts[]; };
layout(std430, binding = 1) writeonly buffer Values { REAL vals[]; };
void main() {
	const int D = LANDSCAPE_DIM;
	uint i = gl_GlobalInvocationID.x;
	REAL x[D];
	for (int k = 0; k < D; k++) x[k] = pts[i * uint(D) + uint(k)];
	REAL g[D];
	REAL c[D * D];
	gradientCovariance(x, g, c);
	uint o = i * uint(D + D * D);
	for (int k = 0; k < D; k++) vals[o + uint(k)] = g[k];
	for (int k = 0; k < D * D; k++) vals[o + uint(D + k)] = c[k];
}
`

// The covariance the GPU computes for sgd-cov (shaders/minibatch.glsl, gradientCovariance) matches
// host.SampleCovariance in float64, and the full-data gradient the Evaluator's, at points of three
// data landscapes (1-D, 2-D neuron, 3-D), to 1e-5 normwise relative in float32: float32 rounds each
// of the ~N·d² accumulations at 6e-8 and the centred form has no cancellation beyond that, so the
// measured worst is near 3e-7 (logged); 1e-5 leaves a margin of thirty. In double mode to 1e-12,
// or 1e-6 where the loss has tanh, which GLSL 4.30 evaluates in float (measured 3e-7).
func TestCovarianceMatchesFloat64(t *testing.T) {
	ctx := openContext(t)
	cases := []struct {
		spec, gen string
		pts       [][]float64
	}{
		{"x^4/4 - x^2/2 + 3*f*x", "gen:neuron(n=100)", [][]float64{{-1}, {0.3}, {1.7}}},
		{"0.5*(x*tanh(y*f+0.5) - t)^2", "gen:neuron(n=200)", [][]float64{{0.9, 2.9}, {0, 0.01}, {-0.5, 1.2}}},
		{"(x1^2-1)^2 + x2^2 + x3^2 + 0.5*x1*x2 + f*x1 + t*x2 + f^2*x3", "gen:neuron(n=60)", [][]float64{{-1, 0.2, -0.1}, {0.4, -0.3, 0.8}}},
	}
	for _, double := range []bool{false, true} {
		for _, tc := range cases {
			name := tc.spec
			if double {
				name += " f64"
			}
			t.Run(name, func(t *testing.T) {
				ls := dataLandscape(t, tc.spec, tc.gen)
				d := ls.Dim
				real, size := "float", 4
				if double {
					real, size = "double", 8
				}
				u, err := shaders.Assemble("cov", map[string]string{"REAL": real, "BATCH": "1", "SAMPLING": "0", "EPOCH_BINDING": "2"},
					map[string]string{"cov": covMain, "landscape.glsl": ls.GLSL(landscape.GLSLOptions{Double: double, NoHessian: true})})
				if err != nil {
					t.Fatal(err)
				}
				prog, err := ctx.CompileComputeUnit(u)
				if err != nil {
					t.Fatal(err)
				}
				defer prog.Delete()
				var flat []float64
				for _, p := range tc.pts {
					flat = append(flat, p...)
				}
				rows := ls.DataValues()
				var in, dbuf *gpu.Buffer
				if double {
					in, _ = gpu.NewBufferFrom(ctx, flat, gpu.StaticDraw)
					dbuf, _ = gpu.NewBufferFrom(ctx, rows, gpu.StaticDraw)
				} else {
					in, _ = gpu.NewBufferFrom(ctx, toF32(flat), gpu.StaticDraw)
					dbuf, _ = gpu.NewBufferFrom(ctx, toF32(rows), gpu.StaticDraw)
				}
				defer in.Delete()
				defer dbuf.Delete()
				stride := d + d*d
				out, _ := ctx.NewBuffer(size*len(tc.pts)*stride, gpu.StreamRead)
				defer out.Delete()
				in.BindBase(0)
				out.BindBase(1)
				dbuf.BindBase(landscape.DataBinding)
				if err := prog.Dispatch(uint32(len(tc.pts)), 1, 1); err != nil {
					t.Fatal(err)
				}
				got := make([]float64, len(tc.pts)*stride)
				if double {
					err = gpu.Download(out, 0, got)
				} else {
					g32 := make([]float32, len(got))
					err = gpu.Download(out, 0, g32)
					for i, v := range g32 {
						got[i] = float64(v)
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				tol := 1e-5
				if double && !strings.Contains(tc.spec, "tanh") {
					tol = 1e-12
				} else if double {
					tol = 1e-6 // tanh has no double overload in GLSL 4.30: evaluated in float (host/landscape glsl.go)
				}
				ev := ls.Evaluator()
				worst := 0.0
				for i, p := range tc.pts {
					x := append([]float64(nil), p...)
					if !double {
						for k := range x {
							x[k] = float64(float32(x[k]))
						}
					}
					g := make([]float64, d)
					ev.Gradient(x, g)
					want := [][]float64{g, host.SampleCovariance(ev, x)}
					gotq := [][]float64{got[i*stride : i*stride+d], got[i*stride+d : (i+1)*stride]}
					for q, w := range want {
						scale := 0.0
						for _, v := range w {
							scale = math.Max(scale, math.Abs(v))
						}
						for k, v := range w {
							e := math.Abs(gotq[q][k]-v) / math.Max(scale, 1e-30)
							worst = math.Max(worst, e)
							if !(e <= tol) {
								t.Errorf("point %v %s entry %d: gpu %.9g, float64 %.9g (rel %.2e)", p, []string{"gradient", "covariance"}[q], k, gotq[q][k], v, e)
							}
						}
					}
				}
				t.Logf("worst normwise relative difference %.2e (tolerance %g)", worst, tol)
			})
		}
	}
}

// openContext opens a GL context for the test; a missing GL fails the test (never skips).
func openContext(t *testing.T) *gpu.Context {
	t.Helper()
	ctx, err := gpu.NewContext(gpu.Options{})
	if err != nil {
		t.Fatalf("no OpenGL 4.3 context (run under xvfb-run or with EGL): %v", err)
	}
	t.Cleanup(func() { ctx.Close() })
	return ctx
}

func toF32(v []float64) []float32 {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return f
}

// A chunk longer than the driver's loop limit allows (llvmpipe: 65535 loop turns per invocation,
// gpu/backend.go loopLimited) is taken in shorter dispatches and gives the reference's positions:
// sgd-hessian on a coupled 3-D well (Jacobi sweeps) and sgd-cov on 100 rows, in chunks of 1000
// iterations, where a single dispatch was measured to part from the reference after 100–340 (these
// two carry the probe and learn their dispatches, gpu/stepsource.go NeedsLoopGuard); sgld on a
// 16-dimensional landscape in one chunk of 20000 iterations (a few loop turns per step over the
// noise blocks and coordinates: cut between 10000 and 20000), dispatched as the loop bound allows;
// and true SGD on a compiled network, whose loop bound counts the loops of its passes
// (Landscape.SampleLoopTurns).
// On a loop-limited driver each case is run again with the guard forced off (GuardNone: one
// dispatch for the whole chunk), and there the comparison must fail: it catches a cut dispatch.
func TestLongChunksAgreeWithReference(t *testing.T) {
	cases := []struct {
		name, spec, gen string
		noise           host.NoiseModel
		lr, batch       float64
		start           []float64
		steps           int
		escape          string // "": the default escape
	}{
		{"sgd-hessian Jacobi", "(x1^2-1)^2 + x2^2 + x3^2 + 0.5*x1*x2 + 0.3*x2*x3", "", host.SGDHessian, 0.01, 0.2, []float64{-1, 0.2, -0.1}, 1000, ""},
		{"sgd-cov 100 rows", "x^4/4 - x^2/2 + 3*f*x", "gen:neuron(n=100)", host.SGDCov, 0.05, 5, []float64{-1}, 1000, ""},
		{"sgld d = 16", "styblinski-tang(d=16)", "", host.SGLD, 0.002, 1, nil, 20000, ""},
		// A compiled network's per-sample gradient loops over layers and units (host/landscape
		// network_glsl.go): sgld's full-data gradient over 30 rows of a 16-1-1 network, whose inner
		// products of 16 terms run as loops of 8.
		{"sgld network 16-1-1", "mlp(h1=1,act=softplus,wd=0.01)", "gen:mlp(n=30,seed=1,d=16,h=2)", host.SGLD, 0.002, 1, nil, 5000, "x1 > 50"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := host.DefaultConfig()
			cfg.Landscape, cfg.Noise, cfg.LR, cfg.Batch, cfg.Data = tc.spec, tc.noise, tc.lr, tc.batch, tc.gen
			cfg.Start, cfg.Escape = tc.start, tc.escape
			cfg.Particles, cfg.Steps, cfg.Seed, cfg.Absorb, cfg.Chunk = 128, tc.steps, 3, false, tc.steps
			cfg.Temp = 1
			p, err := host.Prepare(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ref := finalPositions(t, p, validate.NewCPU())
			g := newGPUBackend(t, gpu.GuardAuto)
			renderer := g.Renderer()
			worst := maxDifference(ref, finalPositions(t, p, g))
			t.Logf("%s: max |Δθ| = %.2e after %d iterations in one chunk; dispatches of at most %d iterations (loop bound %d, probe %v)", renderer, worst, tc.steps, g.StepsPerDispatch(), gpu.StepLoopBound(p).MaxSteps(), gpu.NeedsLoopGuard(p))
			if !(worst <= validate.TrajectoryTolerance) {
				t.Fatalf("max |Δθ| = %g beyond %g", worst, validate.TrajectoryTolerance)
			}
			if !strings.Contains(strings.ToLower(renderer), "llvmpipe") {
				return
			}
			if g.StepsPerDispatch() == 0 {
				t.Fatalf("on llvmpipe this run needs shorter dispatches, but none were taken")
			}
			cut := maxDifference(ref, finalPositions(t, p, newGPUBackend(t, gpu.GuardNone)))
			t.Logf("guard forced off: one dispatch of %d iterations, max |Δθ| = %.2e", tc.steps, cut)
			if cut <= validate.TrajectoryTolerance {
				t.Fatalf("with the guard forced off, one dispatch of %d iterations still agrees with the reference (max |Δθ| = %.2e): this case no longer shows that a cut is caught", tc.steps, cut)
			}
		})
	}
}

// newGPUBackend opens a float32 GPU backend with the given loop guard; a missing GL fails the test.
func newGPUBackend(t *testing.T, guard gpu.LoopGuard) *gpu.Backend {
	t.Helper()
	b, err := gpu.NewBackend(false)
	if err != nil {
		t.Fatalf("no OpenGL 4.3 context (run under xvfb-run or with EGL): %v", err)
	}
	b.Guard = guard
	return b
}

// finalPositions runs p on b (closing it afterwards) and returns the positions at the end.
func finalPositions(t *testing.T, p *host.Problem, b host.Backend) []float64 {
	t.Helper()
	defer b.Close()
	if _, err := host.Execute(context.Background(), p, b, host.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	pos, err := b.Positions()
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// maxDifference is max |a_i − b_i|, +Inf where b has a NaN.
func maxDifference(a, b []float64) float64 {
	worst := 0.0
	for i := range a {
		worst = math.Max(worst, math.Abs(a[i]-b[i]))
		if math.IsNaN(b[i]) {
			worst = math.Inf(1)
		}
	}
	return worst
}
