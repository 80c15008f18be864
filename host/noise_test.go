package host

import (
	"strings"
	"testing"
)

// TestNoiseSpecs: the table describes each model once, with known parameters and theory keys,
// and ParseNoise reads names, cases, synonyms and typos from it.
func TestNoiseSpecs(t *testing.T) {
	seen := map[NoiseModel]bool{}
	theoryKeys := map[string]bool{}
	for _, k := range TheoryPreference {
		theoryKeys[k] = true
	}
	for _, s := range NoiseSpecs {
		if seen[s.Model] {
			t.Errorf("%s described twice", s.Model)
		}
		seen[s.Model] = true
		for _, p := range s.Params {
			if _, ok := NoiseParams[p]; !ok {
				t.Errorf("%s uses %q, which is not in NoiseParams", s.Model, p)
			}
		}
		for _, k := range s.Theory {
			if !theoryKeys[k] {
				t.Errorf("%s lists theory %q, which TheoryPreference does not know", s.Model, k)
			}
		}
		if s.Model.IsData() != s.NeedsData {
			t.Errorf("%s: IsData %v, NeedsData %v", s.Model, s.Model.IsData(), s.NeedsData)
		}
	}
	for _, m := range []NoiseModel{SGLD, SGDHessian, SGDHessianMin, SGDLoss, Minibatch, SGDCov} {
		if !seen[m] {
			t.Errorf("%s has no NoiseSpec", m)
		}
	}
	for _, c := range []struct{ in, model, hint string }{
		{"SGLD", "sgld", ""},
		{" sgd-cov ", "sgd-cov", ""},
		{"langevin", "", "sgld"},
		{"sgd", "", "sgd-hessian or sgd-loss or minibatch"},
		{"sgd-hesian", "", "sgd-hessian"},
		{"minibach", "", "minibatch"},
		{"banana", "", ""},
	} {
		m, hint, ok := ParseNoise(c.in)
		if ok != (c.model != "") || (ok && string(m) != c.model) || hint != c.hint {
			t.Errorf("ParseNoise(%q) = %q, %q, %v; want %q, %q", c.in, m, hint, ok, c.model, c.hint)
		}
	}
	if !SGLD.Uses("temp") || SGLD.Uses("batch") || !Minibatch.Uses("batch") || Minibatch.Uses("floor") || !SGDCov.Uses("lr") {
		t.Error("Uses disagrees with the table")
	}
	if msg := UnknownNoise("banana", ""); !strings.Contains(msg, "minibatch") || !strings.Contains(msg, "sgld") {
		t.Errorf("UnknownNoise lists not every model: %s", msg)
	}
}
