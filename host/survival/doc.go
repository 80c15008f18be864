// Package survival estimates escape rates from first-passage records, in the style of
// gonum/stat: pure functions of the records (the 1-based first-passage iterations of the
// escaped particles, the number of particles, the window in iterations and the step size η)
// that return numbers (docs/theory.md §3).
//
//   - EstimateRate and EstimateFromCounts: the censored-exponential rate with its exact (Garwood)
//     interval, unresolved below MinEscapesResolved escapes.
//   - EstimateQuasiStationary: the rate after a burn-in, chosen from the data by a test of a
//     constant hazard and a bound on the bias the ramp leaves (or given), with its candidates
//     and the hazard series (HazardSeries).
//   - Curve (the survival curve) and Histogram (first passages in bins, mergeable across
//     shards).
//
// An unresolved quasi-stationary estimate says why as a Finding: its kind and a line with its
// numbers. The package names no command-line flag; what to do about a finding (run longer, give a
// burn-in) is the caller's to word (host adds the remedies of kramers' flags).
//
// The package imports nothing of the module but host/jsonnum, for the NaN-safe JSON of an
// Estimate.
package survival
