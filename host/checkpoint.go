package host

import (
	"context"
	"errors"
	"fmt"
)

// A checkpoint is the state of a run between two chunks: the configuration, the iteration, and
// the positions and first-passage records of its particles. This file holds that state and the
// rules for continuing from it; the file format (magic, version, header, checksum) and atomic
// writes are host/store's.

// CheckpointHeader is the JSON header of a checkpoint file.
type CheckpointHeader struct {
	Version    string       `json:"version"`
	Config     Config       `json:"config"`
	ConfigHash string       `json:"config_hash"`
	Iteration  int          `json:"iteration"` // iterations done: the next one to run
	Dim        int          `json:"dim"`
	First      int          `json:"first"`
	Count      int          `json:"count"`
	Backend    string       `json:"backend"`
	Renderer   string       `json:"renderer,omitempty"`
	Basin      []BasinPoint `json:"basin,omitempty"`
}

// Checkpoint is the state of a run between two chunks: enough to continue it bit for bit (the
// Philox counter makes the random stream a function of seed and iteration only).
type Checkpoint struct {
	CheckpointHeader
	Positions []float64 // Count × Dim, particle-major
	Records   []uint32  // Count
}

// Snapshot reads the backend's state after iter iterations into a Checkpoint.
func Snapshot(p *Problem, b Backend, iter int, basin []BasinPoint) (*Checkpoint, error) {
	pos, err := b.Positions()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read back positions: %w", err)
	}
	rec, err := b.Records()
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read back records: %w", err)
	}
	first, count := p.Config.Span()
	return &Checkpoint{
		CheckpointHeader: CheckpointHeader{Version: Version, Config: p.Config, ConfigHash: p.Config.Hash(),
			Iteration: iter, Dim: p.Dim, First: first, Count: count, Backend: b.Name(), Renderer: b.Renderer(),
			Basin: basin},
		Positions: pos, Records: rec,
	}, nil
}

// Validate checks that the header describes a consistent state: a program version, a valid
// configuration with its own hash (for a checkpoint of this version: the hash rule is a version's),
// the particle range of that configuration, an iteration within 0…Steps and a dimension of at
// least 1 that agrees with a given --dim. host/store calls it before it allocates the particle data.
func (h *CheckpointHeader) Validate() error {
	if h.Version == "" {
		return errors.New("header names no program version")
	}
	if err := h.Config.Validate(); err != nil {
		return fmt.Errorf("header holds an invalid configuration (%v)", err)
	}
	if h.Version == Version && h.ConfigHash != h.Config.Hash() {
		return fmt.Errorf("header hash %q does not match its configuration (%s)", h.ConfigHash, h.Config.Hash())
	}
	first, count := h.Config.Span()
	if h.First != first || h.Count != count {
		return fmt.Errorf("header particle range [%d, %d) disagrees with its configuration [%d, %d)", h.First, h.First+h.Count, first, first+count)
	}
	if h.Iteration < 0 || h.Iteration > h.Config.Steps {
		return fmt.Errorf("iteration %d lies outside 0…%d", h.Iteration, h.Config.Steps)
	}
	if h.Dim < 1 || (h.Config.Dim != 0 && h.Config.Dim != h.Dim) {
		return fmt.Errorf("dimension %d is not plausible", h.Dim)
	}
	return nil
}

// sameRun is the hash of the Model with Steps cleared: a checkpoint may be continued to more (or
// fewer) iterations, since the records up to any iteration do not depend on the planned length.
func sameRun(m Model) string {
	m.Steps = 0
	return m.Hash()
}

// CheckResume refuses a checkpoint written by another program version, or for another Model than
// cfg's (compared without Steps), or for another particle range, or one that is already past
// cfg.Steps. The errors are *InputError. The rest of the Execution may differ: another backend,
// precision, chunk length or burn-in continues the run validly, though on another backend or at
// another precision not bit-identically to an uninterrupted run (the last bits of the arithmetic
// differ); with the same ones the continuation is bit-identical (on the CPU, and on the same GPU
// and build).
func (c *Checkpoint) CheckResume(cfg Config) error {
	if c.Version != Version {
		return inputErr("resume", "the checkpoint was written by kramers %s and this is %s; resume it with kramers %s or start a new run", c.Version, Version, c.Version)
	}
	if sameRun(c.Config.Model) != sameRun(cfg.Model) {
		return inputErr("resume", "the checkpoint belongs to another configuration (hash %s, this command's is %s); give the flags of the run that wrote it, or only --resume", c.ConfigHash, cfg.Hash())
	}
	first, count := cfg.Span()
	if first != c.First || count != c.Count {
		return inputErr("resume", "the checkpoint holds particles [%d, %d) but this command asks for [%d, %d); give the --shard of the run that wrote it", c.First, c.First+c.Count, first, first+count)
	}
	if cfg.Steps < c.Iteration {
		return inputErr("steps", "%d is fewer than the %d iterations the checkpoint has done; give --steps ≥ %d", cfg.Steps, c.Iteration, c.Iteration)
	}
	return nil
}

// ExecuteFrom is Execute for a run resumed from c: it loads p, restores positions and records,
// and continues the chunk loop from c.Iteration (opt.StartIteration and the prior counts are set
// from c). p.Config must have passed c.CheckResume.
func ExecuteFrom(ctx context.Context, p *Problem, b Backend, c *Checkpoint, opt RunOptions) (*Result, LoopStats, error) {
	first, count := p.Config.Span()
	if err := b.Load(p, first, count); err != nil {
		return nil, LoopStats{}, fmt.Errorf("load %d particles on %s: %w", count, b.Name(), err)
	}
	if c != nil {
		if c.Dim != p.Dim {
			return nil, LoopStats{}, inputErr("resume", "the checkpoint is %d-dimensional but the landscape is %d-dimensional; resume with the same --landscape and --dim", c.Dim, p.Dim)
		}
		if err := b.Restore(c.Positions, c.Records); err != nil {
			return nil, LoopStats{}, fmt.Errorf("restore the checkpoint: %w", err)
		}
		opt.StartIteration = c.Iteration
		t := TallyRecords(c.Records)
		opt.PriorEscaped, opt.PriorDiverged = len(t.FirstPassages), t.Frozen()
	}
	st, err := Loop(ctx, p, b, opt)
	if err != nil {
		return nil, st, err
	}
	if c != nil && len(c.Basin) > 0 {
		st.Basin = append(append([]BasinPoint(nil), c.Basin...), st.Basin...)
	}
	res, err := Summarise(p, b, st)
	return res, st, err
}
