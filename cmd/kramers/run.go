package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/cluster"
	"github.com/kramers-sim/kramers/host/ffs"
	"github.com/kramers-sim/kramers/host/plot"
	"github.com/kramers-sim/kramers/host/store"
	"github.com/kramers-sim/kramers/host/survival"
	"github.com/kramers-sim/kramers/host/theory"
)

var (
	stdout io.Writer = os.Stdout
	stderr io.Writer = os.Stderr
)

// methodHelp is the --method help: every method of host.Methods with what it is.
func methodHelp() string {
	var parts []string
	for _, m := range host.Methods {
		parts = append(parts, m.Name+" ("+m.Description+")")
	}
	return strings.Join(parts, " or ")
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// runRequest is a parsed kramers run: the library's request (host.RunRequest) and what the
// command does around it: the outputs, the progress and the forward-flux-sampling options.
type runRequest struct {
	host.RunRequest
	jsonOut, hazardPlot string
	quiet               bool
	ffs                 ffs.Options
	ffsState            *store.FFSState // the forward-flux-sampling state --resume names
}

func cmdRun(args []string) error {
	req, err := parseRun(args, os.Getenv)
	if err != nil {
		return err
	}
	plan, err := host.ResolveRun(req.RunRequest)
	if err != nil {
		return err
	}
	if err := checkOutputPath("json", req.jsonOut, "run.json"); err != nil {
		return err
	}
	if err := checkOutputPath("checkpoint", plan.Checkpoint, "run.ckpt"); err != nil {
		return err
	}
	p, err := prepare(plan.Config, req.quiet)
	if err != nil {
		return err
	}
	if plan.Method.Name == "ffs" {
		opt := req.ffs
		if req.ffsState != nil {
			opt = ffs.Options{Resume: req.ffsState}
		}
		return runFFS(p, opt, req.jsonOut, plan.Checkpoint, req.quiet)
	}
	res, err := runEnsemble(p, plan, req)
	if res == nil {
		return err
	}
	if err := writeRunOutputs(res, req); err != nil {
		return err
	}
	return err // errInterrupted after a partial result, or nil
}

// parseRun parses the arguments of kramers run into a request: the flags, the file --resume
// names (a checkpoint or a forward-flux-sampling state), --shard (getenv reads the job
// environment of --shard auto) and --interfaces. What to run is host.ResolveRun's decision.
func parseRun(args []string, getenv func(string) string) (runRequest, error) {
	var rf runFlags
	var cf ckptFlags
	fs := newFlagSet("run")
	rf.register(fs)
	cf.register(fs)
	extrapolate := fs.Bool("extrapolate", false, "also run at η/2 and η/4 (same B/η or T, same window in time: 7× the work) and report τ(η→0) (docs/theory.md §4.3)")
	hazardPlot := fs.String("hazard-plot", "", "write the hazard against time, the burn-in and the theory rates as a PNG to FILE")
	method := fs.String("method", host.Methods[0].Name, methodHelp())
	interfaces := fs.String("interfaces", "", "ffs: the interfaces λ_0,…,λ_n of the order parameter, ascending, the last the escape level (default: placed adaptively)")
	order := fs.String("order", "", "ffs: the order parameter λ(θ) as an expression (default: the signed distance past the escape surface, or A − c for --escape 'A > c'); without --interfaces it must be an increasing function of that default")
	targetErr := fs.Float64("target-error", 0.1, "ffs: the relative standard error of the rate aimed at; sets the trials per stage")
	if err := parseFlags(fs, args); err != nil {
		return runRequest{}, err
	}
	req := runRequest{RunRequest: host.RunRequest{Config: rf.cfg, Given: givenFlags(fs), Method: *method, Extrapolate: *extrapolate,
		Checkpoint: cf.checkpoint, Every: cf.every, ResumePath: cf.resume},
		jsonOut: rf.jsonOut, hazardPlot: *hazardPlot, quiet: rf.quiet,
		ffs: ffs.Options{Order: *order, TargetError: *targetErr}}
	if err := checkOutputPath("hazard-plot", *hazardPlot, "hazard.png"); err != nil {
		return req, err
	}
	if err := rf.resolveModel(fs); err != nil {
		return req, err
	}
	req.Config = rf.cfg
	if err := readResume(&req); err != nil {
		return req, err
	}
	if req.ffsState == nil {
		if err := parseShard(&req.RunRequest, cf, getenv); err != nil {
			return req, err
		}
	}
	var err error
	req.ffs.Interfaces, err = parseInterfaces(*interfaces)
	return req, err
}

// parseShard reads --shard and --shards (cluster.ParseShard; getenv reads the job environment of
// --shard auto) into the request.
func parseShard(req *host.RunRequest, cf ckptFlags, getenv func(string) string) error {
	if req.Given["shards"] && !req.Given["shard"] {
		return &host.InputError{Flag: "shards", Msg: "only counts with --shard auto; add --shard auto, or give --shard i/n"}
	}
	if req.Given["shards"] && cf.shards < 1 {
		return &host.InputError{Flag: "shards", Msg: fmt.Sprintf("%d shards make no ensemble; give a count ≥ 1", cf.shards)}
	}
	if cf.shard == "" {
		return nil
	}
	var err error
	req.ShardIndex, req.ShardCount, err = cluster.ParseShard(cf.shard, cf.shards, getenv)
	return err
}

// givenFlags are the names of the flags given on the command line.
func givenFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// readResume reads the file --resume names: a forward-flux-sampling state (always, with
// --method ffs), otherwise a checkpoint.
func readResume(req *runRequest) error {
	if req.ResumePath == "" {
		return nil
	}
	st, err := store.ReadFFSState(req.ResumePath)
	if err == nil {
		req.ffsState, req.ResumeFFS = st, &st.Config
		return nil
	}
	if req.Method == "ffs" {
		return &host.InputError{Flag: "resume", Msg: err.Error() + "; give a file written by kramers run --method ffs --checkpoint"}
	}
	if req.Resume, err = store.ReadCheckpointFile(req.ResumePath); err != nil {
		return &host.InputError{Flag: "resume", Msg: err.Error() + "; give a file written by kramers run --checkpoint"}
	}
	return nil
}

// parseInterfaces reads --interfaces, comma-separated numbers ("" is none: placed adaptively).
func parseInterfaces(s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, &host.InputError{Flag: "interfaces", Msg: fmt.Sprintf("%q is not a number; give ascending comma-separated numbers such as -0.5,-0.3,0", f)}
		}
		out = append(out, v)
	}
	return out, nil
}

