package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

func cmdValidate(args []string) error {
	fs := newFlagSet("validate")
	quick := fs.Bool("quick", false, "smaller statistical checks")
	jsonOut := fs.String("json", "", "write the table as JSON to FILE or -")
	trust := fs.Bool("trust", false, "run the randomized trust suite instead of the cross-checks (docs/trust.md)")
	outDir := fs.String("out", "", "with --trust: write trust.md and trust.json into DIR")
	backends := fs.String("backend", "both", "with --trust: cpu, gpu or both")
	count := fs.Int("cases", 0, "with --trust: N random 1-D cases, N/4 rotated 2-D and N/8 brute-force 2-D ones (0: the form's own numbers)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *trust {
		return cmdTrust(*quick, *count, *jsonOut, *outDir, *backends, args)
	}
	if *outDir != "" || *backends != "both" || *count != 0 {
		return &host.InputError{Flag: "out", Msg: "--out, --backend and --cases belong to --trust; add --trust or drop them"}
	}
	factory := openGPU
	// Open one context first so that a missing GL is reported once, clearly.
	probe, err := openGPU(host.DefaultConfig())
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "GPU: %s\n", probe.Renderer())
	probe.Close()
	checks := validate.Suite(*quick)
	var outcomes []validate.Outcome
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tresult\tmeasured\ttolerance")
	failed := 0
	for _, c := range checks {
		o := c.Run(factory)
		outcomes = append(outcomes, o)
		res := "pass"
		if !o.Pass {
			res = "FAIL"
			failed++
		}
		m := o.Measured
		if o.Err != "" {
			m = "error: " + o.Err
		}
		fmt.Fprintf(stderr, "%s: %s\n", o.Name, res)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Name, res, m, o.Tolerance)
	}
	tw.Flush()
	if *jsonOut != "" {
		data, _ := json.MarshalIndent(outcomes, "", "  ")
		if *jsonOut == "-" {
			stdout.Write(append(data, '\n'))
		} else if err := writeFile(*jsonOut, append(data, '\n')); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d cross-checks failed", failed, len(checks))
	}
	fmt.Fprintf(stdout, "all %d cross-checks passed\n", len(checks))
	return nil
}

// cmdTrust runs the randomized trust suite (validate/trust.go) on the chosen backends, prints its
// markdown table and writes it where asked. Failing cases make the exit status 1; the table is
// written first, so nothing computed is lost.
func cmdTrust(quick bool, count int, jsonOut, outDir, backends string, args []string) error {
	opt := validate.FullTrust()
	if quick {
		opt = validate.QuickTrust()
	}
	if count < 0 {
		return &host.InputError{Flag: "cases", Msg: fmt.Sprintf("must be ≥ 0, got %d; give 0 for the form's own numbers", count)}
	}
	if count > 0 {
		opt.Wells1D, opt.Rotated2D, opt.BruteForce = count, count/4, count/8
	}
	type backend struct {
		kind host.BackendKind
		open host.BackendFactory
	}
	var list []backend
	cpu := backend{host.CPU, validate.OpenCPU}
	gpu := backend{host.GPU, openGPU}
	switch backends {
	case "cpu":
		list = []backend{cpu}
	case "gpu":
		list = []backend{gpu}
	case "both":
		list = []backend{cpu, gpu}
	default:
		return &host.InputError{Flag: "backend", Msg: fmt.Sprintf("unknown value %q; use cpu, gpu or both", backends)}
	}
	cases := validate.TrustCases(opt)
	fmt.Fprintf(stderr, "trust suite: %d cases (seed %d) on %s\n", len(cases), opt.Seed, backends)
	var out []validate.TrustOutcome
	for _, b := range list {
		if b.kind == host.GPU {
			probe, err := openGPU(host.DefaultConfig())
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "GPU: %s\n", probe.Renderer())
			probe.Close()
		}
		out = append(out, validate.RunTrust(cases, b.kind, b.open, func(o validate.TrustOutcome) {
			verdict := "pass"
			if !o.Pass() {
				verdict = "FAIL"
			}
			fmt.Fprintf(stderr, "%s [%s]: %s\n", o.Name, o.Backend, verdict)
		})...)
	}
	table := fmt.Sprintf("Made by `kramers validate %s` (seed %d, %d particles per run).\n\n%s", strings.Join(args, " "), opt.Seed, opt.Particles, validate.TrustMarkdown(out))
	fmt.Fprint(stdout, table)
	data, _ := json.MarshalIndent(out, "", "  ")
	data = append(data, '\n')
	if jsonOut == "-" {
		stdout.Write(data)
	} else if jsonOut != "" {
		if err := writeFile(jsonOut, data); err != nil {
			return err
		}
	}
	if outDir != "" {
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(outDir, "trust.md"), []byte(table)); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(outDir, "trust.json"), data); err != nil {
			return err
		}
	}
	if s := validate.Summarise(out); s.Failed > 0 {
		return fmt.Errorf("%d of %d trust cases failed (table above)", s.Failed, s.Cases)
	}
	return nil
}
