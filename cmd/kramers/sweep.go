package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/plot"
	"github.com/kramers-sim/kramers/host/sweep"
)

func cmdSweep(args []string) error {
	var rf runFlags
	fs := newFlagSet("sweep")
	rf.register(fs)
	vary := fs.String("vary", "", "NAME=v1,v2,…: a run flag ("+strings.Join(sweep.RunVaryNames, ", ")+") or a landscape parameter (k, l0, ha, dl, c, …)")
	axis := fs.String("axis", "", "x axis of the fit and plot: "+strings.Join(sweep.AxisNames, ", ")+" (default: natural for NAME and noise)")
	out := fs.String("out", "sweep-out", "directory for sweep.csv and sweep.png")
	budget := fs.Float64("budget", 0, fmt.Sprintf("particle-steps per point (0: %g on gpu, %g on cpu)", sweep.DefaultBudgetGPU, sweep.DefaultBudgetCPU))
	target := fs.Int("escapes", sweep.DefaultEscapes, "escapes wanted per point")
	safety := fs.Float64("safety", sweep.DefaultSafety, "planned escapes = safety × target")
	fixed := fs.Bool("fixed", false, fmt.Sprintf("run --particles × --steps at every point instead of sizing each point from theory or a pilot run (without --particles, a sized point uses safety×escapes/%g particles, about %g%% escaping)", sweep.EscapeFraction, 100*sweep.EscapeFraction))
	if err := rf.parse(fs, args); err != nil {
		return err
	}
	if *vary == "" {
		return usageError{fmt.Errorf("sweep: --vary NAME=v1,v2,… is required, e.g. --vary batch=0.02,0.03,0.04")}
	}
	name, values, err := sweep.ParseVary(*vary)
	if err != nil {
		return err
	}
	opt := sweep.Defaults(rf.cfg.Backend)
	if *budget != 0 {
		opt.Budget = *budget
	}
	if *target < 1 || !(*safety >= 1) || !(opt.Budget > 0) {
		return usageError{fmt.Errorf("sweep: --escapes must be ≥ 1, --safety ≥ 1 and --budget > 0")}
	}
	setParticles := false
	fs.Visit(func(f *flag.Flag) { setParticles = setParticles || f.Name == "particles" })
	opt.Base, opt.Name, opt.Values, opt.Axis = rf.cfg, name, values, *axis
	opt.TargetEscapes, opt.Safety, opt.AutoSize = *target, *safety, !*fixed
	// Without --particles each point gets sweep.SizeFor's particles (about 40% escaping, as in
	// reproduce); an explicit --particles is kept and PlanSize chooses the iterations.
	opt.SizeParticles = !setParticles
	// Check every point's configuration before any run starts.
	for _, v := range values {
		c, err := opt.PointConfig(v)
		if err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
	}
	if _, err := sweep.NewAxis(*axis, name, rf.cfg.Noise); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !rf.quiet {
		opt.Progress = func(msg string) { fmt.Fprintln(stderr, msg) }
	}
	res, err := sweep.RunSweep(ctx, opt, openBackend)
	if err != nil {
		return err
	}
	printSweep(res)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usageError{fmt.Errorf("--out: cannot create %s: %v", *out, err)}
	}
	if err := writeSweepCSV(filepath.Join(*out, "sweep.csv"), res); err != nil {
		return err
	}
	title := fmt.Sprintf("%s, %s, varying %s", rf.cfg.Landscape, rf.cfg.Noise, name)
	if err := plot.Save(filepath.Join(*out, "sweep.png"), plot.Width*1.3, plot.Height*1.2, plot.SweepFigure(res, title)); err != nil {
		return err
	}
	// The hazard against time of every point, one panel each, so that the plateau behind each
	// quasi-stationary rate (and the burn-in) can be seen (docs/theory.md §3).
	var hazards []plot.Figure
	for _, pt := range res.Points {
		if pt.Result != nil {
			hazards = append(hazards, plot.HazardFigure(pt.Result, fmt.Sprintf("%s = %g", name, pt.Value)))
		}
	}
	if len(hazards) > 0 {
		if err := plot.SaveGrid(filepath.Join(*out, "hazard.png"), plot.Width, plot.Height, 3, hazards...); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "wrote %s, %s and %s\n", filepath.Join(*out, "sweep.csv"), filepath.Join(*out, "sweep.png"), filepath.Join(*out, "hazard.png"))
	if ctx.Err() != nil {
		return errInterrupted
	}
	return nil
}

