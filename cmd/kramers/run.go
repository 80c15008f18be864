package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	"github.com/kramers-sim/kramers/host"
)

var (
	stdout io.Writer = os.Stdout
	stderr io.Writer = os.Stderr
)

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func cmdRun(args []string) error {
	var rf runFlags
	fs := newFlagSet("run")
	rf.register(fs)
	if err := rf.parse(fs, args); err != nil {
		return err
	}
	p, err := host.Prepare(rf.cfg)
	if err != nil {
		return err
	}
	b, err := openBackend(p.Config)
	if err != nil {
		return err
	}
	defer b.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opt := host.RunOptions{}
	if !rf.quiet && isTerminal(os.Stderr) {
		opt.Progress = progressPrinter(p)
	}
	res, err := host.Execute(ctx, p, b, opt)
	if err != nil {
		return err
	}
	if opt.Progress != nil {
		fmt.Fprintln(stderr)
	}
	if err := writeResult(res, rf.jsonOut); err != nil {
		return err
	}
	if res.Partial {
		return errInterrupted
	}
	return nil
}

// progressPrinter rewrites one terminal line: iterations, escapes so far and the current κ̂.
func progressPrinter(p *host.Problem) func(host.Progress) {
	last := time.Time{}
	return func(pr host.Progress) {
		if time.Since(last) < 200*time.Millisecond && pr.Iteration < pr.Steps {
			return
		}
		last = time.Now()
		rate := "—"
		if !math.IsNaN(pr.Rate) {
			rate = fmt.Sprintf("%.4g /time", pr.Rate)
		}
		fmt.Fprintf(stderr, "\r%d/%d iterations  %d escaped  %d diverged  κ̂ ≈ %s  %.1fs   ",
			pr.Iteration, pr.Steps, pr.Escaped, pr.Diverged, rate, pr.Elapsed.Seconds())
	}
}

// writeResult writes the JSON contract to FILE or stdout, and a human summary to the terminal.
func writeResult(res *host.Result, jsonOut string) error {
	summaryTo := stdout
	if jsonOut == "-" {
		summaryTo = stderr
	}
	printSummary(summaryTo, res)
	if jsonOut == "" {
		return nil
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	data = append(data, '\n')
	if jsonOut == "-" {
		_, err = stdout.Write(data)
		return err
	}
	return writeFileAtomic(jsonOut, data)
}

// writeFileAtomic writes through a temporary file, fsync and rename, so a crash never leaves a
// half-written file under the final name.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return usageError{fmt.Errorf("cannot write %s: %v; choose a writable path", path, err)}
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	return os.Rename(tmp, path)
}

func printSummary(w io.Writer, r *host.Result) {
	fmt.Fprintf(w, "landscape %s, noise %s, η = %g, %d particles × %d iterations on %s (%s)\n",
		r.Config.Landscape, r.Config.Noise, r.LR, r.Particles, r.Steps, r.Backend, r.Renderer)
	fmt.Fprintf(w, "escape: %s\n", r.Escape.Text)
	fmt.Fprintf(w, "escaped %d, diverged %d, exposure %.6g time units (%.6g iterations)\n",
		r.Estimate.Escaped, r.Diverged, r.Estimate.Exposure, r.ExposureIterations)
	e := r.Estimate
	if e.Resolved && e.Rate != nil {
		fmt.Fprintf(w, "κ̂ = %.6g per unit time, 95%% CI [%.6g, %.6g]; τ̂ = %.6g time = %.6g iterations\n",
			*e.Rate, e.RateCI95[0], e.RateCI95[1], *e.Tau, *e.TauIterations)
	} else {
		fmt.Fprintf(w, "unresolved: %s\n", e.Note)
	}
	names := make([]string, 0, len(r.Theory))
	for k := range r.Theory {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		t := r.Theory[k]
		if t.Tau != nil {
			fmt.Fprintf(w, "theory %-15s τ = %.6g time\n", k, *t.Tau)
		} else {
			fmt.Fprintf(w, "theory %-15s n/a: %s\n", k, t.Reason)
		}
	}
	fmt.Fprintf(w, "%.3g s stepping, %.3g particle-steps/s, host share %.1f%%\n",
		r.Seconds, r.ParticleStepsPerSecond, 100*r.HostShare)
	for _, m := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
	if r.Partial {
		fmt.Fprintln(w, "partial: the run stopped before its last iteration")
	}
}
