package gpu

import (
	"fmt"
	"math"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/rng"
)

// Backend is the OpenGL compute implementation of host.Backend. The ensemble lives in GPU storage
// buffers; after each chunk only four counters come back. An ensemble larger than one storage
// block (GL_MAX_SHADER_STORAGE_BLOCK_SIZE) is split into batches, each with its own buffers and
// its own global index offset, so the random stream does not depend on the split.
type Backend struct {
	ctx      *Context
	ownsCtx  bool
	double   bool
	prog     *Program
	counters *Buffer
	data     *Buffer // a finite-data run's rows (landscape.DataBinding); nil otherwise
	batches  []batch
	p        *host.Problem
	dim      int
	first    int
	count    int
	// MaxBatch caps the particles per batch (0: the GL limits decide). Tests lower it to
	// exercise the split on small ensembles.
	MaxBatch int
	// Guard overrides the choice of the loop-limit guard (tests): see LoopGuard.
	Guard LoopGuard
	// limited: the driver stops a shader's loops after a fixed number of turns per invocation
	// (loopLimited). Where the step program's loop bound (LoopBound) allows long enough
	// dispatches, Advance sizes them to the bound: stepsPerDispatch = MaxSteps, no probe, no copy.
	// Otherwise (guarded) the program carries the probe, Advance keeps a copy of the ensemble
	// before each dispatch and, when the probe reports a cut, restores it and halves
	// stepsPerDispatch.
	limited          bool
	guarded          bool
	stepsPerDispatch int // the most iterations one dispatch may take; 0: no limit
	dispatches       int // step program dispatches since Load (Dispatches)
}

// LoopGuard chooses how Backend keeps dispatches within a driver's loop limit.
type LoopGuard int

const (
	// GuardAuto: on loop-limited drivers, dispatches sized to the loop bound where NeedsLoopGuard
	// is false, the probe and the copy where it is true; nothing on other drivers.
	GuardAuto LoopGuard = iota
	// GuardProbe: the probe and the copy on every driver, dispatches learned by halving (0.3.1).
	GuardProbe
	// GuardNone: no probe, no copy, no sizing: a dispatch may be cut silently on a loop-limited
	// driver. Only for tests that show a cut is caught where one can happen.
	GuardNone
)

// loopLimited reports a renderer with a per-invocation loop limit: Mesa's gallium software
// rasterizers stop every loop of a shader invocation once 65535 loop turns have been taken in
// all (LP_MAX_TGSI_LOOP_ITERATIONS in Mesa's gallivm, which counts the turns of all loops in one
// counter). Measured here (llvmpipe, Mesa 22.3.6): a 1-D data landscape of 100 rows under
// sgd-cov (about 200 row-loop turns per step) parts from the CPU reference between 320 and 340
// iterations in one dispatch; sgd-hessian on a coupled 3-D well (Jacobi sweeps) between 100 and
// 1000. Hardware drivers have no such limit: their step programs carry no probe (LoopGuard).
func loopLimited(renderer string) bool {
	r := strings.ToLower(renderer)
	return strings.Contains(r, "llvmpipe") || strings.Contains(r, "softpipe")
}

type batch struct {
	first, count int // local index of the first particle, number of particles
	pos, rec     *Buffer
	perms        *Buffer // sampling epoch: each particle's permutation of its epoch (EpochBinding)
	// copies of pos and rec before the current dispatch (guarded programs only)
	posCopy, recCopy *Buffer
}

// NewBackend creates a backend on its own context (see NewContext for the platform order).
func NewBackend(double bool) (*Backend, error) {
	ctx, err := NewContext(Options{})
	if err != nil {
		return nil, err
	}
	return &Backend{ctx: ctx, ownsCtx: true, double: double}, nil
}

// NewBackendOn creates a backend that shares an existing context (the viewer draws from it).
func NewBackendOn(ctx *Context, double bool) *Backend {
	return &Backend{ctx: ctx, double: double}
}

// Context returns the GL context the backend runs on.
func (b *Backend) Context() *Context { return b.ctx }

// Name implements host.Backend.
func (b *Backend) Name() string { return string(host.GPU) }

// Renderer implements host.Backend.
func (b *Backend) Renderer() string { return b.ctx.Renderer() }

func (b *Backend) realSize() int {
	if b.double {
		return 8
	}
	return 4
}

