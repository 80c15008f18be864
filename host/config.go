package host

import (
	"fmt"
	"math"
	"strings"

	"github.com/kramers-sim/kramers/host/data"
	"github.com/kramers-sim/kramers/host/landscape"
)

// NoiseModel names the diffusion matrix D(θ) of docs/theory.md §1.
type NoiseModel string

// The noise models of docs/theory.md §1 without data (NoiseSpecs describes every model).
const (
	SGLD          NoiseModel = "sgld"            // D = T·I
	SGDHessian    NoiseModel = "sgd-hessian"     // D = (η/2B)(|H(θ)| + εI)
	SGDHessianMin NoiseModel = "sgd-hessian-min" // D = (η/2B)·H(a)
	SGDLoss       NoiseModel = "sgd-loss"        // D = (η/B)·L(θ)·H(a)
)

// The noise models of finite data (docs/theory.md §8): they need Model.Data.
const (
	// Minibatch is real SGD: θ ← θ − η·(1/B)·Σ_{μ∈batch} ∇ℓ_μ(θ), B rows drawn by Sampling.
	Minibatch NoiseModel = "minibatch"
	// SGDCov is its Gaussian model: θ ← θ − η∇L + η·Σ(θ)^{1/2}·z with the exact mini-batch
	// covariance Σ(θ) = (1/B)·f·C(θ), C the per-sample gradient covariance over all N rows,
	// f = (N−B)/(N−1) for sampling without replacement and 1 with it.
	SGDCov NoiseModel = "sgd-cov"
)

// IsData reports whether m needs a finite data set (NoiseSpec.NeedsData).
func (m NoiseModel) IsData() bool {
	s, ok := m.Spec()
	return ok && s.NeedsData
}

// The sampling laws of Model.Sampling (host/rng, "Minibatch indices").
const (
	SampleWith    = "with"
	SampleWithout = "without"
	SampleEpoch   = "epoch"
)

// Model is the run itself: everything that determines the dynamics and the random stream, and
// so the first-passage records. Two runs with equal Models draw the same Philox numbers for the
// same particles and iterations (the counter replaces RNG state) and simulate the same Markov
// chain; Hash covers exactly these fields. Checkpoints resume and shards merge only within one
// Model (CheckResume compares it without Steps, Merge with Steps).
type Model struct {
	Landscape string `json:"landscape"`
	// Params are the landscape's parameter values given beside the spec (--param): an
	// expression's named parameters and its sharpness k and offset l0, or a catalogue entry's
	// parameters as if written in the spec. encoding/json writes a map in sorted key order, so
	// the hash is deterministic; an empty map is left out (the hash of a run without it).
	Params     map[string]float64 `json:"params,omitempty"`
	Dim        int                `json:"dim,omitempty"`
	Noise      NoiseModel         `json:"noise"`
	LR         float64            `json:"lr"`
	Batch      float64            `json:"batch,omitempty"`
	Temp       float64            `json:"temp,omitempty"`
	Floor      float64            `json:"floor,omitempty"`
	Start      []float64          `json:"start,omitempty"`
	StartExact bool               `json:"start_exact,omitempty"`
	Target     []float64          `json:"target,omitempty"`
	Escape     string             `json:"escape,omitempty"`
	// Exits > 0 keeps only the lowest Exits exits of the basin (by ΔL) in the default escape
	// (docs/theory.md §2); 0: every exit found.
	Exits  int     `json:"exits,omitempty"`
	Margin float64 `json:"margin,omitempty"` // 0: automatic (docs/theory.md §2)
	// CheckEvery > 0 checks the escape condition after every CheckEvery-th iteration only
	// (iterations counted from the run's 0); 0: automatic, every iteration unless the condition
	// uses the full-batch loss of a data landscape (docs/theory.md §2, "Monitoring every m").
	CheckEvery int `json:"check_every,omitempty"`
	// Particles is the size of the whole ensemble; a shard simulates the range
	// [First, First+Count) of it (Execution), with the particles' global Philox indices.
	Particles int     `json:"particles"`
	Steps     int     `json:"steps"`
	Seed      uint64  `json:"seed"`
	Absorb    bool    `json:"absorb"`
	Bound     float64 `json:"bound,omitempty"` // divergence box half-width around a; 0: automatic
	// Data is the data set of a finite-data run (docs/theory.md §8): a CSV path or a generator
	// spec gen:NAME(…); the landscape is then a per-sample loss and L its mean over the rows.
	// The result records the contents' SHA-256 and N beside it (Result.Data).
	Data string `json:"data,omitempty"`
	// DataOptions select classes and rows of the data, standardise its features and encode its
	// targets (--standardize, --classes, --rows, --targets; docs/theory.md §8, "Data sets").
	DataOptions data.Options `json:"data_options,omitzero"`
	// Sampling is how minibatch draws its rows: with, without (the default) or epoch; sgd-cov
	// takes with or without (the factor (N−B)/(N−1)). Empty without data.
	Sampling string `json:"sampling,omitempty"`
}

