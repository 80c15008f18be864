package sweep

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

func fakeOpen(host.Config) (host.Backend, error) { return &fakeBackend{}, nil }

func pwqOptions(noise host.NoiseModel) Options {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Batch, cfg.Temp = "pwq(ha=4,hb=2,a=-1,b=0)", noise, 0.005, 0.04, 0.2
	cfg.Particles, cfg.Steps, cfg.Backend = 1000, 100, "cpu"
	return Options{Base: cfg, Name: "k", Values: []float64{0.5, 1, 2}, Budget: 1e10, AutoSize: true}
}

// readCSV parses sweep.csv as a program would: '#' lines skipped, one header. It returns the
// comment lines, the header and the rows as maps.
func readCSV(t *testing.T, data []byte) (comments []string, head []string, rows []map[string]string) {
	t.Helper()
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "#") {
			comments = append(comments, line)
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("sweep.csv does not parse: %v\n%s", err, data)
	}
	head = recs[0]
	seen := map[string]bool{}
	for _, h := range head {
		if seen[h] {
			t.Fatalf("column %q appears twice: %v", h, head)
		}
		seen[h] = true
	}
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range head {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return comments, head, rows
}

// commentMap reads "# PREFIX: a=x; b=y" into a map.
func commentMap(t *testing.T, comments []string, prefix string) map[string]string {
	t.Helper()
	for _, c := range comments {
		if rest, ok := strings.CutPrefix(c, "# "+prefix+": "); ok {
			m := map[string]string{}
			for _, e := range strings.Split(rest, "; ") {
				k, v, ok := strings.Cut(e, "=")
				if !ok {
					t.Fatalf("%s entry %q is not NAME=VALUE", prefix, e)
				}
				m[k] = v
			}
			return m
		}
	}
	t.Fatalf("no '# %s:' line in %v", prefix, comments)
	return nil
}

// TestCSVOneTidyTable: one header, unique column names, one row per point, a unit for every
// column, a kind for every theory column, and only the parameters the noise model uses (no temp
// under sgd-hessian, no batch or floor under sgld).
func TestCSVOneTidyTable(t *testing.T) {
	for _, c := range []struct {
		noise       host.NoiseModel
		want, never []string
	}{
		{host.SGDHessian, []string{"k", "axis_inv_k", "lr", "batch", "floor", "theory_xie_tau_time"}, []string{"temp", "series"}},
		{host.SGLD, []string{"k", "axis_ln_k", "lr", "temp", "theory_eyring_kramers_tau_time"}, []string{"batch", "floor", "series"}},
		{host.SGDLoss, []string{"k", "axis_inv_k", "batch"}, []string{"temp", "floor"}},
	} {
		o := pwqOptions(c.noise)
		if c.noise == host.SGDLoss {
			o.Base.Landscape = "pwq(ha=4,hb=2,a=-1,b=0,l0=0.5)"
		}
		s, err := RunSet(context.Background(), o, fakeOpen)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := s.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		comments, head, rows := readCSV(t, buf.Bytes())
		if len(rows) != 3 {
			t.Fatalf("%s: %d rows, want one per point", c.noise, len(rows))
		}
		col := map[string]bool{}
		for _, h := range head {
			col[h] = true
		}
		for _, h := range append(c.want, "particles", "steps", "escaped", "escaped_total", "burn_in_time", "rate", "rate_lo", "rate_hi",
			"tau_time", "tau_lo_time", "tau_hi_time", "tau_iterations", "ln_tau", "sigma_ln_tau", "resolved", "reached_target", "note",
			"theory_discrete_tau_time", "theory_quadrature_tau_time") {
			if !col[h] {
				t.Errorf("%s: no column %q in %v", c.noise, h, head)
			}
		}
		for _, h := range c.never {
			if col[h] {
				t.Errorf("%s: column %q does not apply: %v", c.noise, h, head)
			}
		}
		units := commentMap(t, comments, "units")
		kinds := commentMap(t, comments, "theory kinds")
		for _, h := range head {
			if units[h] == "" {
				t.Errorf("%s: no unit for %q", c.noise, h)
			}
			if strings.HasPrefix(h, "theory_") && kinds[h] == "" {
				t.Errorf("%s: no kind for %q", c.noise, h)
			}
		}
		if len(units) != len(head) {
			t.Errorf("%s: %d units for %d columns", c.noise, len(units), len(head))
		}
		if kinds["theory_discrete_tau_time"] != "exact-discrete" || kinds["theory_quadrature_tau_time"] != "exact-continuous" {
			t.Errorf("%s: kinds %v", c.noise, kinds)
		}
		for i, r := range rows {
			pt := s.Series[0].Points[i]
			if r["tau_time"] != pt.Tau.Text(10) || r["k"] != []string{"0.5", "1", "2"}[i] || r["resolved"] != "true" {
				t.Errorf("%s: row %v for point %+v", c.noise, r, pt)
			}
		}
	}
}

