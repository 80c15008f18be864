package host

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/kramers-sim/kramers/host/theory"
)

// Measurement is what one ensemble's first-passage records say about the escape rate, and how it
// compares with theory: the record that run, sweep, reproduce and the live view all print.
type Measurement struct {
	// Estimate is the reported rate: the quasi-stationary rate after the burn-in, or unresolved
	// with a one-line reason (no plateau, too few escapes, an unstable step size).
	Estimate        Estimate
	QuasiStationary QuasiStationary
	Stability       Stability
	Theory          map[string]theory.Prediction
	Comparisons     map[string]Comparison
	Warnings        []string
}

// Measurement returns the measurement record r was made from (Summarise copies its fields into the
// Result): the record that sweeps and reproductions read their numbers from.
func (r *Result) Measurement() Measurement {
	return Measurement{Estimate: r.Estimate, QuasiStationary: r.BurnIn, Stability: r.Stability, Theory: r.Theory,
		Comparisons: r.Comparisons, Warnings: r.Warnings}
}

// Comparison is a measured rate against one theory value.
type Comparison struct {
	Kind theory.Kind `json:"kind"`
	// Ratio is κ̂/κ_theory (equivalently τ_theory/τ̂).
	Ratio float64 `json:"ratio"`
	// Z is ln(κ̂/κ_theory)/σ with σ² = 1/E + RelErr² (the relative Poisson error of the censored
	// MLE, docs/theory.md §3, and the theory value's own numerical error).
	Z    float64 `json:"z"`
	Note string  `json:"note,omitempty"`
}

// Too-small and O(η) thresholds of the warnings, stated where they are used.
const (
	// minEscapesPrecise is the escape count below which the warning "too small" is given: with
	// fewer than 100 escapes the relative error 1/√E exceeds 10%.
	minEscapesPrecise = 100
	// biasEtaLambda is the η·λ_max above which a continuous-time comparison gets the O(η) caution:
	// docs/theory.md §4.3 measured −13% at η·H_a = 0.06 and −6% at 0.03 on pwq.
	biasEtaLambda = 0.01
)

// Measure turns a tally of first-passage records after `iterations` iterations into the
// reported estimate with its checks. predictions are Predictions(p), computed once by the caller.
func Measure(p *Problem, t Tally, iterations int, predictions map[string]theory.Prediction) Measurement {
	cfg := p.Config
	m := Measurement{Theory: predictions, Stability: p.StepStability(), Comparisons: map[string]Comparison{}}
	m.QuasiStationary = EstimateQuasiStationary(t.FirstPassages, t.Live(), iterations, cfg.LR, p.burnInOptions())
	m.Estimate = m.QuasiStationary.Estimate
	e := &m.Estimate
	if !e.Resolved && !strings.HasPrefix(e.Note, "unresolved") {
		e.Note = "unresolved: " + e.Note
	}
	unresolve := func(reason string) {
		e.Rate, e.Tau, e.TauIterations, e.Resolved = nil, nil, nil, false
		e.Note = "unresolved: " + reason
	}
	switch st := m.Stability; {
	case st.Unstable:
		unresolve(st.Reason())
	case st.Overshoot:
		m.Warnings = append(m.Warnings, st.Warning())
	}
	if w := PrecisionWarning(p); w != "" {
		m.Warnings = append(m.Warnings, w)
	}
	if t.Diverged > 0 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%d of %d particles diverged before escaping (NaN, Inf or more than %g from the minimum); they are left out of the rate", t.Diverged, t.Particles, p.Bound))
	}
	if t.LateDiverged > 0 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%d particles ran off after escaping (the landscape is unbounded below beyond the exit); their first passages count, and they are frozen where they left the box", t.LateDiverged))
	}
	qs := m.QuasiStationary
	if qs.Warning != "" {
		m.Warnings = append(m.Warnings, qs.Warning)
	}
	if e.Resolved {
		if qs.Window.Escaped > 0 && float64(qs.Window.Escaped-e.Escaped) > 0.5*float64(qs.Window.Escaped) {
			m.Warnings = append(m.Warnings, fmt.Sprintf("short window: the burn-in t0 = %.4g removed %d of %d escapes; a longer run (--steps) firms up the quasi-stationary rate", qs.BurnInTime, qs.Window.Escaped-e.Escaped, qs.Window.Escaped))
		}
		if e.Escaped < minEscapesPrecise {
			m.Warnings = append(m.Warnings, fmt.Sprintf("only %d escapes after the burn-in: the rate is known to about ±%.0f%%; for ±10%% aim at 400 escapes (more --particles or --steps)", e.Escaped, 200/math.Sqrt(float64(e.Escaped))))
		}
	}
	m.compare(p)
	return m
}

// burnInOptions fixes the burn-in: the one given in the configuration, or automatic with a floor
// of one relaxation time 1/λ_min(H_a) of the well (docs/theory.md §3).
func (p *Problem) burnInOptions() BurnInOptions {
	opt := BurnInOptions{BurnIn: -1}
	if p.Config.BurnIn != nil {
		opt.BurnIn = int(math.Round(*p.Config.BurnIn / p.Config.LR))
		return opt
	}
	if ev := p.Analysis.HessianMinEigenvalues; len(ev) > 0 && ev[0] > 0 {
		opt.MinBurnIn = int(math.Ceil(1 / (ev[0] * p.Config.LR)))
	}
	return opt
}

// compare fills the comparisons of the estimate with every theory value that has a rate.
func (m *Measurement) compare(p *Problem) {
	e := m.Estimate
	if !e.Resolved || e.Rate == nil {
		return
	}
	names := make([]string, 0, len(m.Theory))
	for k := range m.Theory {
		names = append(names, k)
	}
	sort.Strings(names)
	_, haveDiscrete := m.Theory["discrete"]
	biasWarned := false
	for _, k := range names {
		th := m.Theory[k]
		if th.Rate == nil || !(*th.Rate > 0) {
			continue
		}
		lr := math.Log(*e.Rate / *th.Rate)
		sigma := math.Sqrt(1/float64(e.Escaped) + th.RelErr*th.RelErr)
		c := Comparison{Kind: th.Kind, Ratio: *e.Rate / *th.Rate, Z: lr / sigma}
		if th.Kind != theory.ExactDiscrete && m.Stability.LambdaMax*p.Config.LR >= biasEtaLambda {
			c.Note = fmt.Sprintf("a continuous-time value: discrete SGD at η·λ_max = %.3g differs from it by its O(η) bias", m.Stability.LambdaMax*p.Config.LR)
			if haveDiscrete {
				c.Note += "; the exact-discrete value has no such bias"
			} else {
				c.Note += "; use --extrapolate for η → 0"
			}
			if math.Abs(c.Z) > 3 && !biasWarned {
				biasWarned = true
				m.Warnings = append(m.Warnings, fmt.Sprintf("the rate differs from the continuous-time %s value by %.1fσ (ratio %.3f) at η·λ_max = %.3g: the O(η) discretisation bias (docs/theory.md §4.3); compare with the exact-discrete value or run --extrapolate", k, c.Z, c.Ratio, m.Stability.LambdaMax*p.Config.LR))
			}
		}
		m.Comparisons[k] = c
	}
}
