package host

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/survival"
)

// escapeConfig is a run of the tilted 1-D double well over gen:neuron's 100 rows (as validate's
// cross-checks) with the given escape and noise.
func escapeConfig(escape string, noise NoiseModel) Config {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Data, cfg.Noise = "x^4/4 - x^2/2 + 3*f*x", "gen:neuron(n=100)", noise
	cfg.Batch, cfg.LR, cfg.Start, cfg.Escape = 5, 0.05, []float64{-1}, escape
	return cfg
}

// TestCheckPeriod: only a condition that uses the full-batch loss of a data landscape is checked
// less often than every iteration, with m = ⌈N·c_loss/(0.1·R·c_grad)⌉ (R = B for real SGD, N for
// sgd-cov); the configured period overrides it; CheckedAfter counts from iteration 0.
func TestCheckPeriod(t *testing.T) {
	cases := []struct {
		escape string
		noise  NoiseModel
		rows   float64 // R, rows of a step; 0: checked every iteration
	}{
		{"loss - loss_a > 0.1", Minibatch, 5},
		{"loss - loss_a > 0.1 && x > -1", SGDCov, 100},
		{"dist > 0.5", Minibatch, 0},
		{"x > 0.5", Minibatch, 0},
	}
	for _, c := range cases {
		p, err := Prepare(escapeConfig(c.escape, c.noise))
		if err != nil {
			t.Fatalf("%q: %v", c.escape, err)
		}
		want := 1
		if c.rows > 0 {
			want = max(1, int(math.Ceil(100*p.Eval.RowCostRatio()/(0.1*c.rows))))
		}
		if got := p.Escape.Period(); got != want {
			t.Errorf("%q (%s): m = %d, want %d", c.escape, c.noise, got, want)
		}
		if (want > 1) != (p.Escape.CheckNote != "") {
			t.Errorf("%q: m = %d but note %q", c.escape, want, p.Escape.CheckNote)
		}
	}
	// Without data the loss is one evaluation of the expression: every iteration.
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Escape = "doublewell(k=1)", "loss - loss_a > 0.5 && x > -1"
	p, err := Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Escape.Period() != 1 || !p.Escape.UsesLoss() {
		t.Errorf("loss without data: m = %d (uses loss %v), want 1", p.Escape.Period(), p.Escape.UsesLoss())
	}
	cfg.CheckEvery = 7
	if p, err = Prepare(cfg); err != nil {
		t.Fatal(err)
	}
	var checked []int
	for it := 0; it < 22; it++ {
		if p.Escape.CheckedAfter(it) {
			checked = append(checked, it)
		}
	}
	if p.Escape.Period() != 7 || len(checked) != 3 || checked[0] != 6 || checked[2] != 20 {
		t.Errorf("CheckEvery 7: m = %d, checked after iterations %v, want 6, 13, 20", p.Escape.Period(), checked)
	}
}

// TestMonitoringUnresolved: a rate whose τ̂ spans fewer than 100 check periods is withdrawn with
// the reason; one that spans more stays.
func TestMonitoringUnresolved(t *testing.T) {
	for _, c := range []struct {
		tau      float64 // τ̂ in iterations
		m        int
		resolved bool
	}{{5000, 100, false}, {20000, 100, true}, {50, 1, true}} {
		est := survival.EstimateFromCounts(1000, 100, 100*c.tau, 0.1)
		monitoringUnresolved(&est, c.m)
		if est.Resolved != c.resolved || (!c.resolved && !strings.Contains(est.Note, "check period m = 100")) {
			t.Errorf("τ̂ = %g, m = %d: resolved %v (%q), want %v", c.tau, c.m, est.Resolved, est.Note, c.resolved)
		}
	}
}

// TestEscapeNameSuggestion: a misspelt dist is refused with a suggestion.
func TestEscapeNameSuggestion(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Escape = "doublewell(k=1)", "dsit > 1"
	_, err := Prepare(cfg)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != "escape" || !strings.Contains(err.Error(), "did you mean dist?") {
		t.Errorf("--escape 'dsit > 1': %v, want an --escape error with \"did you mean dist?\"", err)
	}
}

// TestNoExitsBeyondSearch: d > MaxExitSearchDim without --escape is a NoExitsError (an input
// error, exit 2), refused before the exit search.
func TestNoExitsBeyondSearch(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Dim, cfg.Start = "sum((xi^2 - 1)^2 in xi)", MaxExitSearchDim+1, []float64{-1}
	_, err := Prepare(cfg)
	var ne *NoExitsError
	var ie *InputError
	if !errors.As(err, &ne) || !errors.As(err, &ie) || !strings.Contains(err.Error(), "d = 65 parameters") {
		t.Errorf("d = 65 without --escape: %v, want a NoExitsError", err)
	}
}
