package validate

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kramers-sim/kramers/host"
)

// TestTrustQuick is the quick form of the trust suite (issue 20, item 5; docs/architecture.md,
// "The trust suite"): the named cases of issue 20 and a handful of random 1-D and rotated 2-D
// questions from QuickTrust's fixed seed, on the CPU reference. Every case must meet every
// criterion of trust.go: a resolved rate within 2% + 3σ of its exact or brute-force reference
// (σ the Poisson error κ̂/√E of docs/theory.md §3 combined with the reference's), every theory value
// marked exact within its stated accuracy (at least 1e-3) of the reference, no saddle-crossing
// formula for a threshold inside the well, and the start minimum that gradient flow reaches. An
// unresolved rate is allowed (it is no wrong answer) but at most half the random cases may be
// unresolved: a suite that resolves nothing would check nothing.
func TestTrustQuick(t *testing.T) {
	cpu := OpenCPU
	began := time.Now()
	cases := TrustCases(QuickTrust())
	t.Logf("%d cases generated in %v", len(cases), time.Since(began))
	out := RunTrust(cases, host.CPU, cpu, func(o TrustOutcome) {
		t.Logf("%s: %s", o.Name, rowText(o))
	})
	t.Logf("table:\n%s", TrustMarkdown(out))
	random, unresolved := 0, 0
	for _, o := range out {
		if !o.Pass() {
			t.Errorf("%s: %s\n\tkramers run %s", o.Name, rowText(o), o.Command)
		}
		if o.Family != "issue 20" {
			random++
			if !o.Resolved {
				unresolved++
			}
		}
	}
	if random == 0 || 2*unresolved > random {
		t.Errorf("%d of %d random cases unresolved: more than half, the suite checks too little", unresolved, random)
	}
}

// rowText is one outcome on one line.
func rowText(o TrustOutcome) string {
	s := fmt.Sprintf("resolved %v κ̂ %.5g ± %.2g (E %d), reference %.5g ± %.2g (%s), z %+.2f", o.Resolved, o.Rate, o.Sigma, o.Escaped, o.RefRate, o.RefErr, o.RefFrom, o.Z)
	if o.Note != "" {
		s += "; " + o.Note
	}
	for _, f := range o.Failures {
		s += "; FAIL " + f
	}
	if o.Err != "" {
		s += "; ERROR " + o.Err
	}
	return s
}

// TestTrustCasesDeterministic: the same seed gives the same random cases (the fixed seed is the
// whole of the suite's randomness), and every generated 1-D case is long enough for trustRunTaus
// escape times of its reference.
func TestTrustCasesDeterministic(t *testing.T) {
	opt := QuickTrust()
	draw := func() []TrustCase {
		r := newTrustRand(opt.Seed)
		var cases []TrustCase
		for i := 0; len(cases) < 2 && i < 40; i++ {
			if c, ok := wells1DCase(r, i, opt); ok {
				cases = append(cases, c)
			}
		}
		return cases
	}
	a, b := draw(), draw()
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("%d and %d cases drawn, want 2", len(a), len(b))
	}
	for i := range a {
		if !reflect.DeepEqual(a[i].Config, b[i].Config) || a[i].Name != b[i].Name {
			t.Errorf("case %d differs between two draws: %s / %s", i, a[i].Name, b[i].Name)
		}
		ref, err := a[i].reference(nil, nil)
		if err != nil || float64(a[i].Config.Steps)*ref.Rate*a[i].Config.LR < trustRunTaus {
			t.Errorf("%s: %d steps for a reference rate %g (err %v): shorter than %d escape times", a[i].Name, a[i].Config.Steps, ref.Rate, err, trustRunTaus)
		}
	}
}
