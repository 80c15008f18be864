package validate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/theory"
)

// The trust suite (docs/architecture.md, "The trust suite"; issue 20, item 5) runs kramers on
// escape questions that nobody chose — random landscapes, starts, thresholds and noise models from a
// fixed seed (trustgen.go) — and on the named cases of issue 20, and compares every answer with a
// reference that does not come from the code under test: the exact discrete-time chain of the
// question (trustchain.go), exact products of 1-D chains for rotated separable landscapes, or a
// long brute-force run that counts arrival in the far basin. Its criteria (trustCriteria below)
// are the project's standard "no confident wrong answers".

// TrustCase is one question of the suite.
type TrustCase struct {
	Name   string
	Family string // "issue 20", "1-D wells", "2-D rotated", "ring", "bent valley"
	Config host.Config
	// FlowStart is the minimum that gradient flow from Config.Start reaches (computed by the
	// suite): the start minimum of the question. kramers must use it (issue 20, item 4).
	FlowStart []float64
	// InsideWell: a threshold of the question lies between the start minimum and its barrier,
	// where no saddle-crossing formula answers (issue 20, item 2).
	InsideWell bool
	// reference answers the question as p poses it (p.Escape is the run's escape set).
	reference func(p *host.Problem, open host.BackendFactory) (trustReference, error)
}

// trustReference is the answer a case is checked against.
type trustReference struct {
	Rate   float64 // escape rate per unit time
	RelErr float64 // relative numerical error of an exact value
	Sigma  float64 // absolute statistical error of a brute-force value (0: exact)
	Source string
	// Tau is the exact continuous-time mean first-passage time of the η → 0 diffusion from the start
	// minimum, for one-sided 1-D questions (the question the quadrature value answers); 0: none.
	Tau, TauRelErr float64
	// ExitRates are the exact competing-risk rates of the run's exits, in p.Escape.Surfaces order
	// (total rate × share of the quasi-stationary escapes); nil where not computed.
	ExitRates, ExitRelErr []float64
}

// TrustOutcome is one row of the trust table.
type TrustOutcome struct {
	Name     string  `json:"name"`
	Family   string  `json:"family"`
	Backend  string  `json:"backend"`
	Command  string  `json:"command"` // the kramers run flags that pose the same question
	Resolved bool    `json:"resolved"`
	Rate     float64 `json:"rate,omitempty"`
	Sigma    float64 `json:"sigma,omitempty"` // κ̂/√E, the Poisson error (docs/theory.md §3)
	Escaped  int     `json:"escaped"`
	Note     string  `json:"note,omitempty"` // the unresolved reason
	RefRate  float64 `json:"reference_rate,omitempty"`
	RefErr   float64 `json:"reference_error,omitempty"` // absolute: σ of a brute-force run, or rate × relative error
	RefFrom  string  `json:"reference,omitempty"`
	// Z is (κ̂ − κ_ref)/sqrt(σ² + σ_ref²); Outside3Sigma marks |Z| > 3 (about 0.3% by chance).
	Z             float64 `json:"z"`
	Outside3Sigma bool    `json:"outside_3sigma"`
	ExactChecked  int     `json:"exact_checked"` // theory values marked exact compared with the reference
	// ExactUnchecked counts exact-continuous values of questions without a continuous-time
	// reference in this suite (two-sided and 2-D questions).
	ExactUnchecked int      `json:"exact_unchecked,omitempty"`
	Passed         bool     `json:"pass"`
	Failures       []string `json:"failures,omitempty"`
	Err            string   `json:"error,omitempty"`
}

// Pass reports whether the case met every criterion.
func (o TrustOutcome) Pass() bool { return len(o.Failures) == 0 && o.Err == "" }

// Tolerances of the criteria (issue 20, item 5).
const (
	// trustRateRel is the systematic allowance of a resolved rate: 2% on top of 3σ, the issue's
	// criterion, as for the cross-checks of crosscheck.go (dataRateCheck).
	trustRateRel = 0.02
	// trustExactFloor is the smallest relative difference at which two exact values of one
	// question are said to differ: ten times theory.ChainOptions' default tolerance 1e-4, since
	// the stated errors of both sides are Romberg estimates, not bounds (docs/theory.md §3).
	trustExactFloor = 1e-3
	// trustStartTol is how far (relative to 1 + |a|) kramers' start minimum may lie from the
	// flow's limit: both are Newton-polished critical points, equal to ~1e-8.
	trustStartTol = 1e-5
)

// saddleFormulas are the theory values that sum saddle crossings (docs/theory.md §4): they
// answer no question whose threshold lies inside the well.
var saddleFormulas = []string{"eyring_kramers", "xie", "mori", "path"}

// RunTrust runs every case on a fresh backend from open (kind names it in the cases' configs) and
// returns the table; progress, when not nil, sees each row as it is made.
func RunTrust(cases []TrustCase, kind host.BackendKind, open host.BackendFactory, progress func(TrustOutcome)) []TrustOutcome {
	out := make([]TrustOutcome, 0, len(cases))
	for _, c := range cases {
		o := runTrustCase(c, kind, open)
		o.Passed = o.Pass()
		if progress != nil {
			progress(o)
		}
		out = append(out, o)
	}
	return out
}