// runEnsemble is kramers run --method brute: the ensemble on the configured backend from the
// plan's checkpoint, with progress, periodic checkpoints (--every), a checkpoint at the end and on
// interrupt, and the runs of --extrapolate. A nil result comes with the error that stopped it; an
// interrupted run returns its partial result with errInterrupted.
func runEnsemble(p *host.Problem, plan host.RunPlan, req runRequest) (*host.Result, error) {
	_, count := p.Config.Span()
	// The checkpoint on SIGINT/SIGTERM needs the GL context alive (gpu/xvfb.go).
	ctx, stop := catchSignals(func(sig os.Signal) {
		fmt.Fprintf(stderr, "\nkramers: %v: finishing the current chunk, then writing the checkpoint and the partial result (send it again to stop at once)\n", sig)
	})
	defer stop()
	b, err := openBackend(p.Config)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if err := b.Supports(p, count); err != nil {
		return nil, err
	}
	computeTheory(p, req.quiet)
	ck := &checkpointer{p: p, b: b, path: plan.Checkpoint, every: req.Every}
	if plan.Resume != nil {
		ck.basin = append(ck.basin, plan.Resume.Basin...)
	}
	res, st, err := host.ExecuteFrom(ctx, p, b, plan.Resume, ck.options(req.quiet))
	if err != nil {
		if errors.Is(err, gpu.ErrOutOfMemory) {
			return nil, &host.InputError{Flag: "particles", Msg: fmt.Sprintf("%d particles in %d dimensions do not fit in GPU memory (GL_OUT_OF_MEMORY); lower --particles or split the run with --shard i/n", count, p.Dim)}
		}
		return nil, err
	}
	if !req.quiet && isTerminal(os.Stderr) {
		fmt.Fprintln(stderr)
	}
	if err := ck.final(res, st.Iterations, req.jsonOut); err != nil {
		return nil, err
	}
	if res.Partial {
		return res, errInterrupted
	}
	if req.Extrapolate {
		if err := host.ExtrapolateRun(ctx, res, openBackend, extrapolationLog(req.quiet)); err != nil {
			return nil, interrupted(err)
		}
	}
	return res, nil
}

