// Package reproduce runs the validation table of theory.md §5 (cases K1–K8) on a primary backend,
// with K6 against a reference backend, and writes report.md, one PNG per figure and results.json.
// Every pass mark is computed from the numbers it shows (Check.Evaluate), never set by hand.
//
// The package takes backends as host.BackendFactory values: host must not import the CPU reference
// (package validate) or the GPU backend, so the command line passes both in.
package reproduce
