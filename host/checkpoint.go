package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Checkpoint file format (all integers little-endian), version 1:
//
//	offset      size         field
//	0           8            magic "KRAMERS\x00"
//	8           4            format version (uint32) = 1
//	12          4            header length H in bytes (uint32, at most 1 MiB)
//	16          H            header: a JSON object (CheckpointHeader): program version, configuration,
//	                         its hash, iteration, dimension, particle range, backend, basin points
//	16+H        8·count·dim  positions, float64, particle-major (a GPU float32 position widened
//	                         exactly; restoring narrows it back exactly)
//	…           4·count      first-passage records, uint32 (host/backend.go)
//	end−32      32           SHA-256 of every byte before it
//
// The file is written to a temporary file in the same directory, fsynced and renamed over the
// final name, so a crash leaves either the previous checkpoint or the new one, never a mixture.
const (
	checkpointMagic   = "KRAMERS\x00"
	checkpointFormat  = 1
	maxCheckpointHead = 1 << 20
	maxCheckpointDim  = 1 << 16
)

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

// CheckpointError is a checkpoint file that cannot be used; cmd reports it as bad input.
type CheckpointError struct{ Msg string }

func (e *CheckpointError) Error() string { return e.Msg }

func ckErr(format string, args ...any) error {
	return &CheckpointError{Msg: fmt.Sprintf(format, args...)}
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

// MarshalBinary encodes the checkpoint in the format above.
func (c *Checkpoint) MarshalBinary() ([]byte, error) {
	head, err := json.Marshal(c.CheckpointHeader)
	if err != nil {
		return nil, fmt.Errorf("checkpoint header: %w", err)
	}
	if len(head) > maxCheckpointHead {
		return nil, fmt.Errorf("checkpoint header of %d bytes exceeds %d", len(head), maxCheckpointHead)
	}
	if len(c.Positions) != c.Count*c.Dim || len(c.Records) != c.Count {
		return nil, fmt.Errorf("checkpoint holds %d positions and %d records for %d particles in %d dimensions",
			len(c.Positions), len(c.Records), c.Count, c.Dim)
	}
	buf := make([]byte, 0, 16+len(head)+8*len(c.Positions)+4*len(c.Records)+sha256.Size)
	buf = append(buf, checkpointMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, checkpointFormat)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(head)))
	buf = append(buf, head...)
	for _, v := range c.Positions {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	for _, r := range c.Records {
		buf = binary.LittleEndian.AppendUint32(buf, r)
	}
	sum := sha256.Sum256(buf)
	return append(buf, sum[:]...), nil
}

// DecodeCheckpoint parses and verifies a checkpoint. Every defect (wrong magic, truncation, a
// checksum mismatch, an inconsistent header) is a *CheckpointError; nothing panics.
func DecodeCheckpoint(data []byte) (*Checkpoint, error) {
	if len(data) < len(checkpointMagic) || string(data[:len(checkpointMagic)]) != checkpointMagic {
		return nil, ckErr("not a kramers checkpoint (no KRAMERS magic at the start)")
	}
	if len(data) < 16+sha256.Size {
		return nil, ckErr("truncated: %d bytes is shorter than the fixed header and checksum", len(data))
	}
	body, tail := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], tail) {
		return nil, ckErr("checksum mismatch: the file is truncated or corrupt")
	}
	return decodeBody(body)
}

