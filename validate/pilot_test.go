package validate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestPilotProposesLossLevel: a degenerate minimum without --escape has no searchable exits
// (host.NoExitsError); the pilot on the reference measures L − L(a) at the minimum and the refusal
// proposes --escape 'loss - loss_a > δ' with δ = mean + 6 s.d. (host/escapecheck.go), an input
// error (exit code 2).
func TestPilotProposesLossLevel(t *testing.T) {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Start = "x^4 + y^4 - x^2*y^2/4 - x^5/5", []float64{0, 0}
	cfg.Noise, cfg.Temp, cfg.LR = host.SGLD, 0.1, 0.01
	_, err := host.Prepare(cfg)
	var ne *host.NoExitsError
	if !errors.As(err, &ne) {
		t.Fatalf("degenerate minimum without --escape: %v, want a NoExitsError", err)
	}
	open := func(host.Config) (host.Backend, error) { return NewCPU(), nil }
	pl, err := host.RunPilot(context.Background(), cfg, open)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pilot: %d particles × %d iterations, L − L(a) = %.4g ± %.4g, δ = %.4g", pl.Particles, pl.Iterations, pl.Mean, pl.SD, pl.Delta)
	if !(pl.Mean > 0) || !(pl.SD > 0) || math.Abs(pl.Delta-(pl.Mean+6*pl.SD)) > 1e-12*pl.Delta {
		t.Errorf("pilot mean %g, s.d. %g, δ %g: want positive moments and δ = mean + 6 s.d.", pl.Mean, pl.SD, pl.Delta)
	}
	err = host.ProposeEscape(context.Background(), cfg, ne, open)
	var ie *host.InputError
	want := fmt.Sprintf("give --escape 'loss - loss_a > %.3g'", pl.Delta)
	if !errors.As(err, &ie) || ie.Flag != "escape" || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "not strict") {
		t.Errorf("proposal: %v, want an --escape input error that says why and contains %q", err, want)
	}
	// The proposed level is a run: it parses, does not hold at the start, and is checked every
	// iteration (no data).
	cfg.Escape = fmt.Sprintf("loss - loss_a > %.3g", pl.Delta)
	if _, err := host.Prepare(cfg); err != nil {
		t.Errorf("the proposed %q does not prepare: %v", cfg.Escape, err)
	}
}