// TestCompareNoise: --compare noise=sgd-hessian,sgld over k gives two series, each on its natural
// axis, two panels, and every point on both axes; one CSV with a series column in which SGD rows
// leave temp empty and sgld rows batch and floor.
func TestCompareNoise(t *testing.T) {
	o := pwqOptions(host.SGLD)
	o.Base.Floor = 0.5
	o.Compare, o.CompareValues = "noise", []string{"sgd-hessian", "sgld"}
	s, err := RunSet(context.Background(), o, fakeOpen)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Series) != 2 || s.Series[0].Label != "noise=sgd-hessian" || s.Series[1].Noise != host.SGLD {
		t.Fatalf("series: %+v", s.Series)
	}
	if s.Series[0].Axis.Name != "1/k" || s.Series[1].Axis.Name != "logk" || len(s.Panels) != 2 {
		t.Fatalf("axes %s %s, %d panels", s.Series[0].Axis.Name, s.Series[1].Axis.Name, len(s.Panels))
	}
	for _, p := range s.Panels {
		if len(p.Fits) != 2 {
			t.Errorf("panel %s fits %v", p.Axis.Name, p.Fits)
		}
	}
	for _, r := range s.Series {
		for _, pt := range r.Points {
			k := map[float64]float64{0.5: 0.5, 1: 1, 2: 2}[pt.Value]
			if pt.XByAxis["1/k"] != 1/k || pt.XByAxis["logk"] != math.Log(k) || pt.Series != r.Label {
				t.Errorf("%s point %g: %v", r.Label, pt.Value, pt.XByAxis)
			}
		}
	}
	if s.Series[1].Points[0].Floor != nil || s.Series[1].Points[0].Batch != nil || s.Series[0].Points[0].Temp != nil ||
		*s.Series[0].Points[0].Floor != 0.5 || s.Series[1].Points[0].Result.Config.Floor != 0 {
		t.Errorf("parameters that do not apply: %+v / %+v", s.Series[0].Points[0], s.Series[1].Points[0])
	}
	var buf bytes.Buffer
	if err := s.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	_, head, rows := readCSV(t, buf.Bytes())
	if head[0] != "series" || head[1] != "k" || len(rows) != 6 {
		t.Fatalf("head %v, %d rows", head, len(rows))
	}
	for _, r := range rows {
		sgd := r["noise"] == "sgd-hessian"
		if r["series"] != "noise="+r["noise"] || (r["temp"] == "") != sgd || (r["batch"] == "") == sgd || (r["floor"] == "") == sgd ||
			r["axis_inv_k"] == "" || r["axis_ln_k"] == "" || (r["theory_xie_tau_time"] == "") == sgd || (r["theory_eyring_kramers_tau_time"] == "") != sgd {
			t.Errorf("row %v", r)
		}
	}

	// A numeric flag: two series on the same axis, one panel.
	o = pwqOptions(host.SGDHessian)
	o.Compare, o.CompareValues = "lr", []string{"0.005", "0.0025"}
	s, err = RunSet(context.Background(), o, fakeOpen)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Series) != 2 || len(s.Panels) != 1 || s.Series[1].Points[0].LR != 0.0025 || s.Series[1].Label != "lr=0.0025" {
		t.Fatalf("compare lr: %d series, %d panels", len(s.Series), len(s.Panels))
	}
}

