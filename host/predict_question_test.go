package host

import (
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/survival"
)

// Theory answers the run's question or says it does not (issue 20, rows 2 and 5; docs/theory.md
// §4, "Which question a value answers").

// threeWells is the landscape of issue 20's rows 1 and 2: the start well at 0 between a deeper
// well at −3 and one at 2.5.
const threeWells = "-exp(-(x+3)^2*2) - 0.8*exp(-2*x^2) - 1.5*exp(-2*(x-2.5)^2) + 0.01*x^2"

func prepareSGLD(t *testing.T, landscape string, start []float64, escape string, temp, lr float64) *Problem {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Start, cfg.Escape, cfg.Noise, cfg.Temp, cfg.LR = landscape, start, escape, SGLD, temp, lr
	cfg.Backend = CPU
	p, err := Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Row 2: the default escape of the three-well landscape has two exits, and the exact per-exit
// values are competing risks: both exits absorb, exit i's rate is the total times its share.
// Once exit 1 got 1.047e-4 from a one-sided chain whose left side did not absorb (its
// quasi-stationary state then sat in the deep well at −3). The issue estimated about 9.7e-4
// (τ = 767, share 0.748); the two-sided chain at the run's own thresholds gives 9.629e-4
// (τ = 783.8, share 0.7547), which Monte Carlo of the same chain confirms (theory's
// TestChainTwoSidedThreeWells) — the figure is 0.7% higher, within the 1.5% allowed here.
// The per-exit rates must add up to the total (to rounding) and name the competing-risks question.
func TestQuestionPerExitCompetingRisks1D(t *testing.T) {
	p := prepareSGLD(t, threeWells, []float64{0}, "", 0.12, 0.05)
	if p.Escape.Kind != EscapeExits || len(p.Escape.Surfaces) != 2 {
		t.Fatalf("escape %s: want the two exits", p.Escape.Text)
	}
	total := Predictions(p)["discrete"]
	if total.Rate == nil {
		t.Fatalf("no exact total: %s", total.Reason)
	}
	if total.Question != p.RunQuestion() {
		t.Errorf("the total answers %q, the run asks %q", total.Question, p.RunQuestion())
	}
	per := p.exitPredictions()
	sum := 0.0
	for i, m := range per {
		d := m["discrete"]
		if d.Rate == nil {
			t.Fatalf("exit %d: no exact value: %s", i+1, d.Reason)
		}
		if !strings.Contains(d.Question, "all 2 exits absorbing") {
			t.Errorf("exit %d: question %q does not say that every exit absorbs", i+1, d.Question)
		}
		sum += *d.Rate
		t.Logf("exit %d (b = %v): exact-discrete rate %.5g (τ = %.5g), %s", i+1, p.Escape.Surfaces[i].Point, *d.Rate, *d.Tau, d.Formula)
	}
	if d := math.Abs(sum / *total.Rate - 1); d > 1e-12 {
		t.Errorf("per-exit rates add up to %.10g, the total is %.10g", sum, *total.Rate)
	}
	exit1 := *per[0]["discrete"].Rate
	t.Logf("total τ = %.5g; exit 1 %.5g against the issue's ≈ 9.7e-4", *total.Tau, exit1)
	if math.Abs(exit1/9.7e-4-1) > 0.015 {
		t.Errorf("exit 1: %.5g, want about 9.7e-4 (within 1.5%%)", exit1)
	}
}

// Row 5: an escape set inside the well, before the saddle (radius(0.6) about a = −1, or
// x > −0.4, on doublewell whose saddle is at 0). No saddle-crossing formula answers it: Eyring–
// Kramers is n/a with the reason and never compared, while the exact chain answers it (one-sided
// or two-sided). Beyond the saddle (x > 0.5) Eyring–Kramers answers the run's question again, and
// still does when the set also takes the outer wall where L − L(a) = 5.0, 20 noise units above the
// barrier (x < −1.8), but not where the wall is below the saddle level (x < −1.4: L − L(a) = 0.92).
func TestQuestionEscapeInsideWell(t *testing.T) {
	for _, tc := range []struct {
		escape   string
		inside   bool
		twoSided bool
	}{
		{"radius(0.6)", true, true},
		{"x > -0.4", true, false},
		{"abs(x + 1) > 0.6", true, true},
		{"x > 0.5", false, false},
		{"x > 0.5 or x < -1.8", false, true},
		{"x > 0.5 or x < -1.4", true, true},
	} {
		p := prepareSGLD(t, "doublewell(k=1)", nil, tc.escape, 0.2, 0.01)
		th := Predictions(p)
		ek, disc, quad := th["eyring_kramers"], th["discrete"], th["quadrature"]
		t.Logf("%s: eyring_kramers %v (%s); discrete %v; quadrature %v (%s)", tc.escape, ptrVal(ek.Tau), ek.Reason, ptrVal(disc.Tau), ptrVal(quad.Tau), quad.Reason)
		if disc.Rate == nil || disc.Question != p.RunQuestion() {
			t.Errorf("%s: the exact chain does not answer the run's question: %v, %q", tc.escape, ptrVal(disc.Tau), disc.Reason)
		}
		if tc.inside != (ek.Rate == nil) {
			t.Errorf("%s: Eyring–Kramers %v, want a value only beyond the saddle (%s)", tc.escape, ptrVal(ek.Tau), ek.Reason)
		}
		if tc.inside && !strings.Contains(ek.Reason, "inside the well") {
			t.Errorf("%s: the reason does not say the set cuts the well: %s", tc.escape, ek.Reason)
		}
		if tc.twoSided != (quad.Rate == nil) {
			t.Errorf("%s: quadrature %v (%s): the continuous value is one-sided only", tc.escape, ptrVal(quad.Tau), quad.Reason)
		}
		// A resolved estimate is compared with the values that answer its question only.
		rate := *disc.Rate
		cmp, _ := compare(survival.Estimate{Resolved: true, Rate: &rate, Escaped: 1000}, th, p.RunQuestion(), Stability{}, p.Config.LR)
		if _, ok := cmp["eyring_kramers"]; ok == tc.inside {
			t.Errorf("%s: eyring_kramers compared = %v", tc.escape, ok)
		}
		if _, ok := cmp["discrete"]; !ok {
			t.Errorf("%s: the exact value is not compared", tc.escape)
		}
	}
}

// A user condition that covers both exits of the three-well basin is compared with
// Eyring–Kramers summed over both (the default escape's total); one that covers only exit 1 lets
// particles leave through exit 2 into a region that is neither the basin nor the escape set, so
// no saddle-crossing formula answers it, while the exact one-sided chain still does.
func TestQuestionCustomConditionCoverage(t *testing.T) {
	def := Predictions(prepareSGLD(t, threeWells, []float64{0}, "", 0.12, 0.05))["eyring_kramers"]
	both := Predictions(prepareSGLD(t, threeWells, []float64{0}, "x > 1.8 or x < -2.3", 0.12, 0.05))
	one := Predictions(prepareSGLD(t, threeWells, []float64{0}, "x > 1.8", 0.12, 0.05))
	if def.Rate == nil || both["eyring_kramers"].Rate == nil {
		t.Fatalf("Eyring–Kramers: default %v, both exits %v (%s)", ptrVal(def.Tau), ptrVal(both["eyring_kramers"].Tau), both["eyring_kramers"].Reason)
	}
	if d := math.Abs(*both["eyring_kramers"].Rate / *def.Rate - 1); d > 1e-12 {
		t.Errorf("covering both exits: Eyring–Kramers %.8g, the sum over both exits is %.8g", *both["eyring_kramers"].Rate, *def.Rate)
	}
	if ek := one["eyring_kramers"]; ek.Rate != nil || !strings.Contains(ek.Reason, "does not cover exit 2") {
		t.Errorf("x > 1.8: Eyring–Kramers %v (%s), want n/a naming exit 2", ptrVal(ek.Tau), ek.Reason)
	}
	if one["discrete"].Rate == nil {
		t.Errorf("x > 1.8: no exact one-sided value: %s", one["discrete"].Reason)
	}
	t.Logf("both exits: τ_EK = %.5g, discrete %.5g; x > 1.8: discrete τ = %.5g; %s", *both["eyring_kramers"].Tau, ptrVal(both["discrete"].Tau), ptrVal(one["discrete"].Tau), one["eyring_kramers"].Reason)
}

// On a separable landscape a coordinate with an exit on each side now has exact values: the
// three-well landscape plus y² is the 1-D problem in x, so its total and per-exit exact values
// must equal the 1-D ones to the chains' accuracy (their estimated relative errors, below 1e-4;
// the minimum differs by 2e-5 in x, which moves no quasi-stationary value at that level).
func TestQuestionSeparableBothSides(t *testing.T) {
	p1 := prepareSGLD(t, threeWells, []float64{0}, "", 0.12, 0.05)
	p2 := prepareSGLD(t, threeWells+" + y^2", []float64{0, 0}, "", 0.12, 0.05)
	t1, t2 := Predictions(p1)["discrete"], Predictions(p2)["discrete"]
	if t1.Rate == nil || t2.Rate == nil {
		t.Fatalf("no exact totals: 1-D %s; 2-D %s", t1.Reason, t2.Reason)
	}
	tol := 3e-4
	if d := math.Abs(*t2.Rate / *t1.Rate - 1); d > tol {
		t.Errorf("total: 2-D %.8g, 1-D %.8g (relative difference %.2e > %g)", *t2.Rate, *t1.Rate, d, tol)
	}
	e1, e2 := p1.exitPredictions(), p2.exitPredictions()
	for i := range e1 {
		r1, r2 := e1[i]["discrete"].Rate, e2[i]["discrete"].Rate
		if r1 == nil || r2 == nil {
			t.Fatalf("exit %d: 1-D %s; 2-D %s", i+1, e1[i]["discrete"].Reason, e2[i]["discrete"].Reason)
		}
		t.Logf("exit %d: 1-D %.8g, 2-D %.8g", i+1, *r1, *r2)
		if d := math.Abs(*r2 / *r1 - 1); d > tol {
			t.Errorf("exit %d: 2-D %.8g, 1-D %.8g (relative difference %.2e > %g)", i+1, *r2, *r1, d, tol)
		}
	}
}

func ptrVal(v *float64) any {
	if v == nil {
		return "n/a"
	}
	return *v
}
