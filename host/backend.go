package host

// First-passage records: one uint32 per particle, the same layout on every backend.
//
//	Running            the particle has neither escaped nor diverged
//	1 … 2³¹−1          it escaped during that step (1-based: the record is the number of steps taken)
//	DivergedFlag | s   it diverged (NaN, Inf or outside the box) during step s
const (
	Running      uint32 = 0xFFFFFFFF
	DivergedFlag uint32 = 0x80000000
)

// Escaped reports whether a record holds an escape, and at which step.
func Escaped(record uint32) (step uint32, ok bool) {
	if record == Running || record&DivergedFlag != 0 {
		return 0, false
	}
	return record, true
}

// Diverged reports whether a record marks a diverged particle.
func Diverged(record uint32) bool {
	return record != Running && record&DivergedFlag != 0
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