// TestSeriesRules: what cannot be compared or varied is an input error naming the flag.
func TestSeriesRules(t *testing.T) {
	for _, c := range []struct {
		noise   host.NoiseModel
		vary    string
		compare string
		values  []string
		flag    string
	}{
		{host.SGLD, "batch", "noise", []string{"sgd-hessian", "sgld"}, "vary"},      // batch does not apply to sgld
		{host.SGDHessian, "temp", "", nil, "vary"},                                  // temp does not apply to sgd-hessian
		{host.SGDHessian, "k", "temp", []string{"0.1", "0.2"}, "compare"},           // nor comparing it
		{host.SGDHessian, "k", "k", []string{"1", "2"}, "compare"},                  // the varied name
		{host.SGDHessian, "k", "noise", []string{"sgd-hessian", "adam"}, "compare"}, // unknown model
		{host.SGDHessian, "k", "zz", []string{"1", "2"}, "compare"},
		{host.SGDHessian, "k", "noise", []string{"sgd-hessian", "sgld"}, "axis"}, // --axis B/eta with sgld                 // no such parameter
	} {
		o := pwqOptions(c.noise)
		o.Name, o.Compare, o.CompareValues = c.vary, c.compare, c.values
		if c.flag == "axis" {
			o.Axis = "B/eta"
		}
		_, err := o.SeriesOptions()
		var ie *host.InputError
		if !errors.As(err, &ie) || ie.Flag != c.flag {
			t.Errorf("%s vary %s compare %s=%v: %v, want an error on --%s", c.noise, c.vary, c.compare, c.values, err, c.flag)
		}
	}
	if n, v, err := ParseCompare("noise=SGD-Hessian, sgld"); err != nil || n != "noise" || len(v) != 2 || v[1] != "sgld" {
		t.Errorf("ParseCompare: %v %v %v", n, v, err)
	}
	for _, bad := range []string{"noise", "lr=0.1,x", "lr=0.1,0.1", "=1,2", "lr=0.1,"} {
		if _, _, err := ParseCompare(bad); err == nil {
			t.Errorf("ParseCompare(%q) accepted", bad)
		}
	}
}

