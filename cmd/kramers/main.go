// Command kramers measures how fast noisy optimisers escape from minima of a loss landscape.
// See README.md for the commands and docs/theory.md and docs/architecture.md for the science and the design.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/kramers-sim/kramers/host"
)

// Exit statuses of the command-line contract (docs/architecture.md).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitSignal  = 130
)

type command struct {
	name, usage string
	run         func(args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"run", "advance an ensemble and estimate its escape rate", cmdRun},
		{"analyze", "minima, saddle, Hessians and ΔL of a landscape, as JSON", cmdAnalyze},
		{"theory", "theory predictions only (same flags as run)", cmdTheory},
		{"validate", "GPU against CPU-reference cross-checks", cmdValidate},
		{"sweep", "vary one flag or landscape parameter: table, CSV, plot and fit", cmdSweep},
		{"reproduce", "the validation table K1–K12 of docs/theory.md §5: report.md, results.json, figures", cmdReproduce},
		{"bench", "particle-steps per second of fixed cases on both backends", cmdBench},
		{"view", "draw the particles live from the GPU buffers (window, or --headless PNG/GIF frames)", cmdView},
		{"merge", "combine the JSON results of shards (run --shard i/n) into one result", cmdMerge},
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kramers COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(os.Stderr, "\nkramers COMMAND -h lists the flags of COMMAND; kramers version prints the version.")
}

func main() {
	os.Exit(mainCode(os.Args[1:]))
}

func mainCode(args []string) int {
	if len(args) > 0 && (args[0] == "version" || args[0] == "--version" || args[0] == "-version") {
		fmt.Fprintln(stdout, versionText())
		return exitOK
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage()
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return exitCode(c.run(args[1:]))
		}
	}
	fmt.Fprintf(stderr, "kramers: unknown command %q; run 'kramers help' for the list\n", args[0])
	return exitUsage
}

// errInterrupted marks a run stopped by a signal after saving what it had.
var errInterrupted = errors.New("interrupted")

// usageError wraps any error that comes from what the user typed.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	if errors.Is(err, errInterrupted) {
		fmt.Fprintln(stderr, "kramers: interrupted; what was computed before the signal is kept (exit status 130)")
		return exitSignal
	}
	var ie *host.InputError
	var ue usageError
	if errors.As(err, &ie) || errors.As(err, &ue) {
		fmt.Fprintf(stderr, "kramers: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "kramers: %v\n", err)
	return exitFailure
}
