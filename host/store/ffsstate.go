package store

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/kramers-sim/kramers/host"
)

// FFSState is a forward-flux-sampling run between two interface stages: everything the remaining
// stages need, written after each stage by ffs.Options.Checkpoint and continued by ffs.Options.Resume
// (`kramers run --method ffs --checkpoint FILE`, `--resume FILE`). Float64 values round-trip
// exactly through encoding/json, so a resumed run gives the uninterrupted run's result bit for bit
// on a deterministic backend.
type FFSState struct {
	Format string      `json:"format"` // FFSStateFormat
	Config host.Config `json:"config"`
	// The options that shape the remaining stages.
	TargetError float64 `json:"target_error"`
	Trials      int     `json:"trials"`
	TargetP     float64 `json:"target_p"`
	MaxSteps    int     `json:"max_steps"`
	// Result is the part done: λ_A, the interfaces, the flux and the stages so far.
	Result host.FFSResult `json:"result"`
	PilotP []float64      `json:"pilot_p,omitempty"`
	// Next is the index of the next stage (0: the stage from λ_0); Configs (count × dim) are its
	// stored starting points, Ancestors their stage-0 roots, of NRoots.
	Next      int       `json:"next_stage"`
	Configs   []float64 `json:"configs"`
	Ancestors []int32   `json:"ancestors"`
	NRoots    int       `json:"roots"`
	// TreeN, TreeS: per finished stage and root, the counted trials and successes.
	TreeN    [][]int32      `json:"tree_trials"`
	TreeS    [][]int32      `json:"tree_successes"`
	Kappa    float64        `json:"kappa"`
	RelVar   float64        `json:"rel_var"`
	Warnings []host.Warning `json:"warnings,omitempty"`
	Seconds  float64        `json:"seconds"`
}

// FFSStateFormat names the checkpoint format of forward flux sampling.
const FFSStateFormat = "kramers-ffs-state/1"

// ReadFFSState reads a forward-flux-sampling state written by WriteFFSState (kramers run --method
// ffs --checkpoint): the file's read error as it is, or an error saying the file is no such state.
func ReadFFSState(path string) (*FFSState, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st FFSState
	if err := json.Unmarshal(data, &st); err != nil || st.Format != FFSStateFormat {
		return nil, fmt.Errorf("%s is not a forward-flux-sampling state (%s)", path, FFSStateFormat)
	}
	return &st, nil
}

// WriteFFSState writes s as one line of JSON through the atomic writer (WriteFileAtomic).
func WriteFFSState(path string, s *FFSState) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(data, '\n'))
}