// extrapolationLog says which finer run of --extrapolate starts (nil when quiet).
func extrapolationLog(quiet bool) func(host.Config) {
	if quiet {
		return nil
	}
	return func(cfg host.Config) {
		fmt.Fprintf(stderr, "kramers: --extrapolate: running η = %g with %d steps\n", cfg.LR, cfg.Steps)
	}
}

// interrupted maps the library's host.ErrRunInterrupted to the command's errInterrupted.
func interrupted(err error) error {
	if errors.Is(err, host.ErrRunInterrupted) {
		return errInterrupted
	}
	return err
}

// checkpointer records what a run's checkpoints hold beside the ensemble (the basin occupancy of
// a non-absorbing run) and writes them: every --every, and at the end or on interrupt.
type checkpointer struct {
	p     *host.Problem
	b     host.Backend
	path  string
	every time.Duration
	basin []host.BasinPoint // what Loop records, for the checkpoints of non-absorbing runs
}

// options are the run's progress (printed unless quiet) and, with --every, the periodic checkpoint.
func (c *checkpointer) options(quiet bool) host.RunOptions {
	var printer func(host.Progress)
	if !quiet {
		printer = progressPrinter(isTerminal(os.Stderr))
	}
	opt := host.RunOptions{Progress: func(pr host.Progress) {
		if !c.p.Config.Absorb {
			c.basin = append(c.basin, pr.Basin)
		}
		if printer != nil {
			printer(pr)
		}
	}}
	if c.every > 0 {
		last := time.Now()
		opt.AfterChunk = func(iter int) error {
			if time.Since(last) < c.every || iter >= c.p.Config.Steps {
				return nil
			}
			last = time.Now()
			if err := saveCheckpoint(c.path, c.p, c.b, iter, c.basin); err != nil {
				// The run goes on: its result must not be lost to a full disk.
				fmt.Fprintf(stderr, "kramers: warning: %v; the run continues and retries at the next interval\n", err)
			}
			return nil
		}
	}
	return opt
}

// final writes the checkpoint at the end of a run: to --checkpoint, or for an interrupted run
// without one beside the JSON (defaultCheckpoint). It is written before the result, so a failure
// to write the result then loses nothing.
func (c *checkpointer) final(res *host.Result, iterations int, jsonOut string) error {
	path := c.path
	if res.Partial && path == "" {
		path = defaultCheckpoint(jsonOut)
	}
	if path == "" {
		return nil
	}
	if err := saveCheckpoint(path, c.p, c.b, iterations, c.basin); err != nil {
		return err
	}
	if res.Partial {
		fmt.Fprintf(stderr, "kramers: checkpoint at iteration %d written to %s; continue with kramers run --resume %s\n", iterations, path, path)
	}
	return nil
}