func decodeBody(body []byte) (*Checkpoint, error) {
	if len(body) < 16 || string(body[:len(checkpointMagic)]) != checkpointMagic {
		return nil, ckErr("not a kramers checkpoint (no KRAMERS magic at the start)")
	}
	if f := binary.LittleEndian.Uint32(body[8:]); f != checkpointFormat {
		return nil, ckErr("checkpoint format %d is not the format %d this program reads", f, checkpointFormat)
	}
	h := uint64(binary.LittleEndian.Uint32(body[12:]))
	if h > maxCheckpointHead || 16+h > uint64(len(body)) {
		return nil, ckErr("header length %d does not fit the file", h)
	}
	var c Checkpoint
	dec := json.NewDecoder(bytes.NewReader(body[16 : 16+h]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c.CheckpointHeader); err != nil {
		return nil, ckErr("unreadable header: %v", err)
	}
	hd := &c.CheckpointHeader
	if hd.Version == "" {
		return nil, ckErr("header names no program version")
	}
	if err := hd.Config.Validate(); err != nil {
		return nil, ckErr("header holds an invalid configuration (%v)", err)
	}
	if hd.ConfigHash != hd.Config.Hash() {
		return nil, ckErr("header hash %q does not match its configuration (%s)", hd.ConfigHash, hd.Config.Hash())
	}
	first, count := hd.Config.Span()
	if hd.First != first || hd.Count != count {
		return nil, ckErr("header particle range [%d, %d) disagrees with its configuration [%d, %d)", hd.First, hd.First+hd.Count, first, first+count)
	}
	if hd.Iteration < 0 || hd.Iteration > hd.Config.Steps {
		return nil, ckErr("iteration %d lies outside 0…%d", hd.Iteration, hd.Config.Steps)
	}
	if hd.Dim < 1 || hd.Dim > maxCheckpointDim || (hd.Config.Dim != 0 && hd.Config.Dim != hd.Dim) {
		return nil, ckErr("dimension %d is not plausible", hd.Dim)
	}
	rest := body[16+h:]
	want := uint64(count)*uint64(hd.Dim)*8 + uint64(count)*4
	if uint64(len(rest)) != want {
		return nil, ckErr("%d bytes of particle data, expected %d for %d particles in %d dimensions", len(rest), want, count, hd.Dim)
	}
	c.Positions = make([]float64, count*hd.Dim)
	for i := range c.Positions {
		c.Positions[i] = math.Float64frombits(binary.LittleEndian.Uint64(rest[8*i:]))
	}
	rest = rest[8*len(c.Positions):]
	c.Records = make([]uint32, count)
	for i := range c.Records {
		c.Records[i] = binary.LittleEndian.Uint32(rest[4*i:])
	}
	return &c, nil
}

// ReadCheckpointFile reads and verifies a checkpoint file.
func ReadCheckpointFile(path string) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ckErr("cannot read %s: %v", path, errors.Unwrap(err))
	}
	c, err := DecodeCheckpoint(data)
	if err != nil {
		return nil, ckErr("%s: %v", path, err)
	}
	return c, nil
}

// WriteCheckpointFile writes c to path atomically: a temporary file in the same directory,
// fsync, rename, then fsync of the directory.
func WriteCheckpointFile(path string, c *Checkpoint) error {
	data, err := c.MarshalBinary()
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic writes data through a temporary file in the destination directory, fsync and
// rename, so a crash never leaves a half-written file under the final name.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create a temporary file beside %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(fmt.Errorf("chmod %s: %w", tmp, err))
	}
	if _, err := f.Write(data); err != nil {
		return fail(fmt.Errorf("write %s: %w", tmp, err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("sync %s: %w", tmp, err))
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename %s to %s: %w", tmp, path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable; not every file system supports it
		d.Close()
	}
	return nil
}

// sameRun is the configuration with Steps cleared: a checkpoint may be continued to more (or
// fewer) iterations, since the records up to any iteration do not depend on the planned length.
func sameRun(c Config) string {
	c.Steps = 0
	return c.Hash()
}

// CheckResume refuses a checkpoint written by another program version, or for another
// configuration than cfg (compared without Steps, the particle range and the backend), or for
// another particle range, or one that is already past cfg.Steps. The errors are *InputError.
func (c *Checkpoint) CheckResume(cfg Config) error {
	if c.Version != Version {
		return inputErr("resume", "the checkpoint was written by kramers %s and this is %s; resume it with kramers %s or start a new run", c.Version, Version, c.Version)
	}
	if sameRun(c.Config) != sameRun(cfg) {
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
