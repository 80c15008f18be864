package host

import (
	"errors"
	"maps"
	"slices"
	"time"
)

// RunRequest is a `kramers run` as its flags give it, before the library decides what to run:
// the configuration the flags describe, which flags were given, the method, and the outputs,
// shard and checkpoint to continue. Reading the files (--resume) and the job environment
// (--shard auto) is the caller's; the decisions are ResolveRun's.
type RunRequest struct {
	Config      Config          // the configuration of the flags (DefaultConfig where not given)
	Given       map[string]bool // the names of the flags given, without dashes
	Method      string          // --method
	Extrapolate bool            // --extrapolate
	Checkpoint  string          // --checkpoint ("" none)
	Every       time.Duration   // --every
	Resume      *Checkpoint     // the checkpoint --resume names (nil: none, or an FFS state)
	// ResumeFFS is the configuration of the forward-flux-sampling state --resume names (nil: none);
	// the state itself, with the interfaces and stages, is the caller's (host/store, host/ffs).
	ResumeFFS  *Config
	ResumePath string // --resume
	// ShardIndex and ShardCount are --shard i/n as parsed, with --shards and the job environment
	// of --shard auto (ShardCount 0: no --shard).
	ShardIndex, ShardCount int
}

// RunPlan is a resolved RunRequest: the configuration to run, the method, the checkpoint it
// continues (nil for a fresh run or a forward-flux-sampling state), and where checkpoints go.
type RunPlan struct {
	Config     Config
	Method     MethodSpec
	Resume     *Checkpoint
	Checkpoint string
}

// resumeFlags may accompany --resume without restating the configuration: the outputs, --steps,
// and the flags of the Execution (Execution: backend, precision, chunk, burn-in, shard, theory).
var resumeFlags = []string{"resume", "checkpoint", "every", "json", "quiet", "steps", "backend", "precision", "chunk",
	"burn-in", "shard", "shards", "theory"}

// ffsResumeFlags may accompany --resume of a forward-flux-sampling state: the configuration, the
// interfaces and the options come from the state; --backend, --precision and --theory may change.
var ffsResumeFlags = []string{"resume", "checkpoint", "json", "quiet", "method", "backend", "precision", "theory"}

// ResolveRun decides what a run request runs. A fresh run takes the flags' configuration. With
// --resume and no Model flags the configuration is the checkpoint's (--steps may extend it;
// --backend, --precision, --chunk, --burn-in and --theory may change, since they are the
// Execution); with Model flags they must describe the same Model (Config.Hash, compared without
// --steps, by Checkpoint.CheckResume). A resumed forward-flux-sampling state takes only the
// flags of ffsResumeFlags. A resumed run writes its checkpoints into the file it resumed unless
// --checkpoint says otherwise.
func ResolveRun(req RunRequest) (RunPlan, error) {
	if req.ResumeFFS != nil {
		return resolveFFSResume(req)
	}
	m, ok := Method(req.Method)
	if !ok {
		return RunPlan{}, inputErr("method", "%q is not a method; use %s", req.Method, MethodNames())
	}
	if err := checkCheckpointFlags(req); err != nil {
		return RunPlan{}, err
	}
	plan := RunPlan{Config: req.Config, Method: m, Resume: req.Resume, Checkpoint: req.Checkpoint}
	if req.Resume != nil {
		if !restatesModel(req.Given) {
			plan.Config = resumedConfig(req.Resume, req.Config, req.Given)
		}
		if plan.Checkpoint == "" {
			plan.Checkpoint = req.ResumePath // continue writing into the same file
		}
	}
	if err := plan.Config.Validate(); err != nil {
		return RunPlan{}, err
	}
	if req.ShardCount > 0 {
		if err := ApplyShard(&plan.Config, req.ShardIndex, req.ShardCount); err != nil {
			return RunPlan{}, err
		}
	}
	if req.Resume != nil {
		if err := req.Resume.CheckResume(plan.Config); err != nil {
			return RunPlan{}, err
		}
	}
	return plan, checkMethodFlags(req, m)
}