// writeRunOutputs writes the hazard plot (--hazard-plot), the JSON result and the summary.
func writeRunOutputs(res *host.Result, req runRequest) error {
	if req.hazardPlot != "" {
		title := fmt.Sprintf("%s, %s, η = %g", res.Config.Landscape, res.Config.Noise, res.LR)
		if err := plot.Save(req.hazardPlot, plot.Width, plot.Height, plot.HazardFigure(res, title)); err != nil {
			return fmt.Errorf("write --hazard-plot: %w", err)
		}
	}
	return writeResult(res, req.jsonOut)
}

// defaultCheckpoint is where an interrupted run without --checkpoint saves its state: beside the
// --json file, or in the working directory.
func defaultCheckpoint(jsonOut string) string {
	if jsonOut != "" && jsonOut != "-" {
		return filepath.Join(filepath.Dir(jsonOut), "kramers-checkpoint.bin")
	}
	return "kramers-checkpoint.bin"
}

func saveCheckpoint(path string, p *host.Problem, b host.Backend, iter int, basin []host.BasinPoint) error {
	var bp []host.BasinPoint
	if !p.Config.Absorb {
		bp = basin
	}
	c, err := host.Snapshot(p, b, iter, bp)
	if err != nil {
		return err
	}
	if err := store.WriteCheckpointFile(path, c); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return nil
}

// progressEvery is how often a run without a terminal writes a progress line to stderr;
// $KRAMERS_PROGRESS_EVERY (a duration such as 30s) changes it.
func progressEvery() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("KRAMERS_PROGRESS_EVERY")); err == nil && d > 0 {
		return d
	}
	return 5 * time.Second
}

// progressPrinter reports iterations, escapes so far, the rough κ̂ and the time left to stderr:
// on a terminal it rewrites one line five times a second; otherwise (a log file, a batch job) it
// writes a line every progressEvery. --quiet silences it.
func progressPrinter(terminal bool) func(host.Progress) {
	last := time.Now()
	started := -1
	interval := progressEvery()
	return func(pr host.Progress) {
		if started < 0 {
			started = pr.Iteration - 1 // a resumed run's ETA counts only this run's speed
		}
		every, end := interval, "\n"
		if terminal {
			every, end = 200*time.Millisecond, "   "
		}
		if time.Since(last) < every && pr.Iteration < pr.Steps {
			return
		}
		last = time.Now()
		rate := "—"
		if !math.IsNaN(pr.Rate) {
			rate = fmt.Sprintf("%.4g /time", pr.Rate)
		}
		eta := "—"
		if done := pr.Iteration - max(started, 0); done > 0 && pr.Elapsed > 0 {
			left := time.Duration(float64(pr.Elapsed) * float64(pr.Steps-pr.Iteration) / float64(done))
			eta = left.Round(time.Second).String()
		}
		start := ""
		if terminal {
			start = "\r"
		}
		// The rate so far is a rough whole-window estimate (host roughRate: no burn-in, half the
		// elapsed time for each escape); the reported quasi-stationary κ̂ comes with the summary.
		fmt.Fprintf(stderr, "%s%d/%d iterations  %d escaped  %d diverged  whole-window κ̂ ≈ %s (no burn-in)  %.1fs, about %s left%s",
			start, pr.Iteration, pr.Steps, pr.Escaped, pr.Diverged, rate, pr.Elapsed.Seconds(), eta, end)
	}
}

// writeResult writes the JSON contract to FILE or stdout, and a human summary to the terminal.
// A JSON file is written before the summary, so a closed terminal or pipe cannot lose it.
func writeResult(res *host.Result, jsonOut string) error {
	summaryTo := stdout
	if jsonOut == "-" {
		summaryTo = stderr
	}
	var data []byte
	if jsonOut != "" {
		var err error
		if data, err = json.MarshalIndent(res, "", "  "); err != nil {
			return fmt.Errorf("encode result: %w", err)
		}
		data = append(data, '\n')
		if jsonOut != "-" {
			if err := writeFile(jsonOut, data); err != nil {
				return err
			}
		}
	}
	printSummary(summaryTo, res)
	if jsonOut == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return nil
}

