package reproduce

import (
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host/jsonnum"
)

// F is the report's NaN-safe number: jsonnum.Number, written as null in results.json when NaN or
// ±Inf (an unresolved τ, a check without a prediction) and read back as NaN.
type F = jsonnum.Number

// Criterion kinds: how a Check's pass mark follows from its numbers.
const (
	// Within: |measured − predicted| ≤ RelTol·|predicted| + AbsTol + NSigma·σ.
	Within = "within"
	// Above: measured − NSigma·σ > Threshold.
	Above = "above"
	// AtLeast: measured ≥ Threshold.
	AtLeast = "at-least"
	// NoMark: a number reported without a pass mark.
	NoMark = "report"
)

// Status values of a Check.
const (
	StatusPass   = "pass"
	StatusFail   = "FAIL"
	StatusNoMark = "no mark"
	StatusNotRun = "not run"
	StatusError  = "error"
)

// Check is one row of the validation table: a measured number, its statistical uncertainty, what
// theory predicts, and the criterion of docs/theory.md §5 that decides the pass mark. Evaluate computes
// Status from these numbers alone.
type Check struct {
	Case      string `json:"case"`
	Name      string `json:"name"`
	Claim     string `json:"claim"`
	Measured  F      `json:"measured"`
	Sigma     F      `json:"sigma"`
	Predicted F      `json:"predicted"`
	Kind      string `json:"criterion"`
	RelTol    F      `json:"rel_tol"`
	AbsTol    F      `json:"abs_tol"`
	NSigma    F      `json:"n_sigma"`
	Threshold F      `json:"threshold"`
	// Require is an extra condition computed by the case (e.g. "τ spans ≥ 2 decades"); a false
	// value fails the check with RequireWhy.
	Require    *bool  `json:"require,omitempty"`
	RequireWhy string `json:"require_why,omitempty"`
	Status     string `json:"status"`
	Note       string `json:"note,omitempty"`
}

// Evaluate sets Status from the numbers. A check already marked not run or error keeps its status.
func (c *Check) Evaluate() {
	if c.Status == StatusNotRun || c.Status == StatusError {
		return
	}
	m, s, p := float64(c.Measured), float64(c.Sigma), float64(c.Predicted)
	if math.IsNaN(s) {
		s = 0
	}
	var ok bool
	switch c.Kind {
	case NoMark:
		c.Status = StatusNoMark
		return
	case Within:
		tol := float64(c.RelTol)*math.Abs(p) + orZero(c.AbsTol) + orZero(c.NSigma)*s
		ok = math.Abs(m-p) <= tol
	case Above:
		ok = m-orZero(c.NSigma)*s > float64(c.Threshold)
	case AtLeast:
		ok = m >= float64(c.Threshold)
	default:
		c.Status = StatusError
		c.Note = "unknown criterion " + c.Kind
		return
	}
	if math.IsNaN(m) {
		ok = false
	}
	if c.Require != nil && !*c.Require {
		ok = false
	}
	if ok {
		c.Status = StatusPass
	} else {
		c.Status = StatusFail
	}
}

func orZero(f F) float64 {
	if math.IsNaN(float64(f)) {
		return 0
	}
	return float64(f)
}

// ToleranceText describes the criterion in words.
func (c *Check) ToleranceText() string {
	switch c.Kind {
	case Within:
		s := ""
		if orZero(c.RelTol) > 0 {
			s = fmt.Sprintf("%g%%", 100*float64(c.RelTol))
		}
		if orZero(c.AbsTol) > 0 {
			if s != "" {
				s += " + "
			}
			s += fmt.Sprintf("%g", float64(c.AbsTol))
		}
		if orZero(c.NSigma) > 0 {
			if s != "" {
				s += " + "
			}
			s += fmt.Sprintf("%gσ", float64(c.NSigma))
		}
		if s == "" {
			s = "0"
		}
		return "|Δ| ≤ " + s
	case Above:
		if orZero(c.NSigma) > 0 {
			return fmt.Sprintf("> %g with %gσ", float64(c.Threshold), float64(c.NSigma))
		}
		return fmt.Sprintf("> %g", float64(c.Threshold))
	case AtLeast:
		return fmt.Sprintf("≥ %g", float64(c.Threshold))
	}
	return "—"
}

func boolp(b bool) *bool { return &b }

func nan() F { return jsonnum.NaN() }
