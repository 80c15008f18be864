// Package jsonnum holds Number, the NaN-safe float64 of the JSON files kramers writes. It imports
// nothing of the module, so that the estimators (host/survival), host and the packages above it
// share one type.
package jsonnum

import (
	"encoding/json"
	"math"
	"strconv"
)

// Number is a float64 that may be NaN or ±Inf (an unresolved τ, an open interval end) and still
// goes into JSON: MarshalJSON writes a non-finite value as null, and UnmarshalJSON reads null back
// as NaN. Finite values are written exactly as encoding/json writes a float64.
//
// Number is the one home of NaN-safe numbers in the files kramers writes: the run result's
// estimate (survival.Estimate's wire form), sweep points and plans (package host/sweep), and the
// reproduction's results.json (package host/reproduce) all use it.
type Number float64

// NaN is the Number written as null.
func NaN() Number { return Number(math.NaN()) }

// Finite reports whether n is neither NaN nor ±Inf.
func (n Number) Finite() bool { return isFinite(float64(n)) }

// MarshalJSON implements json.Marshaler: null for NaN and ±Inf.
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.Finite() {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// UnmarshalJSON implements json.Unmarshaler: null reads as NaN.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = NaN()
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Number(v)
	return nil
}

// Text formats n for a table cell or a CSV field with prec significant digits ('g'), and a
// non-finite n as the empty string (a missing value, as JSON's null).
func (n Number) Text(prec int) string {
	if !n.Finite() {
		return ""
	}
	return strconv.FormatFloat(float64(n), 'g', prec, 64)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
