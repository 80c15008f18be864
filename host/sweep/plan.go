package sweep

import (
	"math"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/jsonnum"
)

// Run sizing for a target escape count: the one home of the rule that `kramers sweep`, every
// measurement of `kramers reproduce` and MeasurePoint follow. A sized run has SizeFor particles, of
// which about EscapeFraction are planned to escape, and PlanSize iterations.

// Defaults of a sweep (`kramers sweep` without --escapes, --safety, --budget).
const (
	// DefaultEscapes is the number of escapes a point is sized for: σ(ln τ̂) ≈ 1/√E = 10%
	// (docs/theory.md §3).
	DefaultEscapes = 100
	// DefaultSafety multiplies the target: a point plans for Safety × target escapes, so that an
	// estimate of τ that is too small by that factor still reaches the target.
	DefaultSafety = 2.0
	// DefaultBudgetGPU and DefaultBudgetCPU are the particle-steps a point may take (DefaultBudget).
	DefaultBudgetGPU = 2e9
	DefaultBudgetCPU = 2e8
)

// EscapeFraction is the fraction of the particles a sized run plans to see escape. The run then
// lasts about half an escape time, so the lag and relaxation in the well at the start
// (docs/theory.md §3) are a small part of the window, and the censored-exponential estimate carries
// a relaxation bias of order (1/H_a)/τ.
const EscapeFraction = 0.4

// DefaultBudget is the particle-steps per point on a backend.
func DefaultBudget(backend host.BackendKind) float64 {
	if backend == host.CPU {
		return DefaultBudgetCPU
	}
	return DefaultBudgetGPU
}

// Defaults are the options of a sweep on backend without flags: each point sized for
// DefaultEscapes × DefaultSafety escapes with SizeFor particles, within DefaultBudget(backend).
// Base, Name and Values are the caller's.
func Defaults(backend host.BackendKind) Options {
	return Options{Budget: DefaultBudget(backend), TargetEscapes: DefaultEscapes, Safety: DefaultSafety, AutoSize: true, SizeParticles: true}
}

// SizeFor is the particle count of a run sized for target escapes with the given safety factor:
// safety·target/EscapeFraction, so that about EscapeFraction of the particles escape, and at least
// 2·target (PlanSize's floor: no more than half must escape). 500 for the defaults.
func SizeFor(target int, safety float64) int {
	return max(2*target, ParticlesFor(safety*float64(target), EscapeFraction))
}

// ParticlesFor is the number of particles of which a fraction escapes about escapes times:
// ⌈escapes/fraction⌉ (for a run whose window fixes the fraction, such as reproduce's K9).
func ParticlesFor(escapes, fraction float64) int {
	return int(math.Ceil(escapes / fraction))
}

// Plan is the size of one measurement. Its JSON keys are the names of the sweep.csv columns of the
// same numbers (write.go).
type Plan struct {
	Particles int `json:"particles"`
	Steps     int `json:"steps"`
	// TauGuess is the escape time (continuous time) the plan was made for, NaN (null) when unknown
	// (PlanSize then spends the whole budget), and TauSource where it came from: a theory name,
	// "pilot", or "fixed" for a run of the configured size.
	TauGuess  jsonnum.Number `json:"planned_tau_time"`
	TauSource string         `json:"planned_from"`
	// Expected is the expected number of escapes, N·(1 − exp(−S·η/τ)); 0 when τ is unknown.
	Expected float64 `json:"expected_escapes"`
	// Reachable is false when Expected < the target within the budget.
	Reachable bool `json:"reachable"`
}

// PlanSize chooses particles and steps so that the expected number of escapes is safety×target,
// for an exponential escape time tau (continuous time) at step size eta, within budget
// particle-steps. It starts from particles (raised to 2·target when fewer, so that no more than
// half must escape; lowered when even minSteps would exceed the budget) and solves
// N·(1 − exp(−S·η/τ)) = safety·target for S, which for small fractions is S ≈ safety·(target/N)·τ/η;
// the fraction is capped at 0.95. S is at least minSteps (the relaxation in the well, docs/theory.md §3)
// and at most budget/N. A point that cannot expect target escapes is marked not Reachable.
func PlanSize(tau, eta float64, particles int, budget float64, target int, safety float64, minSteps int) Plan {
	if safety < 1 {
		safety = 1
	}
	minSteps = max(minSteps, 1)
	n := max(particles, 2*target, 1)
	if budget > 0 && float64(n)*float64(minSteps) > budget {
		n = max(1, int(budget/float64(minSteps)))
	}
	pl := Plan{Particles: n, TauGuess: jsonnum.Number(tau)}
	want := safety * float64(target)
	frac := math.Min(want/float64(n), 0.95)
	steps := float64(minSteps)
	if tau > 0 && isFinite(tau) {
		steps = math.Max(steps, math.Ceil(-tau*math.Log1p(-frac)/eta))
	} else {
		steps = math.Inf(1)
	}
	if budget > 0 {
		steps = math.Min(steps, math.Floor(budget/float64(n)))
	}
	steps = math.Max(1, math.Min(steps, float64(host.MaxSteps)))
	pl.Steps = int(steps)
	if tau > 0 && isFinite(tau) {
		pl.Expected = float64(n) * -math.Expm1(-float64(pl.Steps)*eta/tau)
	}
	pl.Reachable = pl.Expected >= float64(target)
	return pl
}

// TauGuess returns the best available theory τ for p, in host.TheoryPreference order (an exact
// value, else the asymptotic formula of its noise model), with its name; 0 and "" when none
// applies.
func TauGuess(p *host.Problem) (float64, string) {
	preds := host.Predictions(p)
	for _, name := range host.Preferred(preds) {
		if pr, ok := preds[name]; ok && pr.Tau != nil && *pr.Tau > 0 && isFinite(*pr.Tau) {
			return *pr.Tau, name
		}
	}
	return 0, ""
}

// relaxationSteps is the number of iterations of 10 relaxation times 1/λ_min(H_a) in the well.
func relaxationSteps(p *host.Problem) int {
	lmin := p.Analysis.HessianMinEigenvalues[0]
	if !(lmin > 0) {
		return 1
	}
	return int(math.Min(math.Ceil(10/(lmin*p.Config.LR)), 1e7))
}
