package host

import (
	"math"
	"strings"
	"testing"
)

// smallCheckpoint is a valid checkpoint of 3 particles in 2 dimensions (no landscape needed:
// the header is checked only against its own configuration).
func smallCheckpoint() *Checkpoint {
	cfg := DefaultConfig()
	cfg.Landscape = "zhu2d(sx=30)"
	cfg.Particles, cfg.Steps, cfg.Backend = 6, 100, "cpu"
	cfg.First, cfg.Count = 3, 3
	return &Checkpoint{
		CheckpointHeader: CheckpointHeader{Version: Version, Config: cfg, ConfigHash: cfg.Hash(), Iteration: 40,
			Dim: 2, First: 3, Count: 3, Backend: "cpu"},
		Positions: []float64{-1, 0.5, math.NaN(), math.Inf(1), float64(float32(0.1)), -0},
		Records:   []uint32{Running, 17, DivergedFlag | 3},
	}
}

func TestCheckResume(t *testing.T) {
	c := smallCheckpoint()
	cfg := c.Config
	if err := c.CheckResume(cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Steps = 500 // extending is allowed
	if err := c.CheckResume(cfg); err != nil {
		t.Errorf("extended steps refused: %v", err)
	}
	// The Execution may change: another backend, precision, chunk length or burn-in continues the
	// same Model.
	burnIn := 1.0
	for name, mod := range map[string]func(*Config){
		"backend":   func(c *Config) { c.Backend = GPU },
		"precision": func(c *Config) { c.Precision = F64 },
		"chunk":     func(c *Config) { c.Chunk = 7 },
		"burn-in":   func(c *Config) { c.BurnIn = &burnIn },
	} {
		cfg := c.Config
		mod(&cfg)
		if err := c.CheckResume(cfg); err != nil {
			t.Errorf("another %s refused: %v", name, err)
		}
	}
	for name, mod := range map[string]func(*Config){
		"another configuration": func(c *Config) { c.LR = 0.02 },
		"holds particles":       func(c *Config) { c.First = 0 },
		"fewer than":            func(c *Config) { c.Steps = 10 },
	} {
		cfg := c.Config
		mod(&cfg)
		if err := c.CheckResume(cfg); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v", name, err)
		}
	}
	old := *c
	old.Version = "0.0.1"
	if err := old.CheckResume(c.Config); err == nil || !strings.Contains(err.Error(), "written by kramers 0.0.1") {
		t.Errorf("old version: %v", err)
	}
}

// TestCheckpointHeaderValidate: a header of this version must carry its configuration's hash; one
// of another version is judged by CheckResume, which names the version (the hash rule is a
// version's: 0.3.0 hashes the Model only).
func TestCheckpointHeaderValidate(t *testing.T) {
	c := smallCheckpoint()
	if err := c.CheckpointHeader.Validate(); err != nil {
		t.Fatal(err)
	}
	h := c.CheckpointHeader
	h.ConfigHash = "0123456789abcdef"
	if err := h.Validate(); err == nil || !strings.Contains(err.Error(), "does not match its configuration") {
		t.Errorf("edited hash: %v", err)
	}
	h.Version = "0.2.0"
	if err := h.Validate(); err != nil {
		t.Errorf("a 0.2.0 header with its own hash rule: %v", err)
	}
	old := Checkpoint{CheckpointHeader: h}
	if err := old.CheckResume(c.Config); err == nil || !strings.Contains(err.Error(), "written by kramers 0.2.0") {
		t.Errorf("0.2.0 checkpoint resumed: %v", err)
	}
	h = c.CheckpointHeader
	h.Count = 2
	if err := h.Validate(); err == nil || !strings.Contains(err.Error(), "particle range") {
		t.Errorf("range: %v", err)
	}
}