// cellNumber writes a table cell: %.4g, or "—" for NaN (unresolved).
func cellNumber(v host.Number) string {
	if !v.Finite() {
		return "—"
	}
	return fmt.Sprintf("%.4g", float64(v))
}

// printSweep writes the table of a sweep: every number from the point's measurement (the
// quasi-stationary estimate after the burn-in t0, the escapes after t0 it is made of), an
// unresolved point marked with the estimate's reason.
func printSweep(res *sweep.Result) {
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	names := res.TheoryNames()
	fmt.Fprintf(tw, "%s\t%s\tparticles\titerations\tburn-in t0\tescaped after t0 (all)\tτ̂ (time)\t95%% CI (time)\tτ̂ (iterations)\tln τ̂ ± σ", res.Name, res.Axis.Label)
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
			logTau = fmt.Sprintf("%.4f ± %.3f", pt.LogTau(), float64(pt.SigmaLogTau))
		}
		fmt.Fprintf(tw, "%g\t%.4g\t%d\t%d\t%s\t%d (%d)\t%s\t[%s, %s]\t%s\t%s", pt.Value, pt.X, pt.Particles, pt.Steps, cellNumber(pt.BurnIn),
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
	f := res.Fit
	if math.IsNaN(f.Slope) {
		fmt.Fprintln(stdout, "fit: fewer than two resolved points, no slope")
	} else {
		fmt.Fprintf(stdout, "weighted fit of ln τ̂ against %s (weights 1/σ², σ = 1/√E): slope %.5g ± %.2g, intercept %.5g, R² = %.5f over %d points\n",
			res.Axis.Label, f.Slope, f.SlopeErr, f.Intercept, f.R2, f.N)
	}
	keys := make([]string, 0, len(res.Theory))
	for k := range res.Theory {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "theory %s: slope %.5g (R² %.5f)\n", k, res.Theory[k].Slope, res.Theory[k].R2)
	}
}

// writeSweepCSV writes sweep.csv: one row per point, a missing number (an unresolved τ, a
// theory that does not apply) as an empty field.
func writeSweepCSV(path string, res *sweep.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return usageError{fmt.Errorf("cannot write %s: %v", path, err)}
	}
	w := csv.NewWriter(f)
	names := res.TheoryNames()
	head := []string{res.Name, "axis_" + res.Axis.Name, "landscape", "lr", "batch", "temp", "particles", "steps", "escaped", "escaped_total",
		"burn_in_time", "diverged", "rate", "tau_time", "tau_lo_time", "tau_hi_time", "tau_iterations", "ln_tau", "sigma_ln_tau", "resolved",
		"reached_target", "note", "planned_tau_time", "planned_from", "expected_escapes", "seconds"}
	for _, n := range names {
		head = append(head, "theory_"+n+"_tau_time")
	}
	w.Write(head)
	g := func(v float64) string { return host.Number(v).Text(8) }
	for _, pt := range res.Points {
		row := []string{g(pt.Value), g(pt.X), pt.Landscape, g(pt.LR), g(pt.Batch), g(pt.Temp), strconv.Itoa(pt.Particles), strconv.Itoa(pt.Steps),
			strconv.Itoa(pt.Escaped), strconv.Itoa(pt.EscapedTotal), pt.BurnIn.Text(8), strconv.Itoa(pt.Diverged), pt.Rate.Text(8),
			pt.Tau.Text(8), pt.TauLo.Text(8), pt.TauHi.Text(8), pt.TauIterations.Text(8), g(pt.LogTau()), pt.SigmaLogTau.Text(8),
			strconv.FormatBool(pt.Resolved), strconv.FormatBool(pt.Reached), pt.Note, pt.Plan.TauGuess.Text(8), pt.Plan.TauSource,
			g(pt.Plan.Expected), g(pt.Seconds)}
		for _, n := range names {
			if v, ok := pt.Theory[n]; ok {
				row = append(row, g(v))
			} else {
				row = append(row, "")
			}
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