// runFFS is `kramers run --method ffs`: forward flux sampling on the run's backend, a progress
// line per stage on stderr (unless quiet) and, with a checkpoint path, the state after every stage.
func runFFS(p *host.Problem, o ffs.Options, jsonOut, ckPath string, quiet bool) error {
	if o.Resume == nil {
		if err := ffs.CheckOptions(p, o); err != nil {
			return err
		}
	}
	if ckPath != "" {
		o.Checkpoint = func(s *store.FFSState) error { return store.WriteFFSState(ckPath, s) }
	}
	ctx, stop := catchSignals(nil)
	defer stop()
	b, err := openBackend(p.Config)
	if err != nil {
		return err
	}
	defer b.Close()
	computeTheory(p, quiet)
	if !quiet {
		o.Log = func(format string, args ...any) { fmt.Fprintf(stderr, "kramers: "+format+"\n", args...) }
	}
	res, err := ffs.Run(ctx, p, b, o)
	if err != nil {
		if ctx.Err() != nil {
			if ckPath != "" {
				if _, e := os.Stat(ckPath); e == nil {
					fmt.Fprintf(stderr, "kramers: the state after the last finished stage is in %s; continue with kramers run --resume %s\n", ckPath, ckPath)
				}
			}
			return errInterrupted
		}
		return err
	}
	return writeResult(res, jsonOut)
}

// printFFS is the summary of a forward-flux-sampling result, with its stage table.
func printFFS(w io.Writer, r *host.Result) {
	f := r.FFS
	fmt.Fprintf(w, "landscape %s, noise %s, η = %g, forward flux sampling on %s (%s)\n", r.Config.Landscape, r.Config.Noise, r.LR, r.Backend, r.Renderer)
	fmt.Fprintf(w, "escape: %s\n", r.Escape.Text)
	printMinimum(w, r)
	fmt.Fprintf(w, "order parameter λ = %s; λ(start) = %.5g, λ_A = %.5g\n", f.Order, f.LambdaMin, f.LambdaA)
	fmt.Fprintf(w, "flux: %d cycles, T_a = %.5g, T_b = %.5g iterations, Φ_0 = %.5g per unit time (±%.1f%%)\n",
		f.Flux.Particles, f.Flux.TA, f.Flux.TB, f.Flux.Phi0, 100*f.Flux.RelErr)
	fmt.Fprintf(w, "%5s %12s %12s %8s %8s %8s %7s %10s\n", "stage", "λ from", "λ to", "trials", "success", "capped", "P", "steps")
	for _, s := range f.Stages {
		fmt.Fprintf(w, "%5d %12.5g %12.5g %8d %8d %8d %7.4f %10d\n", s.Stage, s.From, s.To, s.Trials, s.Successes, s.Capped, s.P, s.ParticleSteps)
	}
	e := r.Estimate
	if e.Resolved && e.Rate != nil {
		fmt.Fprintf(w, "rate %.6g per unit time, 95%% CI [%.6g, %.6g] (log-normal, σ(ln κ) = %.3f)\n", *e.Rate, e.RateCI95[0], e.RateCI95[1], f.RelErr)
		fmt.Fprintf(w, "tau %.6g (%.6g iterations)\n", *e.Tau, *e.TauIterations)
	} else {
		fmt.Fprintf(w, "%s\n", e.Note)
	}
	fmt.Fprintf(w, "%d particle-steps (%d in pilots), %.2f s\n", f.ParticleSteps, f.PilotSteps, f.Seconds)
	names := slices.Sorted(maps.Keys(r.Comparisons))
	for _, k := range names {
		fmt.Fprintf(w, "theory %s: τ = %.6g, %s\n", k, *r.Theory[k].Tau, comparisonText(r.Comparisons[k], r.Theory[k]))
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn.Message)
	}
}

