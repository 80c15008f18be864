// Package reproduce runs the validation table of docs/theory.md §5 (cases K1–K12) on a primary backend,
// with K6 against a reference backend, and writes report.md, one PNG per figure and results.json.
// Every pass mark is computed from the numbers it shows (Check.Evaluate), never set by hand.
//
// Every measurement is a sweep point (sweep.MeasurePoint): sized by the sweep's one rule
// (sweep.SizeFor, sweep.PlanSize) and read from the run's host.Measurement, so a Run shows the same
// quasi-stationary rate, interval, burn-in and escapes as `kramers run` and `kramers sweep` would.
// Numbers that may be NaN are F (jsonnum.Number), null in results.json.
//
// The package takes backends as host.BackendFactory values: host must not import the CPU reference
// (package validate) or the GPU backend, so the command line passes both in.
package reproduce