// TestSetJSON: the document holds every point's numbers, the whole measurement (estimate,
// quasi-stationary record, predictions with kinds, comparisons), the fits and the axes; an
// unresolved τ is null.
func TestSetJSON(t *testing.T) {
	o := pwqOptions(host.SGDHessian)
	o.Compare, o.CompareValues = "noise", []string{"sgd-hessian", "sgld"}
	s, err := RunSet(context.Background(), o, fakeOpen)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Vary    string `json:"vary"`
		Compare string `json:"compare"`
		Panels  []struct {
			Axis struct{ Name, Label, Reading string } `json:"axis"`
			Fits map[string]struct {
				Slope *float64 `json:"slope"`
				R2    *float64 `json:"r2"`
			} `json:"fits"`
		} `json:"panels"`
		Series []struct {
			Label  string `json:"label"`
			Points []struct {
				Tau         *float64           `json:"tau_time"`
				LnTau       *float64           `json:"ln_tau"`
				BurnIn      *float64           `json:"burn_in_time"`
				XByAxis     map[string]float64 `json:"x_by_axis"`
				Theory      map[string]float64 `json:"theory"`
				TheoryKinds map[string]string  `json:"theory_kinds"`
				Temp        *float64           `json:"temp"`
				Batch       *float64           `json:"batch"`
				Measurement struct {
					Estimate struct {
						Exposure *float64 `json:"exposure_time"`
					} `json:"estimate"`
					QuasiStationary struct {
						BurnInRule string `json:"burn_in_rule"`
					} `json:"quasi_stationary"`
					Theory map[string]struct {
						Kind string   `json:"kind"`
						Tau  *float64 `json:"tau"`
					} `json:"theory"`
					Comparisons map[string]struct {
						Kind  string  `json:"kind"`
						Ratio float64 `json:"ratio"`
					} `json:"comparisons"`
				} `json:"measurement"`
			} `json:"points"`
		} `json:"series"`
		Columns []Column `json:"csv_columns"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != host.Version || doc.Vary != "k" || doc.Compare != "noise" || len(doc.Panels) != 2 || len(doc.Series) != 2 || len(doc.Columns) == 0 {
		t.Fatalf("document: %s", b)
	}
	if doc.Panels[1].Axis.Name != "logk" || doc.Panels[1].Fits["noise=sgld"].Slope == nil {
		t.Fatalf("panels: %+v", doc.Panels)
	}
	for si, sr := range doc.Series {
		for i, p := range sr.Points {
			pt := s.Series[si].Points[i]
			if p.Tau == nil || *p.Tau != float64(pt.Tau) || *p.LnTau != float64(pt.LnTau) || p.BurnIn == nil || len(p.XByAxis) != 2 ||
				p.Measurement.Estimate.Exposure == nil || p.Measurement.QuasiStationary.BurnInRule == "" {
				t.Fatalf("point %d of %s: %+v", i, sr.Label, p)
			}
			if (p.Temp == nil) == (si == 1) || (p.Batch == nil) == (si == 0) {
				t.Errorf("%s: temp %v batch %v", sr.Label, p.Temp, p.Batch)
			}
			for n, v := range p.Theory {
				if p.TheoryKinds[n] == "" || p.Measurement.Theory[n].Kind != p.TheoryKinds[n] || *p.Measurement.Theory[n].Tau != v {
					t.Errorf("theory %s of %s: %v %v", n, sr.Label, p.TheoryKinds, p.Measurement.Theory[n])
				}
			}
			if c, ok := p.Measurement.Comparisons["quadrature"]; !ok || c.Kind != "exact-continuous" || !(c.Ratio > 0) {
				t.Errorf("comparisons of %s: %+v", sr.Label, p.Measurement.Comparisons)
			}
		}
	}
}

// TestSetJSONKeysAreCSVColumns: a number that the sweep writes both into its JSON and into
// sweep.csv has one name. Every key of a point's JSON object that holds a number, a string, a
// bool or a list is a CSV column, and so is every key of its plan; the exceptions are value and x,
// which the CSV writes under the varied NAME and under each panel's axis column (checked in
// TestCSVOneTidyTable). Objects (theory, theory_kinds, comparisons, x_by_axis, measurement) are
// the CSV's theory_NAME_tau_time columns or have no CSV form.
func TestSetJSONKeysAreCSVColumns(t *testing.T) {
	o := pwqOptions(host.SGDHessian)
	o.Compare, o.CompareValues = "noise", []string{"sgd-hessian", "sgld"}
	s, err := RunSet(context.Background(), o, fakeOpen)
	if err != nil {
		t.Fatal(err)
	}
	header := map[string]bool{}
	var names []string
	for _, c := range s.Columns {
		header[c.Name] = true
		names = append(names, c.Name)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Series []struct {
			Points []map[string]json.RawMessage `json:"points"`
		} `json:"series"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, sr := range doc.Series {
		for _, pt := range sr.Points {
			var plan map[string]json.RawMessage
			if err := json.Unmarshal(pt["plan"], &plan); err != nil {
				t.Fatal(err)
			}
			for _, m := range []map[string]json.RawMessage{pt, plan} {
				for k, v := range m {
					if k == "value" || k == "x" || len(v) > 0 && v[0] == '{' {
						continue
					}
					checked++
					if !header[k] {
						t.Errorf("point JSON key %q is no sweep.csv column (columns: %v)", k, names)
					}
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d keys checked", checked)
	}
}
