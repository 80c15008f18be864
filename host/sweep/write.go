package sweep

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host"
)

// Column is one column of sweep.csv: its header name, its unit, and for a theory column the
// theory's kind (exact-discrete, exact-continuous, asymptotic).
type Column struct {
	Name string `json:"name"`
	Unit string `json:"unit"`
	Kind string `json:"kind,omitempty"`
	cell func(r *Result, pt *Point) string
}

// Units of the measured quantities. They contain neither '=' nor ';', which separate the entries
// of the "# units:" line.
const (
	unitTime  = "continuous time (iterations·η)"
	unitRate  = "1/continuous time (escapes per surviving particle per unit time)"
	unitCount = "count"
	unitBool  = "true or false"
)

// columns lists the CSV columns of s: one per quantity, each once, and only those that apply to
// some series (batch only with an SGD model, temp only with sgld, floor only with sgd-hessian; a
// point of another model leaves the field empty). The varied NAME comes first, then the compared
// one, the axes of the panels, the configuration, the measurement, one column per theory, the
// plan.
func (s *Set) columns() []Column {
	var cols []Column
	seen := map[string]bool{}
	add := func(name, unit string, cell func(r *Result, pt *Point) string) *Column {
		if seen[name] {
			return nil
		}
		seen[name] = true
		cols = append(cols, Column{Name: name, Unit: unit, cell: cell})
		return &cols[len(cols)-1]
	}
	g := func(v float64) string { return host.Number(v).Text(10) }
	n := func(v host.Number) string { return v.Text(10) }
	ptr := func(v *float64) string {
		if v == nil {
			return ""
		}
		return g(*v)
	}
	uses := func(param string) bool {
		for _, r := range s.Series {
			if Applies(param, r.Noise) {
				return true
			}
		}
		return false
	}
	if s.Compare != "" {
		add("series", "text (the compared flag and value of the point's series)", func(r *Result, _ *Point) string { return r.Label })
	}
	param := map[string]func(r *Result, pt *Point) string{
		"landscape": func(_ *Result, pt *Point) string { return pt.Landscape },
		"noise":     func(_ *Result, pt *Point) string { return string(pt.Noise) },
		"lr":        func(_ *Result, pt *Point) string { return g(pt.LR) },
		"batch":     func(_ *Result, pt *Point) string { return ptr(pt.Batch) },
		"temp":      func(_ *Result, pt *Point) string { return ptr(pt.Temp) },
		"floor":     func(_ *Result, pt *Point) string { return ptr(pt.Floor) },
		"seed":      func(_ *Result, pt *Point) string { return strconv.FormatUint(pt.Seed, 10) },
		"particles": func(_ *Result, pt *Point) string { return strconv.Itoa(pt.Particles) },
		"steps":     func(_ *Result, pt *Point) string { return strconv.Itoa(pt.Steps) },
	}
	if f, ok := param[s.Vary]; ok {
		add(s.Vary, ParamUnit(s.Vary), f)
	} else {
		add(s.Vary, ParamUnit(s.Vary), func(_ *Result, pt *Point) string { return g(pt.Value) })
	}
	if s.Compare != "" {
		if f, ok := param[s.Compare]; ok {
			add(s.Compare, ParamUnit(s.Compare), f)
		} else {
			add(s.Compare, ParamUnit(s.Compare), func(r *Result, _ *Point) string { return r.CompareValue })
		}
	}
	for _, p := range s.Panels {
		if p.Axis.Column == "" {
			continue
		}
		name := p.Axis.Name
		add(p.Axis.Column, p.Axis.Unit+" (x axis "+p.Axis.Name+")", func(_ *Result, pt *Point) string {
			if x, ok := pt.XByAxis[name]; ok {
				return g(x)
			}
			return ""
		})
	}
	add("landscape", "text (catalogue SPEC or expression)", param["landscape"])
	add("noise", "text (noise model)", param["noise"])
	add("lr", ParamUnit("lr"), param["lr"])
	for _, m := range []string{"batch", "temp", "floor"} {
		if uses(m) {
			add(m, ParamUnit(m), param[m])
		}
	}
	add("seed", ParamUnit("seed"), param["seed"])
	add("particles", unitCount, param["particles"])
	add("steps", "iterations", param["steps"])
	add("escaped_total", unitCount+" (escapes in the whole window)", func(_ *Result, pt *Point) string { return strconv.Itoa(pt.EscapedTotal) })
	add("burn_in_time", unitTime+" (the burn-in t0)", func(_ *Result, pt *Point) string { return n(pt.BurnIn) })
	add("burn_in_rule", "text (automatic or given)", func(_ *Result, pt *Point) string { return pt.BurnInRule })
	add("escaped", unitCount+" (escapes after t0: the rate is made of these)", func(_ *Result, pt *Point) string { return strconv.Itoa(pt.Escaped) })
	add("exposure_time", "particles × continuous time after t0", func(_ *Result, pt *Point) string { return n(pt.Exposure) })
	add("diverged", unitCount, func(_ *Result, pt *Point) string { return strconv.Itoa(pt.Diverged) })
	add("rate", unitRate, func(_ *Result, pt *Point) string { return n(pt.Rate) })
	add("rate_lo", unitRate+", Garwood 95% lower end", func(_ *Result, pt *Point) string { return n(pt.RateLo) })
	add("rate_hi", unitRate+", Garwood 95% upper end", func(_ *Result, pt *Point) string { return n(pt.RateHi) })
	add("tau_time", unitTime, func(_ *Result, pt *Point) string { return n(pt.Tau) })
	add("tau_lo_time", unitTime+", Garwood 95% lower end", func(_ *Result, pt *Point) string { return n(pt.TauLo) })
	add("tau_hi_time", unitTime+", Garwood 95% upper end (empty: unbounded)", func(_ *Result, pt *Point) string { return n(pt.TauHi) })
	add("tau_iterations", "iterations", func(_ *Result, pt *Point) string { return n(pt.TauIterations) })
	add("ln_tau", "ln of continuous time", func(_ *Result, pt *Point) string { return n(pt.LnTau) })
	add("sigma_ln_tau", "dimensionless (1/√escaped)", func(_ *Result, pt *Point) string { return n(pt.SigmaLogTau) })
	add("resolved", unitBool, func(_ *Result, pt *Point) string { return strconv.FormatBool(pt.Resolved) })
	add("reached_target", unitBool+" (at least the target escapes after t0)", func(_ *Result, pt *Point) string { return strconv.FormatBool(pt.Reached) })
	add("note", "text (why a point is unresolved)", func(_ *Result, pt *Point) string { return pt.Note })
	for _, th := range s.TheoryNames() {
		name := th
		if c := add("theory_"+name+"_tau_time", unitTime, func(_ *Result, pt *Point) string {
			if v, ok := pt.Theory[name]; ok {
				return g(v)
			}
			return ""
		}); c != nil {
			c.Kind = s.TheoryKind(name)
		}
	}
	add("planned_tau_time", unitTime+" (the τ the point was sized for)", func(_ *Result, pt *Point) string { return n(pt.Plan.TauGuess) })
	add("planned_from", "text (a theory name, pilot or fixed)", func(_ *Result, pt *Point) string { return pt.Plan.TauSource })
	add("expected_escapes", unitCount+" (planned)", func(_ *Result, pt *Point) string { return g(pt.Plan.Expected) })
	add("reachable", unitBool+" (the plan expects the target escapes within the budget)", func(_ *Result, pt *Point) string { return strconv.FormatBool(pt.Plan.Reachable) })
	add("warnings", "text (separated by ' | ')", func(_ *Result, pt *Point) string { return strings.Join(pt.Warnings, " | ") })
	add("seconds", "wall-clock seconds", func(_ *Result, pt *Point) string { return g(pt.Seconds) })
	return cols
}

