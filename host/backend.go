package host

import "fmt"

// First-passage records: one uint32 per particle, the same layout on every backend. This is the
// one definition of the layout; RecordGLSL writes the same constants for the shaders.
//
//	Running                  the particle has neither escaped nor diverged
//	1 … MaxSteps             it escaped during that step (1-based: the record is the number of
//	                         steps taken); in a non-absorbing run it keeps moving
//	LateDivergedFlag | s     it escaped during step s and diverged later (non-absorbing runs on a
//	                         landscape unbounded beyond the exit): the escape counts, the particle
//	                         is frozen
//	DivergedFlag | s         it diverged (NaN, Inf or outside the box) during step s, before any
//	                         escape
//
// A first passage is the event that is counted: what a particle does after it (diverging on an
// open landscape included) never removes it (docs/theory.md §2).
const (
	Running          uint32 = 0xFFFFFFFF
	DivergedFlag     uint32 = 0x80000000
	LateDivergedFlag uint32 = 0x40000000
	// stepMask keeps the step of a record.
	stepMask uint32 = 0x3FFFFFFF
)

// MaxSteps is the longest run a record can hold: steps are 30-bit.
const MaxSteps = int(stepMask) - 1

// RecordStep is the step a finished record holds, its flags dropped: the escape's, or the
// divergence's for a diverged particle.
func RecordStep(record uint32) uint32 { return record & stepMask }

// Escaped reports whether a record holds an escape, and at which step. A particle that escaped
// and diverged afterwards still escaped.
func Escaped(record uint32) (step uint32, ok bool) {
	if record == Running || record&DivergedFlag != 0 {
		return 0, false
	}
	return record & stepMask, true
}

// Diverged reports whether a record marks a particle that diverged before escaping.
func Diverged(record uint32) bool {
	return record != Running && record&DivergedFlag != 0
}

// LateDiverged reports whether a record marks a particle that diverged after its escape.
func LateDiverged(record uint32) bool {
	return record != Running && record&(DivergedFlag|LateDivergedFlag) == LateDivergedFlag
}

// Frozen reports whether a particle with this record no longer moves: it diverged (before or
// after escaping), or it escaped in an absorbing run.
func Frozen(record uint32, absorb bool) bool {
	return record != Running && (absorb || record&(DivergedFlag|LateDivergedFlag) != 0)
}

// RecordGLSL writes the record layout as GLSL constants, for every shader that reads records.
func RecordGLSL() string {
	return fmt.Sprintf("const uint RUNNING = 0x%08Xu;\nconst uint DIVERGED_FLAG = 0x%08Xu;\nconst uint LATE_DIVERGED_FLAG = 0x%08Xu;\n",
		Running, DivergedFlag, LateDivergedFlag)
}

// ChunkCounts is what a backend reports after advancing a chunk: a few integers, never the ensemble.
type ChunkCounts struct {
	Escaped  int // particles whose first escape happened in this chunk
	Diverged int // particles that diverged in this chunk
	// Beyond counts the particles on the far side of the saddle hyperplane (margin 0) at the end
	// of the chunk: the occupancy of the other basin in non-absorbing runs.
	Beyond int
}

// Backend advances an ensemble of independent particles. The GPU path (package gpu) and the CPU
// reference (package validate) implement it; one shared test table runs against both.
//
// A backend reads everything it needs from the Problem: the landscape (Go closures or GLSL),
// the noise model and its constants, the escape condition, the start point, the seed.
// Particle i of the loaded range uses the global index first+i in its Philox counter, so a shard
// draws exactly the numbers that the same particles draw in an unsharded run.
type Backend interface {
	Name() string     // "gpu" or "cpu"
	Renderer() string // the GL renderer string, or "cpu"
	// Supports says whether the backend runs count particles of p: what its step program can do
	// (the limits host.NoiseSpecs lists) and the host and device memory they need. A refusal is an
	// *InputError that names the fix. Load checks it too; callers ask first to refuse early.
	Supports(p *Problem, count int) error
	// Load allocates count particles with global indices [first, first+count), all at p.Start,
	// all records Running.
	Load(p *Problem, first, count int) error
	// Advance performs iterations [iter, iter+n) (0-based iteration numbers, the Philox counter).
	Advance(iter, n int) (ChunkCounts, error)
	// Records reads back every particle's first-passage record.
	Records() ([]uint32, error)
	// Positions reads back the positions, particle-major (count × dim).
	Positions() ([]float64, error)
	// Restore replaces positions and records (resuming from a checkpoint).
	Restore(positions []float64, records []uint32) error
	Close() error
}

// BackendFactory opens a fresh backend for a configuration (cmd wires gpu or validate behind it;
// sweeps and reproductions call it once per point and close what they get).
type BackendFactory func(cfg Config) (Backend, error)

// Tally is what a set of first-passage records says: the one place where records are counted
// (the run's result, resumed checkpoints and the live view all read them through it).
type Tally struct {
	Particles     int      // records read
	FirstPassages []uint32 // the step of every escape, in record order
	Diverged      int      // particles that diverged before escaping: not at risk, left out of the rate
	LateDiverged  int      // particles that escaped and diverged afterwards: their escapes count
}

// TallyRecords counts records.
func TallyRecords(records []uint32) Tally {
	t := Tally{Particles: len(records), FirstPassages: make([]uint32, 0, 1024)}
	for _, r := range records {
		if s, ok := Escaped(r); ok {
			t.FirstPassages = append(t.FirstPassages, s)
			if LateDiverged(r) {
				t.LateDiverged++
			}
		} else if Diverged(r) {
			t.Diverged++
		}
	}
	return t
}

// Live is the number of particles at risk of escaping: all but those that diverged first.
func (t Tally) Live() int { return t.Particles - t.Diverged }

// Frozen is the number of particles that no longer move because they diverged.
func (t Tally) Frozen() int { return t.Diverged + t.LateDiverged }

// ParticleBytes is the memory one particle takes in an ensemble: dim positions of realBytes each
// (8 for float64, 4 for float32) and one first-passage record. The one definition the memory
// checks, the GPU backend and the benchmarks share.
func ParticleBytes(dim, realBytes int) int { return dim*realBytes + 4 }

// EpochBytes is the memory a particle of p takes beyond ParticleBytes on the GPU: under real
// minibatch SGD with sampling epoch its permutation of the current epoch, N + 1 words (the
// epoch it belongs to, then the N positions; shaders/minibatch.glsl); 0 otherwise. The CPU
// reference keeps the same permutations (validate/data.go).
func (p *Problem) EpochBytes() int {
	if p.Config.Noise == Minibatch && p.Config.Sampling == SampleEpoch && p.Data != nil {
		return 4 * (p.Data.N + 1)
	}
	return 0
}

// DataBytes is the memory a finite-data run's rows take on a backend with realBytes per number
// (one copy, shared by every particle); 0 without data.
func (p *Problem) DataBytes(realBytes int) int {
	if p.Data == nil {
		return 0
	}
	return p.Data.N * len(p.Data.Columns) * realBytes
}
