package gpu_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/rng"
)

// The lean kernel: case 1 of kramers bench (doublewell(k=1), sgld, float32, absorbing) written
// by hand as one compute shader with scalars for θ and nothing the general step program carries
// (no arrays over d, no draw-group selects at the chunk's ends, no records of late divergences,
// no per-work-group counters, no loop probe). It takes the same arithmetic as
// shaders/step.comp.glsl in the same order (Philox4x32-10 with the round keys hoisted, the
// branch-free Box–Muller of stepLogUniform and stepCosSinUniform, four iterations per draw), so
// its positions and records equal the engine's up to float32 rounding (TestLeanKernelMatchesEngine): it is the
// floor the engine's case 1 is measured against (BenchmarkCase1AB, BENCHMARKS.md).
const leanKernelSource = `#version 430
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Positions { float positions[]; };
layout(std430, binding = 1) buffer Records { uint records[]; };
layout(std430, binding = 2) buffer Counters { uint counters[4]; };
uniform uint uIteration; // a multiple of 4
uniform uint uSteps;     // a multiple of 4
uniform uint uCount;
uniform uvec2 uKey;
const float ETA = %s;
const float AMP = %s;
const float MINIMUM = %s;
const float BOUND = %s;
const float ESCAPE_POINT = %s;
const float ESCAPE_MARGIN = %s;
const uint RUNNING = 0xFFFFFFFFu;
const uint DIVERGED_FLAG = 0x80000000u;

float logUniform(uint w) {
	bool upper = w >= 0x80000000u;
	float v = (float(~w) + 0.5) * 2.3283064365386963e-10;
	float l = log(upper ? 1.0 - v : (float(w) + 0.5) * 2.3283064365386963e-10);
	float series = -v * (1.0 + v * (1.0 / 2.0 + v * (1.0 / 3.0 + v * (1.0 / 4.0 +
	               v * (1.0 / 5.0 + v * (1.0 / 6.0 + v * (1.0 / 7.0 + v * (1.0 / 8.0))))))));
	return (upper && v < 0.0625) ? series : l;
}

vec2 cosSinUniform(uint w) {
	uint k = ((w + 0x20000000u) >> 30) & 3u;
	int t = int(w - (k << 30));
	float theta = (float(t) + 0.5) * 1.4629180792671596e-09;
	float t2 = theta * theta;
	vec2 cs = vec2(1.0 + t2 * (-1.0 / 2.0 + t2 * (1.0 / 24.0 + t2 * (-1.0 / 720.0 + t2 * (1.0 / 40320.0 + t2 * (-1.0 / 3628800.0))))),
	               theta * (1.0 + t2 * (-1.0 / 6.0 + t2 * (1.0 / 120.0 + t2 * (-1.0 / 5040.0 + t2 * (1.0 / 362880.0))))));
	vec2 r = (k & 1u) != 0u ? vec2(-cs.y, cs.x) : cs;
	return (k & 2u) != 0u ? -r : r;
}

void main() {
	uint i = gl_GlobalInvocationID.x;
	if (i >= uCount) return;
	uint r = records[i];
	if (r != RUNNING) return; // absorbing: escaped or diverged particles are frozen
	float x = positions[i];
	uvec2 rk[10];
	rk[0] = uKey;
	for (int k = 1; k < 10; k++) rk[k] = rk[k - 1] + uvec2(0x9E3779B9u, 0xBB67AE85u);
	uint hi0, lo0, hi1, lo1;
	umulExtended(0xD2511F53u, i, hi0, lo0);
	umulExtended(0xCD9E8D57u, 0u, hi1, lo1);
	uint end = uIteration + uSteps;
	for (uint g = uIteration; g < end; g += 4u) {
		uvec4 c = uvec4(hi1 ^ g ^ rk[0].x, lo1, hi0 ^ rk[0].y, lo0);
		for (int k = 1; k < 10; k++) {
			uint h0, l0, h1, l1;
			umulExtended(0xD2511F53u, c.x, h0, l0);
			umulExtended(0xCD9E8D57u, c.z, h1, l1);
			c = uvec4(h1 ^ c.y ^ rk[k].x, l1, h0 ^ c.w ^ rk[k].y, l0);
		}
		float r0 = sqrt(-2.0 * logUniform(c.x));
		float r1 = sqrt(-2.0 * logUniform(c.z));
		vec4 z = vec4(r0 * cosSinUniform(c.y), r1 * cosSinUniform(c.w));
		bool live = true;
		for (int j = 0; j < 4; j++) {
			float y = x - ETA * ((2.0 * ((x * x) - 1.0)) * (2.0 * x)) + AMP * z[j];
			if (live) x = y;
			bool diverged = floatBitsToUint(abs(x - MINIMUM)) > floatBitsToUint(BOUND);
			bool escaped = (x - ESCAPE_POINT) > ESCAPE_MARGIN;
			if (live && (diverged || escaped)) {
				r = diverged ? (DIVERGED_FLAG | (g + uint(j) + 1u)) : g + uint(j) + 1u;
				live = false;
			}
		}
		if (!live) break;
	}
	positions[i] = x;
	if (r != RUNNING) {
		records[i] = r;
		atomicAdd(counters[(r & DIVERGED_FLAG) != 0u ? 1 : 0], 1u);
	}
}
`

