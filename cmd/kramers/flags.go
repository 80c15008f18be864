package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kramers-sim/kramers/host"
)

// vecFlag is a comma-separated list of numbers (--start, --target).
type vecFlag struct {
	name string
	v    *[]float64
}

func (f vecFlag) String() string {
	if f.v == nil || *f.v == nil {
		return ""
	}
	parts := make([]string, len(*f.v))
	for i, x := range *f.v {
		parts[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

func (f vecFlag) Set(s string) error {
	v, err := parseVec(s)
	if err != nil {
		return err
	}
	*f.v = v
	return nil
}

func parseVec(s string) ([]float64, error) {
	var out []float64
	for i, part := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("coordinate %d (%q) is not a finite number; write comma-separated numbers such as -1,0.5", i+1, part)
		}
		out = append(out, x)
	}
	return out, nil
}

// paramFlag is --param NAME=VALUE[,NAME=VALUE…]: the landscape's parameter values (an
// expression's named parameters, its sharpness k and offset l0, or a catalogue entry's
// parameters). It is given once, with the pairs comma-separated, like every other flag; the
// values are numbers.
type paramFlag struct{ m *map[string]float64 }

const paramHelp = "landscape parameters NAME=VALUE[,NAME=VALUE…], given once: the names an expression uses besides its " +
	"coordinates, functions and constants (c in '(x^2-1)^2 + c*x'), and the sharpness k (L(sqrt(k)·θ), default 1) and offset " +
	"l0 (default 0) that every landscape takes; for an expression, --start and --target are points of the expression as " +
	"written and move to θ/sqrt(k) with k; for a catalogue SPEC, the same as writing the parameters in it"

func (f paramFlag) String() string {
	if f.m == nil || len(*f.m) == 0 {
		return ""
	}
	names := slices.Sorted(maps.Keys(*f.m))
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + strconv.FormatFloat((*f.m)[n], 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

func (f paramFlag) Set(s string) error {
	m, err := parseParams(s)
	if err != nil {
		return err
	}
	*f.m = m
	return nil
}

// parseParams reads NAME=VALUE[,NAME=VALUE…]; every value is a finite number and every name
// appears once.
func parseParams(s string) (map[string]float64, error) {
	m := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("%q is not NAME=VALUE; write comma-separated pairs such as c=0.1,k=2", strings.TrimSpace(part))
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("%s is given twice; give each parameter once", name)
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s=%s: the value is not a finite number; give a number such as %s=0.1", name, strings.TrimSpace(val), name)
		}
		m[name] = x
	}
	return m, nil
}

// burnInFlag is --burn-in: auto (chosen from the data) or a time t0 in time units.
type burnInFlag struct{ v **float64 }

func (f burnInFlag) String() string {
	if f.v == nil || *f.v == nil {
		return "auto"
	}
	return strconv.FormatFloat(**f.v, 'g', -1, 64)
}

func (f burnInFlag) Set(s string) error {
	if strings.EqualFold(strings.TrimSpace(s), "auto") {
		*f.v = nil
		return nil
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(x >= 0) || math.IsInf(x, 0) {
		return fmt.Errorf("%q is neither auto nor a time ≥ 0; give auto or a burn-in in time units such as 2", s)
	}
	*f.v = &x
	return nil
}

// dataHelp is the help of --data (run, theory, sweep, view and analyze).
const dataHelp = "finite data: a named set (iris, wine, breast-cancer, fashion-mnist, fashion-mnist-test; standardised by default), a CSV file with a header of column names, an MNIST-format idx images file (gzipped or not; IMAGES,LABELS to name both), or a generator such as 'gen:neuron(n=200,seed=1)'; the landscape is then a per-sample loss in the columns and L its mean (docs/theory.md §8)"

// runFlags are the flags shared by run, theory, sweep and view.
type runFlags struct {
	cfg      host.Config
	noise    string
	jsonOut  string
	quiet    bool
	progress bool
}

func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func (r *runFlags) register(fs *flag.FlagSet) {
	r.cfg = host.DefaultConfig()
	c := &r.cfg
	fs.StringVar(&c.Landscape, "landscape", "", "catalogue SPEC such as 'doublewell(k=2)', or an expression in x, x,y or x1..xd")
	fs.Var(paramFlag{&c.Params}, "param", paramHelp)
	fs.IntVar(&c.Dim, "dim", 0, fmt.Sprintf("dimension, at most %d (0: inferred from the landscape)", host.MaxDim))
	fs.StringVar(&r.noise, "noise", string(c.Noise), "noise model: "+host.NoiseNames(true)+" (docs/theory.md §1, §8)")
	fs.StringVar(&c.Data, "data", "", dataHelp)
	registerDataOptions(fs, &c.DataOptions)
	fs.StringVar(&c.Sampling, "sampling", "", "minibatch rows: with (independent uniform), without (B distinct per step; the default) or epoch (a permutation per epoch); needs --data")
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate η (continuous time t = iterations·η)")
	fs.Float64Var(&c.Batch, "batch", c.Batch, "batch size B (SGD noise models; a whole number of rows for minibatch)")
	fs.Float64Var(&c.Temp, "temp", c.Temp, "temperature T (sgld)")
	fs.Float64Var(&c.Floor, "floor", 0, "isotropic floor ε added to |H| (sgd-hessian)")
	fs.Var(vecFlag{"start", &c.Start}, "start", "start guess θ0, comma-separated; one number stands for every coordinate (catalogue default: its first minimum; for an expression, a point of the expression at k = 1, moved to θ0/sqrt(k))")
	fs.BoolVar(&c.StartExact, "start-exact", false, "start particles at θ0 itself instead of at the minimum found from it")
	fs.IntVar(&c.Exits, "exits", 0, "keep only the lowest N exits of the basin in the default escape (0: every exit found; docs/theory.md §2)")
	fs.Var(vecFlag{"target", &c.Target}, "target", "a point in the basin to escape into (d > 1; default: the nearest other minimum; for an expression, moved to θ/sqrt(k) as --start)")
	fs.StringVar(&c.Escape, "escape", "", "escape condition: an expression such as 'x > 0.5', or radius(r); default: the saddle hyperplane plus a margin")
	fs.Float64Var(&c.Margin, "margin", 0, "margin past the saddle hyperplane (0: three diffusion lengths, docs/theory.md §2)")
	fs.Var(countFlag{&c.Particles, math.MaxInt32, "particles per ensemble"}, "particles", "number of particles N (65536, 1e6 or 2^20)")
	fs.Var(countFlag{&c.Steps, host.MaxSteps, "steps per run"}, "steps", "number of iterations S (1000, 1e6 or 2^20)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "Philox key (the run is a pure function of seed and iteration)")
	fs.StringVar((*string)(&c.Backend), "backend", string(c.Backend), "gpu (OpenGL compute) or cpu (the float64 reference)")
	fs.StringVar((*string)(&c.Precision), "precision", string(c.Precision), "f32 or f64 positions on the GPU")
	fs.BoolVar(&c.Absorb, "absorb", true, "freeze escaped particles (false: keep moving, report basin occupancy)")
	fs.Var(countFlag{&c.Chunk, host.MaxSteps, "iterations per chunk"}, "chunk", "iterations per dispatch (0: adaptive)")
	fs.Float64Var(&c.Bound, "bound", 0, "divergence box half-width around the minimum (0: 100 saddle distances)")
	fs.Var(burnInFlag{&c.BurnIn}, "burn-in", "burn-in t0 of the quasi-stationary rate in time units, or auto (from the data, docs/theory.md §3)")
	fs.StringVar(&c.Theory, "theory", "", "theory values to compute: all (the default), none, or a comma-separated list of "+
		strings.Join(host.TheoryNames, ", ")+"; a value left out is shown as not computed (docs/theory.md §4)")
	fs.StringVar(&r.jsonOut, "json", "", "write the result as JSON to FILE, or - for stdout")
	fs.BoolVar(&r.quiet, "quiet", false, "no progress line")
}

// parse parses args and fills the configuration; every error names the flag at fault.
func (r *runFlags) parse(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := r.resolveModel(fs); err != nil {
		return err
	}
	return r.cfg.Validate()
}

// resolveModel reads the model name (any case), suggests one for an unknown name, and refuses
// flags the model does not use.
func (r *runFlags) resolveModel(fs *flag.FlagSet) error {
	m, hint := normaliseNoise(r.noise)
	r.cfg.Noise = m
	if hint != "" {
		return &host.InputError{Flag: "noise", Msg: host.UnknownNoise(r.noise, hint)}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return inapplicable(r.cfg.Noise, set)
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if name := repeatedFlag(fs, args); name != "" {
		return usageError{fmt.Errorf("--%s is given twice; give it once (a repeated flag would silently keep the last value)", name)}
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			printFlags(fs)
			return errHelp
		}
		return usageError{flagError(fs, err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q; flags start with -- and take their value after a space or =", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// flagError rewrites the flag package's messages as one sentence that names the flag and the fix.
func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	help := fmt.Sprintf("run 'kramers %s -h' for the flags", fs.Name())
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		name = strings.TrimLeft(name, "-")
		if s := suggestFlag(fs, name); s != "" {
			return fmt.Errorf("--%s: no such flag for kramers %s; did you mean --%s? (%s)", name, fs.Name(), s, help)
		}
		return fmt.Errorf("--%s: no such flag for kramers %s; %s", name, fs.Name(), help)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Errorf("--%s: needs a value, as in --%s=VALUE", strings.TrimLeft(name, "-"), strings.TrimLeft(name, "-"))
	}
	// invalid boolean value "maybe" for -absorb: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		if val, tail, ok := strings.Cut(rest, " for -"); ok {
			name, _, _ := strings.Cut(strings.TrimLeft(tail, "-"), ":")
			return fmt.Errorf("--%s: %s is neither true nor false; write --%s or --%s=false", name, val, name, name)
		}
	}
	// invalid value "abc" for flag -lr: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if val, tail, ok := strings.Cut(rest, " for flag -"); ok {
			name, why, _ := strings.Cut(tail, ": ")
			name = strings.TrimLeft(name, "-")
			if f := fs.Lookup(name); f != nil {
				if _, ok := f.Value.(countFlag); ok {
					return fmt.Errorf("--%s: %s", name, why)
				}
				if _, ok := f.Value.(burnInFlag); ok {
					return fmt.Errorf("--%s: %s", name, why)
				}
				if _, ok := f.Value.(vecFlag); ok {
					return fmt.Errorf("--%s: %s", name, why)
				}
				if _, ok := f.Value.(paramFlag); ok {
					return fmt.Errorf("--%s: %s", name, why)
				}
				if isDataOptionFlag(f.Value) {
					return fmt.Errorf("--%s: %s", name, why)
				}
				if why == "parse error" {
					why = "not understood"
				}
				return fmt.Errorf("--%s: %s is not valid (%s); give %s", name, val, why, valueHint(f))
			}
		}
	}
	return fmt.Errorf("%s: %v; %s", fs.Name(), err, help)
}

// valueHint says what kind of value a flag takes, from its default.
func valueHint(f *flag.Flag) string {
	if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
		return "true or false"
	}
	if _, err := time.ParseDuration(f.DefValue); err == nil {
		return "a duration such as 30s or 10m"
	}
	def := f.DefValue
	if _, err := strconv.ParseInt(def, 10, 64); err == nil {
		if t := fmt.Sprintf("%T", f.Value); t == "*flag.uint64Value" || t == "*flag.uintValue" {
			return "a whole number ≥ 0 such as " + def
		}
		return "a whole number such as " + def
	}
	if _, err := strconv.ParseFloat(def, 64); err == nil {
		return "a number such as " + def
	}
	if def != "" {
		return "a value like " + def
	}
	return "a value (see kramers " + "COMMAND -h)"
}

// ckptFlags are the flags of kramers run for checkpoints and shards.
type ckptFlags struct {
	checkpoint string
	every      time.Duration
	resume     string
	shard      string
	shards     int
}

func (c *ckptFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.checkpoint, "checkpoint", "", "write a checkpoint to FILE at the end, on SIGINT/SIGTERM and every --every")
	fs.DurationVar(&c.every, "every", 0, "checkpoint interval, e.g. 30s or 10m (needs --checkpoint; 0: only at the end and on interrupt)")
	fs.StringVar(&c.resume, "resume", "", "continue the run saved in checkpoint FILE (the configuration comes from it; --steps may extend it)")
	fs.StringVar(&c.shard, "shard", "", "run shard i/n of the ensemble: particles [i·N/n, (i+1)·N/n); auto: from $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX")
	fs.IntVar(&c.shards, "shards", 0, "number of shards for --shard auto (default: $SLURM_ARRAY_TASK_COUNT or $KRAMERS_SHARDS)")
}

func printFlags(fs *flag.FlagSet) {
	fs.SetOutput(stderr)
	fmt.Fprintf(stderr, "usage of kramers %s:\n", fs.Name())
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
