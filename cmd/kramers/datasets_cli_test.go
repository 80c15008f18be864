package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/data"
	"gonum.org/v1/gonum/stat"
)

// irisRun is real minibatch SGD (B = 1) on a double well tilted per row by the ±1 label of a
// seeded sample of 60 iris rows of classes 0 and 1: ℓ = (x²−1)²/4 + (y − sepal_width)²/2 + x·t.
func irisRun(t *testing.T, dir, rows, out string) {
	t.Helper()
	code, _, errOut := runBin(t, dir, nil, "run", "--backend", "cpu", "--quiet", "--data", "iris", "--classes", "0,1",
		"--targets", "pm1", "--rows", rows, "--landscape", "(x^2-1)^2/4 + (y - sepal_width)^2/2 + x*t", "--start=-1,0",
		"--noise", "minibatch", "--batch", "1", "--lr", "0.2", "--particles", "500", "--steps", "2000", "--json", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

type dataRecord struct {
	Escaped int `json:"escaped"`
	Data    struct {
		Spec, SHA256 string
		N            int
		Columns      []string
		Options      data.Options
	} `json:"data"`
}

func readRecord(t *testing.T, path string) dataRecord {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r dataRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestNamedDataRun: a run on --data iris with a class subset, a seeded row sample and ±1 targets
// works end to end, escapes, and records the options and the hash of exactly the rows it used
// (the hash of host/data's own reading of the same options); another row seed, another hash.
func TestNamedDataRun(t *testing.T) {
	dir := t.TempDir()
	irisRun(t, dir, "60:seed=2", "a.json")
	irisRun(t, dir, "60:seed=3", "b.json")
	a, b := readRecord(t, filepath.Join(dir, "a.json")), readRecord(t, filepath.Join(dir, "b.json"))
	seed := uint64(2)
	want, err := data.OpenWith("iris", data.Options{Classes: []int{0, 1}, Rows: 60, RowSeed: &seed, Targets: data.TargetsPM1})
	if err != nil {
		t.Fatal(err)
	}
	o := a.Data.Options
	if a.Data.Spec != "iris" || a.Data.N != 60 || a.Data.SHA256 != want.SHA256 || !slices.Equal(a.Data.Columns, want.Columns) {
		t.Errorf("data record %+v; want iris, 60 rows, hash %s, columns %v", a.Data, want.SHA256, want.Columns)
	}
	if o.Standardize == nil || !*o.Standardize || !slices.Equal(o.Classes, []int{0, 1}) || o.Rows != 60 || o.RowSeed == nil || *o.RowSeed != 2 || o.Targets != data.TargetsPM1 {
		t.Errorf("recorded options %+v", o)
	}
	if b.Data.SHA256 == a.Data.SHA256 {
		t.Errorf("row seeds 2 and 3 recorded the same hash %s", a.Data.SHA256)
	}
	// ΔL = 1/4 against D ≈ η/2 ≈ 0.1 along x: several hundred of the 500 particles escape in 2000
	// iterations (measured 496); fewer than 50 would mean the data's noise did not reach the run.
	if a.Escaped < 50 {
		t.Errorf("%d escapes, want at least 50", a.Escaped)
	}
}

// TestNamedDataAnalyze: analyze on --data iris sees the standardised columns: the minimum of
// (x²−1)²/4 + (y − petal_length)²/2 has y at the mean of petal_length over the rows, 0 after
// standardisation and the table's mean without it (to 1e-8, the analysis' Newton tolerance).
func TestNamedDataAnalyze(t *testing.T) {
	no := false
	raw, err := data.OpenWith("iris", data.Options{Standardize: &no})
	if err != nil {
		t.Fatal(err)
	}
	col := make([]float64, raw.N)
	for r := range raw.N {
		col[r] = raw.Row(r)[2]
	}
	mean := stat.Mean(col, nil)
	for _, c := range []struct {
		flag  string
		wantY float64
	}{{"--standardize", 0}, {"--standardize=false", mean}} {
		code, out, errOut := runBin(t, t.TempDir(), nil, "analyze", "--data", "iris", c.flag, "--landscape",
			"(x^2-1)^2/4 + (y - petal_length)^2/2 + 0.1*x*t", "--start=-1,0", "--json", "-")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.flag, code, errOut)
		}
		var an struct {
			Minimum []float64 `json:"minimum"`
			Data    struct{ N int }
		}
		if err := json.Unmarshal([]byte(out), &an); err != nil {
			t.Fatal(err)
		}
		if an.Data.N != 150 || len(an.Minimum) != 2 || math.Abs(an.Minimum[1]-c.wantY) > 1e-8 {
			t.Errorf("%s: %d rows, minimum %v; want 150 rows and y = %v", c.flag, an.Data.N, an.Minimum, c.wantY)
		}
	}
}

// TestDataSetBadInput: bad data names, idx files and data options exit 2 with one line naming the
// problem and the fix.
func TestDataSetBadInput(t *testing.T) {
	dir := t.TempDir()
	header := func(magic uint32, dims ...uint32) []byte {
		b := binary.BigEndian.AppendUint32(nil, magic)
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, d)
		}
		return b
	}
	os.WriteFile(filepath.Join(dir, "cut-images-idx3-ubyte"), append(header(0x803, 2, 28, 28), make([]byte, 100)...), 0o644)
	os.WriteFile(filepath.Join(dir, "cut-labels-idx1-ubyte"), append(header(0x801, 2), 1, 2), 0o644)
	os.WriteFile(filepath.Join(dir, "odd-images-idx3-ubyte"), append(header(0x80d, 2, 2, 2), make([]byte, 32)...), 0o644)
	// A file named like an idx file whose first bytes are text (a wrong magic number, read as idx
	// because of its name), and a gzipped idx file cut in the middle of its gzip stream.
	os.WriteFile(filepath.Join(dir, "text-images-idx3-ubyte"), []byte("f,t\n1,2\n"), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(append(header(0x803, 2, 28, 28), make([]byte, 2*28*28)...))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "cut-images-idx3-ubyte.gz"), gz.Bytes()[:gz.Len()/2], 0o644)
	base := []string{"run", "--backend", "cpu", "--quiet", "--landscape", "(x^2-1)^2/4 + y^2/2 + x*t", "--start=-1,0"}
	rows := []struct {
		args []string
		want string
	}{
		{[]string{"--data", "irsi"}, "kramers: --data: irsi: no data set of that name and no such file; did you mean iris?"},
		{[]string{"--data", "iris", "--classes", "7"}, "kramers: --classes: iris: class 7 is not in the data, whose classes are 0 (setosa), 1 (versicolor), 2 (virginica)"},
		{[]string{"--data", "iris", "--targets", "01"}, "kramers: --targets: iris: --targets 01 needs exactly two classes"},
		{[]string{"--data", "gen:neuron(n=20)", "--classes", "0,1"}, "kramers: --classes: gen:neuron(n=20): row 2: t = "},
		{[]string{"--data", "iris", "--rows", "0"}, "kramers: --rows: \"0\" is not a number of rows"},
		{[]string{"--data", "iris", "--rows", "151"}, "kramers: --rows: iris: --rows 151 asks for 151 rows but the data have 150"},
		{[]string{"--data", "iris", "--targets", "ternary"}, "kramers: --targets: unknown target encoding \"ternary\""},
		{[]string{"--classes", "0,1"}, "kramers: --classes: applies only to a finite-data run; give --data"},
		{[]string{"--data", "cut-images-idx3-ubyte"}, "kramers: --data: cut-images-idx3-ubyte: is truncated: its header promises 2×28×28 = 1568 values but only 100 follow"},
		{[]string{"--data", "odd-images-idx3-ubyte,cut-labels-idx1-ubyte"}, "kramers: --data: odd-images-idx3-ubyte: is not an idx file of unsigned bytes: it starts with 0x0000080d"},
		{[]string{"--data", "text-images-idx3-ubyte"}, "kramers: --data: text-images-idx3-ubyte: is not an idx file of unsigned bytes: it starts with 0x662c740a, but images start with 0x00000803"},
		{[]string{"--data", "cut-images-idx3-ubyte.gz"}, "kramers: --data: cut-images-idx3-ubyte.gz: the gzip stream is damaged or truncated (unexpected EOF); copy or download the file again"},
		{[]string{"--data", "breast_cancer"}, "kramers: --data: breast_cancer: no data set of that name and no such file; did you mean breast-cancer?"},
		{[]string{"--data", "breast-cancer", "--classes", "0,2"}, "kramers: --classes: breast-cancer: class 2 is not in the data, whose classes are 0 (malignant), 1 (benign); give classes from these"},
	}
	for _, row := range rows {
		args := append(append([]string{}, base...), row.args...)
		code, _, errOut := runBin(t, dir, nil, args...)
		msg := strings.TrimSpace(errOut)
		if code != exitUsage || strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, row.want) {
			t.Errorf("kramers %s: exit %d, stderr %q; want exit 2 and %q…", strings.Join(args, " "), code, msg, row.want)
		}
	}
	// Network widths that are not whole numbers (issue 22 item 9), on a named set.
	for _, w := range []struct{ spec, width string }{{"mlp(h1=2.5)", "h1"}, {"mlp(h1=3,h2=0.5)", "h2"}} {
		spec, name := w.spec, w.width
		args := []string{"run", "--backend", "cpu", "--quiet", "--data", "iris", "--landscape", spec}
		code, _, errOut := runBin(t, dir, nil, args...)
		msg := strings.TrimSpace(errOut)
		want := "kramers: --landscape: \"" + spec + "\": mlp: the width " + name + " must be a whole number from "
		if code != exitUsage || strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, want) || !strings.Contains(msg, ", got ") {
			t.Errorf("kramers %s: exit %d, stderr %q; want exit 2 and %q…, got …", strings.Join(args, " "), code, msg, want)
		}
	}
	// analyze refuses the data options without --data the same way.
	code, _, errOut := runBin(t, dir, nil, "analyze", "--landscape", "doublewell", "--targets", "pm1")
	if msg := strings.TrimSpace(errOut); code != exitUsage || !strings.HasPrefix(msg, "kramers: --targets: applies only to a finite-data run") {
		t.Errorf("analyze --targets without --data: exit %d, %q", code, msg)
	}
}
