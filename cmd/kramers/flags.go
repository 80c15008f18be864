package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

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
	fs.IntVar(&c.Dim, "dim", 0, "dimension (0: inferred from the landscape)")
	fs.StringVar(&r.noise, "noise", string(c.Noise), "noise model: sgld, sgd-hessian, sgd-hessian-min or sgd-loss")
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate η (continuous time t = iterations·η)")
	fs.Float64Var(&c.Batch, "batch", c.Batch, "batch size B (SGD noise models)")
	fs.Float64Var(&c.Temp, "temp", c.Temp, "temperature T (sgld)")
	fs.Float64Var(&c.Floor, "floor", 0, "isotropic floor ε added to |H| (sgd-hessian)")
	fs.Var(vecFlag{"start", &c.Start}, "start", "start guess θ0, comma-separated (catalogue default: its first minimum)")
	fs.BoolVar(&c.StartExact, "start-exact", false, "start particles at θ0 itself instead of at the minimum found from it")
	fs.Var(vecFlag{"target", &c.Target}, "target", "a point in the basin to escape into (d > 1; default: the nearest other minimum)")
	fs.StringVar(&c.Escape, "escape", "", "escape condition: an expression such as 'x > 0.5', or radius(r); default: the saddle hyperplane plus a margin")
	fs.Float64Var(&c.Margin, "margin", 0, "margin past the saddle hyperplane (0: three diffusion lengths, theory.md §2)")
	fs.IntVar(&c.Particles, "particles", c.Particles, "number of particles N")
	fs.IntVar(&c.Steps, "steps", c.Steps, "number of iterations S")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "Philox key (the run is a pure function of seed and iteration)")
	fs.StringVar(&c.Backend, "backend", c.Backend, "gpu (OpenGL compute) or cpu (the float64 reference)")
	fs.StringVar(&c.Precision, "precision", c.Precision, "f32 or f64 positions on the GPU")
	fs.BoolVar(&c.Absorb, "absorb", true, "freeze escaped particles (false: keep moving, report basin occupancy)")
	fs.IntVar(&c.Chunk, "chunk", 0, "iterations per dispatch (0: adaptive)")
	fs.Float64Var(&c.Bound, "bound", 0, "divergence box half-width around the minimum (0: 100 saddle distances)")
	fs.StringVar(&r.jsonOut, "json", "", "write the result as JSON to FILE, or - for stdout")
	fs.BoolVar(&r.quiet, "quiet", false, "no progress line")
}

// parse parses args and fills the configuration; every error names the flag at fault.
func (r *runFlags) parse(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	r.cfg.Noise = host.NoiseModel(r.noise)
	return r.cfg.Validate()
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			printFlags(fs)
			return usageError{fmt.Errorf("%s: help requested", fs.Name())}
		}
		return usageError{fmt.Errorf("%s: %v; run 'kramers %s -h' for the flags", fs.Name(), err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q; flags start with --", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func printFlags(fs *flag.FlagSet) {
	fs.SetOutput(stderr)
	fmt.Fprintf(stderr, "usage of kramers %s:\n", fs.Name())
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