// leanMaxSteps is the most iterations the lean kernel takes in one dispatch: 1000 draws, some
// 16000 loop turns even if no loop were unrolled, well within llvmpipe's 65535 (gpu/stepsource.go).
const leanMaxSteps = 4000

// case1Config is case 1 of kramers bench with n particles and the given iterations.
func case1Config(n, steps int) host.Config {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Temp = "doublewell(k=1)", host.SGLD, 0.01, 0.1
	cfg.Particles, cfg.Steps = n, steps
	return cfg
}

// leanKernel is the lean kernel loaded with n particles at p's start.
type leanKernel struct {
	ctx                *gpu.Context
	prog               *gpu.Program
	pos, rec, counters *gpu.Buffer
	n                  int
	key                [2]uint32
}

func newLeanKernel(p *host.Problem, n int) (*leanKernel, error) {
	if p.Dim != 1 || p.Noise.Model != host.SGLD || !p.Config.Absorb || p.Escape.Kind != host.EscapeHyperplane || p.Escape.Normal[0] != 1 {
		return nil, fmt.Errorf("the lean kernel is case 1 only")
	}
	lit := func(v float64) string { return landscape.Literal(v, landscape.GLSLOptions{}) }
	src := fmt.Sprintf(leanKernelSource, lit(p.Config.LR), lit(p.Noise.Amplitude), lit(p.Analysis.Minimum[0]), lit(p.Bound), lit(p.Escape.Point[0]), lit(p.Escape.Margin))
	ctx, err := gpu.NewContext(gpu.Options{})
	if err != nil {
		return nil, err
	}
	k := &leanKernel{ctx: ctx, n: n, key: rng.Key(p.Config.Seed)}
	if k.prog, err = ctx.CompileCompute(src); err != nil {
		ctx.Close()
		return nil, err
	}
	pos := make([]float32, n)
	rec := make([]uint32, n)
	for i := range pos {
		pos[i], rec[i] = float32(p.Start[0]), host.Running
	}
	if k.pos, err = gpu.NewBufferFrom(ctx, pos, gpu.DynamicCopy); err == nil {
		if k.rec, err = gpu.NewBufferFrom(ctx, rec, gpu.DynamicCopy); err == nil {
			k.counters, err = ctx.NewBuffer(16, gpu.DynamicRead)
		}
	}
	if err == nil {
		err = k.advance(0, 0) // compiles the program (llvmpipe translates at the first dispatch)
	}
	if err != nil {
		k.close()
		return nil, err
	}
	return k, nil
}

// advance dispatches iterations [iter, iter+steps) in pieces of at most leanMaxSteps and waits for
// them (the counters' read-back, as the engine's Advance).
func (k *leanKernel) advance(iter, steps int) error {
	for done := 0; done < steps || steps == 0; {
		m := min(steps-done, leanMaxSteps)
		err := k.ctx.Do(func() error {
			for i, b := range []*gpu.Buffer{k.pos, k.rec, k.counters} {
				if err := b.BindBase(uint32(i)); err != nil {
					return err
				}
			}
			if err := k.prog.SetUvec2("uKey", k.key[0], k.key[1]); err != nil {
				return err
			}
			for _, u := range []struct {
				name string
				v    uint32
			}{{"uIteration", uint32(iter + done)}, {"uSteps", uint32(m)}, {"uCount", uint32(k.n)}} {
				if err := k.prog.SetUint(u.name, u.v); err != nil {
					return err
				}
			}
			return k.prog.Dispatch(uint32((k.n+63)/64), 1, 1)
		})
		if err != nil {
			return err
		}
		var c [4]uint32
		if err := gpu.Download(k.counters, 0, c[:]); err != nil {
			return err
		}
		done += m
		if steps == 0 {
			break
		}
	}
	return nil
}