// Progress of the slow parts before stepping: once a part has taken slowAfter, a live line on a
// terminal (erased when the part ends), or elsewhere a line every slowEvery and the total (issue 21:
// on data, the analysis and the theory took tens of seconds on a loaded machine with nothing on the
// screen).
const (
	slowAfter = 2 * time.Second
	slowEvery = 5 * time.Second
)

// prepare is host.Prepare with a progress line on a terminal when it is slow and quiet is false.
// Only on a terminal, where the line is erased: a bad input found by the analysis must leave its
// one line on stderr (docs/architecture.md, the CLI contract).
func prepare(cfg host.Config, quiet bool) (*host.Problem, error) {
	var p *host.Problem
	var err error
	analysis := func(string) string { return "minimum, exits and escape surface" }
	terminal := isTerminal(os.Stderr)
	slowProgress(quiet || !terminal, terminal, "analysis", analysis, func(func(string)) {
		p, err = host.Prepare(cfg)
	})
	var ne *host.NoExitsError
	if errors.As(err, &ne) {
		// No exits to search and no --escape: a short pilot proposes a loss level (host/escapecheck.go).
		slowProgress(quiet || !terminal, terminal, "pilot", func(string) string { return "pilot run at the minimum" }, func(func(string)) {
			err = host.ProposeEscape(context.Background(), cfg, ne, openBackend)
		})
	}
	return p, err
}

// computeTheory computes the theory values of p's configuration (host.Predictions, which the run
// reuses), with a progress line when it is slow and quiet is false. Callers run it after their
// input checks, so that a refused input still prints one line.
func computeTheory(p *host.Problem, quiet bool) {
	slowProgress(quiet, isTerminal(os.Stderr), "theory", theoryLabel, func(step func(string)) {
		host.PredictionsProgress(p, step)
	})
}

// theoryLabel names the theory value being computed in the progress line.
func theoryLabel(name string) string {
	switch name {
	case "discrete":
		return "exact discrete chain"
	case "quadrature":
		return "exact 1-D quadrature"
	case "path":
		return "path value (minimum-energy path and the discrete chain along it)"
	}
	return name + " formula"
}

// slowProgress runs fn; when it takes longer than slowAfter and quiet is false it shows
// "kramers: PART: STEP … (n s)" on stderr: on a terminal one line rewritten every second and
// erased at the end, elsewhere a line every slowEvery and the total at the end. fn reports its
// current step through the function it is given; label(step) names it.
func slowProgress(quiet, terminal bool, part string, label func(step string) string, fn func(setStep func(string))) {
	if quiet {
		fn(func(string) {})
		return
	}
	every, start, end := slowEvery, "", "\n"
	if terminal {
		every, start, end = time.Second, "\r", "\x1b[K"
	}
	var step atomic.Value
	step.Store("")
	begun := time.Now()
	done := make(chan struct{})
	printed := make(chan bool, 1)
	go func() {
		said := false
		t := time.NewTimer(slowAfter)
		defer t.Stop()
		for {
			select {
			case <-done:
				printed <- said
				return
			case <-t.C:
				fmt.Fprintf(stderr, "%skramers: %s: %s … (%.0f s)%s", start, part, label(step.Load().(string)), time.Since(begun).Seconds(), end)
				said = true
				t.Reset(every)
			}
		}
	}()
	fn(func(name string) { step.Store(name) })
	close(done)
	switch {
	case !<-printed:
	case terminal:
		fmt.Fprint(stderr, "\r\x1b[K")
	default:
		fmt.Fprintf(stderr, "kramers: %s: done in %.1f s\n", part, time.Since(begun).Seconds())
	}
}

