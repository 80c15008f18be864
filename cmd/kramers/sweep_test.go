package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSweepCLI: `kramers sweep` on the CPU reference sizes each point by the sweep rule (500
// particles for the defaults of 100 escapes × safety 2 at 40%), prints the burn-in and the escapes
// after it, writes sweep.csv with the quasi-stationary numbers, and marks a point without a rate
// UNRESOLVED with the estimate's reason.
func TestSweepCLI(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "sweep", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
		"--backend", "cpu", "--vary", "seed=1,2", "--out", dir, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "burn-in t0") || !strings.Contains(out, "escaped after t0 (all)") || strings.Contains(out, "UNRESOLVED") {
		t.Fatalf("table:\n%s", out)
	}
	f, err := os.Open(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(f)
	cr.Comment = '#'
	rows, err := cr.ReadAll()
	f.Close()
	if err != nil || len(rows) != 3 {
		t.Fatalf("sweep.csv: %v %v", rows, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"particles", "escaped", "escaped_total", "burn_in_time", "rate", "tau_time", "resolved", "reached_target", "note", "theory_discrete_tau_time"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("sweep.csv lacks %q: %v", h, rows[0])
		}
	}
	for _, r := range rows[1:] {
		if r[col["particles"]] != "500" || r[col["resolved"]] != "true" || r[col["tau_time"]] == "" || r[col["burn_in_time"]] == "" {
			t.Errorf("row %v", r)
		}
	}
	for _, png := range []string{"sweep.png", "hazard.png"} {
		if st, err := os.Stat(filepath.Join(dir, png)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", png, err)
		}
	}

	// Too few particles and steps for any escape: unresolved, with the reason, and empty numbers.
	dir = t.TempDir()
	code, out, errOut = runCLI(t, "sweep", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
		"--backend", "cpu", "--vary", "k=1,2", "--fixed", "--particles", "50", "--steps", "20", "--out", dir, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "UNRESOLVED: ") || !strings.Contains(out, "fewer than two resolved points") {
		t.Fatalf("table:\n%s", out)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	if strings.Contains(string(data), "NaN") {
		t.Fatalf("sweep.csv writes NaN instead of an empty field:\n%s", data)
	}
}

// TestSweepBadVary: what --vary cannot use is an input error (exit status 2) naming the flag.
func TestSweepBadVary(t *testing.T) {
	for _, c := range []struct{ land, vary, flag string }{
		{"pwq(ha=4,hb=2,a=-1,b=0)", "zz=1,2", "--vary"},
		{"x^4/4 - x^2/2", "zz=1,2", "--vary"},
		{"pwq(ha=4,hb=2,a=-1,b=0)", "batch", "--vary"},
		{"pwq(ha=4,zz=2)", "k=1,2", "--landscape"},
	} {
		code, _, errOut := runCLI(t, "sweep", "--landscape", c.land, "--start", "-1", "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
			"--backend", "cpu", "--vary", c.vary, "--out", t.TempDir())
		if code != 2 || !strings.Contains(errOut, c.flag) {
			t.Errorf("sweep --landscape %q --vary %s: exit %d, %q; want 2 naming %s", c.land, c.vary, code, errOut, c.flag)
		}
	}
}

// sweepArgs is a small sweep on the CPU reference: each point 2000 particles × 2000 iterations.
func sweepArgs(extra ...string) []string {
	return append([]string{"sweep", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--lr", "0.01", "--backend", "cpu", "--fixed",
		"--particles", "2000", "--steps", "2000", "--quiet"}, extra...)
}

// readSweepCSV reads sweep.csv as a program would ('#' lines skipped) and checks that it has one
// header with unique names; it returns the header and the rows as maps.
func readSweepCSV(t *testing.T, path string) ([]string, []map[string]string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\n# units: ") && !strings.HasPrefix(string(data), "# units: ") {
		t.Errorf("sweep.csv has no '# units:' line:\n%s", data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("sweep.csv: %v\n%s", err, data)
	}
	seen := map[string]bool{}
	for _, h := range recs[0] {
		if seen[h] {
			t.Fatalf("sweep.csv repeats column %q: %v", h, recs[0])
		}
		seen[h] = true
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		if len(rec) > 0 && seen[rec[0]] && rec[0] != "" {
			t.Fatalf("a second header row: %v", rec)
		}
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return recs[0], rows
}

// jsonNumbers collects every number of a JSON document.
func jsonNumbers(v any, out *[]float64) {
	switch x := v.(type) {
	case float64:
		*out = append(*out, x)
	case []any:
		for _, e := range x {
			jsonNumbers(e, out)
		}
	case map[string]any:
		for _, e := range x {
			jsonNumbers(e, out)
		}
	}
}

var printedNumber = regexp.MustCompile(`(?:^|[\s\[(=,])(-?\d+(?:\.\d+)?(?:e[+-]\d+)?)(?:[\s\]),]|$)`)

// checkPrinted checks that every number of the table and fit lines of a sweep's output is in the
// JSON document, to the digits printed.
func checkPrinted(t *testing.T, table string, doc any) int {
	t.Helper()
	var nums []float64
	jsonNumbers(doc, &nums)
	n := 0
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "wrote ") || strings.HasPrefix(line, "==") || strings.Contains(line, "particles  iterations") {
			continue
		}
		// Number tokens may share a delimiter ("128 (128)"): scan repeatedly from each match.
		for rest := line; ; {
			loc := printedNumber.FindStringSubmatchIndex(rest)
			if loc == nil {
				break
			}
			tok := rest[loc[2]:loc[3]]
			rest = rest[loc[3]:]
			p, err := strconv.ParseFloat(tok, 64)
			if err != nil {
				t.Fatalf("token %q", tok)
			}
			// Half a unit in the last printed digit.
			mant, exp, _ := strings.Cut(tok, "e")
			e, _ := strconv.Atoi(exp)
			digits := 0
			if _, frac, ok := strings.Cut(mant, "."); ok {
				digits = len(frac)
			}
			tol := 0.5*math.Pow(10, float64(e-digits))*(1+1e-9) + 1e-12
			found := false
			for _, j := range nums {
				if math.Abs(j-p) <= tol {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("printed number %s (line %q) is not in the JSON", tok, line)
			}
			n++
		}
	}
	return n
}

// TestSweepOutputsForPrograms (issue item 6): --json - writes one JSON document to stdout with
// every number of the table, which goes to stderr; sweep.csv has one header, unique columns, one
// row per point, units, and no temp column under sgd-hessian; the axis of k under sgd-hessian is
// 1/k.
func TestSweepOutputsForPrograms(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runBin(t, dir, nil, sweepArgs("--noise", "sgd-hessian", "--batch", "0.06", "--vary", "k=1,1.5,2", "--out", "o", "--json", "-")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if !strings.Contains(errOut, "τ̂ (time)") || !strings.Contains(errOut, "weighted fit") {
		t.Fatalf("the table is not on stderr:\n%s", errOut)
	}
	if n := checkPrinted(t, errOut, doc); n < 40 {
		t.Errorf("only %d printed numbers found in the table:\n%s", n, errOut)
	}
	series := doc["series"].([]any)
	s0 := series[0].(map[string]any)
	if len(series) != 1 || s0["axis"].(map[string]any)["name"] != "1/k" || len(s0["points"].([]any)) != 3 {
		t.Fatalf("series: %v", s0["axis"])
	}
	pt := s0["points"].([]any)[0].(map[string]any)
	meas := pt["measurement"].(map[string]any)
	for _, k := range []string{"estimate", "quasi_stationary", "stability", "theory", "comparisons"} {
		if _, ok := meas[k]; !ok {
			t.Errorf("point measurement lacks %q", k)
		}
	}
	if meas["theory"].(map[string]any)["quadrature"].(map[string]any)["kind"] != "exact-continuous" || pt["theory_kinds"].(map[string]any)["discrete"] != "exact-discrete" {
		t.Errorf("theory kinds: %v", pt["theory_kinds"])
	}
	head, rows := readSweepCSV(t, filepath.Join(dir, "o", "sweep.csv"))
	col := map[string]bool{}
	for _, h := range head {
		col[h] = true
	}
	if col["temp"] || !col["batch"] || !col["floor"] || !col["axis_inv_k"] || !col["theory_xie_tau_time"] || len(rows) != 3 || head[0] != "k" {
		t.Errorf("sweep.csv header %v, %d rows", head, len(rows))
	}

	// --json FILE writes the same document and leaves the table on stdout.
	code, out, errOut = runBin(t, dir, nil, sweepArgs("--noise", "sgld", "--temp", "0.2", "--vary", "k=1,2", "--out", "o2", "--json", "o2/sweep.json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "o2", "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc = nil
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	checkPrinted(t, out, doc)
	if ax := doc["series"].([]any)[0].(map[string]any)["axis"].(map[string]any)["name"]; ax != "logk" {
		t.Errorf("axis of k under sgld: %v, want logk", ax)
	}
	head, _ = readSweepCSV(t, filepath.Join(dir, "o2", "sweep.csv"))
	for _, h := range head {
		if h == "batch" || h == "floor" {
			t.Errorf("sgld sweep.csv has %s: %v", h, head)
		}
	}
}

// TestSweepCompare (issue item 7): --compare noise=sgd-hessian,sgld draws both series on one
// figure with a panel per natural axis, writes both into one CSV (temp empty on SGD rows, batch on
// sgld rows) and one JSON; --batch applies to the SGD series and --temp to sgld.
func TestSweepCompare(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runBin(t, dir, nil, sweepArgs("--batch", "0.06", "--temp", "0.2", "--compare", "noise=sgd-hessian,sgld",
		"--vary", "k=0.7,1.5", "--out", "o", "--json", "o/sweep.json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "== noise=sgd-hessian ==") || !strings.Contains(out, "== noise=sgld ==") {
		t.Fatalf("table:\n%s", out)
	}
	for _, f := range []string{"sweep.png", "hazard.png", "sweep.json"} {
		if st, err := os.Stat(filepath.Join(dir, "o", f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "o", "sweep.json"))
	var doc struct {
		Compare string `json:"compare"`
		Panels  []struct {
			Axis struct{ Name string } `json:"axis"`
			Fits map[string]any        `json:"fits"`
		} `json:"panels"`
		Series []struct {
			Label  string `json:"label"`
			Noise  string `json:"noise"`
			Points []struct {
				Batch *float64 `json:"batch"`
				Temp  *float64 `json:"temp"`
			} `json:"points"`
		} `json:"series"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Compare != "noise" || len(doc.Series) != 2 || doc.Series[0].Noise != "sgd-hessian" || doc.Series[1].Noise != "sgld" ||
		len(doc.Panels) != 2 || doc.Panels[0].Axis.Name != "1/k" || doc.Panels[1].Axis.Name != "logk" || len(doc.Panels[1].Fits) != 2 {
		t.Fatalf("document: %s", data)
	}
	for _, s := range doc.Series {
		for _, p := range s.Points {
			sgd := s.Noise != "sgld"
			if (p.Batch != nil && *p.Batch == 0.06) != sgd || (p.Temp != nil && *p.Temp == 0.2) == sgd {
				t.Errorf("%s: batch %v temp %v", s.Label, p.Batch, p.Temp)
			}
		}
	}
	head, rows := readSweepCSV(t, filepath.Join(dir, "o", "sweep.csv"))
	if head[0] != "series" || len(rows) != 4 {
		t.Fatalf("sweep.csv: %v, %d rows", head, len(rows))
	}
	for _, r := range rows {
		sgd := r["noise"] == "sgd-hessian"
		if (r["temp"] == "") != sgd || (r["batch"] == "") == sgd || r["series"] != "noise="+r["noise"] || r["tau_time"] == "" {
			t.Errorf("row %v", r)
		}
	}

	// A run flag: two learning rates, one panel.
	code, _, errOut = runBin(t, dir, nil, sweepArgs("--noise", "sgd-hessian", "--batch", "0.06", "--compare", "lr=0.01,0.005",
		"--vary", "k=1,2", "--out", "o2")...)
	if code != 0 {
		t.Fatalf("compare lr: exit %d: %s", code, errOut)
	}
	head, rows = readSweepCSV(t, filepath.Join(dir, "o2", "sweep.csv"))
	if len(rows) != 4 || rows[3]["series"] != "lr=0.005" || rows[3]["lr"] != "0.005" {
		t.Errorf("compare lr: %v %v", head, rows)
	}
}

// TestSweepCompareRefusals: what a comparison cannot mean is an input error (exit 2) naming the
// flag.
func TestSweepCompareRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--compare", "noise=sgd-hessian,sgd-loss", "--temp", "0.2", "--vary", "k=1,2"}, "--temp"},
		{[]string{"--noise", "sgld", "--compare", "noise=sgd-hessian,sgld", "--vary", "k=1,2"}, "--noise"},
		{[]string{"--compare", "noise=sgd-hessian,sgld", "--vary", "batch=0.02,0.04"}, "--vary"},
		{[]string{"--compare", "noise=sgd-hessian,adam", "--vary", "k=1,2"}, "--compare"},
		{[]string{"--noise", "sgd-hessian", "--compare", "temp=0.1,0.2", "--vary", "k=1,2"}, "--compare"},
		{[]string{"--noise", "sgd-hessian", "--vary", "temp=0.1,0.2"}, "--vary"},
	} {
		code, _, errOut := runBin(t, dir, nil, sweepArgs(append(c.args, "--out", "o")...)...)
		if code != 2 || !strings.Contains(errOut, c.flag) {
			t.Errorf("%v: exit %d, %q; want 2 naming %s", c.args, code, errOut, c.flag)
		}
	}
}

// TestSweepPointStreams (issue 20 item 6): the points of a sweep run independent random streams
// (host/rng "Sweeps"), so their errors are independent as the weighted fit assumes, and each
// point's record holds the seed it ran with: `kramers run --seed` with that seed, the point's
// landscape and its particles and steps gives the point's numbers bit for bit (CPU backend, which
// is deterministic).
func TestSweepPointStreams(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runBin(t, dir, nil, "sweep", "--landscape", "pwq(ha=4,hb=2,a=-1,b=0)", "--noise", "sgld", "--temp", "0.15",
		"--lr", "0.01", "--backend", "cpu", "--fixed", "--particles", "400", "--steps", "1500", "--vary", "k=1,1",
		"--out", "o", "--json", "o/sweep.json", "--seed", "7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Series []struct {
			Points []struct {
				Landscape    string   `json:"landscape"`
				Seed         uint64   `json:"seed"`
				Particles    int      `json:"particles"`
				Steps        int      `json:"steps"`
				EscapedTotal int      `json:"escaped_total"`
				Escaped      int      `json:"escaped"`
				Rate         *float64 `json:"rate"`
			} `json:"points"`
		} `json:"series"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "o", "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	pts := doc.Series[0].Points
	// Both points vary k to the same value: only their streams tell them apart.
	if len(pts) != 2 || pts[0].Seed == pts[1].Seed || pts[0].Seed == 7 || pts[0].Landscape != pts[1].Landscape {
		t.Fatalf("points %+v: want two distinct seeds derived from 7", pts)
	}
	if pts[0].EscapedTotal == pts[1].EscapedTotal && *pts[0].Rate == *pts[1].Rate {
		t.Errorf("points with distinct seeds measured identical numbers: %+v", pts)
	}
	for i, pt := range pts {
		if !strings.Contains(errOut, fmt.Sprintf("(seed %d)", pt.Seed)) {
			t.Errorf("progress does not print point %d's seed %d:\n%s", i, pt.Seed, errOut)
		}
		code, _, e := runBin(t, dir, nil, "run", "--landscape", pt.Landscape, "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
			"--backend", "cpu", "--particles", strconv.Itoa(pt.Particles), "--steps", strconv.Itoa(pt.Steps),
			"--seed", strconv.FormatUint(pt.Seed, 10), "--json", "run.json", "--quiet")
		if code != 0 {
			t.Fatalf("run: exit %d: %s", code, e)
		}
		r := readJSON(t, filepath.Join(dir, "run.json"))
		if int(r["escaped_total"].(float64)) != pt.EscapedTotal || int(r["escaped"].(float64)) != pt.Escaped || r["rate"].(float64) != *pt.Rate {
			t.Errorf("point %d (seed %d): run gives escaped %v of %v, rate %v; the sweep %d of %d, %v",
				i, pt.Seed, r["escaped"], r["escaped_total"], r["rate"], pt.Escaped, pt.EscapedTotal, *pt.Rate)
		}
	}
}
