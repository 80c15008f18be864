package sweep

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host/jsonnum"
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
	cs := &columnSet{seen: map[string]bool{}}
	s.configColumns(cs)
	measurementColumns(cs)
	for _, th := range s.TheoryNames() {
		name := th
		if c := cs.add("theory_"+name+"_tau_time", unitTime, func(_ *Result, pt *Point) string {
			if v, ok := pt.Theory[name]; ok {
				return cellNumber(v)
			}
			return ""
		}); c != nil {
			c.Kind = s.TheoryKind(name)
		}
	}
	planColumns(cs)
	return cs.cols
}

// columnSet collects columns, each name once.
type columnSet struct {
	cols []Column
	seen map[string]bool
}

// add appends the column name (unit, cell) unless one of that name is there; it returns the new
// column, or nil.
func (cs *columnSet) add(name, unit string, cell func(r *Result, pt *Point) string) *Column {
	if cs.seen[name] {
		return nil
	}
	cs.seen[name] = true
	cs.cols = append(cs.cols, Column{Name: name, Unit: unit, cell: cell})
	return &cs.cols[len(cs.cols)-1]
}

// cellNumber writes v in a CSV cell (shortest round-trip form, empty for NaN).
func cellNumber(v float64) string { return jsonnum.Number(v).Text(10) }

// cellOptional writes *v in a CSV cell, empty where v is nil.
func cellOptional(v *float64) string {
	if v == nil {
		return ""
	}
	return cellNumber(*v)
}

// paramCells are the cells of the configuration's parameters by their flag name.
var paramCells = map[string]func(r *Result, pt *Point) string{
	"landscape": func(_ *Result, pt *Point) string { return pt.Landscape },
	"noise":     func(_ *Result, pt *Point) string { return string(pt.Noise) },
	"lr":        func(_ *Result, pt *Point) string { return cellNumber(pt.LR) },
	"batch":     func(_ *Result, pt *Point) string { return cellOptional(pt.Batch) },
	"temp":      func(_ *Result, pt *Point) string { return cellOptional(pt.Temp) },
	"floor":     func(_ *Result, pt *Point) string { return cellOptional(pt.Floor) },
	"seed":      func(_ *Result, pt *Point) string { return strconv.FormatUint(pt.Seed, 10) },
	"particles": func(_ *Result, pt *Point) string { return strconv.Itoa(pt.Particles) },
	"steps":     func(_ *Result, pt *Point) string { return strconv.Itoa(pt.Steps) },
}

// usesParam says whether the noise model of some series uses the parameter param.
func (s *Set) usesParam(param string) bool {
	for _, r := range s.Series {
		if Applies(param, r.Noise) {
			return true
		}
	}
	return false
}

// configColumns adds the series label (with --compare), the varied and the compared NAME, the
// panels' axes and the configuration.
func (s *Set) configColumns(cs *columnSet) {
	if s.Compare != "" {
		cs.add("series", "text (the compared flag and value of the point's series)", func(r *Result, _ *Point) string { return r.Label })
	}
	if f, ok := paramCells[s.Vary]; ok {
		cs.add(s.Vary, ParamUnit(s.Vary), f)
	} else {
		cs.add(s.Vary, ParamUnit(s.Vary), func(_ *Result, pt *Point) string { return cellNumber(pt.Value) })
	}
	if s.Compare != "" {
		if f, ok := paramCells[s.Compare]; ok {
			cs.add(s.Compare, ParamUnit(s.Compare), f)
		} else {
			cs.add(s.Compare, ParamUnit(s.Compare), func(r *Result, _ *Point) string { return r.CompareValue })
		}
	}
	for _, p := range s.Panels {
		if p.Axis.Column == "" {
			continue
		}
		name := p.Axis.Name
		cs.add(p.Axis.Column, p.Axis.Unit+" (x axis "+p.Axis.Name+")", func(_ *Result, pt *Point) string {
			if x, ok := pt.XByAxis[name]; ok {
				return cellNumber(x)
			}
			return ""
		})
	}
	cs.add("landscape", "text (catalogue SPEC or expression)", paramCells["landscape"])
	cs.add("noise", "text (noise model)", paramCells["noise"])
	cs.add("lr", ParamUnit("lr"), paramCells["lr"])
	for _, m := range []string{"batch", "temp", "floor"} {
		if s.usesParam(m) {
			cs.add(m, ParamUnit(m), paramCells[m])
		}
	}
	cs.add("seed", ParamUnit("seed"), paramCells["seed"])
	cs.add("particles", unitCount, paramCells["particles"])
	cs.add("steps", "iterations", paramCells["steps"])
}

