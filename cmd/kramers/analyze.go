package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/data"
	"github.com/kramers-sim/kramers/host/landscape"
	"gonum.org/v1/gonum/floats"
)

// analysisOutput is the JSON of `kramers analyze` (docs/architecture.md contract).
type analysisOutput struct {
	Landscape string `json:"landscape"`
	Dim       int    `json:"dim"`
	Loss      string `json:"loss"`
	Diagonal  bool   `json:"diagonal_hessian"`
	*landscape.Analysis
	// Data and Covariance: with --data, the data set and the per-sample gradient covariance C
	// beside the Hessian at the minimum, the saddle and every exit (docs/theory.md §8).
	Data       *host.DataInfo         `json:"data,omitempty"`
	Covariance *host.CovarianceReport `json:"covariance,omitempty"`
}

// analyzeRequest is what the analyze command's flags ask for.
type analyzeRequest struct {
	fs                *flag.FlagSet
	spec, dataSpec    string
	dim, maxExits     int
	start, target     []float64
	jsonOut, sampling string
	batch             float64
	dataOpts          data.Options
	tf                trainFlags
}

func cmdAnalyze(args []string) error {
	req, err := parseAnalyze(args)
	if err != nil || req == nil {
		return err
	}
	ls, info, err := openAnalyzed(req)
	if err != nil {
		return err
	}
	trained := *req.tf.train || host.TrainsMinimum(ls)
	if err := req.tf.check(req.fs, trained); err != nil {
		return err
	}
	if trained { // a network's minimum: trained and described, no exit search (analyze_minimum.go)
		return analyzeTrained(req.spec, ls, info, req.start, req.tf, req.jsonOut)
	}
	an, err := landscape.Analyze(ls, landscape.AnalyzeOptions{Start: req.start, Target: req.target, MaxExits: req.maxExits, AllowDegenerate: true})
	if err != nil {
		return &host.InputError{Flag: "start", Msg: err.Error() + host.WeightDecayHint(ls)}
	}
	out := analysisOutput{Landscape: req.spec, Dim: ls.Dim, Loss: ls.String(), Diagonal: ls.DiagonalHessian, Analysis: an, Data: info}
	if info != nil {
		if out.Covariance, err = analyzeCovariance(req, ls, an, info); err != nil {
			return err
		}
	}
	return writeAnalysis(req, out, ls, an)
}

// parseAnalyze parses and checks the analyze command's flags; a nil request with a nil error
// means that the command has done its work (--landscape list).
func parseAnalyze(args []string) (*analyzeRequest, error) {
	r := &analyzeRequest{fs: newFlagSet("analyze")}
	fs := r.fs
	fs.StringVar(&r.spec, "landscape", "", "catalogue SPEC, an expression, or 'list'")
	fs.IntVar(&r.dim, "dim", 0, "dimension (0: inferred)")
	fs.Var(vecFlag{"start", &r.start}, "start", "start guess, comma-separated")
	fs.Var(vecFlag{"target", &r.target}, "target", "a point in the basin to escape into")
	fs.StringVar(&r.jsonOut, "json", "", "write JSON to FILE or - (stdout)")
	fs.IntVar(&r.maxExits, "exits", 0, "list only the N lowest exits of the basin by ΔL (0: every exit found)")
	fs.StringVar(&r.dataSpec, "data", "", dataHelp+"; the per-sample gradient covariance C is shown beside H")
	registerDataOptions(fs, &r.dataOpts)
	fs.Float64Var(&r.batch, "batch", 0, "with --data: batch size B, to show the minibatch noise covariance Σ = (f/B)·C as well")
	fs.StringVar(&r.sampling, "sampling", "", "with --batch: with (f = 1) or without / epoch (f = (N−B)/(N−1), the default)")
	r.tf = registerTrainFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if r.maxExits < 0 {
		return nil, &host.InputError{Flag: "exits", Msg: fmt.Sprintf("must be 0 (every exit) or a positive number of exits, got %d", r.maxExits)}
	}
	if err := host.CheckDataOptions(r.dataSpec, r.dataOpts); err != nil {
		return nil, err
	}
	if err := checkAnalyzeData(fs, r.dataSpec, r.batch, r.sampling); err != nil {
		return nil, err
	}
	if r.spec == "list" {
		printCatalogue()
		return nil, nil
	}
	if strings.TrimSpace(r.spec) == "" {
		return nil, &host.InputError{Flag: "landscape", Msg: "missing; give a catalogue SPEC, an expression, or 'list'"}
	}
	return r, nil
}