func runTrustCase(c TrustCase, kind host.BackendKind, open host.BackendFactory) TrustOutcome {
	cfg := c.Config
	cfg.Backend = kind
	o := TrustOutcome{Name: c.Name, Family: c.Family, Backend: string(kind), Command: runFlags(cfg)}
	p, err := host.Prepare(cfg)
	if err != nil {
		o.Err = "kramers refuses a well-posed question: " + err.Error()
		return o
	}
	if d := maxAbsDiff(p.Start, c.FlowStart); d > trustStartTol*(1+maxAbs(c.FlowStart)) {
		o.Failures = append(o.Failures, fmt.Sprintf("start minimum: kramers uses %s, gradient flow from --start reaches %s", fmtPoint(p.Start), fmtPoint(c.FlowStart)))
	}
	ref, refErr := c.reference(p, open)
	res, _, _, err := execute(p, open)
	if err != nil {
		o.Err = err.Error()
		return o
	}
	o.Backend = res.Backend // what ran, not what was asked for
	e := res.Estimate
	o.Resolved, o.Escaped, o.Note = e.Resolved && e.Rate != nil, e.Escaped, e.Note
	if o.Resolved {
		o.Rate = *e.Rate
		o.Sigma = o.Rate / math.Sqrt(float64(e.Escaped))
	}
	if refErr != nil {
		o.RefFrom = "none: " + refErr.Error()
		return o
	}
	o.RefRate, o.RefFrom = ref.Rate, ref.Source
	o.RefErr = math.Max(ref.Sigma, ref.Rate*ref.RelErr)
	o.Failures = append(o.Failures, checkRate(&o)...)
	if ref.Sigma == 0 {
		o.Failures = append(o.Failures, checkExactTheory(&o, res, ref)...)
	}
	if c.InsideWell {
		o.Failures = append(o.Failures, checkInsideWell(res.Theory)...)
	}
	return o
}

// checkRate: a resolved rate lies within 2% + 3σ of the reference, σ² the Poisson variance κ̂²/E
// of the censored estimate (docs/theory.md §3) plus the reference's own variance.
func checkRate(o *TrustOutcome) []string {
	if !o.Resolved {
		return nil
	}
	sigma := math.Hypot(o.Sigma, o.RefErr)
	diff := o.Rate - o.RefRate
	o.Z = diff / sigma
	o.Outside3Sigma = math.Abs(o.Z) > 3
	if math.Abs(diff) > trustRateRel*o.RefRate+3*sigma {
		return []string{fmt.Sprintf("resolved rate %.5g (%d escapes) against the reference %.5g: ratio %.4f, z = %+.1f, beyond 2%% + 3σ", o.Rate, o.Escaped, o.RefRate, o.Rate/o.RefRate, o.Z)}
	}
	return nil
}

// checkExactTheory compares every theory value marked exact — the totals and each exit's — with the
// reference, to the accuracy both state (trustExactFloor at least).
func checkExactTheory(o *TrustOutcome, res *host.Result, ref trustReference) []string {
	var fails []string
	compare := func(label string, pr theory.Prediction, want, wantRel float64) {
		if pr.Rate == nil || !(want > 0) {
			return
		}
		o.ExactChecked++
		tol := math.Max(trustExactFloor, 3*math.Hypot(pr.RelErr, wantRel))
		if rel := *pr.Rate/want - 1; math.Abs(rel) > tol {
			fails = append(fails, fmt.Sprintf("%s (%s) rate %.5g against the reference %.5g: %+.2f%%, beyond its accuracy %.2g", label, pr.Kind, *pr.Rate, want, 100*rel, tol))
		}
	}
	for _, name := range host.Preferred(res.Theory) {
		pr := res.Theory[name]
		switch pr.Kind {
		case theory.ExactDiscrete:
			compare(name, pr, ref.Rate, ref.RelErr)
		case theory.ExactContinuous:
			if pr.Rate != nil && ref.Tau == 0 {
				o.ExactUnchecked++ // no continuous-time reference here (two-sided or 2-D): counted, not judged
				continue
			}
			compare(name, pr, 1/ref.Tau, ref.TauRelErr)
		}
	}
	for k, ex := range res.Exits {
		if k >= len(ref.ExitRates) {
			break
		}
		for _, name := range host.Preferred(ex.Theory) {
			if pr := ex.Theory[name]; pr.Kind == theory.ExactDiscrete {
				compare(fmt.Sprintf("exit %d %s", k+1, name), pr, ref.ExitRates[k], ref.ExitRelErr[k])
			}
		}
	}
	return fails
}

// checkInsideWell: with a threshold inside the well, every saddle-crossing formula must be n/a.
func checkInsideWell(th map[string]theory.Prediction) []string {
	var fails []string
	for _, name := range saddleFormulas {
		if pr, ok := th[name]; ok && pr.Rate != nil {
			fails = append(fails, fmt.Sprintf("%s gives τ = %.5g for a threshold inside the well, a question no saddle-crossing formula answers", name, *pr.Tau))
		}
	}
	return fails
}