func (k *leanKernel) close() {
	for _, b := range []*gpu.Buffer{k.pos, k.rec, k.counters} {
		if b != nil {
			b.Delete()
		}
	}
	if k.prog != nil {
		k.prog.Delete()
	}
	k.ctx.Close()
}

// The lean kernel takes the engine's step: after 800 iterations of case 1 (escapes included:
// T = 0.5 here, so that some particles escape and their records are compared too) both give the same
// records and positions up to float32 rounding.
func TestLeanKernelMatchesEngine(t *testing.T) {
	const n, steps = 4096, 800
	cfg := case1Config(n, steps)
	cfg.Temp = 0.5
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	k, err := newLeanKernel(p, n)
	if err != nil {
		t.Fatalf("lean kernel (needs OpenGL 4.3: run under xvfb-run or with EGL): %v", err)
	}
	defer k.close()
	if err := k.advance(0, steps); err != nil {
		t.Fatal(err)
	}
	leanPos := make([]float32, n)
	leanRec := make([]uint32, n)
	if err := gpu.Download(k.pos, 0, leanPos); err != nil {
		t.Fatal(err)
	}
	if err := gpu.Download(k.rec, 0, leanRec); err != nil {
		t.Fatal(err)
	}
	b := newGPUBackend(t, gpu.GuardAuto)
	defer b.Close()
	if err := b.Load(p, 0, n); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Advance(0, steps); err != nil {
		t.Fatal(err)
	}
	pos, err := b.Positions()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := b.Records()
	if err != nil {
		t.Fatal(err)
	}
	// LLVM may contract a multiply and an add into one fused operation in one program and not in
	// the other, so positions differ in the last float32 bits: measured here in 744 of 4096
	// particles, by at most 8.3·10⁻⁶ after 800 iterations (near the saddle, where the dynamics
	// amplify a rounding difference). The tolerance, 10⁻⁴, is 12 times that and a thousandth of
	// the step's noise (AMP = 0.1 at T = 0.5); a record may flip only where such a difference
	// decides an escape test, so at most 1% of the records may differ (none did).
	escaped, recDiffer, worst := 0, 0, 0.0
	for i := range rec {
		if rec[i] != host.Running {
			escaped++
		}
		if rec[i] != leanRec[i] {
			recDiffer++
			continue
		}
		worst = math.Max(worst, math.Abs(pos[i]-float64(leanPos[i])))
	}
	t.Logf("%d of %d particles escaped or diverged; %d records differ; max |Δθ| = %.2g where they agree", escaped, n, recDiffer, worst)
	if escaped == 0 || recDiffer > n/100 || !(worst <= 1e-4) {
		t.Fatalf("the lean kernel and the engine part: %d records differ, max |Δθ| = %g (%d escaped; the comparison needs some)", recDiffer, worst, escaped)
	}
}