// openAnalyzed parses the landscape (over the data, with --data) and resolves the start guess.
func openAnalyzed(r *analyzeRequest) (*landscape.Landscape, *host.DataInfo, error) {
	var ls *landscape.Landscape
	var info *host.DataInfo
	var err error
	if r.dataSpec != "" {
		if ls, info, err = host.OpenDataWith(r.dataSpec, r.dataOpts, r.spec, r.dim, nil); err != nil {
			return nil, nil, err
		}
	} else if ls, err = landscape.Parse(r.spec, r.dim); err != nil {
		return nil, nil, &host.InputError{Flag: "landscape", Msg: err.Error()}
	}
	if r.start, err = host.StartGuess(ls, r.start); err != nil {
		return nil, nil, err
	}
	return ls, info, nil
}

// analyzeCovariance is the per-sample gradient covariance beside the Hessian (docs/theory.md §8),
// with the minibatch noise's factor when --batch is given.
func analyzeCovariance(r *analyzeRequest, ls *landscape.Landscape, an *landscape.Analysis, info *host.DataInfo) (*host.CovarianceReport, error) {
	var noise *host.CovarianceNoise
	if r.batch > 0 {
		if r.sampling == "" {
			r.sampling = host.SampleWithout
		}
		if err := host.CheckBatchRows(r.batch, info.N, r.sampling); err != nil {
			return nil, err
		}
		noise = host.NewCovarianceNoise(info.N, r.batch, r.sampling)
		info.Sampling, info.Batch, info.Factor = r.sampling, r.batch, noise.Factor
	}
	return host.NewCovarianceReport(ls.Evaluator(), an, noise), nil
}

