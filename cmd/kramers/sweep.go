package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/jsonnum"
	"github.com/kramers-sim/kramers/host/plot"
	"github.com/kramers-sim/kramers/host/sweep"
)

const compareHelp = "NAME=v1,v2,…: repeat the sweep once per value and draw every series on one figure (and in one CSV and JSON, " +
	"column series). NAME is noise (model names, e.g. noise=sgd-hessian,sgld), a run flag --vary takes (e.g. lr=0.01,0.005) " +
	"or a landscape parameter. With noise, a model-specific flag applies to the series whose model uses it and is ignored by " +
	"the others: --batch to the SGD models, --floor to sgd-hessian, --temp to sgld; a flag no compared model uses, --noise itself, " +
	"and a --vary NAME one of the models does not use are refused"

// sweepFlags are the flags of kramers sweep beside the run flags.
type sweepFlags struct {
	vary, compare, axis, out *string
	budget, safety           *float64
	target                   *int
	fixed                    *bool
}

// registerSweepFlags defines the sweep's own flags on fs.
func registerSweepFlags(fs *flag.FlagSet) sweepFlags {
	return sweepFlags{
		vary:    fs.String("vary", "", "NAME=v1,v2,…: a run flag ("+strings.Join(sweep.RunVaryNames, ", ")+") or a landscape parameter (k, l0, ha, dl, c, …)"),
		compare: fs.String("compare", "", compareHelp),
		axis: fs.String("axis", "", "x axis of the fit and plot: "+strings.Join(sweep.AxisNames, ", ")+
			" (default: natural for NAME and each series' noise: 1/k for k under SGD noise, ln k (logk) under sgld, B/η, 1/T, …)"),
		out:    fs.String("out", "sweep-out", "directory for sweep.csv, sweep.png and hazard.png"),
		budget: fs.Float64("budget", 0, fmt.Sprintf("particle-steps per point (0: %g on gpu, %g on cpu)", sweep.DefaultBudgetGPU, sweep.DefaultBudgetCPU)),
		target: fs.Int("escapes", sweep.DefaultEscapes, "escapes wanted per point"),
		safety: fs.Float64("safety", sweep.DefaultSafety, "planned escapes = safety × target"),
		fixed:  fs.Bool("fixed", false, fmt.Sprintf("run --particles × --steps at every point instead of sizing each point from theory or a pilot run (without --particles, a sized point uses safety×escapes/%g particles, about %g%% escaping)", sweep.EscapeFraction, 100*sweep.EscapeFraction)),
	}
}

// sweepRequest is a parsed kramers sweep: the sweep's options, the run flags, and where the
// outputs go.
type sweepRequest struct {
	opt     sweep.Options
	rf      runFlags
	out     string
	cmpName string
}

func cmdSweep(args []string) error {
	req, err := parseSweep(args)
	if err != nil {
		return err
	}
	if err := req.opt.CheckPoints(); err != nil {
		return err
	}
	ctx, stop := catchSignals(func(sig os.Signal) {
		fmt.Fprintf(stderr, "kramers: %v: finishing the current chunk, then writing the points so far (send it again to stop at once)\n", sig)
	})
	defer stop()
	if !req.rf.quiet {
		req.opt.Progress = func(msg string) { fmt.Fprintln(stderr, msg) }
	}
	res, err := sweep.RunSet(ctx, req.opt, openBackend)
	if err != nil {
		return err
	}
	// The table goes to stdout, or to stderr when the JSON document does (--json -).
	table := stdout
	if req.rf.jsonOut == "-" {
		table = stderr
	}
	printSweep(table, res)
	wrote, err := writeSweepOutputs(req, res)
	if err != nil {
		return err
	}
	fmt.Fprintf(table, "wrote %s\n", strings.Join(wrote, ", "))
	if ctx.Err() != nil || res.Interrupted {
		return errInterrupted
	}
	return nil
}

