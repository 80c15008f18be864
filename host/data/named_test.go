package data

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/landscape"
)

// TestNamedTables: each shipped table has the size its source documents (sets/README.md: iris
// 150 × 4 and 3 classes of 50; wine 178 × 13, classes of 59, 71, 48; breast-cancer 569 × 30, 212
// malignant and 357 benign), its columns are names the landscape language accepts, and without
// --standardize=false it reads as stored.
func TestNamedTables(t *testing.T) {
	raw := false
	cases := []struct {
		name     string
		rows     int
		features int
		perClass []int
	}{
		{"iris", 150, 4, []int{50, 50, 50}},
		{"wine", 178, 13, []int{59, 71, 48}},
		{"breast-cancer", 569, 30, []int{212, 357}},
	}
	for _, c := range cases {
		d, err := OpenWith(c.name, Options{Standardize: &raw})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d.N != c.rows || len(d.Columns) != c.features+1 || d.Columns[c.features] != TargetColumn {
			t.Errorf("%s: %d rows, columns %v; want %d rows, %d features and t", c.name, d.N, d.Columns, c.rows, c.features)
		}
		count := make([]int, len(c.perClass))
		for r := range d.N {
			count[int(d.Row(r)[c.features])]++
		}
		if !slices.Equal(count, c.perClass) {
			t.Errorf("%s: rows per class %v, want %v", c.name, count, c.perClass)
		}
		// The columns parse as a per-sample loss over the data.
		if _, err := landscape.ParseData("(x*"+d.Columns[0]+" - t)^2", 0, nil, d.Columns, d.Values); err != nil {
			t.Errorf("%s: the columns do not parse as data columns: %v", c.name, err)
		}
	}
	iris, _ := OpenWith("iris", Options{Standardize: &raw})
	// The first row of Fisher's table, as stored in sklearn's iris.csv.
	if got := iris.Row(0); !slices.Equal(got, []float64{5.1, 3.5, 1.4, 0.2, 0}) {
		t.Errorf("iris row 1 = %v, want 5.1 3.5 1.4 0.2 0", got)
	}
}

// TestNamedDefaultStandardized: a named set is standardised unless asked not to be, so Open and
// OpenWith(Standardize true) give the same hash and another than the raw table.
func TestNamedDefaultStandardized(t *testing.T) {
	yes, no := true, false
	def, err := Open("wine")
	if err != nil {
		t.Fatal(err)
	}
	std, _ := OpenWith("wine", Options{Standardize: &yes})
	raw, _ := OpenWith("wine", Options{Standardize: &no})
	if def.SHA256 != std.SHA256 || def.SHA256 == raw.SHA256 {
		t.Errorf("hashes: default %s, standardised %s, raw %s", def.SHA256, std.SHA256, raw.SHA256)
	}
	if def.Options.Standardize == nil || !*def.Options.Standardize || def.Options.Targets != TargetsLabel {
		t.Errorf("resolved options %+v, want standardize true and targets label", def.Options)
	}
}

// TestUnknownName: a name that is neither a set nor a file proposes the closest set.
func TestUnknownName(t *testing.T) {
	for spec, want := range map[string]string{"irsi": "did you mean iris?", "Wine": "did you mean wine?", "breast_cancer": "did you mean breast-cancer?", "fashion": "did you mean fashion-mnist?", "zzzzzzzzz": "the named sets: breast-cancer"} {
		_, err := Open(spec)
		var de *Error
		if !errors.As(err, &de) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an *Error containing %q", spec, err, want)
		}
	}
}

// TestFashionMNISTMissing: without Debian's package the error names it and the fix.
func TestFashionMNISTMissing(t *testing.T) {
	defer func(dir string) { FashionMNISTDir = dir }(FashionMNISTDir)
	FashionMNISTDir = filepath.Join(t.TempDir(), "absent")
	_, err := Open("fashion-mnist")
	if err == nil || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") || !strings.Contains(err.Error(), "make deps") {
		t.Errorf("got %v, want the package and make deps named", err)
	}
}

// TestFashionMNIST reads the training set from Debian's dataset-fashion-mnist (installed by make
// deps): 60000 images of 28×28 pixels 0…255 and labels 0…9, 6000 of each, and the 10000 test
// images (Xiao, Rasul & Vollgraf 2017, sets/README.md).
func TestFashionMNIST(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Fatalf("Debian's dataset-fashion-mnist is not installed (%v): run make deps", err)
	}
	no := false
	d, err := OpenWith("fashion-mnist", Options{Standardize: &no})
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 60000 || len(d.Columns) != 28*28+1 || d.Columns[0] != "px1" || d.Columns[783] != "px784" || d.Columns[784] != "t" {
		t.Fatalf("%d rows, %d columns (%s … %s)", d.N, len(d.Columns), d.Columns[0], d.Columns[len(d.Columns)-1])
	}
	count := make([]int, 10)
	lo, hi := 255.0, 0.0
	for r := range d.N {
		row := d.Row(r)
		label := row[784]
		if label < 0 || label > 9 || label != float64(int(label)) {
			t.Fatalf("row %d: label %v", r, label)
		}
		count[int(label)]++
		lo, hi = min(lo, slices.Min(row[:784])), max(hi, slices.Max(row[:784]))
	}
	for c, n := range count {
		if n != 6000 {
			t.Errorf("class %d: %d images, want 6000", c, n)
		}
	}
	if lo != 0 || hi != 255 {
		t.Errorf("pixels in [%v, %v], want [0, 255]", lo, hi)
	}
	test, err := OpenWith("fashion-mnist-test", Options{Standardize: &no})
	if err != nil || test.N != 10000 || len(test.Columns) != 785 {
		t.Fatalf("fashion-mnist-test: %v, %d rows", err, test.N)
	}
	// Two classes, a seeded sample of 1000 rows, standardised, ±1 targets: the set of Wu, Ma & E's
	// kind of study (issue 22), in the shape the options give it.
	seed := uint64(1)
	small, err := OpenWith("fashion-mnist", Options{Classes: []int{0, 1}, Rows: 1000, RowSeed: &seed, Targets: TargetsPM1})
	if err != nil {
		t.Fatal(err)
	}
	if small.N != 1000 || len(small.Columns) != 785 {
		t.Fatalf("subset: %d rows, %d columns", small.N, len(small.Columns))
	}
	for r := range small.N {
		if v := small.Row(r)[784]; v != -1 && v != 1 {
			t.Fatalf("subset row %d: t = %v, want ±1", r, v)
		}
	}
}