// writeAnalysis writes the analysis as JSON (--json FILE or -) or as text.
func writeAnalysis(r *analyzeRequest, out analysisOutput, ls *landscape.Landscape, an *landscape.Analysis) error {
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	switch r.jsonOut {
	case "-":
		_, err = stdout.Write(data)
		return err
	case "":
		fmt.Fprintf(stdout, "landscape %s (d = %d)\nL = %s\n", r.spec, ls.Dim, ls.String())
		if !an.StartIsMinimum {
			fmt.Fprintf(stdout, "%s\n", an.StartNote())
		}
		if an.Degenerate {
			fmt.Fprintf(stdout, "degenerate minimum: %s\n", an.DegenerateReason)
		}
		fmt.Fprintf(stdout, "minimum a = %v, L(a) = %.6g, eigenvalues of H_a %v\n", an.Minimum, an.LossMinimum, an.HessianMinEigenvalues)
		fmt.Fprintf(stdout, "saddle  b = %v, L(b) = %.6g, eigenvalues of H_b %v (index 1: %v)\n", an.Saddle, an.LossSaddle, an.HessianSaddleEigenvalues, an.Index1)
		fmt.Fprintf(stdout, "ΔL = %.6g, escape direction e = %v (%s)\n", an.DeltaL, an.EscapeDirection, an.SaddleMethod)
		printExits(an)
		if out.Covariance != nil {
			printCovariance(out.Covariance, an)
		}
		return nil
	default:
		return writeFile(r.jsonOut, data)
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

// checkAnalyzeData checks analyze's finite-data flags: --batch and --sampling need --data, B is a
// positive finite number and the sampling one of with, without, epoch.
func checkAnalyzeData(fs interface{ Visit(func(*flag.Flag)) }, data string, batch float64, sampling string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if strings.TrimSpace(data) == "" {
		for _, name := range []string{"batch", "sampling"} {
			if given[name] {
				return &host.InputError{Flag: name, Msg: "applies only to a finite-data landscape; add --data"}
			}
		}
		return nil
	}
	if given["batch"] && (!(batch > 0) || math.IsInf(batch, 0)) {
		return &host.InputError{Flag: "batch", Msg: fmt.Sprintf("the batch size B must be a positive finite number, got %v", batch)}
	}
	if given["sampling"] {
		if !given["batch"] {
			return &host.InputError{Flag: "sampling", Msg: "sets the factor f of Σ = (f/B)·C; give --batch with it"}
		}
		return host.CheckSampling(sampling)
	}
	return nil
}

// printCovariance shows the per-sample gradient covariance C beside the Hessian H at the minimum
// and at each exit's saddle (docs/theory.md §8): the matrices (d ≤ 3) or their eigenvalues, and a
// table along the eigenvectors of H (at a saddle of d > 4 only the unstable one).
func printCovariance(r *host.CovarianceReport, an *landscape.Analysis) {
	fmt.Fprintf(stdout, "per-sample gradient covariance C = (1/N)·Σ∇ℓ∇ℓᵀ − ∇L∇Lᵀ beside the Hessian H (N = %d rows;\n", r.Rows)
	fmt.Fprintf(stdout, "  C ≈ H near the minimum of a well-specified likelihood loss, so vᵀCv/|vᵀHv| ≈ 1):\n")
	if r.Noise != nil {
		fmt.Fprintf(stdout, "  minibatch noise Σ = (f/B)·C with B = %.6g, f = %.6g (f/B = %.6g)\n", r.Noise.Batch, r.Noise.Factor, r.Noise.Scale)
	}
	type row struct {
		name string
		pt   host.CovariancePoint
	}
	rows := []row{{"a", r.Minimum}}
	among := false
	for i, ex := range r.Exits {
		rows = append(rows, row{fmt.Sprintf("exit %d", i+1), ex})
		among = among || floats.Equal(ex.Point, an.Saddle)
	}
	if !among {
		rows = append(rows, row{"saddle b", r.Saddle})
	}
	d := len(r.Minimum.Point)
	for _, rw := range rows {
		where := "  at the minimum a"
		if rw.name != "a" {
			where = fmt.Sprintf("  at %s, b = %.6g", rw.name, rw.pt.Point)
		}
		if d <= 3 {
			fmt.Fprintf(stdout, "%s: C = %.4g, H = %.4g", where, matRows(rw.pt.Covariance, d), matRows(rw.pt.Hessian, d))
		} else {
			fmt.Fprintf(stdout, "%s: eigenvalues of C %.4g, of H %.4g", where, rw.pt.CovarianceEigenvalues, rw.pt.HessianEigenvalues)
		}
		if rw.pt.RelativeDifference != nil {
			fmt.Fprintf(stdout, ", ‖C − |H|‖/‖H‖ = %.4g", *rw.pt.RelativeDifference)
		}
		fmt.Fprintln(stdout)
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 2, 4, 2, ' ', 0)
	head := "  point	eigenvector v of H	vᵀHv	vᵀCv	vᵀCv/|vᵀHv|"
	if r.Noise != nil {
		head += "	vᵀΣv"
	}
	fmt.Fprintln(tw, head+"	")
	for _, rw := range rows {
		for _, dir := range rw.pt.Directions {
			if rw.name != "a" && d > 4 && !dir.Unstable {
				continue
			}
			ratio := "—"
			if dir.Ratio != nil {
				ratio = fmt.Sprintf("%.4g", *dir.Ratio)
			}
			line := fmt.Sprintf("  %s	%.4g	%.4g	%.4g	%s", rw.name, dir.Direction, dir.Curvature, dir.Variance, ratio)
			if dir.Sigma != nil {
				line += fmt.Sprintf("	%.4g", *dir.Sigma)
			}
			if dir.Unstable {
				line += "	unstable"
			}
			fmt.Fprintln(tw, line+"	")
		}
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		fmt.Fprint(stdout, strings.TrimRight(line, " \n"), strings.Repeat("\n", strings.Count(line, "\n")))
	}
}

// matRows is the row-major d×d m as rows, for printing.
func matRows(m []float64, d int) [][]float64 {
	out := make([][]float64, d)
	for i := range out {
		out[i] = m[i*d : (i+1)*d]
	}
	return out
}

func printCatalogue() {
	cat := landscape.Catalogue()
	sort.Slice(cat, func(i, j int) bool { return cat[i].Name < cat[j].Name })
	printEntries(cat)
	fmt.Fprintln(stdout, "\ndata models (with --data D: per-sample losses over the data's columns, docs/theory.md §8):")
	printEntries(landscape.DataModels())
	fmt.Fprintln(stdout, "\ndata generators (--data gen:NAME(…)):")
	for _, g := range data.Generators() {
		fmt.Fprintf(stdout, "    %s\n", g)
	}
	fmt.Fprintln(stdout, "\nnamed data sets (--data NAME; features standardised unless --standardize=false, label column t; --classes, --rows, --targets):")
	for _, n := range data.Names() {
		fmt.Fprintf(stdout, "    %s\n", n)
	}
}

// printEntries lists landscapes with their parameters, description and formula.
func printEntries(entries []landscape.Entry) {
	for _, e := range entries {
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
	p, err := prepare(rf.cfg, rf.quiet)
	if err != nil {
		return err
	}
	computeTheory(p, rf.quiet)
	out := struct {
		Config   host.Config           `json:"config"`
		Analysis *landscape.Analysis   `json:"analysis"`
		Escape   *host.EscapeCondition `json:"escape"`
		Theory   any                   `json:"theory"`
		// Data and Covariance: a finite-data run's data set, and C beside H at the minimum, the
		// saddle and every exit, with Σ = (f/B)·C for the data noise models (docs/theory.md §8).
		Data       *host.DataInfo         `json:"data,omitempty"`
		Covariance *host.CovarianceReport `json:"covariance,omitempty"`
	}{p.Config, p.Analysis, p.Escape, host.Predictions(p), p.Data, p.CovarianceReport()}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	if rf.jsonOut == "" || rf.jsonOut == "-" {
		_, err = stdout.Write(append(data, '\n'))
		return err
	}
	return writeFile(rf.jsonOut, append(data, '\n'))
}
