package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
)

// analysisOutput is the JSON of `kramers analyze` (docs/architecture.md contract).
type analysisOutput struct {
	Landscape string `json:"landscape"`
	Dim       int    `json:"dim"`
	Loss      string `json:"loss"`
	Diagonal  bool   `json:"diagonal_hessian"`
	*landscape.Analysis
}

func cmdAnalyze(args []string) error {
	fs := newFlagSet("analyze")
	spec := fs.String("landscape", "", "catalogue SPEC, an expression, or 'list'")
	dim := fs.Int("dim", 0, "dimension (0: inferred)")
	var start, target []float64
	fs.Var(vecFlag{"start", &start}, "start", "start guess, comma-separated")
	fs.Var(vecFlag{"target", &target}, "target", "a point in the basin to escape into")
	jsonOut := fs.String("json", "", "write JSON to FILE or - (stdout)")
	maxExits := fs.Int("exits", 0, "list only the N lowest exits of the basin by ΔL (0: every exit found)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *maxExits < 0 {
		return &host.InputError{Flag: "exits", Msg: fmt.Sprintf("must be 0 (every exit) or a positive number of exits, got %d", *maxExits)}
	}
	if *spec == "list" {
		printCatalogue()
		return nil
	}
	if strings.TrimSpace(*spec) == "" {
		return &host.InputError{Flag: "landscape", Msg: "missing; give a catalogue SPEC, an expression, or 'list'"}
	}
	ls, err := landscape.Parse(*spec, *dim)
	if err != nil {
		return &host.InputError{Flag: "landscape", Msg: err.Error()}
	}
	if start == nil {
		start = ls.DefaultStart
	}
	if start == nil {
		return &host.InputError{Flag: "start", Msg: fmt.Sprintf("an expression landscape needs a start guess: add --start with %d comma-separated numbers", ls.Dim)}
	}
	if len(start) != ls.Dim {
		return &host.InputError{Flag: "start", Msg: fmt.Sprintf("has %d coordinates but the landscape is %d-dimensional", len(start), ls.Dim)}
	}
	an, err := landscape.Analyze(ls, landscape.AnalyzeOptions{Start: start, Target: target, MaxExits: *maxExits})
	if err != nil {
		return &host.InputError{Flag: "start", Msg: err.Error()}
	}
	out := analysisOutput{Landscape: *spec, Dim: ls.Dim, Loss: ls.String(), Diagonal: ls.DiagonalHessian, Analysis: an}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	switch *jsonOut {
	case "-":
		_, err = stdout.Write(data)
		return err
	case "":
		fmt.Fprintf(stdout, "landscape %s (d = %d)\nL = %s\n", *spec, ls.Dim, ls.String())
		fmt.Fprintf(stdout, "minimum a = %v, L(a) = %.6g, eigenvalues of H_a %v\n", an.Minimum, an.LossMinimum, an.HessianMinEigenvalues)
		fmt.Fprintf(stdout, "saddle  b = %v, L(b) = %.6g, eigenvalues of H_b %v (index 1: %v)\n", an.Saddle, an.LossSaddle, an.HessianSaddleEigenvalues, an.Index1)
		fmt.Fprintf(stdout, "ΔL = %.6g, escape direction e = %v (%s)\n", an.DeltaL, an.EscapeDirection, an.SaddleMethod)
		printExits(an)
		return nil
	default:
		return writeFileAtomic(*jsonOut, data)
	}
}

// printExits lists every exit of the basin (docs/theory.md §2) and how they were searched for.
func printExits(an *landscape.Analysis) {
	word := "exits"
	if len(an.Exits) == 1 {
		word = "exit"
	}
	fmt.Fprintf(stdout, "%d %s of the basin of a, lowest first:\n", len(an.Exits), word)
	for i, ex := range an.Exits {
		far := "none: the descent beyond runs off"
		if ex.FarMinimum != nil {
			far = fmt.Sprintf("%.6g", ex.FarMinimum)
		}
		fmt.Fprintf(stdout, "  %d. ΔL = %.6g  b = %.6g  eigenvalues of H_b %.6g  far minimum %s\n", i+1, ex.DeltaL, ex.Saddle, ex.HessianSaddleEigenvalues, far)
	}
	if an.ExitSearch != nil {
		fmt.Fprintf(stdout, "search: %s\n", an.ExitSearch)
	}
}

func printCatalogue() {
	cat := landscape.Catalogue()
	sort.Slice(cat, func(i, j int) bool { return cat[i].Name < cat[j].Name })
	for _, e := range cat {
		var ps []string
		for _, p := range e.Params {
			ps = append(ps, fmt.Sprintf("%s=%g", p.Name, p.Default))
		}
		fmt.Fprintf(stdout, "%s(%s)\n    %s\n    %s\n", e.Name, strings.Join(ps, ", "), e.Doc, e.Formula)
	}
}

func cmdTheory(args []string) error {
	var rf runFlags
	fs := newFlagSet("theory")
	rf.register(fs)
	if err := rf.parse(fs, args); err != nil {
		return err
	}
	p, err := host.Prepare(rf.cfg)
	if err != nil {
		return err
	}
	out := struct {
		Config   host.Config           `json:"config"`
		Analysis *landscape.Analysis   `json:"analysis"`
		Escape   *host.EscapeCondition `json:"escape"`
		Theory   any                   `json:"theory"`
	}{p.Config, p.Analysis, p.Escape, host.Predictions(p)}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if rf.jsonOut == "" || rf.jsonOut == "-" {
		_, err = stdout.Write(append(data, '\n'))
		return err
	}
	return writeFileAtomic(rf.jsonOut, append(data, '\n'))
}