// Execution is how a Model is run and estimated, none of which changes the model: the backend
// and the arithmetic it uses, the chunk length (when dispatches happen, never which numbers are
// drawn), the particle range of a shard, and the burn-in of the estimate. Hash leaves it out, so
// a checkpoint may be resumed, and shard results merged, with other values: on another backend
// or at another precision the continuation is valid but not bit-identical to an uninterrupted
// run (float32 and float64 round differently in the last bits, as GPU and CPU do).
type Execution struct {
	Backend BackendKind `json:"backend"`
	// Precision is the arithmetic of the GPU backend: float32 (the default) or float64
	// positions and steps. The CPU reference is always float64 and ignores it.
	Precision Precision `json:"precision,omitempty"`
	Chunk     int       `json:"chunk,omitempty"` // iterations per dispatch; 0: automatic
	// BurnIn is the burn-in t0 of the quasi-stationary estimate in time units; nil: chosen from
	// the data (docs/theory.md §3). It changes the estimate, not the dynamics.
	BurnIn *float64 `json:"burn_in,omitempty"`
	// First and Count select the particles [First, First+Count) of the global ensemble of
	// Particles (shards). Count 0 means all.
	First int `json:"first,omitempty"`
	Count int `json:"count,omitempty"`
	// Theory selects the theory values to compute (--theory): "" or "all" for every one, "none",
	// or a comma-separated list of TheoryPreference's names (host/predict.go TheorySelection).
	// A value left out is present in the result with no τ and the reason "not computed".
	Theory string `json:"theory,omitempty"`
}

// Config is a run: its Model and its Execution. The structs are embedded, so fields read as
// cfg.LR and cfg.Backend and the JSON object is flat (the layout of results and checkpoints).
type Config struct {
	Model
	Execution
}

// Precision is the arithmetic of the GPU backend (--precision).
type Precision string

// The precisions of --precision.
const (
	F32 Precision = "f32" // float32 positions and steps: the GPU default
	F64 Precision = "f64" // float64 throughout (needs GL_ARB_gpu_shader_fp64)
)

// Valid reports whether p is f32 or f64 (the empty default is resolved to f32 by Prepare).
func (p Precision) Valid() bool { return p == F32 || p == F64 }

// BackendKind names a backend of --backend: what Backend.Name returns.
type BackendKind string

// The backends.
const (
	GPU BackendKind = "gpu" // OpenGL 4.3 compute (package gpu)
	CPU BackendKind = "cpu" // the float64 reference (package validate)
)

// Valid reports whether b is gpu or cpu.
func (b BackendKind) Valid() bool { return b == GPU || b == CPU }

// DefaultConfig returns the defaults of `kramers run`.
func DefaultConfig() Config {
	return Config{
		Model: Model{
			Noise:     SGLD,
			LR:        0.01,
			Batch:     1,
			Temp:      0.1,
			Particles: 1 << 16,
			Steps:     1000,
			Seed:      1,
			Absorb:    true,
		},
		Execution: Execution{Backend: GPU, Precision: F32},
	}
}

// InputError is a problem with what the user typed. The command line prints it as one sentence
// and exits with status 2.
type InputError struct {
	Flag string // the flag at fault, without dashes ("lr"), or "" when none applies
	Msg  string // what was wrong, and how to fix it unless Hint says so
	// Hint, when not empty, is how to fix it, written after Msg and a semicolon. The producer
	// sets it when Msg comes from elsewhere (a parser's message) and does not already show the
	// fix; callers never search Msg for one.
	Hint string
}

func (e *InputError) Error() string {
	msg := e.Msg
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	if e.Flag == "" {
		return msg
	}
	return fmt.Sprintf("--%s: %s", e.Flag, msg)
}

