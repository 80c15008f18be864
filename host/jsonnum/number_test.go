package jsonnum

import (
	"encoding/json"
	"math"
	"testing"
)

// TestNumberJSON: a finite Number is written exactly as encoding/json writes the float64, NaN and
// ±Inf as null, and null reads back as NaN; Text leaves a non-finite value empty.
func TestNumberJSON(t *testing.T) {
	for _, v := range []float64{0, -0.1, 1.0 / 3, 6.02e23, 5e-324} {
		got, err := json.Marshal(Number(v))
		want, _ := json.Marshal(v)
		if err != nil || string(got) != string(want) {
			t.Errorf("%v: %s, want %s (%v)", v, got, want, err)
		}
		var back Number
		if err := json.Unmarshal(got, &back); err != nil || float64(back) != v {
			t.Errorf("%v read back as %v (%v)", v, back, err)
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got, _ := json.Marshal([]Number{Number(v)}); string(got) != "[null]" {
			t.Errorf("%v: %s, want [null]", v, got)
		}
		if Number(v).Finite() || Number(v).Text(4) != "" {
			t.Errorf("%v: finite %v, text %q", v, Number(v).Finite(), Number(v).Text(4))
		}
	}
	var n Number
	if err := json.Unmarshal([]byte("null"), &n); err != nil || !math.IsNaN(float64(n)) {
		t.Errorf("null read as %v (%v), want NaN", n, err)
	}
	if s := Number(1.0 / 3).Text(4); s != "0.3333" {
		t.Errorf("Text(4) of 1/3 = %q", s)
	}
}
