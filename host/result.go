package host

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/survival"
	"github.com/kramers-sim/kramers/host/theory"
)

// Version is the program version written into results and checkpoints. 0.2.0 changed the random
// stream (draws shared across iterations, host/rng "Draws"): checkpoints and shards of 0.1.0 are
// refused, since resuming or merging them would mix two streams. 0.3.0 reports the quasi-stationary
// rate, keeps the first passages of particles that diverge later (a record flag) and hashes only
// the Model of a configuration: results and checkpoints of 0.2.0 are refused by version. 0.3.1
// runs finite data on the GPU and guards its dispatches against a driver's loop limit (gpu
// Backend.Advance): a 0.3.0 checkpoint of an sgd-hessian run in d ≥ 3 on llvmpipe may hold
// positions of cut dispatches, so 0.3.0 is refused too.
const Version = "0.3.1"

// Result is one run's outcome: the fields of the --json contract (docs/architecture.md) and more.
// Times are continuous time (iterations × η) unless the name says iterations.
type Result struct {
	Version    string  `json:"version"`
	Partial    bool    `json:"partial"`
	Config     Config  `json:"config"`
	ConfigHash string  `json:"config_hash"`
	Particles  int     `json:"particles"` // simulated here (the shard's count for a shard)
	First      int     `json:"first"`     // global index of the first particle simulated
	Steps      int     `json:"steps"`     // iterations done
	LR         float64 `json:"lr"`
	// Estimate holds escaped, exposure_time, rate, rate_ci95, tau, tau_iterations…; its fields
	// appear at the top level of the JSON object (MarshalJSON).
	Estimate               survival.Estimate            `json:"-"`
	ExposureIterations     float64                      `json:"exposure_iterations"`
	Diverged               int                          `json:"diverged"`
	Backend                string                       `json:"backend"`
	Renderer               string                       `json:"renderer"`
	Seconds                float64                      `json:"seconds"`
	ParticleStepsPerSecond float64                      `json:"particle_steps_per_second"`
	HostShare              float64                      `json:"host_share"` // fraction of stepping wall time outside Advance
	Theory                 map[string]theory.Prediction `json:"theory"`
	// Question is the run's escape question (Problem.RunQuestion); a theory value is compared with
	// the rate only when its own question is this one (docs/theory.md §4).
	Question string              `json:"question,omitempty"`
	Analysis *landscape.Analysis `json:"analysis"`
	Escape   *EscapeCondition    `json:"escape"`
	Noise    Noise               `json:"noise"`
	// Data is the data set of a finite-data run (docs/theory.md §8); nil otherwise.
	Data      *DataInfo             `json:"data,omitempty"`
	Survival  []survival.CurvePoint `json:"survival"`
	Histogram survival.Histogram    `json:"histogram"`
	Basin     []BasinPoint          `json:"basin,omitempty"`
	// EscapedTotal counts every escape in the window; the estimate's `escaped` counts those after
	// the burn-in, which the rate is made of.
	EscapedTotal int `json:"escaped_total"`
	// DivergedAfterEscape counts particles that escaped and later diverged (non-absorbing runs on
	// a landscape unbounded beyond the exit); their escapes count.
	DivergedAfterEscape int `json:"diverged_after_escape"`
	// BurnIn is how the quasi-stationary rate was obtained: the burn-in t0, the plain
	// whole-window estimate beside it, and the hazard against time (docs/theory.md §3).
	BurnIn survival.QuasiStationary `json:"quasi_stationary"`
	// Stability is the step-size check of gradient descent (η·λ_max(H)).
	Stability Stability `json:"stability"`
	// Comparisons hold measured/theory and z for every theory value with a rate.
	Comparisons map[string]Comparison `json:"comparisons"`
	// Exits splits the rate among the basin's exits (a default escape through several exits in an
	// absorbing run); nil otherwise.
	Exits []ExitResult `json:"exits,omitempty"`
	// Extrapolation is Richardson's η → 0 value (run --extrapolate), nil otherwise.
	Extrapolation *Extrapolation `json:"extrapolation,omitempty"`
	// Method is "ffs" for forward flux sampling (host/ffs); empty for brute force.
	Method string `json:"method,omitempty"`
	// FFS is the forward-flux-sampling record (stage table, flux, interfaces); nil for brute force.
	FFS *FFSResult `json:"ffs,omitempty"`
	// EscapeCautions are the messages of what the check of the escape region against the start
	// basin found (Problem.EscapeWarnings): properties of the model, the same in every shard, so
	// that a merge carries them (they are among Warnings too).
	EscapeCautions []string `json:"escape_cautions,omitempty"`
	// Warnings are written to JSON as their messages (a list of strings); their kinds are for the
	// program (Merge combines them by kind).
	Warnings []Warning `json:"warnings,omitempty"`
}

// Hash identifies a Model for checkpoints and shard merging: a hash of its JSON encoding, so of
// everything that changes the random stream or the dynamics. Config.Hash is the hash of its
// Model: the Execution (backend, precision, chunk length, particle range, burn-in) is left out.
func (m Model) Hash() string {
	b, _ := json.Marshal(m)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// MarshalJSON writes the Result with the Estimate's fields at the top level, as the contract
// of docs/architecture.md wants (rate, rate_ci95, tau, … beside particles and steps).
func (r Result) MarshalJSON() ([]byte, error) {
	type fields Result // no methods: plain struct encoding
	a, err := json.Marshal(fields(r))
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(r.Estimate)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(a, &m); err != nil {
		return nil, err
	}
	var e map[string]json.RawMessage
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, err
	}
	for k, v := range e {
		if k == "particles" {
			k = "particles_live" // the estimate's N excludes diverged particles
		}
		m[k] = v
	}
	if r.Method == "ffs" {
		for _, k := range bruteForceOnly {
			delete(m, k)
		}
	}
	if an := r.Analysis; an != nil {
		// The minimum the run escaped from (the one gradient flow from --start reaches) and the
		// sentence that says so, beside the analysis that holds it (docs/architecture.md).
		m["minimum"], _ = json.Marshal(an.Minimum)
		m["minimum_note"], _ = json.Marshal(an.StartNote())
	}
	return json.Marshal(m)
}

// bruteForceOnly are the fields of a brute-force run that a forward-flux-sampling result does not
// have: it runs no one window of iterations (steps, exposure_iterations), counts no escapes in one
// (escaped_total, diverged…), has no survival curve or first-passage histogram and no burn-in
// (quasi_stationary, whose estimate would read resolved: false under a resolved rate). They are
// left out of its JSON rather than written as zeros that contradict its rate; its own record is
// under ffs (host/ffs).
var bruteForceOnly = []string{"steps", "exposure_iterations", "escaped_total", "diverged", "diverged_after_escape",
	"survival", "histogram", "basin", "quasi_stationary"}

// UnmarshalJSON reads what MarshalJSON wrote (kramers merge reads shard results).
func (r *Result) UnmarshalJSON(data []byte) error {
	type fields Result
	var f fields
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if v, ok := m["particles_live"]; ok {
		m["particles"] = v
	}
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, &f.Estimate); err != nil {
		return err
	}
	*r = Result(f)
	return nil
}
