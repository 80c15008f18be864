package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/plot"
	"github.com/kramers-sim/kramers/host/store"
	"github.com/kramers-sim/kramers/host/sweep"
)

const compareHelp = "NAME=v1,v2,…: repeat the sweep once per value and draw every series on one figure (and in one CSV and JSON, " +
	"column series). NAME is noise (model names, e.g. noise=sgd-hessian,sgld), a run flag --vary takes (e.g. lr=0.01,0.005) " +
	"or a landscape parameter. With noise, a model-specific flag applies to the series whose model uses it and is ignored by " +
	"the others: --batch to the SGD models, --floor to sgd-hessian, --temp to sgld; a flag no compared model uses, --noise itself, " +
	"and a --vary NAME one of the models does not use are refused"

func cmdSweep(args []string) error {
	var rf runFlags
	fs := newFlagSet("sweep")
	rf.register(fs)
	vary := fs.String("vary", "", "NAME=v1,v2,…: a run flag ("+strings.Join(sweep.RunVaryNames, ", ")+") or a landscape parameter (k, l0, ha, dl, c, …)")
	compare := fs.String("compare", "", compareHelp)
	axis := fs.String("axis", "", "x axis of the fit and plot: "+strings.Join(sweep.AxisNames, ", ")+
		" (default: natural for NAME and each series' noise: 1/k for k under SGD noise, ln k (logk) under sgld, B/η, 1/T, …)")
	out := fs.String("out", "sweep-out", "directory for sweep.csv, sweep.png and hazard.png")
	budget := fs.Float64("budget", 0, fmt.Sprintf("particle-steps per point (0: %g on gpu, %g on cpu)", sweep.DefaultBudgetGPU, sweep.DefaultBudgetCPU))
	target := fs.Int("escapes", sweep.DefaultEscapes, "escapes wanted per point")
	safety := fs.Float64("safety", sweep.DefaultSafety, "planned escapes = safety × target")
	fixed := fs.Bool("fixed", false, fmt.Sprintf("run --particles × --steps at every point instead of sizing each point from theory or a pilot run (without --particles, a sized point uses safety×escapes/%g particles, about %g%% escaping)", sweep.EscapeFraction, 100*sweep.EscapeFraction))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var cmpName string
	var cmpValues []string
	if *compare != "" {
		var err error
		if cmpName, cmpValues, err = sweep.ParseCompare(*compare); err != nil {
			return err
		}
	}
	if cmpName == "noise" {
		if err := compareNoiseFlags(&cmpValues, set); err != nil {
			return err
		}
	} else if err := rf.resolveModel(fs); err != nil {
		return err
	}
	if *vary == "" {
		return usageError{fmt.Errorf("sweep: --vary NAME=v1,v2,… is required, e.g. --vary batch=0.02,0.03,0.04")}
	}
	name, values, err := sweep.ParseVary(*vary)
	if err != nil {
		return err
	}
	// The output directory is made before any run, so that a path that cannot be written fails at
	// once, and --json may name a file in it.
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usageError{fmt.Errorf("--out: cannot create %s: %v", *out, err)}
	}
	if rf.jsonOut != "" && rf.jsonOut != "-" {
		if st, err := os.Stat(rf.jsonOut); err == nil && st.IsDir() {
			return &host.InputError{Flag: "json", Msg: fmt.Sprintf("%s is a directory; give a file name such as %s", rf.jsonOut, filepath.Join(rf.jsonOut, "sweep.json"))}
		}
		if st, err := os.Stat(filepath.Dir(rf.jsonOut)); err != nil || !st.IsDir() {
			return &host.InputError{Flag: "json", Msg: fmt.Sprintf("directory %s does not exist; create it or choose another path", filepath.Dir(rf.jsonOut))}
		}
	}
	opt := sweep.Defaults(rf.cfg.Backend)
	if *budget != 0 {
		opt.Budget = *budget
	}
	if *target < 1 || !(*safety >= 1) || !(opt.Budget > 0) {
		return usageError{fmt.Errorf("sweep: --escapes must be ≥ 1, --safety ≥ 1 and --budget > 0")}
	}
	opt.Base, opt.Name, opt.Values, opt.Axis = rf.cfg, name, values, *axis
	opt.Compare, opt.CompareValues = cmpName, cmpValues
	opt.TargetEscapes, opt.Safety, opt.AutoSize = *target, *safety, !*fixed
	// Without --particles each point gets sweep.SizeFor's particles (about 40% escaping, as in
	// reproduce); an explicit --particles is kept and PlanSize chooses the iterations.
	opt.SizeParticles = !set["particles"]
	// Check every point's configuration of every series before any run starts.
	series, err := opt.SeriesOptions()
	if err != nil {
		return err
	}
	for _, so := range series {
		for _, v := range values {
			c, err := so.PointConfig(v)
			if err == nil {
				err = c.Validate()
			}
			if err != nil {
				if so.Label() != "" {
					if ie, ok := err.(*host.InputError); ok {
						return &host.InputError{Flag: ie.Flag, Msg: ie.Msg + " (series " + so.Label() + ")"}
					}
				}
				return err
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !rf.quiet {
		opt.Progress = func(msg string) { fmt.Fprintln(stderr, msg) }
	}
	res, err := sweep.RunSet(ctx, opt, openBackend)
	if err != nil {
		return err
	}
	// The table goes to stdout, or to stderr when the JSON document does (--json -).
	table := stdout
	if rf.jsonOut == "-" {
		table = stderr
	}
	printSweep(table, res)
	var csvBuf bytes.Buffer
	if err := res.WriteCSV(&csvBuf); err != nil {
		return err
	}
	csvPath := filepath.Join(*out, "sweep.csv")
	if err := writeFile(csvPath, csvBuf.Bytes()); err != nil {
		return err
	}
	if rf.jsonOut != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return fmt.Errorf("encode sweep: %w", err)
		}
		data = append(data, '\n')
		if rf.jsonOut == "-" {
			if _, err := stdout.Write(data); err != nil {
				return err
			}
		} else if err := writeFile(rf.jsonOut, data); err != nil {
			return err
		}
	}
	noise := string(rf.cfg.Noise)
	if cmpName != "" {
		noise = "compare " + cmpName
		if cmpName != "noise" {
			noise = string(rf.cfg.Noise) + ", " + noise
		}
	}
	title := fmt.Sprintf("%s, %s, varying %s", rf.cfg.Landscape, noise, name)
	figs := plot.SweepFigures(res, title)
	wrote := []string{csvPath}
	if len(figs) > 0 {
		png := filepath.Join(*out, "sweep.png")
		if err := plot.Save(png, plot.Width*1.3, plot.Height*1.2, figs...); err != nil {
			return err
		}
		wrote = append(wrote, png)
	}
	// The hazard against time of every point, one panel each, so that the plateau behind each
	// quasi-stationary rate (and the burn-in) can be seen (docs/theory.md §3).
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
	if len(hazards) > 0 {
		png := filepath.Join(*out, "hazard.png")
		if err := plot.SaveGrid(png, plot.Width, plot.Height, 3, hazards...); err != nil {
			return err
		}
		wrote = append(wrote, png)
	}
	if rf.jsonOut != "" && rf.jsonOut != "-" {
		wrote = append(wrote, rf.jsonOut)
	}
	fmt.Fprintf(table, "wrote %s\n", strings.Join(wrote, ", "))
	if ctx.Err() != nil || res.Interrupted {
		return errInterrupted
	}
	return nil
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

// writeFile writes data atomically (store.WriteFileAtomic); a destination that cannot be
// created (no such directory, no permission) is the user's to fix: exit 2.
func writeFile(path string, data []byte) error {
	err := store.WriteFileAtomic(path, data)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return usageError{fmt.Errorf("cannot write %s: %v", path, err)}
	}
	return err
}

// cellNumber writes a table cell: %.4g, or "—" for NaN (unresolved).
func cellNumber(v host.Number) string {
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
		keys := make([]string, 0, len(r.Theory))
		for k := range r.Theory {
			keys = append(keys, k)
		}
		sort.Strings(keys)
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