// BytesPerParticle is the GPU memory one particle of p takes: d positions, one record, and under
// sampling epoch its permutation of the epoch (host.Problem.EpochBytes).
func (b *Backend) BytesPerParticle(p *host.Problem) int {
	n := host.ParticleBytes(p.Dim, b.realSize())
	if b.guard(p) {
		n *= 2 // the copy Advance keeps before each dispatch
	}
	return n + p.EpochBytes()
}

// SharedBytes is the GPU memory a run of p takes once, whatever its size: the data's rows.
func (b *Backend) SharedBytes(p *host.Problem) int { return p.DataBytes(b.realSize()) }

// MaxNetworkDim is the most parameters of a compiled network (the data model mlp) that the GPU
// step program takes: it keeps θ, the gradient and the per-sample gradient in private arrays of d
// numbers per invocation, which llvmpipe spills to memory. Measured on llvmpipe (LLVM 15, 2 shared
// cores at load average 13), true SGD with B = 32: d = 513 (breast-cancer 30-16-1) compiles in
// 0.5 s and steps at 1.4·10³ particle-steps/s (the CPU reference: 4.7·10³); d = 2049 (30-64-1)
// had not compiled and stepped 256 particles × 5 steps after 5 minutes, d = 9433 (Fashion-MNIST
// 784-12-1) not 64 × 10 after 7 minutes.
const MaxNetworkDim = 513

// Supports implements host.Backend: the GPU limits of host.NoiseSpecs (the Jacobi square root of
// sgd-cov in registers, the minibatch indices of one step in registers), the host copies of the
// ensemble, and the GPU memory: one particle and the data within a storage block, the whole run
// within what the GPU reports free (NVIDIA, AMD; elsewhere GL_OUT_OF_MEMORY at allocation is
// caught).
func (b *Backend) Supports(p *host.Problem, count int) error {
	cfg := p.Config
	if cfg.Noise == host.SGDCov && p.Dim > host.MaxJacobiDim {
		return &host.InputError{Flag: "noise", Msg: fmt.Sprintf("sgd-cov on the GPU is limited to d ≤ %d (Jacobi square root of the covariance); this landscape has d = %d: use --backend cpu or --noise minibatch", host.MaxJacobiDim, p.Dim)}
	}
	if p.Landscape.IsNetwork() && p.Dim > MaxNetworkDim {
		return &host.InputError{Flag: "landscape", Msg: fmt.Sprintf("the GPU step program holds a particle's parameters in per-invocation arrays, and a network of d = %d is beyond the %d it takes (on llvmpipe d = 513 steps at about a third of the CPU reference's speed, and d = 2049 had not compiled and run 5 steps after 5 minutes, measured); use --backend cpu, or a smaller network", p.Dim, MaxNetworkDim)}
	}
	if cfg.Noise == host.Minibatch && cfg.Batch > host.MaxGPUBatch {
		return &host.InputError{Flag: "batch", Msg: fmt.Sprintf("real minibatch SGD on the GPU takes B ≤ %d rows per step, got %v; use --backend cpu", host.MaxGPUBatch, cfg.Batch)}
	}
	per := int64(b.BytesPerParticle(p))
	note := fmt.Sprintf(" (and %s of GPU memory)", host.BytesText(float64(count)*float64(per)))
	if err := host.CheckHostMemory(p, count, 0, note); err != nil {
		return err
	}
	lim := b.ctx.Limits().MaxShaderStorageBlockSize
	if lim > 0 && per-4 > lim {
		return &host.InputError{Flag: "dim", Msg: fmt.Sprintf("one %d-dimensional particle (%d bytes) exceeds GL_MAX_SHADER_STORAGE_BLOCK_SIZE = %d bytes; use fewer dimensions or --backend cpu", p.Dim, per-4, lim)}
	}
	shared := int64(b.SharedBytes(p))
	if lim > 0 && shared > lim {
		return &host.InputError{Flag: "data", Msg: fmt.Sprintf("the data (%d rows × %d columns, %s) exceed one GPU storage block (GL_MAX_SHADER_STORAGE_BLOCK_SIZE = %s); use fewer rows or --backend cpu", p.Data.N, len(p.Data.Columns), host.BytesText(float64(shared)), host.BytesText(float64(lim)))}
	}
	need := float64(count)*float64(per) + float64(shared)
	if avail, ok := b.ctx.AvailableMemory(); ok && need > float64(avail) {
		what := fmt.Sprintf("%d particles", count)
		if shared > 0 || p.EpochBytes() > 0 {
			what += fmt.Sprintf(" and the data (%s; sampling epoch adds %d bytes per particle)", host.BytesText(float64(shared)), p.EpochBytes())
		}
		return &host.InputError{Flag: "particles", Msg: fmt.Sprintf("%s need %s of GPU memory but the GPU reports %s free; lower --particles or split the run with --shard i/n", what, host.BytesText(need), host.BytesText(float64(avail)))}
	}
	return nil
}

