package host

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/survival"
	"github.com/kramers-sim/kramers/host/theory"
)

// TestComparisonWithholdsZWhereErrorUnbounded: a z is given against the exact kinds, whose error is
// their stated numerical accuracy, and withheld, with the kind and the assumption, against the
// asymptotic and approximate kinds (docs/theory.md §4, "Comparisons"). The case of issue 21: a
// path value 10× the measured rate with 10⁴ escapes once read z = −230; now it reads ratio 0.1
// and why there is no z. Exact arithmetic: z = ln(0.1)/sqrt(1/10⁴ + RelErr²).
func TestComparisonWithholdsZWhereErrorUnbounded(t *testing.T) {
	rate := 1.0
	theoryRate := 10.0
	cases := []struct {
		kind     theory.Kind
		reason   string
		wantZ    bool
		contains string
	}{
		{theory.ExactDiscrete, "", true, ""},
		{theory.ExactContinuous, "estimated relative quadrature error 1e-05", true, ""},
		{theory.Asymptotic, "", false, "asymptotic: a low-noise limit"},
		{theory.Approximate, "approximate: the escape reduced to the minimum-energy path (1.2 long to the escape point)", false, "it rests on: the escape reduced to the minimum-energy path"},
	}
	for _, c := range cases {
		th := map[string]theory.Prediction{"v": {Name: "v", Kind: c.kind, Rate: &theoryRate, Reason: c.reason, RelErr: 1e-5, Formula: "a formula"}}
		cmp, _ := compare(survival.Estimate{Resolved: true, Rate: &rate, Escaped: 10000}, th, "", Stability{}, 0.01)
		got, ok := cmp["v"]
		if !ok {
			t.Fatalf("%s: no comparison", c.kind)
		}
		if math.Abs(got.Ratio-0.1) > 1e-12 {
			t.Errorf("%s: ratio %g, want 0.1", c.kind, got.Ratio)
		}
		z, bounded := got.Verdict()
		wantZ := math.Log(0.1) / math.Sqrt(1e-4+1e-10)
		if bounded != c.wantZ || bounded && math.Abs(z-wantZ) > 1e-9 {
			t.Errorf("%s: Verdict() = %g, %v; want %v (z %g)", c.kind, z, bounded, c.wantZ, wantZ)
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		_, hasZ := m["z"]
		why, _ := m["z_withheld"].(string)
		if hasZ != c.wantZ || (why == "") == !c.wantZ || !strings.Contains(why, c.contains) {
			t.Errorf("%s: JSON %s: want z present %v, z_withheld containing %q", c.kind, b, c.wantZ, c.contains)
		}
		var back Comparison
		if err := json.Unmarshal(b, &back); err != nil || back.Kind != c.kind || back.Ratio != got.Ratio || (back.Z != 0) != c.wantZ {
			t.Errorf("%s: read back %+v (%v) from %s", c.kind, back, err, b)
		}
	}
}