// parseSweep parses the arguments of kramers sweep into a request, makes the output directory (so
// that a path that cannot be written fails before any run, and --json may name a file in it) and
// checks --json's path.
func parseSweep(args []string) (sweepRequest, error) {
	var req sweepRequest
	fs := newFlagSet("sweep")
	req.rf.register(fs)
	sf := registerSweepFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return req, err
	}
	set := givenFlags(fs)
	var cmpValues []string
	if *sf.compare != "" {
		var err error
		if req.cmpName, cmpValues, err = sweep.ParseCompare(*sf.compare); err != nil {
			return req, err
		}
	}
	if req.cmpName == "noise" {
		if err := compareNoiseFlags(&cmpValues, set); err != nil {
			return req, err
		}
	} else if err := req.rf.resolveModel(fs); err != nil {
		return req, err
	}
	if *sf.vary == "" {
		return req, usageError{fmt.Errorf("sweep: --vary NAME=v1,v2,… is required, e.g. --vary batch=0.02,0.03,0.04")}
	}
	name, values, err := sweep.ParseVary(*sf.vary)
	if err != nil {
		return req, err
	}
	req.out = *sf.out
	if err := os.MkdirAll(req.out, 0o755); err != nil {
		return req, usageError{fmt.Errorf("--out: cannot create %s: %v", req.out, err)}
	}
	if err := checkOutputPath("json", req.rf.jsonOut, "sweep.json"); err != nil {
		return req, err
	}
	opt := sweep.Defaults(req.rf.cfg.Backend)
	if *sf.budget != 0 {
		opt.Budget = *sf.budget
	}
	if *sf.target < 1 || !(*sf.safety >= 1) || !(opt.Budget > 0) {
		return req, usageError{fmt.Errorf("sweep: --escapes must be ≥ 1, --safety ≥ 1 and --budget > 0")}
	}
	opt.Base, opt.Name, opt.Values, opt.Axis = req.rf.cfg, name, values, *sf.axis
	opt.Compare, opt.CompareValues = req.cmpName, cmpValues
	opt.TargetEscapes, opt.Safety, opt.AutoSize = *sf.target, *sf.safety, !*sf.fixed
	// Without --particles each point gets sweep.SizeFor's particles (about 40% escaping, as in
	// reproduce); an explicit --particles is kept and PlanSize chooses the iterations.
	opt.SizeParticles = !set["particles"]
	req.opt = opt
	return req, nil
}

// writeSweepOutputs writes sweep.csv, the JSON document (--json), sweep.png and hazard.png, and
// returns the paths of the files it wrote.
func writeSweepOutputs(req sweepRequest, res *sweep.Set) ([]string, error) {
	var csvBuf bytes.Buffer
	if err := res.WriteCSV(&csvBuf); err != nil {
		return nil, err
	}
	csvPath := filepath.Join(req.out, "sweep.csv")
	if err := writeFile(csvPath, csvBuf.Bytes()); err != nil {
		return nil, err
	}
	if err := writeJSON(req.rf.jsonOut, res); err != nil {
		return nil, err
	}
	wrote := []string{csvPath}
	if figs := plot.SweepFigures(res, sweepTitle(req)); len(figs) > 0 {
		png := filepath.Join(req.out, "sweep.png")
		if err := plot.Save(png, plot.Width*1.3, plot.Height*1.2, figs...); err != nil {
			return nil, err
		}
		wrote = append(wrote, png)
	}
	if hazards := hazardFigures(res, req.opt.Name); len(hazards) > 0 {
		png := filepath.Join(req.out, "hazard.png")
		if err := plot.SaveGrid(png, plot.Width, plot.Height, 3, hazards...); err != nil {
			return nil, err
		}
		wrote = append(wrote, png)
	}
	if req.rf.jsonOut != "" && req.rf.jsonOut != "-" {
		wrote = append(wrote, req.rf.jsonOut)
	}
	return wrote, nil
}

// sweepTitle is the title of sweep.png: the landscape, the noise or the compared NAME, and the
// varied NAME.
func sweepTitle(req sweepRequest) string {
	cfg := req.rf.cfg
	noise := string(cfg.Noise)
	if req.cmpName != "" {
		noise = "compare " + req.cmpName
		if req.cmpName != "noise" {
			noise = string(cfg.Noise) + ", " + noise
		}
	}
	return fmt.Sprintf("%s, %s, varying %s", cfg.Landscape, noise, req.opt.Name)
}

// hazardFigures are the hazard against time of every point, one panel each, so that the plateau
// behind each quasi-stationary rate (and the burn-in) can be seen (docs/theory.md §3).
func hazardFigures(res *sweep.Set, name string) []plot.Figure {
	var hazards []plot.Figure
	for _, r := range res.Series {
		for _, pt := range r.Points {
			if pt.Result != nil {
				t := fmt.Sprintf("%s = %g", name, pt.Value)
				if r.Label != "" {
					t = r.Label + ", " + t
				}
				hazards = append(hazards, plot.HazardFigure(pt.Result, t))
			}
		}
	}
	return hazards
}

// compareNoiseFlags checks the flags of a sweep with --compare noise=…: the model names (any case),
// no --noise beside it, and each model-specific flag given (--batch, --floor, --temp) used by at
// least one compared model; the others ignore it (sweep.ApplyCompare).
func compareNoiseFlags(values *[]string, set map[string]bool) error {
	if set["noise"] {
		return usageError{fmt.Errorf("--noise and --compare noise=… both choose the noise model; drop --noise")}
	}
	var models []host.NoiseModel
	for i, v := range *values {
		m, hint := normaliseNoise(v)
		if hint != "" {
			return &host.InputError{Flag: "compare", Msg: host.UnknownNoise(v, hint)}
		}
		(*values)[i] = string(m)
		models = append(models, m)
	}
	for _, f := range slices.Sorted(maps.Keys(host.NoiseParams)) {
		if !set[f] {
			continue
		}
		used := false
		for _, m := range models {
			used = used || m.Uses(f)
		}
		if !used {
			return usageError{fmt.Errorf("--%s applies to none of the compared noise models (%s); drop --%s", f, strings.Join(*values, ", "), f)}
		}
	}
	return nil
}

