package main

import (
	"flag"
	"fmt"
	"math"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/minimum"
)

// trainedOutput is the JSON of `kramers analyze` for a trained minimum (docs/theory.md §9).
type trainedOutput struct {
	Landscape   string               `json:"landscape"`
	Dim         int                  `json:"dim"`
	Minimum     []float64            `json:"minimum"`
	LossMinimum float64              `json:"loss_minimum"`
	Description *minimum.Description `json:"trained_minimum"`
	Exits       string               `json:"exits"`
	Data        *host.DataInfo       `json:"data,omitempty"`
}

// trainFlags are analyze's flags for a trained minimum.
type trainFlags struct {
	train   *bool
	gtol    *float64
	maxIter *int
}

func registerTrainFlags(fs *flag.FlagSet) trainFlags {
	return trainFlags{
		train:   fs.Bool("train", false, fmt.Sprintf("find the minimum by full-batch L-BFGS training and describe its spectrum, without the exit search (automatic for data landscapes above d = %d)", host.TrainAboveDim)),
		gtol:    fs.Float64("gtol", minimum.DefaultTol, "training: stop at ‖∇L‖∞ ≤ gtol·max(1, |L|)"),
		maxIter: fs.Int("max-iter", minimum.DefaultMaxIter, "training: at most this many L-BFGS iterations"),
	}
}

// check validates the training flags; trained says whether the minimum will be trained.
func (tf trainFlags) check(fs *flag.FlagSet, trained bool) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, name := range []string{"gtol", "max-iter"} {
		if given[name] && !trained {
			return &host.InputError{Flag: name, Msg: fmt.Sprintf("applies only to a trained minimum; add --train (automatic for data landscapes above d = %d) or drop --%s", host.TrainAboveDim, name)}
		}
	}
	if !(*tf.gtol > 0 && *tf.gtol < 1) {
		return &host.InputError{Flag: "gtol", Msg: fmt.Sprintf("the relative gradient tolerance must be in (0, 1), such as 1e-8; got %v", *tf.gtol)}
	}
	if *tf.maxIter < 1 {
		return &host.InputError{Flag: "max-iter", Msg: fmt.Sprintf("must be a positive number of iterations, such as 20000; got %d", *tf.maxIter)}
	}
	return nil
}

// analyzeTrained trains ls from start, describes the minimum and prints it (text or JSON).
func analyzeTrained(spec string, ls *landscape.Landscape, info *host.DataInfo, start []float64, tf trainFlags, jsonOut string) error {
	opt := minimum.TrainOptions{Tol: *tf.gtol, MaxIter: *tf.maxIter}
	desc, err := host.DescribeMinimum(ls, info, start, opt, "start", "change them with --max-iter and --gtol")
	if err != nil {
		return err
	}
	t := desc.Training
	out := trainedOutput{Landscape: spec, Dim: ls.Dim, Minimum: t.Minimum, LossMinimum: t.Loss, Description: desc, Data: info,
		Exits: fmt.Sprintf("not searched for a trained minimum: a run needs --escape (such as 'loss - loss_a > δ' or 'dist > r'); data landscapes up to d = %d are analysed with their exits unless --train is given", host.TrainAboveDim)}
	if jsonOut != "" {
		return writeJSON(jsonOut, out)
	}
	printTrained(spec, info, desc)
	fmt.Fprintf(stdout, "exits: %s\n", out.Exits)
	return nil
}

// printTrained prints the description of a trained minimum (docs/theory.md §9).
func printTrained(spec string, info *host.DataInfo, desc *minimum.Description) {
	t, s := desc.Training, desc.Spectrum
	fmt.Fprintf(stdout, "landscape %s (d = %d)", spec, desc.Dim)
	if info != nil {
		fmt.Fprintf(stdout, " on %s (N = %d rows, sha256 %.12s)", info.Spec, info.N, info.SHA256)
	}
	fmt.Fprintln(stdout)
	how := "minimum by " + t.Method()
	if desc.Cached {
		how += " (from the cache of trained minima, not retrained)"
	}
	fmt.Fprintln(stdout, how)
	fmt.Fprintf(stdout, "L(a) = %.10g, ‖∇L(a)‖∞ = %.3g, ‖∇L(a)‖₂ = %.3g, ‖a‖₂ = %.6g\n", t.Loss, t.GradientMax, t.GradientNorm, norm2(t.Minimum))
	fmt.Fprintf(stdout, "Hessian H at a: %s\n", s.Method)
	fmt.Fprintf(stdout, "  sharpness λ_max = %.6g, λ_min = %.6g, trace = %.6g", s.Sharpness, s.LambdaMin, s.Trace)
	if s.TraceError > 0 {
		fmt.Fprintf(stdout, " ± %.3g", s.TraceError)
	}
	fmt.Fprintf(stdout, " (%s)\n", s.TraceMethod)
	fmt.Fprintf(stdout, "  largest eigenvalues  %.6g\n  smallest eigenvalues %.6g\n", s.Largest, s.Smallest)
	fmt.Fprintf(stdout, "  minimum %s\n", s.Verdict)
	if !s.Strict {
		fmt.Fprintln(stdout, "  (a run from it needs --escape; weight decay, such as wd=0.01 in the spec, makes it strict)")
	}
	if c := desc.Covariance; c != nil {
		fmt.Fprintf(stdout, "per-sample gradient covariance C = (1/N)·Σ(g_μ − ḡ)(g_μ − ḡ)ᵀ (N = %d, from the %s matrix):\n", c.Rows,
			map[string]string{"gram": "N×N Gram", "dense": "d×d"}[c.Route])
		fmt.Fprintf(stdout, "  leading eigenvalues %.6g, tr C = %.6g\n", c.Leading, c.Trace)
		fmt.Fprintf(stdout, "  vᵀCv/vᵀHv along H's leading eigenvectors (largest first): %.4g\n", c.Along)
		fmt.Fprintln(stdout, "  |cos| between C's leading eigenvectors (rows) and H's (columns, largest first):")
		for _, row := range c.Alignment {
			cells := make([]string, len(row))
			for j, v := range row {
				cells[j] = fmt.Sprintf("%.3f", v)
			}
			fmt.Fprintf(stdout, "    %s\n", strings.Join(cells, "  "))
		}
	}
	fmt.Fprintf(stdout, "described in %.3g s\n", desc.Seconds)
}

func norm2(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}