// WriteCSV writes sweep.csv: comment lines starting with '#' (what the file is, the unit of every
// column on the "# units:" line, the kind of every theory column on the "# theory kinds:" line),
// then one header row and one row per point of every series. A missing number (an unresolved τ,
// a theory or a parameter that does not apply) is an empty field. pandas reads it with
// pandas.read_csv(path, comment="#"), encoding/csv with Reader.Comment = '#'; no field contains
// '#' (one in a text field is written as '♯').
func (s *Set) WriteCSV(w io.Writer) error {
	cols := s.Columns
	if cols == nil {
		cols = s.columns()
	}
	desc := "--vary " + s.Vary
	if s.Compare != "" {
		desc += ", --compare " + s.Compare + "=" + strings.Join(s.CompareValues, ",")
	}
	var units, kinds []string
	for _, c := range cols {
		units = append(units, c.Name+"="+c.Unit)
		if c.Kind != "" {
			kinds = append(kinds, c.Name+"="+c.Kind)
		}
	}
	head := fmt.Sprintf("# kramers sweep %s (%s): one row per point; read with pandas.read_csv(path, comment=\"#\")\n# units: %s\n",
		s.Version, desc, strings.Join(units, "; "))
	if len(kinds) > 0 {
		head += "# theory kinds: " + strings.Join(kinds, "; ") + "\n"
	}
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	cw.Write(names)
	for _, r := range s.Series {
		for i := range r.Points {
			row := make([]string, len(cols))
			for j, c := range cols {
				if c.cell != nil {
					row[j] = strings.ReplaceAll(c.cell(r, &r.Points[i]), "#", "♯")
				}
			}
			cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}
