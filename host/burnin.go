package host

import "github.com/kramers-sim/kramers/host/survival"

// burnInRemedy is what to do about a finding of the quasi-stationary estimator, in the flags of
// kramers run and sweep: the separator that joins it to the finding's text and the remedy itself.
// The estimator (host/survival) states the finding with its numbers; the flags are the command's.
func burnInRemedy(k survival.FindingKind) (sep, remedy string) {
	switch k {
	case survival.FewEscapes:
		return "; ", "run more particles or longer (--steps)"
	case survival.BeforeMinBurnIn:
		return ": ", "run longer (--steps)"
	case survival.FallingHazard:
		return "; ", "run a longer window (--steps), or make the other exits part of the escape (--escape)"
	case survival.NoPlateau:
		return "; ", "run longer (--steps) or give --burn-in"
	case survival.BurnInPastWindow:
		return ": ", "give a smaller --burn-in or run longer (--steps)"
	case survival.GivenUnsettled:
		return "; ", "give a larger --burn-in or run longer (--steps)"
	case survival.WidenedForRamp:
		return " ", "A longer run (--steps) removes it"
	}
	return "", ""
}

// adviseBurnIn adds the remedy to q's Reason (and the estimate's Note, which repeats it) and to
// its Warning: "finding; remedy", with the detail of a fall after the remedy.
func adviseBurnIn(q *survival.QuasiStationary) {
	if f := q.Unresolved; f.Kind != survival.None {
		sep, remedy := burnInRemedy(f.Kind)
		reason := f.Text + sep + remedy
		if f.Detail != "" {
			reason += "; before it, " + f.Detail
		}
		if q.Estimate.Note == q.Reason {
			q.Estimate.Note = reason
		}
		q.Reason = reason
	}
	if f := q.Caution; f.Kind != survival.None {
		sep, remedy := burnInRemedy(f.Kind)
		q.Warning = f.Text + sep + remedy
	}
}
