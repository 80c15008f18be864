package sweep

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host"
)

// Applies reports whether the run flag or quantity name means something under the noise model:
// false only for a model-specific parameter (host.NoiseParams) that the model does not use.
func Applies(name string, noise host.NoiseModel) bool { return noise.Uses(name) }

// ParamUnit is the unit of a run flag or landscape parameter, for the CSV header and the JSON.
func ParamUnit(name string) string {
	if p, ok := host.NoiseParams[name]; ok {
		return p.Unit
	}
	switch name {
	case "lr":
		return "dimensionless step size η (continuous time is iterations·η)"
	case "margin":
		return "parameter distance"
	case "seed":
		return "integer (Philox key)"
	case "particles":
		return "count"
	case "steps":
		return "iterations"
	case "noise":
		return "noise model name"
	}
	return "landscape parameter (kramers analyze --landscape list)"
}

// ParseCompare parses NAME=v1,v2,… of --compare: "noise" with model names, or any name --vary
// takes with numbers (checked when applied, ApplyCompare).
func ParseCompare(s string) (string, []string, error) {
	name, rest, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", nil, inputErr("compare", "expected NAME=v1,v2,… such as noise=sgd-hessian,sgld or lr=0.01,0.005, got %q", s)
	}
	var vals []string
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		v := strings.TrimSpace(part)
		if v == "" {
			return "", nil, inputErr("compare", "an empty value in %q", s)
		}
		if name != "noise" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !isFinite(f) {
				return "", nil, inputErr("compare", "value %q of %s is not a finite number", v, name)
			}
		}
		if seen[v] {
			return "", nil, inputErr("compare", "%s=%s is given twice", name, v)
		}
		seen[v] = true
		vals = append(vals, v)
	}
	return name, vals, nil
}