// runFlags writes cfg as the flags of `kramers run`, so that any row can be rerun by hand.
func runFlags(cfg host.Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "--landscape '%s' --noise %s --lr %s", cfg.Landscape, cfg.Noise, num(cfg.LR))
	if cfg.Noise == host.SGLD {
		fmt.Fprintf(&b, " --temp %s", num(cfg.Temp))
	} else {
		fmt.Fprintf(&b, " --batch %s", num(cfg.Batch))
	}
	if cfg.Start != nil {
		fmt.Fprintf(&b, " --start %s", fmtPoint(cfg.Start))
	}
	if cfg.Escape != "" {
		fmt.Fprintf(&b, " --escape '%s'", cfg.Escape)
	}
	fmt.Fprintf(&b, " --particles %d --steps %d --seed %d --backend %s", cfg.Particles, cfg.Steps, cfg.Seed, cfg.Backend)
	return b.String()
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func fmtPoint(x []float64) string {
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = strconv.FormatFloat(v, 'g', 6, 64)
	}
	return strings.Join(parts, ",")
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// TrustSummary counts a table's outcomes for its closing lines and for the tests.
type TrustSummary struct {
	Cases, Failed, Errors, Resolved, Unresolved, NoReference int
	// Compared counts resolved rates with a reference; Outside3Sigma those with |z| > 3,
	// BeyondTolerance those beyond 2% + 3σ.
	Compared, Outside3Sigma, BeyondTolerance  int
	ExactChecked, ExactFailed, ExactUnchecked int
}

// Summarise counts outcomes.
func Summarise(out []TrustOutcome) TrustSummary {
	var s TrustSummary
	for _, o := range out {
		s.Cases++
		if !o.Pass() {
			s.Failed++
		}
		if o.Err != "" {
			s.Errors++
			continue
		}
		if o.Resolved {
			s.Resolved++
		} else {
			s.Unresolved++
		}
		if strings.HasPrefix(o.RefFrom, "none") {
			s.NoReference++
			continue
		}
		if o.Resolved {
			s.Compared++
			if o.Outside3Sigma {
				s.Outside3Sigma++
			}
		}
		s.ExactChecked += o.ExactChecked
		s.ExactUnchecked += o.ExactUnchecked
		for _, f := range o.Failures {
			if strings.HasPrefix(f, "resolved rate") {
				s.BeyondTolerance++
			} else if strings.Contains(f, "(exact-") {
				s.ExactFailed++
			}
		}
	}
	return s
}

// TrustMarkdown writes the table and its summary as markdown.
func TrustMarkdown(out []TrustOutcome) string {
	var b strings.Builder
	b.WriteString("| case | family | backend | kramers κ̂ (E) | reference | z | verdict |\n|---|---|---|---|---|---|---|\n")
	for _, o := range out {
		got := "unresolved: " + strings.TrimPrefix(o.Note, "unresolved: ")
		if o.Err != "" {
			got = "error"
		} else if o.Resolved {
			got = fmt.Sprintf("%.5g ± %.2g (%d)", o.Rate, o.Sigma, o.Escaped)
		}
		ref := o.RefFrom
		if o.RefRate > 0 {
			ref = fmt.Sprintf("%.5g ± %.2g, %s", o.RefRate, o.RefErr, o.RefFrom)
		}
		z := ""
		if o.Resolved && o.RefRate > 0 {
			z = fmt.Sprintf("%+.2f", o.Z)
		}
		verdict := "pass"
		if !o.Pass() {
			verdict = "**FAIL**: " + strings.Join(append(o.Failures, errList(o.Err)...), "; ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", o.Name, o.Family, o.Backend, cell(got), cell(ref), z, cell(verdict))
	}
	s := Summarise(out)
	fmt.Fprintf(&b, "\n%d cases, %d failed (%d errors). Resolved %d, unresolved %d (%.1f%% of the runs that ran). ", s.Cases, s.Failed, s.Errors, s.Resolved, s.Unresolved, 100*float64(s.Unresolved)/math.Max(1, float64(s.Resolved+s.Unresolved)))
	fmt.Fprintf(&b, "Of %d resolved rates with a reference, %d beyond 2%% + 3σ and %d outside 3σ (%.1f%%; chance: 0.3%%). ", s.Compared, s.BeyondTolerance, s.Outside3Sigma, 100*float64(s.Outside3Sigma)/math.Max(1, float64(s.Compared)))
	fmt.Fprintf(&b, "%d theory values marked exact compared, %d differ from the reference (%d exact-continuous values of two-sided or 2-D questions unchecked). %d cases without a reference.\n", s.ExactChecked, s.ExactFailed, s.ExactUnchecked, s.NoReference)
	return b.String()
}

func errList(e string) []string {
	if e == "" {
		return nil
	}
	return []string{e}
}

// cell makes s safe inside a markdown table cell.
func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }
