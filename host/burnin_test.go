package host

import (
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/survival"
)

// TestAdviseBurnIn checks that the remedies host adds to the estimator's findings name the flags
// in the places the run's reason has always had them: after the finding, before the detail of a
// fall, and in the estimate's note as in the reason.
func TestAdviseBurnIn(t *testing.T) {
	auto := survival.BurnInOptions{BurnIn: survival.AutoBurnIn}
	cases := []struct {
		name   string
		fp     []uint32
		opt    survival.BurnInOptions
		prefix string
		suffix string
	}{
		{"too few escapes after a fall", []uint32{1, 2, 3}, auto,
			"too few escapes after the burn-in t0 = 0 (0 iterations): 3 (< 10); run more particles or longer (--steps); before it, the hazard falls", ")"},
		{"window before the floor", []uint32{1, 2, 3}, survival.BurnInOptions{BurnIn: survival.AutoBurnIn, MinBurnIn: 600},
			"the window of 500 iterations ends before the minimum burn-in of 600", ": run longer (--steps)"},
		{"given burn-in past the window", []uint32{1, 2, 3}, survival.BurnInOptions{BurnIn: 500},
			"the given burn-in of 500 iterations", ": give a smaller --burn-in or run longer (--steps)"},
	}
	for _, c := range cases {
		q := survival.EstimateQuasiStationary(c.fp, 100, 500, 0.01, c.opt)
		if strings.Contains(q.Reason, "--") {
			t.Errorf("%s: the estimator names a flag: %q", c.name, q.Reason)
		}
		adviseBurnIn(&q)
		if !strings.HasPrefix(q.Reason, c.prefix) || !strings.HasSuffix(q.Reason, c.suffix) || q.Estimate.Note != q.Reason {
			t.Errorf("%s: reason %q, note %q", c.name, q.Reason, q.Estimate.Note)
		}
	}
	for k := survival.FewEscapes; k <= survival.WidenedForRamp; k++ {
		if _, remedy := burnInRemedy(k); !strings.Contains(remedy, "--") {
			t.Errorf("finding %d has no remedy naming a flag: %q", k, remedy)
		}
	}
}