// BenchmarkCase1AB measures case 1 of kramers bench (2²⁰ particles × 4000 iterations; override with
// KRAMERS_BENCH_PARTICLES and KRAMERS_BENCH_STEPS) four ways, alternating within each of
// KRAMERS_BENCH_ROUNDS rounds (default 5, the order rotated from round to round) so that the
// machine's drift touches all alike:
//
//	lean     the hand-written kernel above, dispatches of 4000 iterations
//	engine   gpu.Backend.Advance over all iterations (gpu.GuardAuto: dispatches as the loop bound allows)
//	guarded  the same with gpu.GuardProbe: the probe, and the copy before every dispatch (as 0.3.1)
//	bench    the engine as kramers bench runs it: host.Execute, the host's adaptive chunks
//
// It logs every measurement (particle-steps per wall second and per CPU second of the process,
// llvmpipe's threads included) with the load average, and reports the medians and the medians of
// the per-round ratios to lean. Run with -benchtime 1x (BENCHMARKS.md).
func BenchmarkCase1AB(b *testing.B) {
	n, steps, rounds := envInt("KRAMERS_BENCH_PARTICLES", 1<<20), envInt("KRAMERS_BENCH_STEPS", 4000), envInt("KRAMERS_BENCH_ROUNDS", 5)
	p, err := host.Prepare(case1Config(n, steps))
	if err != nil {
		b.Fatal(err)
	}
	type timing func() (wall, cpu time.Duration, err error)
	variants := []struct {
		name string
		run  timing
	}{
		{"lean", func() (time.Duration, time.Duration, error) { return runLean(p, n, steps) }},
		{"engine", func() (time.Duration, time.Duration, error) { return runAdvance(p, gpu.GuardAuto) }},
		{"guarded", func() (time.Duration, time.Duration, error) { return runAdvance(p, gpu.GuardProbe) }},
		{"bench", func() (time.Duration, time.Duration, error) { return runExecute(p) }},
	}
	wallRates, cpuRates := map[string][]float64{}, map[string][]float64{}
	wallRatios, cpuRatios := map[string][]float64{}, map[string][]float64{}
	work := float64(n) * float64(steps)
	for r := 0; r < rounds; r++ {
		for j := range variants {
			v := variants[(j+r)%len(variants)]
			load := loadAverage()
			wall, cpu, err := v.run()
			if err != nil {
				b.Fatal(err)
			}
			wallRates[v.name] = append(wallRates[v.name], work/wall.Seconds())
			cpuRates[v.name] = append(cpuRates[v.name], work/cpu.Seconds())
			b.Logf("round %d %-8s %.3g particle-steps/s, %.3g per CPU-s; load %s", r+1, v.name, work/wall.Seconds(), work/cpu.Seconds(), load)
		}
		for _, v := range variants[1:] {
			wallRatios[v.name] = append(wallRatios[v.name], wallRates[v.name][r]/wallRates["lean"][r])
			cpuRatios[v.name] = append(cpuRatios[v.name], cpuRates[v.name][r]/cpuRates["lean"][r])
		}
	}
	for _, v := range variants {
		b.Logf("%-8s median %.3g (%.3g–%.3g) particle-steps/s; per CPU-s %.3g (%.3g–%.3g)", v.name,
			median(wallRates[v.name]), slices.Min(wallRates[v.name]), slices.Max(wallRates[v.name]),
			median(cpuRates[v.name]), slices.Min(cpuRates[v.name]), slices.Max(cpuRates[v.name]))
		b.ReportMetric(median(wallRates[v.name]), v.name+"-psteps/s")
	}
	for _, v := range variants[1:] {
		w, c := wallRatios[v.name], cpuRatios[v.name]
		b.Logf("%s/lean per round: wall %.3f (%.3f–%.3f), CPU %.3f (%.3f–%.3f)", v.name,
			median(w), slices.Min(w), slices.Max(w), median(c), slices.Min(c), slices.Max(c))
		b.ReportMetric(median(w), v.name+"/lean")
	}
}

// runLean times the lean kernel's iterations (compilation and upload excluded).
func runLean(p *host.Problem, n, steps int) (time.Duration, time.Duration, error) {
	k, err := newLeanKernel(p, n)
	if err != nil {
		return 0, 0, err
	}
	defer k.close()
	c0, t0 := cpuTime(), time.Now()
	err = k.advance(0, steps)
	return time.Since(t0), cpuTime() - c0, err
}

// runAdvance times one Advance over all of p's iterations on a fresh backend (compilation and
// upload excluded).
func runAdvance(p *host.Problem, guard gpu.LoopGuard) (time.Duration, time.Duration, error) {
	be, err := gpu.NewBackend(false)
	if err != nil {
		return 0, 0, err
	}
	be.Guard = guard
	defer be.Close()
	if err := be.Load(p, 0, p.Config.Particles); err != nil {
		return 0, 0, err
	}
	c0, t0 := cpuTime(), time.Now()
	_, err = be.Advance(0, p.Config.Steps)
	return time.Since(t0), cpuTime() - c0, err
}

// runExecute runs p as kramers bench does and returns the stepping phase's wall time (from the
// run's own particle-steps per second) and the process's CPU time over the whole run (compilation,
// upload and the summary included, so its per-CPU-s figure is a lower bound).
func runExecute(p *host.Problem) (time.Duration, time.Duration, error) {
	be, err := gpu.NewBackend(false)
	if err != nil {
		return 0, 0, err
	}
	defer be.Close()
	c0 := cpuTime()
	res, err := host.Execute(context.Background(), p, be, host.RunOptions{})
	if err != nil {
		return 0, 0, err
	}
	cpu := cpuTime() - c0
	wall := time.Duration(float64(p.Config.Particles) * float64(p.Config.Steps) / res.ParticleStepsPerSecond * float64(time.Second))
	return wall, cpu, nil
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) < 14 {
		return "?"
	}
	return string(b[:14])
}
