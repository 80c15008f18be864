package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

func cmdValidate(args []string) error {
	fs := newFlagSet("validate")
	quick := fs.Bool("quick", false, "smaller statistical checks")
	jsonOut := fs.String("json", "", "write the table as JSON to FILE or -")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	factory := func(cfg host.Config) (host.Backend, error) { return openGPU(cfg) }
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
		} else if err := writeFileAtomic(*jsonOut, append(data, '\n')); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d cross-checks failed", failed, len(checks))
	}
	fmt.Fprintf(stdout, "all %d cross-checks passed\n", len(checks))
	return nil
}