// comparisonText is one comparison as the summary prints it: the ratio, and z where it judges the
// measurement (host.ZBounded: the exact kinds), with the value's reason; for an approximate or
// asymptotic value the ratio and, instead of z, why there is none and the assumption the value
// rests on (docs/theory.md §4, "Comparisons").
func comparisonText(c host.Comparison, t theory.Prediction) string {
	if z, ok := c.Verdict(); ok {
		s := fmt.Sprintf("measured/theory = %.4f, z = %+.2f", c.Ratio, z)
		if t.Reason != "" {
			s += "; " + t.Reason
		}
		return s
	}
	if c.Assumption == "" { // a forward-flux comparison carries none
		c.Assumption = host.ValueAssumption(t)
	}
	return fmt.Sprintf("measured/theory = %.4f (no z: %s)", c.Ratio, c.ZWithheld())
}

// printUpperBound prints the one-sided 95% upper bound on the rate of an unresolved run with too
// few escapes after the burn-in (docs/theory.md §3: χ²_{2E+2}(0.95)/(2X)) and the lower bound on τ
// it gives, as the JSON's rate_upper95 has them. Nothing is printed for an unstable step (there is
// no metastable well, so no rate to bound) or when the exposure gives no bound.
func printUpperBound(w io.Writer, r *host.Result) {
	e := r.Estimate
	u := float64(e.RateUpper95)
	if e.Resolved || r.Stability.Unstable || e.Escaped >= survival.MinEscapesResolved || !(u > 0) || math.IsInf(u, 0) {
		return
	}
	fmt.Fprintf(w, "  95%% upper bound: κ < %.4g per unit time, so τ > %.4g time = %.4g iterations (%d escapes in exposure %.4g after the burn-in)\n",
		u, 1/u, 1/(u*r.LR), e.Escaped, e.Exposure)
}

// printWellDefined prints, when the survival is not one exponential (so no rate is), what stays
// well defined: the survival at the end of the window and the restricted mean first passage
// (docs/theory.md §3, "When a result is unresolved").
func printWellDefined(w io.Writer, r *host.Result) {
	qs := r.BurnIn
	if !qs.HazardFalls || len(r.Survival) == 0 || qs.RestrictedMean == nil {
		return
	}
	last := r.Survival[len(r.Survival)-1]
	fmt.Fprintf(w, "  well defined without a rate: survival S(%.6g) = %.4g (the curve: JSON survival); restricted mean first passage E[min(τ, t_max)] = %.6g time (JSON quasi_stationary.restricted_mean_first_passage); the whole-window κ̂ is a rate only for one exponential\n",
		last.Time, last.Survival, *qs.RestrictedMean)
}

// printMinimum is the summary's line on the minimum escaped from: the one gradient flow from
// --start reaches, said so when the start is not that minimum (docs/theory.md §2).
func printMinimum(w io.Writer, r *host.Result) {
	if r.Analysis != nil && r.Analysis.Minimum != nil {
		fmt.Fprintf(w, "minimum: %s\n", r.Analysis.StartNote())
	}
}

// printTheory prints each theory value with its comparison, or why there is none.
func printTheory(w io.Writer, r *host.Result) {
	names := slices.Sorted(maps.Keys(r.Theory))
	for _, k := range names {
		t := r.Theory[k]
		if t.Tau == nil {
			fmt.Fprintf(w, "theory %-15s n/a: %s\n", k, t.Reason)
			continue
		}
		fmt.Fprintf(w, "theory %-15s τ = %.6g time (%s)", k, *t.Tau, t.Kind)
		if c, ok := r.Comparisons[k]; ok {
			fmt.Fprintf(w, "; %s", comparisonText(c, t))
		} else if t.Reason != "" {
			fmt.Fprintf(w, "; %s", t.Reason)
		}
		fmt.Fprintln(w)
	}
}

