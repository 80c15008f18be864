package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kramers-sim/kramers/gpu/view"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/reproduce"
	"github.com/kramers-sim/kramers/validate"
)

func cmdReproduce(args []string) error {
	fs := newFlagSet("reproduce")
	out := fs.String("out", "reproduce-out", "directory for report.md, results.json and the figures")
	quick := fs.Bool("quick", false, "smaller runs (about 600 escapes per slope point): minutes instead of tens of minutes")
	backend := fs.String("backend", "gpu", "primary backend: gpu (OpenGL compute) or cpu (the float64 reference)")
	cases := fs.String("cases", "", "comma-separated subset such as K1,K6 (default: all of "+strings.Join(reproduce.CaseIDs(), ",")+")")
	scale := fs.Float64("scale", 1, "multiply every escape target and budget (0 < scale ≤ 1 for a faster, noisier table)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !(*scale > 0) {
		return usageError{fmt.Errorf("--scale must be positive, got %v", *scale)}
	}
	primary, err := backendFactory(host.BackendKind(*backend))
	if err != nil {
		return err
	}
	var sel []string
	if *cases != "" {
		known := map[string]bool{}
		for _, id := range reproduce.CaseIDs() {
			known[id] = true
		}
		for _, c := range strings.Split(*cases, ",") {
			c = strings.ToUpper(strings.TrimSpace(c))
			if !known[c] {
				return usageError{fmt.Errorf("--cases: unknown case %q; use some of %s", c, strings.Join(reproduce.CaseIDs(), ","))}
			}
			sel = append(sel, c)
		}
	}
	ctx, stop := catchSignals(func(sig os.Signal) {
		fmt.Fprintf(stderr, "kramers: %v: finishing the current run, then writing the report of the checks so far (send it again to stop at once)\n", sig)
	})
	defer stop()
	rep, err := reproduce.Execute(ctx, reproduce.Options{Quick: *quick, Out: *out, Primary: primary, Backend: host.BackendKind(*backend),
		Reference: validate.OpenCPU,
		Scale:     *scale, Cases: sel, Log: stderr, Picture: reproducePicture})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report: %s (results.json and figures beside it), %.1f s\n", filepath.Join(*out, "report.md"), float64(rep.Seconds))
	if ctx.Err() != nil {
		return errInterrupted
	}
	if n := rep.Failed(); n > 0 {
		return fmt.Errorf("%d of %d checks failed; see %s", n, len(rep.Checks()), filepath.Join(*out, "report.md"))
	}
	return nil
}

// reproducePicture draws the particles of p after `iterations` steps with the headless renderer
// of package gpu/view (`kramers view --headless`) for the reproduction report.
func reproducePicture(p *host.Problem, iterations int, path string) error {
	img, err := view.Picture(p, iterations, 800, 500)
	if err != nil {
		return err
	}
	return view.SavePNG(path, img)
}