func inputErr(flag, format string, args ...any) error {
	return &InputError{Flag: flag, Msg: fmt.Sprintf(format, args...)}
}

// MaxDim is the largest dimension --dim accepts: the largest that a landscape can have
// (landscape.MaxDim, the limit of expressions and of the catalogue's d).
const MaxDim = landscape.MaxDim

// Validate checks the values that can be checked without parsing the landscape, the Model's and
// the Execution's together (the particle range and the burn-in are checked against the Model). It
// writes the default sampling law of a finite-data noise model into c.
func (c *Config) Validate() error {
	for _, check := range []func() error{c.validateNames, c.validateData, c.validateNoise, c.validateSizes, c.validateGeometry, c.validatePoints} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// validateNames checks the landscape, theory and noise model names.
func (c *Config) validateNames() error {
	if strings.TrimSpace(c.Landscape) == "" {
		return inputErr("landscape", "missing; name a catalogue landscape such as 'doublewell(k=1)' or type an expression in x")
	}
	if _, err := TheorySelection(c.Theory); err != nil {
		return inputErr("theory", "%v", err)
	}
	if _, known := c.Noise.Spec(); !known {
		return inputErr("noise", "%s", UnknownNoise(string(c.Noise), ""))
	}
	return nil
}

// validateData checks the finite-data flags against the noise model and fills in the default
// sampling law.
func (c *Config) validateData() error {
	if c.Noise.IsData() && strings.TrimSpace(c.Data) == "" {
		return inputErr("noise", "%s needs a finite data set; give --data FILE.csv or --data 'gen:neuron(n=200,seed=1)'", c.Noise)
	}
	if err := CheckDataOptions(c.Data, c.DataOptions); err != nil {
		return err
	}
	if c.Sampling == "" && c.Noise.IsData() {
		c.Sampling = SampleWithout // the default, written into the Model so that its hash has it
	}
	if c.Sampling == "" {
		return nil
	}
	switch {
	case strings.TrimSpace(c.Data) == "":
		return inputErr("sampling", "applies only to a finite-data run; give --data or drop --sampling")
	case !c.Noise.IsData():
		return inputErr("sampling", "applies only to --noise minibatch and sgd-cov, not %s; drop --sampling", c.Noise)
	case c.Noise == SGDCov && c.Sampling == SampleEpoch:
		return inputErr("sampling", "sgd-cov models one step's noise: use with or without (a step of epoch sampling has the law of without)")
	}
	return CheckSampling(c.Sampling)
}

// CheckDataOptions refuses data options (data.Options, such as --classes) without a data set.
func CheckDataOptions(dataSpec string, o data.Options) error {
	if given := o.Given(); len(given) > 0 && strings.TrimSpace(dataSpec) == "" {
		return inputErr(given[0], "applies only to a finite-data run; give --data (such as --data iris) or drop --%s", given[0])
	}
	return nil
}

// CheckSampling refuses a minibatch sampling law other than with, without and epoch.
func CheckSampling(sampling string) error {
	if sampling != SampleWith && sampling != SampleWithout && sampling != SampleEpoch {
		return inputErr("sampling", "unknown sampling %q; use with, without or epoch", sampling)
	}
	return nil
}

// validateNoise checks the step size and the parameters of the noise model.
func (c *Config) validateNoise() error {
	if c.Noise == Minibatch && (c.Batch < 1 || c.Batch != math.Trunc(c.Batch) || c.Batch > math.MaxInt32) {
		return inputErr("batch", "minibatch takes a whole number of rows B ≥ 1, got %v; give for example --batch 10", c.Batch)
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) {
		return inputErr("lr", "the learning rate η must be a positive finite number, got %v; give for example --lr 0.01", c.LR)
	}
	if c.Noise == SGLD {
		if !(c.Temp > 0) || math.IsInf(c.Temp, 0) {
			return inputErr("temp", "the temperature T must be a positive finite number for sgld, got %v; give for example --temp 0.1", c.Temp)
		}
	} else if !(c.Batch > 0) || math.IsInf(c.Batch, 0) {
		return inputErr("batch", "the batch size B must be a positive finite number for %s, got %v; give for example --batch 1", c.Noise, c.Batch)
	}
	if c.Floor < 0 || math.IsNaN(c.Floor) || math.IsInf(c.Floor, 0) {
		return inputErr("floor", "the isotropic floor ε must be ≥ 0, got %v; give 0 (none) or a small positive number such as 0.001", c.Floor)
	}
	return nil
}

// validateSizes checks the ensemble, the run length and the backend.
func (c *Config) validateSizes() error {
	if c.Particles <= 0 {
		return inputErr("particles", "need at least one particle, got %d; give for example --particles 65536", c.Particles)
	}
	if c.Particles > math.MaxInt32 {
		return inputErr("particles", "at most %d particles per ensemble (the Philox counter word is 32 bits); run further ensembles with other --seed values", math.MaxInt32)
	}
	if c.Steps <= 0 {
		return inputErr("steps", "need at least one step, got %d; give for example --steps 1000", c.Steps)
	}
	if c.Steps > MaxSteps {
		return inputErr("steps", "at most %d steps per run (first-passage records hold 30-bit steps); give a smaller --steps", MaxSteps)
	}
	if !c.Backend.Valid() {
		return inputErr("backend", "unknown backend %q; use gpu or cpu", c.Backend)
	}
	if c.Precision != "" && !c.Precision.Valid() {
		return inputErr("precision", "unknown precision %q; use f32 or f64", c.Precision)
	}
	return nil
}

// validateGeometry checks the dimension, the escape margin, the chunk, the divergence bound, the
// particle range and the burn-in.
func (c *Config) validateGeometry() error {
	if c.Dim < 0 || c.Dim > MaxDim {
		return inputErr("dim", "must lie in 0…%d (0: from the landscape), got %d; drop --dim or give the landscape's dimension", MaxDim, c.Dim)
	}
	if c.Margin < 0 || math.IsNaN(c.Margin) || math.IsInf(c.Margin, 0) {
		return inputErr("margin", "the escape margin must be ≥ 0, got %v; give 0 (automatic) or a positive distance", c.Margin)
	}
	if c.Chunk < 0 {
		return inputErr("chunk", "iterations per chunk must be ≥ 0, got %d; give 0 (adaptive) or a positive count such as 100", c.Chunk)
	}
	if c.Bound < 0 || math.IsNaN(c.Bound) || math.IsInf(c.Bound, 0) {
		return inputErr("bound", "the divergence box half-width must be ≥ 0, got %v; give 0 (automatic) or a positive distance", c.Bound)
	}
	if c.First < 0 || c.Count < 0 || c.First+c.Count > c.Particles {
		return inputErr("shard", "particle range [%d, %d) lies outside the ensemble of %d; give --shard i/n with 0 ≤ i < n", c.First, c.First+c.Count, c.Particles)
	}
	if c.BurnIn != nil && (!(*c.BurnIn >= 0) || math.IsInf(*c.BurnIn, 0) || *c.BurnIn >= float64(c.Steps)*c.LR) {
		return inputErr("burn-in", "the burn-in t0 must lie in [0, steps·η) = [0, %g) time units, got %v; give auto or a time inside the window", float64(c.Steps)*c.LR, *c.BurnIn)
	}
	return nil
}

// validatePoints checks the landscape parameters, the start guess, the target and --exits.
func (c *Config) validatePoints() error {
	for name, v := range c.Params {
		if strings.TrimSpace(name) == "" {
			return inputErr("param", "a parameter without a name; write NAME=VALUE pairs such as --param c=0.1,k=2")
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return inputErr("param", "%s=%v is not a finite number; give a finite value such as --param %s=0.1", name, v, name)
		}
	}
	for i, v := range c.Start {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return inputErr("start", "coordinate %d is not a finite number; write comma-separated numbers such as -1,0.5", i+1)
		}
	}
	if c.CheckEvery < 0 {
		return inputErr("escape", "the check period must be ≥ 0 (0: automatic), got %d", c.CheckEvery)
	}
	if c.Exits < 0 {
		return inputErr("exits", "must be ≥ 0 (0: every exit of the basin), got %d; give for example --exits 1 for the lowest exit alone", c.Exits)
	}
	for i, v := range c.Target {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return inputErr("target", "coordinate %d is not a finite number; write comma-separated numbers such as 1,0", i+1)
		}
	}
	return nil
}

// Span returns the global index range [first, first+count) this configuration simulates.
func (c *Config) Span() (first, count int) {
	if c.Count == 0 {
		return 0, c.Particles
	}
	return c.First, c.Count
}