// checkCheckpointFlags refuses the checkpoint flags that cannot work together.
func checkCheckpointFlags(req RunRequest) error {
	if req.Every < 0 {
		return inputErr("every", "%v is negative; give an interval such as 30s (or 0 for checkpoints only at the end and on interrupt)", req.Every)
	}
	if req.Every > 0 && req.Checkpoint == "" && req.ResumePath == "" {
		return inputErr("every", "needs --checkpoint FILE to say where to write; add --checkpoint run.ckpt")
	}
	return nil
}

// checkMethodFlags refuses flags of another method, and --extrapolate beside the flags of one run.
func checkMethodFlags(req RunRequest, m MethodSpec) error {
	if err := m.CheckMethodFlags(req.Given); err != nil {
		return err
	}
	if req.Extrapolate {
		for _, f := range []string{"resume", "checkpoint", "shard", "every"} {
			if req.Given[f] {
				return inputErr("extrapolate", "runs two ensembles and cannot be combined with --%s; run the two step sizes as separate runs instead", f)
			}
		}
	}
	return nil
}

// restatesModel reports whether the flags given with --resume include one beyond resumeFlags,
// that is, whether they restate the Model.
func restatesModel(given map[string]bool) bool {
	for name := range given {
		if !slices.Contains(resumeFlags, name) {
			return true
		}
	}
	return false
}

// resumedConfig is the checkpoint's configuration with the Execution flags given (and --steps)
// taken from the flags' configuration, and the checkpoint's particle range unless --shard is given.
func resumedConfig(ck *Checkpoint, flags Config, given map[string]bool) Config {
	c := takeGiven(ck.Config, flags, given, "steps", "chunk", "burn-in", "backend", "precision", "theory")
	if !given["shard"] {
		c.First, c.Count = ck.Config.First, ck.Config.Count
	}
	return c
}

// changeable are the flags a resumed run may change, each with how it sets its field.
var changeable = map[string]func(c *Config, from Config){
	"steps":     func(c *Config, from Config) { c.Steps = from.Steps },
	"chunk":     func(c *Config, from Config) { c.Chunk = from.Chunk },
	"burn-in":   func(c *Config, from Config) { c.BurnIn = from.BurnIn },
	"backend":   func(c *Config, from Config) { c.Backend = from.Backend },
	"precision": func(c *Config, from Config) { c.Precision = from.Precision },
	"theory":    func(c *Config, from Config) { c.Theory = from.Theory },
}

// takeGiven is c with the fields of the named flags (of changeable) taken from flags where given.
func takeGiven(c, flags Config, given map[string]bool, names ...string) Config {
	for _, name := range names {
		if given[name] {
			changeable[name](&c, flags)
		}
	}
	return c
}

// resolveFFSResume continues a forward-flux-sampling state with its own configuration.
func resolveFFSResume(req RunRequest) (RunPlan, error) {
	for _, name := range slices.Sorted(maps.Keys(req.Given)) {
		if !slices.Contains(ffsResumeFlags, name) {
			return RunPlan{}, &InputError{Flag: name, Msg: "cannot change a resumed forward-flux-sampling run: the configuration, interfaces and options come from the state (only --checkpoint, --json, --quiet, --backend, --precision and --theory may be given)"}
		}
	}
	m, _ := Method("ffs")
	plan := RunPlan{Config: takeGiven(*req.ResumeFFS, req.Config, req.Given, "backend", "precision", "theory"), Method: m, Checkpoint: req.Checkpoint}
	if plan.Checkpoint == "" {
		plan.Checkpoint = req.ResumePath // continue writing into the same file
	}
	return plan, nil
}

// ErrRunInterrupted is returned when a cancelled context stopped a run that cannot give a partial
// result (one of the finer runs of ExtrapolateRun).
var ErrRunInterrupted = errors.New("interrupted")
