package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/kramers-sim/kramers/host"
)

// Checkpoint file format (all integers little-endian), version 1:
//
//	offset      size         field
//	0           8            magic "KRAMERS\x00"
//	8           4            format version (uint32) = 1
//	12          4            header length H in bytes (uint32, at most 1 MiB)
//	16          H            header: a JSON object (host.CheckpointHeader): program version,
//	                         configuration, its hash, iteration, dimension, particle range, backend,
//	                         basin points
//	16+H        8·count·dim  positions, float64, particle-major (a GPU float32 position widened
//	                         exactly; restoring narrows it back exactly)
//	…           4·count      first-passage records, uint32 (host/backend.go)
//	end−32      32           SHA-256 of every byte before it
//
// The file is written to a temporary file in the same directory, fsynced and renamed over the
// final name (WriteFileAtomic), so a crash leaves either the previous checkpoint or the new one,
// never a mixture.
const (
	checkpointMagic   = "KRAMERS\x00"
	checkpointFormat  = 1
	maxCheckpointHead = 1 << 20
	maxCheckpointDim  = 1 << 16
)

// CheckpointError is a checkpoint file that cannot be used; cmd reports it as bad input.
type CheckpointError struct{ Msg string }

func (e *CheckpointError) Error() string { return e.Msg }

func ckErr(format string, args ...any) error {
	return &CheckpointError{Msg: fmt.Sprintf(format, args...)}
}

// EncodeCheckpoint encodes c in the format above; it refuses particle data whose lengths disagree
// with the header.
func EncodeCheckpoint(c *host.Checkpoint) ([]byte, error) {
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

// DecodeCheckpoint parses and verifies a checkpoint: the magic, the checksum, the format version,
// the header (host.CheckpointHeader.Validate: its configuration, hash, particle range, iteration
// and dimension) and the lengths, before it allocates the particle data. Every defect is a
// *CheckpointError; nothing panics.
func DecodeCheckpoint(data []byte) (*host.Checkpoint, error) {
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

func decodeBody(body []byte) (*host.Checkpoint, error) {
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
	var c host.Checkpoint
	dec := json.NewDecoder(bytes.NewReader(body[16 : 16+h]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c.CheckpointHeader); err != nil {
		return nil, ckErr("unreadable header: %v", err)
	}
	hd := &c.CheckpointHeader
	if err := hd.Validate(); err != nil {
		return nil, ckErr("%v", err)
	}
	if hd.Dim > maxCheckpointDim {
		return nil, ckErr("dimension %d is not plausible", hd.Dim)
	}
	count := hd.Count
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
func ReadCheckpointFile(path string) (*host.Checkpoint, error) {
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

// WriteCheckpointFile writes c to path atomically (WriteFileAtomic).
func WriteCheckpointFile(path string, c *host.Checkpoint) error {
	data, err := EncodeCheckpoint(c)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}