// Load implements host.Backend.
func (b *Backend) Load(p *host.Problem, first, count int) error {
	if err := b.Supports(p, count); err != nil {
		return err
	}
	b.release()
	b.p, b.first, b.count, b.dim = p, first, count, p.Dim
	b.limited, b.guarded, b.stepsPerDispatch = loopLimited(b.ctx.Renderer()), b.guard(p), 0
	if b.limited && !b.guarded && b.Guard != GuardNone {
		b.stepsPerDispatch = StepLoopBound(p).MaxSteps()
	}
	unit, err := stepSource(p, b.double, b.guarded)
	if err != nil {
		return fmt.Errorf("assemble step program: %w", err)
	}
	if b.prog, err = b.ctx.CompileComputeUnit(unit); err != nil {
		return fmt.Errorf("compile step program: %w", err)
	}
	if b.counters, err = b.ctx.NewBuffer(16, DynamicRead); err != nil {
		return err
	}
	lim := b.ctx.Limits()
	if err := b.loadData(p, lim.MaxShaderStorageBlockSize); err != nil {
		return err
	}
	// The largest per-particle block decides how many particles one batch may hold.
	per := int64(max(p.Dim*b.realSize(), p.EpochBytes()))
	maxBatch := lim.MaxShaderStorageBlockSize / per
	if maxBatch > math.MaxInt32 {
		maxBatch = math.MaxInt32
	}
	if b.MaxBatch > 0 && int64(b.MaxBatch) < maxBatch {
		maxBatch = int64(b.MaxBatch)
	}
	if maxBatch < 1 {
		return fmt.Errorf("a %d-dimensional particle (%d bytes) exceeds GL_MAX_SHADER_STORAGE_BLOCK_SIZE = %d", p.Dim, per, lim.MaxShaderStorageBlockSize)
	}
	for lo := 0; lo < count; lo += int(maxBatch) {
		n := min(int(maxBatch), count-lo)
		bt := batch{first: lo, count: n}
		if bt.pos, err = b.ctx.NewBuffer(n*p.Dim*b.realSize(), DynamicCopy); err != nil {
			return fmt.Errorf("allocate positions of %d particles (batch at %d): %w; lower --particles or split the run with --shard", n, lo, err)
		}
		if bt.rec, err = b.ctx.NewBuffer(n*4, DynamicCopy); err != nil {
			return fmt.Errorf("allocate records of %d particles: %w", n, err)
		}
		if b.guarded {
			if bt.posCopy, err = b.ctx.NewBuffer(n*p.Dim*b.realSize(), DynamicCopy); err != nil {
				return fmt.Errorf("allocate the copy of the positions of %d particles: %w", n, err)
			}
			if bt.recCopy, err = b.ctx.NewBuffer(n*4, DynamicCopy); err != nil {
				return fmt.Errorf("allocate the copy of the records of %d particles: %w", n, err)
			}
		}
		if e := p.EpochBytes(); e > 0 {
			if bt.perms, err = b.ctx.NewBuffer(n*e, DynamicCopy); err != nil {
				return fmt.Errorf("allocate the epoch permutations of %d particles (%d bytes each): %w; lower --particles or use --sampling without", n, e, err)
			}
		}
		b.batches = append(b.batches, bt)
		if err := b.fill(bt, p.Start); err != nil {
			return err
		}
	}
	return b.warmUp()
}

// guard reports whether p's step program carries the loop-limit probe and Advance keeps a copy
// before each dispatch (LoopGuard).
func (b *Backend) guard(p *host.Problem) bool {
	switch b.Guard {
	case GuardProbe:
		return true
	case GuardNone:
		return false
	}
	return loopLimited(b.ctx.Renderer()) && NeedsLoopGuard(p)
}

