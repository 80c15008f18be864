package sweep

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
)

// RunVaryNames are the run flags a sweep may vary; every other name is a landscape parameter.
var RunVaryNames = []string{"lr", "batch", "temp", "floor", "particles", "steps", "seed", "margin"}

func inputErr(flag, format string, args ...any) error {
	return &host.InputError{Flag: flag, Msg: fmt.Sprintf(format, args...)}
}

// SetSpecParam returns spec with the catalogue parameter name set to value: replaced where the
// spec already gives it, appended otherwise ("pwq(ha=4)" with k=2 → "pwq(ha=4,k=2)", "doublewell"
// → "doublewell(k=2)"). The spec is read and written by host/landscape (ParseSpec, Spec.Set,
// Spec.String), the one reading of the catalogue-spec grammar. An expression has no spec
// parameters (its parameters are Config.Params, which ApplyVary sets): an error on --vary says
// so; a malformed catalogue spec is an error on --landscape.
func SetSpecParam(spec, name string, value float64) (string, error) {
	s, ok, err := landscape.ParseSpec(spec)
	if !ok {
		return "", inputErr("vary", "%q is not a run flag (%s) and the landscape %q is not a catalogue entry with parameters; its parameters are Config.Params (--param), which ApplyVary sets", name, strings.Join(RunVaryNames, ", "), spec)
	}
	if err != nil {
		return "", inputErr("landscape", "%q: %v", spec, err)
	}
	var entry landscape.Entry
	for _, e := range append(landscape.Catalogue(), landscape.DataModels()...) {
		if e.Name == s.Name {
			entry = e
		}
	}
	known := false
	var names []string
	for _, p := range entry.Params {
		names = append(names, p.Name)
		known = known || p.Name == name
	}
	if !known {
		return "", inputErr("vary", "%q is neither a run flag (%s) nor a parameter of %s (%s)", name, strings.Join(RunVaryNames, ", "), s.Name, strings.Join(names, ", "))
	}
	s.Set(name, value)
	return s.String(), nil
}

// ApplyVary returns cfg with NAME set to v: a run flag, or a landscape parameter (setParam).
func ApplyVary(cfg host.Config, name string, v float64) (host.Config, error) {
	bad := func(what string) error {
		return inputErr("vary", "%s=%v: %s", name, v, what)
	}
	switch name {
	case "lr":
		cfg.LR = v
	case "batch":
		cfg.Batch = v
	case "temp":
		cfg.Temp = v
	case "floor":
		cfg.Floor = v
	case "margin":
		cfg.Margin = v
	case "particles", "steps", "seed":
		if v != math.Trunc(v) || v < 0 || v > math.MaxInt32 {
			return cfg, bad("needs a non-negative integer")
		}
		switch name {
		case "particles":
			cfg.Particles = int(v)
		case "steps":
			cfg.Steps = int(v)
		default:
			cfg.Seed = uint64(v)
		}
	default:
		return setParam(cfg, name, v)
	}
	return cfg, nil
}

// setParam sets the landscape parameter name to v. A catalogue parameter is written into the
// SPEC (SetSpecParam) unless --param gives it; an expression's parameters (the names it uses, k
// and l0) and one that --param gives are set in a copy of Params, which the configurations of a
// sweep never share.
func setParam(cfg host.Config, name string, v float64) (host.Config, error) {
	names, catalogue, err := landscape.Parameters(cfg.Landscape)
	if err != nil {
		return cfg, inputErr("landscape", "%q: %v", cfg.Landscape, err)
	}
	_, given := cfg.Params[name]
	if catalogue && !given {
		spec, err := SetSpecParam(cfg.Landscape, name, v)
		if err != nil {
			return cfg, err
		}
		cfg.Landscape = spec
		return cfg, nil
	}
	known := false
	for _, n := range names {
		known = known || n == name
	}
	if !known {
		return cfg, inputErr("vary", "%q is neither a run flag (%s) nor a parameter of the landscape %q (%s); vary one of those, or use %s in the expression", name, strings.Join(RunVaryNames, ", "), cfg.Landscape, strings.Join(names, ", "), name)
	}
	p := make(map[string]float64, len(cfg.Params)+1)
	for k, x := range cfg.Params {
		p[k] = x
	}
	p[name] = v
	cfg.Params = p
	return cfg, nil
}

// ParseVary parses NAME=v1,v2,… of --vary.
func ParseVary(s string) (string, []float64, error) {
	eq := strings.IndexByte(s, '=')
	if eq <= 0 {
		return "", nil, inputErr("vary", "expected NAME=v1,v2,… such as batch=0.02,0.04,0.08, got %q", s)
	}
	name := strings.TrimSpace(s[:eq])
	var vals []float64
	for _, part := range strings.Split(s[eq+1:], ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || !isFinite(v) {
			return "", nil, inputErr("vary", "value %q of %s is not a finite number", part, name)
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return "", nil, inputErr("vary", "no values after %s=", name)
	}
	return name, vals, nil
}
