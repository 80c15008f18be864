package main

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/textdist"
)

// errHelp is returned after printing a command's flags: asking for help is no error (exit 0).
var errHelp = errors.New("help printed")

// versionText is "kramers VERSION (commit REV[, modified], GOVERSION)", the commit from the
// build information Go records when built inside a git checkout.
func versionText() string {
	rev, dirty := "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	parts := []string{}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		c := "commit " + rev
		if dirty {
			c += ", modified"
		}
		parts = append(parts, c)
	}
	parts = append(parts, runtime.Version())
	return fmt.Sprintf("kramers %s (%s)", host.Version, strings.Join(parts, ", "))
}

// countFlag is a whole number that may be written as people write them: 65536, 1e6, 2^20,
// 1_000_000. Non-integral values and values beyond the int range are refused (--particles,
// --steps, --chunk). max and what name the largest count the option takes, for the message about
// a value beyond the int range (the option's own check, Config.Validate, gives it for the others).
type countFlag struct {
	v    *int
	max  int
	what string
}

func (f countFlag) String() string {
	if f.v == nil {
		return "0"
	}
	return strconv.Itoa(*f.v)
}

func (f countFlag) Set(s string) error {
	n, err := parseCount(s)
	if errors.Is(err, errCountRange) {
		if strings.HasPrefix(strings.TrimSpace(s), "-") {
			return fmt.Errorf("%q is out of range: a count is not negative; give at most %d %s", s, f.max, f.what)
		}
		return fmt.Errorf("%q is out of range: at most %d %s; give a smaller count", s, f.max, f.what)
	}
	if err != nil {
		return err
	}
	*f.v = n
	return nil
}

// errCountRange is parseCount's error for a count beyond the int range.
var errCountRange = errors.New("out of range")

func parseCount(s string) (int, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	var x float64
	if b, e, ok := strings.Cut(t, "^"); ok {
		base, err1 := strconv.ParseFloat(b, 64)
		exp, err2 := strconv.ParseFloat(e, 64)
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("%q is not a whole number; write it as 65536, 1e6 or 2^20", s)
		}
		x = math.Pow(base, exp)
	} else {
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a whole number; write it as 65536, 1e6 or 2^20", s)
		}
		x = v
	}
	if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q: %w", s, errCountRange)
	}
	if x != math.Trunc(x) {
		return 0, fmt.Errorf("%q is not a whole number (%g); give a count such as %d", s, x, int(math.Round(x)))
	}
	return int(x), nil
}

// flagSynonyms are names people try for kramers' flags.
var flagSynonyms = map[string]string{
	"learning-rate": "lr", "learning_rate": "lr", "learningrate": "lr", "eta": "lr", "step-size": "lr", "stepsize": "lr",
	"batch-size": "batch", "batch_size": "batch", "batchsize": "batch", "bs": "batch",
	"temperature": "temp", "t": "temp", "iterations": "steps", "iters": "steps", "n-steps": "steps", "nsteps": "steps",
	"n": "particles", "num-particles": "particles", "walkers": "particles", "ensemble": "particles",
	"loss": "landscape", "potential": "landscape", "model": "noise", "out": "json", "output": "json",
	"device": "backend", "burnin": "burn-in", "burn_in": "burn-in", "epsilon": "floor", "eps": "floor",
	"every": "frame-every", // the view's frame interval (run's --every is the checkpoint interval)
}

// suggestFlag names the flag of fs closest to name: a synonym, or a flag within edit distance 2.
func suggestFlag(fs *flag.FlagSet, name string) string {
	low := strings.ToLower(name)
	if s, ok := flagSynonyms[low]; ok && fs.Lookup(s) != nil {
		return s
	}
	if fs.Lookup(low) != nil {
		return low
	}
	best, bestD := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		if d := textdist.EditDistance(low, f.Name); d < bestD || (d == bestD && f.Name < best) {
			best, bestD = f.Name, d
		}
	})
	return best
}

// normaliseNoise accepts model names in any case (host.ParseNoise); it returns a suggestion for an
// unknown one, and the name as given.
func normaliseNoise(s string) (host.NoiseModel, string) {
	m, hint, _ := host.ParseNoise(s)
	return m, hint
}

// repeatedFlag finds a flag given twice before any positional argument; repeating a flag would
// silently keep the last value.
func repeatedFlag(fs *flag.FlagSet, args []string) string {
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if seen[name] {
			return name
		}
		seen[name] = true
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && bf.IsBoolFlag()) {
			i++ // the value
		}
	}
	return ""
}

// inapplicable refuses a model-specific flag (host.NoiseParams) given for a noise model that does
// not use it.
func inapplicable(noise host.NoiseModel, set map[string]bool) error {
	for _, n := range slices.Sorted(maps.Keys(host.NoiseParams)) {
		if !set[n] || noise.Uses(n) {
			continue
		}
		var users []string
		for _, m := range host.NoiseUsers(n) {
			users = append(users, string(m))
		}
		return usageError{fmt.Errorf("--%s does not apply to --noise %s: only %s use it; drop --%s or choose one of those models", n, noise, strings.Join(users, ", "), n)}
	}
	return nil
}
