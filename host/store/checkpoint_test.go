package store

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// smallCheckpoint is a valid checkpoint of 3 particles in 2 dimensions (no landscape needed:
// the header is checked only against its own configuration).
func smallCheckpoint() *host.Checkpoint {
	cfg := host.DefaultConfig()
	cfg.Landscape = "zhu2d(sx=30)"
	cfg.Particles, cfg.Steps, cfg.Backend = 6, 100, "cpu"
	cfg.First, cfg.Count = 3, 3
	return &host.Checkpoint{
		CheckpointHeader: host.CheckpointHeader{Version: host.Version, Config: cfg, ConfigHash: cfg.Hash(), Iteration: 40,
			Dim: 2, First: 3, Count: 3, Backend: "cpu"},
		Positions: []float64{-1, 0.5, math.NaN(), math.Inf(1), float64(float32(0.1)), -0},
		Records:   []uint32{host.Running, 17, host.DivergedFlag | 3},
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	c := smallCheckpoint()
	data, err := EncodeCheckpoint(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.CheckpointHeader, c.CheckpointHeader) || !reflect.DeepEqual(got.Records, c.Records) {
		t.Errorf("round trip changed the checkpoint:\n%+v\n%+v", got.CheckpointHeader, c.CheckpointHeader)
	}
	for i := range c.Positions {
		if math.Float64bits(got.Positions[i]) != math.Float64bits(c.Positions[i]) {
			t.Errorf("position %d: %v became %v", i, c.Positions[i], got.Positions[i])
		}
	}
	path := filepath.Join(t.TempDir(), "c.ckpt")
	if err := WriteCheckpointFile(path, c); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCheckpointFile(path); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("temporary files left beside the checkpoint: %v", ents)
	}
	// Every truncation and every single-byte change is refused with a CheckpointError.
	for n := 0; n < len(data); n++ {
		if _, err := DecodeCheckpoint(data[:n]); err == nil {
			t.Fatalf("truncation to %d bytes accepted", n)
		} else if _, ok := err.(*CheckpointError); !ok {
			t.Fatalf("truncation to %d: %T %v", n, err, err)
		}
	}
	for i := 0; i < len(data); i += 7 {
		bad := append([]byte(nil), data...)
		bad[i] ^= 0x10
		if _, err := DecodeCheckpoint(bad); err == nil {
			t.Fatalf("flipped byte %d accepted", i)
		}
	}
}

// FuzzReadCheckpoint feeds arbitrary bytes to the reader twice: as a file (the checksum rejects
// almost all) and as a body with a valid checksum appended, so the header and length checks
// behind the checksum are fuzzed too. Neither may panic or allocate beyond the input's size.
func FuzzReadCheckpoint(f *testing.F) {
	valid, err := EncodeCheckpoint(smallCheckpoint())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	body := valid[:len(valid)-32]
	for _, n := range []int{0, 7, 8, 12, 16, 40, len(body) / 2, len(body) - 4} {
		f.Add(valid[:n])
		f.Add(body[:n])
	}
	f.Add(body)
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := DecodeCheckpoint(data); err == nil {
			if len(c.Positions) != c.Count*c.Dim || len(c.Records) != c.Count {
				t.Fatalf("accepted an inconsistent checkpoint")
			}
		}
		if c, err := decodeBody(data); err == nil {
			if len(c.Positions) != c.Count*c.Dim || len(c.Records) != c.Count {
				t.Fatalf("accepted an inconsistent body")
			}
			if _, err := EncodeCheckpoint(c); err != nil {
				t.Fatalf("accepted body does not re-encode: %v", err)
			}
		}
	})
}