// measurementColumns adds the measurement: escapes, burn-in, exposure, rate and τ with their
// intervals, and whether the point is resolved.
func measurementColumns(cs *columnSet) {
	n := func(v jsonnum.Number) string { return v.Text(10) }
	cs.add("escaped_total", unitCount+" (escapes in the whole window)", func(_ *Result, pt *Point) string { return strconv.Itoa(pt.EscapedTotal) })
	cs.add("burn_in_time", unitTime+" (the burn-in t0)", func(_ *Result, pt *Point) string { return n(pt.BurnIn) })
	cs.add("burn_in_rule", "text (automatic or given)", func(_ *Result, pt *Point) string { return pt.BurnInRule })
	cs.add("escaped", unitCount+" (escapes after t0: the rate is made of these)", func(_ *Result, pt *Point) string { return strconv.Itoa(pt.Escaped) })
	cs.add("exposure_time", "particles × continuous time after t0", func(_ *Result, pt *Point) string { return n(pt.Exposure) })
	cs.add("diverged", unitCount, func(_ *Result, pt *Point) string { return strconv.Itoa(pt.Diverged) })
	cs.add("rate", unitRate, func(_ *Result, pt *Point) string { return n(pt.Rate) })
	cs.add("rate_lo", unitRate+", Garwood 95% lower end", func(_ *Result, pt *Point) string { return n(pt.RateLo) })
	cs.add("rate_hi", unitRate+", Garwood 95% upper end", func(_ *Result, pt *Point) string { return n(pt.RateHi) })
	cs.add("tau_time", unitTime, func(_ *Result, pt *Point) string { return n(pt.Tau) })
	cs.add("tau_lo_time", unitTime+", Garwood 95% lower end", func(_ *Result, pt *Point) string { return n(pt.TauLo) })
	cs.add("tau_hi_time", unitTime+", Garwood 95% upper end (empty: unbounded)", func(_ *Result, pt *Point) string { return n(pt.TauHi) })
	cs.add("tau_iterations", "iterations", func(_ *Result, pt *Point) string { return n(pt.TauIterations) })
	cs.add("ln_tau", "ln of continuous time", func(_ *Result, pt *Point) string { return n(pt.LnTau) })
	cs.add("sigma_ln_tau", "dimensionless (1/√escaped)", func(_ *Result, pt *Point) string { return n(pt.SigmaLogTau) })
	cs.add("resolved", unitBool, func(_ *Result, pt *Point) string { return strconv.FormatBool(pt.Resolved) })
	cs.add("reached_target", unitBool+" (at least the target escapes after t0)", func(_ *Result, pt *Point) string { return strconv.FormatBool(pt.Reached) })
	cs.add("note", "text (why a point is unresolved)", func(_ *Result, pt *Point) string { return pt.Note })
}

// planColumns adds the plan the point was sized by, its warnings and its time.
func planColumns(cs *columnSet) {
	n := func(v jsonnum.Number) string { return v.Text(10) }
	cs.add("planned_tau_time", unitTime+" (the τ the point was sized for)", func(_ *Result, pt *Point) string { return n(pt.Plan.TauGuess) })
	cs.add("planned_from", "text (a theory name, pilot or fixed)", func(_ *Result, pt *Point) string { return pt.Plan.TauSource })
	cs.add("expected_escapes", unitCount+" (planned)", func(_ *Result, pt *Point) string { return cellNumber(pt.Plan.Expected) })
	cs.add("reachable", unitBool+" (the plan expects the target escapes within the budget)", func(_ *Result, pt *Point) string { return strconv.FormatBool(pt.Plan.Reachable) })
	cs.add("warnings", "text (separated by ' | ')", func(_ *Result, pt *Point) string { return strings.Join(pt.Warnings, " | ") })
	cs.add("seconds", "wall-clock seconds", func(_ *Result, pt *Point) string { return cellNumber(pt.Seconds) })
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