// ApplyCompare returns cfg with the compared NAME set to value: for "noise" the model (its
// model-specific flags stay, and a model that does not use one ignores it; the floor ε is zeroed
// for models other than sgd-hessian, which alone add it), otherwise ApplyVary with the number. Its
// errors name --compare.
func ApplyCompare(cfg host.Config, name, value string) (host.Config, error) {
	if name == "noise" {
		m, hint, ok := host.ParseNoise(value)
		if !ok {
			return cfg, inputErr("compare", "%s", host.UnknownNoise(value, hint))
		}
		cfg.Noise = m
		if !Applies("floor", m) {
			cfg.Floor = 0
		}
		return cfg, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || !isFinite(v) {
		return cfg, inputErr("compare", "value %q of %s is not a finite number", value, name)
	}
	c, err := ApplyVary(cfg, name, v)
	if ie, ok := err.(*host.InputError); ok && ie.Flag == "vary" {
		return cfg, &host.InputError{Flag: "compare", Msg: ie.Msg}
	}
	return c, err
}

// SeriesOptions are the options of each series of the sweep: one per compared value, with Base
// carrying it (ApplyCompare), or o itself without Compare. A varied model-specific flag must apply
// to every compared noise model, and so must the axis (B/η needs a batch, 1/T a temperature).
func (o Options) SeriesOptions() ([]Options, error) {
	out, err := o.series()
	if err != nil {
		return nil, err
	}
	for _, so := range out {
		ax, err := NewAxis(so.Axis, so.Name, so.Base.Noise)
		if err != nil {
			return nil, err
		}
		if !ax.AppliesTo(so.Base.Noise) {
			return nil, inputErr("axis", "%s is made of --%s, which %s does not use; choose another axis", ax.Name, ax.uses, so.Base.Noise)
		}
	}
	return out, nil
}

// CheckPoints checks the configuration of every point of every series (SeriesOptions, then
// PointConfig and Config.Validate for each value) before any run starts; an input error names the
// series it belongs to.
func (o Options) CheckPoints() error {
	series, err := o.SeriesOptions()
	if err != nil {
		return err
	}
	for _, so := range series {
		for _, v := range o.Values {
			c, err := so.PointConfig(v)
			if err == nil {
				err = c.Validate()
			}
			if err == nil {
				continue
			}
			if ie, ok := err.(*host.InputError); ok && so.Label() != "" {
				return &host.InputError{Flag: ie.Flag, Msg: ie.Msg + " (series " + so.Label() + ")"}
			}
			return err
		}
	}
	return nil
}

func (o Options) series() ([]Options, error) {
	if o.Compare == "" {
		if !Applies(o.Name, o.Base.Noise) {
			return nil, inputErr("vary", "%s does not apply to --noise %s (only %s use it); vary a flag of that model", o.Name, o.Base.Noise, modelNames(o.Name))
		}
		return []Options{o}, nil
	}
	if o.Compare == o.Name {
		return nil, inputErr("compare", "compares %s, which --vary already varies; compare another flag", o.Name)
	}
	if len(o.CompareValues) == 0 {
		return nil, inputErr("compare", "no values after %s=", o.Compare)
	}
	if o.Compare != "noise" && !Applies(o.Compare, o.Base.Noise) {
		return nil, inputErr("compare", "%s does not apply to --noise %s (only %s use it); compare a flag of that model", o.Compare, o.Base.Noise, modelNames(o.Compare))
	}
	var out []Options
	for j, v := range o.CompareValues {
		so := o
		so.seriesIndex = j
		cfg, err := ApplyCompare(o.Base, o.Compare, v)
		if err != nil {
			return nil, err
		}
		if !Applies(o.Name, cfg.Noise) {
			return nil, inputErr("vary", "%s does not apply to the compared noise model %s (only %s use it); vary a flag every compared model uses, such as k or lr",
				o.Name, cfg.Noise, modelNames(o.Name))
		}
		so.Base, so.Compare, so.CompareValues = cfg, "", nil
		so.label, so.compareValue = o.Compare+"="+strings.TrimSpace(v), strings.TrimSpace(v)
		out = append(out, so)
	}
	return out, nil
}

func modelNames(param string) string {
	var s []string
	for _, m := range host.NoiseUsers(param) {
		s = append(s, string(m))
	}
	return strings.Join(s, ", ")
}

// Label is the series label these options give their points ("noise=sgld"; "" without Compare).
func (o Options) Label() string { return o.label }

// Set is the outcome of `kramers sweep`: one Result per compared value (one without --compare),
// and the panels they are drawn in.
type Set struct {
	Version       string    `json:"version"`
	Vary          string    `json:"vary"`
	Values        []float64 `json:"values"`
	Compare       string    `json:"compare,omitempty"`
	CompareValues []string  `json:"compare_values,omitempty"`
	Target        int       `json:"target_escapes"`
	Budget        float64   `json:"budget"`
	// Panels are the distinct axes of the series (each series' own natural axis, or --axis), each
	// with the weighted fit of every series that it applies to.
	Panels []Panel   `json:"panels"`
	Series []*Result `json:"series"`
	// Columns describe the CSV (sweep.csv): name, unit and, for a theory column, its kind.
	Columns []Column `json:"csv_columns"`
	// Interrupted is true when the sweep stopped early (SIGINT/SIGTERM): the last series may lack
	// points and later series are missing.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Panel is one axis of a sweep's figure.
type Panel struct {
	Axis Axis `json:"axis"`
	// Fits is the weighted fit of ln τ̂ against the axis per series label ("" without --compare).
	Fits map[string]LineFit `json:"fits"`
}

// RunSet runs the sweep once per series (SeriesOptions), in order, and fills the panels.
func RunSet(ctx context.Context, o Options, open host.BackendFactory) (*Set, error) {
	o = o.normalised()
	series, err := o.SeriesOptions()
	if err != nil {
		return nil, err
	}
	s := &Set{Version: host.Version, Vary: o.Name, Values: o.Values, Compare: o.Compare, CompareValues: o.CompareValues,
		Target: o.TargetEscapes, Budget: o.Budget}
	for _, so := range series {
		if ctx.Err() != nil {
			break
		}
		r, err := RunSweep(ctx, so, open)
		if err != nil {
			if so.label != "" {
				err = fmt.Errorf("%s: %w", so.label, err)
			}
			return nil, err
		}
		s.Series = append(s.Series, r)
	}
	s.Interrupted = ctx.Err() != nil
	if err := s.panels(); err != nil {
		return nil, err
	}
	s.Columns = s.columns()
	return s, nil
}

// panels collects the distinct axes of the series in order and places every point on each axis
// that applies to its noise model.
func (s *Set) panels() error {
	s.Panels = nil
	index := map[string]int{}
	for _, r := range s.Series {
		if _, ok := index[r.Axis.Name]; !ok {
			index[r.Axis.Name] = len(s.Panels)
			s.Panels = append(s.Panels, Panel{Axis: r.Axis, Fits: map[string]LineFit{}})
		}
	}
	for i := range s.Panels {
		p := &s.Panels[i]
		for _, r := range s.Series {
			ax, err := NewAxis(p.Axis.Name, s.Vary, r.Noise)
			if err != nil {
				return err
			}
			if !ax.AppliesTo(r.Noise) {
				continue
			}
			var x, y, w []float64
			for j := range r.Points {
				pt := &r.Points[j]
				if pt.XByAxis == nil {
					pt.XByAxis = map[string]float64{}
				}
				xv := pt.X
				if ax.Name != r.Axis.Name && pt.Problem != nil {
					xv = ax.Of(pt.Problem, pt.Value)
				}
				pt.XByAxis[ax.Name] = xv
				if pt.Resolved {
					sg := float64(pt.SigmaLogTau)
					x, y, w = append(x, xv), append(y, float64(pt.LnTau)), append(w, 1/(sg*sg))
				}
			}
			p.Fits[r.Label] = FitLine(x, y, w)
		}
	}
	return nil
}

// TheoryNames lists the theories with a value at some point of any series, in
// host.TheoryPreference order.
func (s *Set) TheoryNames() []string {
	m := map[string]float64{}
	for _, r := range s.Series {
		for _, n := range r.TheoryNames() {
			m[n] = 0
		}
	}
	var out []string
	for _, n := range host.TheoryPreference {
		if _, ok := m[n]; ok {
			out = append(out, n)
			delete(m, n)
		}
	}
	return append(out, slices.Sorted(maps.Keys(m))...)
}

// TheoryKind is the kind of the named theory (exact-discrete, exact-continuous, asymptotic), ""
// when no point has it.
func (s *Set) TheoryKind(name string) string {
	for _, r := range s.Series {
		if k, ok := r.TheoryKinds[name]; ok {
			return k
		}
	}
	return ""
}
