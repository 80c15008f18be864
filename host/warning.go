package host

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host/survival"
)

// WarningKind says what a Warning is about, so that code can act on it (Merge combines the
// warnings of shards by kind) without reading its text.
type WarningKind string

// The kinds of warning that Measure gives, and WarnOther for a warning whose kind is unknown (one
// read back from JSON, where a warning is only its message).
const (
	WarnOther        WarningKind = "other"
	WarnStability    WarningKind = "stability"     // 1 ≤ η·λ_max(H) < 2: gradient descent overshoots (Stability.Warning)
	WarnPrecision    WarningKind = "precision"     // float32 cannot resolve the run (PrecisionWarning)
	WarnDiverged     WarningKind = "diverged"      // particles diverged before escaping
	WarnLateDiverged WarningKind = "late-diverged" // particles ran off after escaping
	WarnBurnIn       WarningKind = "burn-in"       // the hazard has not settled after a given burn-in
	WarnShortWindow  WarningKind = "short-window"  // the window is short for the quasi-stationary rate
	WarnFewEscapes   WarningKind = "few-escapes"   // fewer than 100 escapes after the burn-in
	WarnBias         WarningKind = "bias"          // O(η) discretisation bias against a continuous-time value
	WarnFFS          WarningKind = "ffs"           // forward flux sampling: capped trials, stages extended
)

// Warning is a caution about a measurement: a kind for the program and a message for people. In
// JSON it is its message alone (the "warnings" of the contract are a list of strings); a string
// read back becomes a Warning of kind WarnOther.
type Warning struct {
	Kind    WarningKind
	Message string
}

func (w Warning) String() string { return w.Message }

// MarshalJSON writes the message as a JSON string.
func (w Warning) MarshalJSON() ([]byte, error) { return json.Marshal(w.Message) }

// UnmarshalJSON reads a JSON string as a Warning of kind WarnOther.
func (w *Warning) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*w = Warning{Kind: WarnOther, Message: s}
	return nil
}

// The producers below are the one home of each warning's text; Measure and Merge call them in the
// same order: stability, precision, divergence, the burn-in, the window, the escape count, bias.

// StabilityWarning is the caution for 1 ≤ η·λ_max < 2 (an unstable step, ≥ 2, leaves the rate
// unresolved instead).
func StabilityWarning(st Stability) (Warning, bool) {
	if !st.Overshoot || st.Unstable {
		return Warning{}, false
	}
	return Warning{Kind: WarnStability, Message: st.Warning()}, true
}

// divergedWarning is the warning about particles that diverged before escaping: what (a sentence
// with the counts) and, when the step size overshoots or is unstable, the stability limit of
// gradient descent as the likely cause and its remedy.
func divergedWarning(what string, st Stability) Warning {
	if st.Overshoot && st.LambdaMax > 0 {
		what += fmt.Sprintf("; η·λ_max(H) = %.3g, and gradient descent is stable only for η·λ_max(H) < 2: lower --lr below %.3g", st.EtaLambda, st.MaxStable)
	}
	return Warning{Kind: WarnDiverged, Message: what}
}

// lateDivergedWarning is the warning about n particles that ran off after escaping.
func lateDivergedWarning(n int) Warning {
	return Warning{Kind: WarnLateDiverged, Message: fmt.Sprintf("%d particles ran off after escaping (the landscape is unbounded below beyond the exit); their first passages count, and they are frozen where they left the box", n)}
}

// quasiStationaryWarning is q.Warning with its kind: a widened interval says the window is
// short; otherwise the hazard had not settled after a given burn-in.
func quasiStationaryWarning(q survival.QuasiStationary) (Warning, bool) {
	if q.Warning == "" {
		return Warning{}, false
	}
	if q.Widened {
		return Warning{Kind: WarnShortWindow, Message: q.Warning}, true
	}
	return Warning{Kind: WarnBurnIn, Message: q.Warning}, true
}

// estimateWarnings are the cautions about a resolved estimate e after the burn-in of q: a burn-in
// that removed most escapes, and too few escapes for a precise rate.
func estimateWarnings(q survival.QuasiStationary, e survival.Estimate) []Warning {
	if !e.Resolved {
		return nil
	}
	var ws []Warning
	if q.Window.Escaped > 0 && float64(q.Window.Escaped-e.Escaped) > 0.5*float64(q.Window.Escaped) {
		ws = append(ws, Warning{Kind: WarnShortWindow, Message: fmt.Sprintf("short window: the burn-in t0 = %.4g removed %d of %d escapes; a longer run (--steps) firms up the quasi-stationary rate", q.BurnInTime, q.Window.Escaped-e.Escaped, q.Window.Escaped)})
	}
	if e.Escaped < minEscapesPrecise {
		ws = append(ws, Warning{Kind: WarnFewEscapes, Message: fmt.Sprintf("only %d escapes after the burn-in: the rate is known to about ±%.0f%%; for ±10%% aim at 400 escapes (more --particles or --steps)", e.Escaped, 200/math.Sqrt(float64(e.Escaped)))})
	}
	return ws
}