// loadData uploads a finite-data run's rows (row-major, in the backend's precision) once; every
// batch's dispatches read them.
func (b *Backend) loadData(p *host.Problem, maxBlock int64) error {
	v := p.Landscape.DataValues()
	if v == nil {
		return nil
	}
	size := int64(len(v) * b.realSize())
	if maxBlock > 0 && size > maxBlock {
		return fmt.Errorf("the data (%d rows × %d columns, %d bytes) exceed GL_MAX_SHADER_STORAGE_BLOCK_SIZE = %d bytes; use fewer rows or --backend cpu", p.Data.N, len(p.Data.Columns), size, maxBlock)
	}
	var err error
	if b.data, err = b.ctx.NewBuffer(int(size), StaticDraw); err != nil {
		return fmt.Errorf("allocate the data's %d bytes: %w", size, err)
	}
	if b.double {
		return Upload(b.data, 0, v)
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return Upload(b.data, 0, f)
}

// warmUp dispatches one work group for zero iterations, which changes no particle. Drivers that
// compile a program at its first dispatch (llvmpipe translates it to machine code through LLVM
// then: 127–157 ms measured for a program not in Mesa's shader cache, 4–6 ms for a cached one)
// do it here, inside Load, so that the first chunk, the chunk rule's measure of a dispatch's
// fixed cost, and the particle-steps per second of the stepping phase exclude compilation.
func (b *Backend) warmUp() error {
	return b.ctx.Do(func() error {
		if err := b.counters.BindBase(2); err != nil {
			return err
		}
		bt := b.batches[0]
		if err := b.dispatch(bt, 0, 0, min(bt.count, StepLocalSize), 0, 1); err != nil {
			return err
		}
		b.dispatches = 0 // Dispatches counts from here
		return b.ctx.Finish()
	})
}

// dispatch runs the step program for iterations [iter, iter+n) on batch bt: groups work groups
// from particle offset of the batch, over its first count particles. It runs on the GL thread.
func (b *Backend) dispatch(bt batch, iter, n, count, offset, groups int) error {
	if err := bt.pos.BindBase(0); err != nil {
		return err
	}
	if err := bt.rec.BindBase(1); err != nil {
		return err
	}
	if b.data != nil {
		if err := b.data.BindBase(landscape.DataBinding); err != nil {
			return err
		}
	}
	if bt.perms != nil {
		if err := bt.perms.BindBase(EpochBinding); err != nil {
			return err
		}
	}
	key := rng.Key(b.p.Config.Seed)
	if err := b.prog.SetUvec2("uKey", key[0], key[1]); err != nil {
		return err
	}
	if b.guarded {
		if err := b.prog.SetUint("uLoopProbe", 2); err != nil {
			return err
		}
	}
	for _, u := range []struct {
		name string
		v    uint32
	}{{"uIteration", uint32(iter)}, {"uSteps", uint32(n)}, {"uFirst", uint32(b.first + bt.first)},
		{"uCount", uint32(count)}, {"uOffset", uint32(offset)}} {
		if err := b.prog.SetUint(u.name, u.v); err != nil {
			return err
		}
	}
	b.dispatches++
	return b.prog.Dispatch(uint32(groups), 1, 1)
}

// uploadSlice is the most particles Load writes at once: the start state goes up in slices, so
// the host never holds a copy of a whole batch (10⁸ particles stay within the GL buffers).
const uploadSlice = 1 << 20

// fill sets every particle of bt to start, with record Running, one slice at a time.
func (b *Backend) fill(bt batch, start []float64) error {
	d := len(start)
	n := min(uploadSlice, bt.count)
	pos := make([]float64, n*d)
	for i := 0; i < n; i++ {
		copy(pos[i*d:], start)
	}
	rec := make([]uint32, n)
	for i := range rec {
		rec[i] = host.Running
	}
	var f []float32
	if !b.double {
		f = make([]float32, len(pos))
		for i, v := range pos {
			f[i] = float32(v)
		}
	}
	for lo := 0; lo < bt.count; lo += n {
		m := min(n, bt.count-lo)
		var err error
		if b.double {
			err = Upload(bt.pos, lo*d*8, pos[:m*d])
		} else {
			err = Upload(bt.pos, lo*d*4, f[:m*d])
		}
		if err == nil {
			err = Upload(bt.rec, lo*4, rec[:m])
		}

		if err != nil {
			return fmt.Errorf("upload the start state of particles %d–%d: %w", bt.first+lo, bt.first+lo+m, err)
		}
	}
	return b.clearPerms(bt)
}

func (b *Backend) upload(bt batch, pos []float64, rec []uint32) error {
	if b.double {
		if err := Upload(bt.pos, 0, pos); err != nil {
			return err
		}
	} else {
		f := make([]float32, len(pos))
		for i, v := range pos {
			f[i] = float32(v)
		}
		if err := Upload(bt.pos, 0, f); err != nil {
			return err
		}
	}
	if err := Upload(bt.rec, 0, rec); err != nil {
		return err
	}
	return b.clearPerms(bt)
}

// clearPerms marks every epoch permutation of bt as not held (epoch word 0), so that the shader
// computes the permutation of the epoch a particle is in at its next step: after a load or a
// restore the stored permutations belong to no one.
func (b *Backend) clearPerms(bt batch) error {
	if bt.perms == nil {
		return nil
	}
	return bt.perms.Zero()
}

// Advance implements host.Backend: one dispatch per batch (and per 65535 work groups), all
// iterations of the chunk inside the shader, unless the driver limits a shader's loop turns
// (loopLimited): then the chunk is taken in dispatches of at most stepsPerDispatch iterations,
// either the step program's loop bound (LoopBound.MaxSteps) or, for a guarded program, a number
// learned by halving whenever the probe reports a cut dispatch, which is undone from the copy
// taken before it. A cut on a driver not known to cut, or of a single iteration, is an error:
// the positions would be wrong.
func (b *Backend) Advance(iter, n int) (host.ChunkCounts, error) {
	if b.prog == nil {
		return host.ChunkCounts{}, fmt.Errorf("gpu backend: Advance before Load")
	}
	if n == 0 {
		// One dispatch that changes no particle: host.Loop times it as the fixed cost of a
		// dispatch, from which its chunk rule sizes the chunks (host/run.go chunkRule). Without
		// it (0.3.1) the rule saw no fixed cost and kept llvmpipe's chunks short.
		c, _, err := b.advanceOnce(iter, 0)
		return c, err
	}
	var total host.ChunkCounts
	for done := 0; done < n; {
		m := n - done
		if b.stepsPerDispatch > 0 {
			m = min(m, b.stepsPerDispatch)
		}
		if b.guarded {
			if err := b.snapshot(); err != nil {
				return total, err
			}
		}
		c, cut, err := b.advanceOnce(iter+done, m)
		if err != nil {
			return total, err
		}
		if cut > 0 {
			switch {
			case !b.limited:
				return total, fmt.Errorf("the GL driver (%s) stopped the step program's loops early in %d particles (a loop limit per shader invocation), so the positions of this chunk are not valid; run with --backend cpu and report the renderer", b.ctx.Renderer(), cut)
			case m == 1:
				return total, fmt.Errorf("one iteration of this run takes more loop turns than the driver (%s) allows one shader invocation (65535 in Mesa's software rasterizers): the data's rows or the Jacobi sweeps are too many for it; use --backend cpu or a hardware GPU", b.ctx.Renderer())
			}
			if err := b.rollback(); err != nil {
				return total, err
			}
			b.stepsPerDispatch = m / 2
			continue
		}
		total.Escaped += c.Escaped
		total.Diverged += c.Diverged
		total.Beyond += c.Beyond
		done += m
	}
	return total, nil
}

// StepsPerDispatch is the most iterations one dispatch takes (0: no limit) on drivers that limit
// a shader's loop turns: the loop bound's, or learned (Advance).
func (b *Backend) StepsPerDispatch() int { return b.stepsPerDispatch }

// Dispatches is the number of dispatches of the step program since Load (its warm-up excluded).
func (b *Backend) Dispatches() int { return b.dispatches }

// snapshot copies every batch's positions and records (guarded programs, before a dispatch).
func (b *Backend) snapshot() error {
	for _, bt := range b.batches {
		if err := bt.posCopy.CopyFrom(bt.pos, bt.pos.Size()); err != nil {
			return err
		}
		if err := bt.recCopy.CopyFrom(bt.rec, bt.rec.Size()); err != nil {
			return err
		}
	}
	return nil
}

// rollback restores the snapshot; the epoch permutations are recomputed from the stream.
func (b *Backend) rollback() error {
	for _, bt := range b.batches {
		if err := bt.pos.CopyFrom(bt.posCopy, bt.pos.Size()); err != nil {
			return err
		}
		if err := bt.rec.CopyFrom(bt.recCopy, bt.rec.Size()); err != nil {
			return err
		}
		if err := b.clearPerms(bt); err != nil {
			return err
		}
	}
	return nil
}

// advanceOnce dispatches iterations [iter, iter+n) for every batch and returns the counters and
// the number of invocations the loop-limit probe found cut.
func (b *Backend) advanceOnce(iter, n int) (host.ChunkCounts, int, error) {
	maxGroups := int(b.ctx.Limits().MaxComputeWorkGroupCount[0])
	if maxGroups <= 0 {
		maxGroups = 65535
	}
	err := b.ctx.Do(func() error {
		if err := b.counters.Zero(); err != nil {
			return err
		}
		if err := b.counters.BindBase(2); err != nil {
			return err
		}
		for _, bt := range b.batches {
			groups := (bt.count + StepLocalSize - 1) / StepLocalSize
			for g0 := 0; g0 < groups; g0 += maxGroups {
				if err := b.dispatch(bt, iter, n, bt.count, g0*StepLocalSize, min(maxGroups, groups-g0)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return host.ChunkCounts{}, 0, err
	}
	var c [4]uint32
	if err := Download(b.counters, 0, c[:]); err != nil {
		return host.ChunkCounts{}, 0, err
	}
	return host.ChunkCounts{Escaped: int(c[0]), Diverged: int(c[1]), Beyond: int(c[2])}, int(c[3]), nil
}

// Records implements host.Backend.
func (b *Backend) Records() ([]uint32, error) {
	out := make([]uint32, b.count)
	for _, bt := range b.batches {
		if err := Download(bt.rec, 0, out[bt.first:bt.first+bt.count]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Positions implements host.Backend.
func (b *Backend) Positions() ([]float64, error) {
	d := b.dim
	out := make([]float64, b.count*d)
	for _, bt := range b.batches {
		dst := out[bt.first*d : (bt.first+bt.count)*d]
		if b.double {
			if err := Download(bt.pos, 0, dst); err != nil {
				return nil, err
			}
			continue
		}
		f := make([]float32, len(dst))
		if err := Download(bt.pos, 0, f); err != nil {
			return nil, err
		}
		for i, v := range f {
			dst[i] = float64(v)
		}
	}
	return out, nil
}

// Restore implements host.Backend.
func (b *Backend) Restore(positions []float64, records []uint32) error {
	if len(positions) != b.count*b.dim || len(records) != b.count {
		return fmt.Errorf("gpu backend: restore needs %d positions and %d records, got %d and %d",
			b.count*b.dim, b.count, len(positions), len(records))
	}
	for _, bt := range b.batches {
		if err := b.upload(bt, positions[bt.first*b.dim:(bt.first+bt.count)*b.dim], records[bt.first:bt.first+bt.count]); err != nil {
			return err
		}
	}
	return nil
}

// PositionBuffers exposes the batches' position buffers to the renderer (vertex pulling).
func (b *Backend) PositionBuffers() (pos, rec []*Buffer, counts []int) {
	for _, bt := range b.batches {
		pos = append(pos, bt.pos)
		rec = append(rec, bt.rec)
		counts = append(counts, bt.count)
	}
	return
}

func (b *Backend) release() {
	for _, bt := range b.batches {
		bt.pos.Delete()
		bt.rec.Delete()
		for _, buf := range []*Buffer{bt.perms, bt.posCopy, bt.recCopy} {
			if buf != nil {
				buf.Delete()
			}
		}
	}
	b.batches = nil
	if b.data != nil {
		b.data.Delete()
		b.data = nil
	}
	if b.prog != nil {
		b.prog.Delete()
		b.prog = nil
	}
	if b.counters != nil {
		b.counters.Delete()
		b.counters = nil
	}
}

// Close implements host.Backend.
func (b *Backend) Close() error {
	if b.ctx == nil {
		return nil
	}
	b.release()
	if b.ownsCtx {
		err := b.ctx.Close()
		b.ctx = nil
		return err
	}
	return nil
}
