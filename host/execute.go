package host

import (
	"context"
	"fmt"

	"github.com/kramers-sim/kramers/host/survival"
)

// Execute and Summarise are the two halves of one run around the chunk loop (run.go): Execute
// loads the ensemble, runs Loop and calls Summarise; Summarise reads the records back once and
// turns them into a Result through Measure (measure.go). ExecuteFrom (checkpoint.go) is Execute
// resumed from a checkpoint.

// Execute loads p into the backend, runs the chunk loop and reduces the records into a Result.
// A cancelled ctx gives a partial Result, not an error.
func Execute(ctx context.Context, p *Problem, b Backend, opt RunOptions) (*Result, error) {
	first, count := p.Config.Span()
	if err := b.Load(p, first, count); err != nil {
		return nil, fmt.Errorf("load %d particles on %s: %w", count, b.Name(), err)
	}
	st, err := Loop(ctx, p, b, opt)
	if err != nil {
		return nil, err
	}
	return Summarise(p, b, st)
}

// Summarise reads the records back once and turns them into a Result.
func Summarise(p *Problem, b Backend, st LoopStats) (*Result, error) {
	cfg := p.Config
	first, count := cfg.Span()
	recs, err := b.Records()
	if err != nil {
		return nil, fmt.Errorf("read back first-passage records: %w", err)
	}
	t := TallyRecords(recs)
	hist := survival.NewHistogram(cfg.Steps, 200)
	for _, s := range t.FirstPassages {
		hist.Add(s)
	}
	m := Measure(p, t, st.Iterations, Predictions(p))
	res := &Result{
		Version: Version, Partial: st.Interrupted || st.Iterations < cfg.Steps, Config: cfg, ConfigHash: cfg.Hash(),
		Particles: count, First: first, Steps: st.Iterations, LR: cfg.LR, Estimate: m.Estimate,
		Diverged: t.Diverged, DivergedAfterEscape: t.LateDiverged, EscapedTotal: len(t.FirstPassages), Backend: b.Name(), Renderer: b.Renderer(),
		Seconds: st.Stepping.Seconds(), Analysis: p.Analysis, Escape: p.Escape, Noise: p.Noise, Data: p.Data,
		Survival: survival.Curve(t.FirstPassages, t.Live(), st.Iterations, cfg.LR, 50), Histogram: hist,
		Theory: m.Theory, Question: p.RunQuestion(), BurnIn: m.QuasiStationary, Stability: m.Stability, Comparisons: m.Comparisons,
		Warnings: m.Warnings,
	}
	res.ExposureIterations = float64(m.Estimate.Exposure) / cfg.LR
	for _, w := range p.EscapeWarnings {
		res.EscapeCautions = append(res.EscapeCautions, w.Message)
	}
	if st.Stepping > 0 {
		res.ParticleStepsPerSecond = float64(count) * float64(st.Iterations-firstIteration(st)) / st.Stepping.Seconds()
		res.HostShare = 1 - st.Dispatch.Seconds()/st.Stepping.Seconds()
	}
	if !cfg.Absorb {
		res.Basin = st.Basin
	}
	if p.Escape.Kind == EscapeExits && cfg.Absorb {
		// Which exit each particle took: where it froze (exitResults). One read-back of the
		// positions, only for basins with several exits.
		pos, err := b.Positions()
		if err != nil {
			return nil, fmt.Errorf("read back positions for the exits: %w", err)
		}
		res.Exits = exitResults(p, recs, pos, m.Estimate, m.QuasiStationary.BurnIn)
	}
	return res, nil
}

func firstIteration(st LoopStats) int { return st.Iterations - st.StepsThisRun() }

// StepsThisRun is the number of iterations the loop advanced itself (resumed runs start later).
func (st LoopStats) StepsThisRun() int { return st.iterationsAdvanced }