// printExitRates prints the escapes through each exit, with their rate and the preferred theory rate.
func printExitRates(w io.Writer, r *host.Result) {
	for i, ex := range r.Exits {
		fmt.Fprintf(w, "exit %d (ΔL = %.4g, saddle %v): %d escapes (%.1f%%)", i+1, ex.DeltaL, ex.Saddle, ex.Escapes, 100*ex.Share)
		if ex.Rate != nil {
			fmt.Fprintf(w, ", κ̂ = %.5g [%.5g, %.5g]", *ex.Rate, float64(ex.RateCI95[0]), float64(ex.RateCI95[1]))
		}
		for _, k := range host.Preferred(ex.Theory) {
			if t := ex.Theory[k]; t.Rate != nil {
				fmt.Fprintf(w, "; %s (%s) %.5g", k, t.Kind, *t.Rate)
				break
			}
		}
		fmt.Fprintln(w)
	}
}

// printSummary is the human summary of a run (stdout, or stderr with --json -).
func printSummary(w io.Writer, r *host.Result) {
	if r.FFS != nil {
		printFFS(w, r)
		return
	}
	fmt.Fprintf(w, "landscape %s, noise %s, η = %g, %d particles × %d iterations on %s (%s)\n",
		r.Config.Landscape, r.Config.Noise, r.LR, r.Particles, r.Steps, r.Backend, r.Renderer)
	fmt.Fprintf(w, "escape: %s\n", r.Escape.Text)
	if r.Escape.CheckNote != "" {
		fmt.Fprintf(w, "  %s\n", r.Escape.CheckNote)
	}
	printMinimum(w, r)
	fmt.Fprintf(w, "escaped %d (%d after the burn-in, exposure %.6g time units = %.6g iterations from it), diverged %d",
		r.EscapedTotal, r.Estimate.Escaped, r.Estimate.Exposure, r.ExposureIterations, r.Diverged)
	if r.DivergedAfterEscape > 0 {
		fmt.Fprintf(w, " before escaping and %d after", r.DivergedAfterEscape)
	}
	fmt.Fprintln(w)
	e, qs := r.Estimate, r.BurnIn
	if e.Resolved && e.Rate != nil {
		fmt.Fprintf(w, "κ̂ = %.6g per unit time, 95%% CI [%.6g, %.6g]; τ̂ = %.6g time = %.6g iterations\n",
			*e.Rate, e.RateCI95[0], e.RateCI95[1], *e.Tau, *e.TauIterations)
	} else {
		fmt.Fprintf(w, "%s\n", e.Note)
		printUpperBound(w, r)
	}
	fmt.Fprintf(w, "  quasi-stationary rate: burn-in t0 = %.4g time (%s), %d escapes after it", qs.BurnInTime, qs.BurnInRule, e.Escaped)
	if qs.Window.Rate != nil {
		fmt.Fprintf(w, "; whole window without burn-in: κ̂ = %.6g", *qs.Window.Rate)
	}
	fmt.Fprintln(w)
	if r.Question != "" {
		fmt.Fprintf(w, "question: %s; theory is compared only where it answers it\n", r.Question)
	}
	printWellDefined(w, r)
	printTheory(w, r)
	printExitRates(w, r)
	fmt.Fprintf(w, "%.3g s stepping, %.3g particle-steps/s, host share %.1f%%\n",
		r.Seconds, r.ParticleStepsPerSecond, 100*r.HostShare)
	if x := r.Extrapolation; x != nil {
		if x.Resolved {
			fmt.Fprintf(w, "extrapolated η → 0 (%s, from η = %g, %g, %g): τ₀ = %.6g, 95%% CI [%.6g, %.6g]; τ̂ = %.6g, %.6g, %.6g; linear Richardson from the two finest: %.6g\n",
				x.Model, x.LR[0], x.LR[1], x.LR[2], *x.Tau0, x.Tau0CI95[0], x.Tau0CI95[1], x.Tau[0], x.Tau[1], x.Tau[2], x.Linear)
		} else {
			fmt.Fprintf(w, "extrapolation %s\n", x.Note)
		}
	}
	for _, m := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
	if r.Partial {
		fmt.Fprintln(w, "partial: the run stopped before its last iteration")
	}
}