// cellNumber writes a table cell: %.4g, or "—" for NaN (unresolved).
func cellNumber(v jsonnum.Number) string {
	if !v.Finite() {
		return "—"
	}
	return fmt.Sprintf("%.4g", float64(v))
}

// printSweep writes the table of a sweep, one block per series: every number from the point's
// measurement (the quasi-stationary estimate after the burn-in t0, the escapes after t0 it is made
// of), an unresolved point marked with the estimate's reason; then the kinds of the theories and
// the fits of each series on each panel's axis. The JSON document holds every number printed.
func printSweep(w io.Writer, s *sweep.Set) {
	for si, res := range s.Series {
		if res.Label != "" {
			if si > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "== %s ==\n", res.Label)
		}
		printSeries(w, res)
	}
	names := s.TheoryNames()
	if len(names) > 0 {
		var kinds []string
		for _, n := range names {
			kinds = append(kinds, fmt.Sprintf("%s = %s", n, s.TheoryKind(n)))
		}
		fmt.Fprintf(w, "theory kinds: %s\n", strings.Join(kinds, ", "))
	}
	for _, p := range s.Panels {
		for _, r := range s.Series {
			f, ok := p.Fits[r.Label]
			if !ok {
				continue
			}
			prefix := ""
			if r.Label != "" {
				prefix = r.Label + ": "
			}
			if math.IsNaN(f.Slope) {
				fmt.Fprintf(w, "%sfit against %s: fewer than two resolved points, no slope\n", prefix, p.Axis.Label)
				continue
			}
			fmt.Fprintf(w, "%sweighted fit of ln τ̂ against %s (weights 1/σ², σ = 1/√E): slope %.5g ± %.2g, intercept %.5g, R² = %.5f over %d points\n",
				prefix, p.Axis.Label, f.Slope, f.SlopeErr, f.Intercept, f.R2, f.N)
		}
	}
	for _, r := range s.Series {
		keys := slices.Sorted(maps.Keys(r.Theory))
		prefix := ""
		if r.Label != "" {
			prefix = r.Label + ": "
		}
		for _, k := range keys {
			fmt.Fprintf(w, "%stheory %s (%s) against %s: slope %.5g (R² %.5f)\n", prefix, k, r.TheoryKinds[k], r.Axis.Label, r.Theory[k].Slope, r.Theory[k].R2)
		}
	}
}

func printSeries(w io.Writer, res *sweep.Result) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	names := res.TheoryNames()
	// The axis gets its own column only where it is not the varied value itself (ln k, B/η, …).
	axisColumn := res.Axis.Label != res.Name
	fmt.Fprint(tw, res.Name)
	if axisColumn {
		fmt.Fprint(tw, "\t"+res.Axis.Label)
	}
	fmt.Fprint(tw, "\tparticles\titerations\tburn-in t0\tescaped after t0 (all)\tτ̂ (time)\t95% CI (time)\tτ̂ (iterations)\tln τ̂ ± σ")
	for _, n := range names {
		fmt.Fprintf(tw, "\t%s τ", n)
	}
	fmt.Fprintln(tw, "\tnote")
	for _, pt := range res.Points {
		note := ""
		switch {
		case !pt.Resolved:
			note = "UNRESOLVED: " + strings.TrimPrefix(pt.Note, "unresolved: ")
		case !pt.Reached:
			note = fmt.Sprintf("BELOW TARGET: < %d escapes within the budget", res.Target)
		}
		if !pt.Plan.Reachable && pt.Plan.TauSource != "fixed" && note == "" {
			note = "planned below target, reached it anyway"
		}
		logTau := "—"
		if pt.Resolved {
			logTau = fmt.Sprintf("%.4f ± %.3f", float64(pt.LnTau), float64(pt.SigmaLogTau))
		}
		fmt.Fprintf(tw, "%g", pt.Value)
		if axisColumn {
			fmt.Fprintf(tw, "\t%.4g", pt.X)
		}
		fmt.Fprintf(tw, "\t%d\t%d\t%s\t%d (%d)\t%s\t[%s, %s]\t%s\t%s", pt.Particles, pt.Steps, cellNumber(pt.BurnIn),
			pt.Escaped, pt.EscapedTotal, cellNumber(pt.Tau), cellNumber(pt.TauLo), cellNumber(pt.TauHi), cellNumber(pt.TauIterations), logTau)
		for _, n := range names {
			if v, ok := pt.Theory[n]; ok {
				fmt.Fprintf(tw, "\t%.4g", v)
			} else {
				fmt.Fprint(tw, "\t—")
			}
		}
		fmt.Fprintf(tw, "\t%s\n", note)
	}
	tw.Flush()
}
