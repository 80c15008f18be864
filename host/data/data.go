// Package data reads the finite data sets of docs/theory.md §8: a CSV file with a header row of
// column names and numbers below it, or a built-in generator (gen:NAME(…)) for reproducible
// synthetic sets. A data set is row-major float64 values with a SHA-256 of its contents, which a
// result records beside the spec that produced it.
package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host/landscape"
)

// MaxValues is the most numbers (rows × columns) a data set may hold: 2^26 float64 values, 512 MiB
// in memory on the host.
const MaxValues = 1 << 26

// Data is a data set: N rows of len(Columns) numbers, row-major in Values.
type Data struct {
	Spec    string    // the path or gen: spec it came from
	Columns []string  // the header
	Values  []float64 // row r, column c at Values[r·len(Columns)+c]
	N       int       // rows
	// SHA256 is the hex SHA-256 of the canonical CSV text of the contents: the header joined by
	// commas, then each row's numbers in Go's shortest round-trip formatting ('g', -1), every line
	// ended by \n. It depends on the numbers, not on how the file spells them.
	SHA256 string
}

// Error is a problem with a data set; Row and Col are 1-based (0: not about one cell). Row 1 is
// the header.
type Error struct {
	Spec     string
	Row, Col int
	Msg      string
}

func (e *Error) Error() string {
	switch {
	case e.Row > 0 && e.Col > 0:
		return fmt.Sprintf("%s: row %d, column %d: %s", e.Spec, e.Row, e.Col, e.Msg)
	case e.Row > 0:
		return fmt.Sprintf("%s: row %d: %s", e.Spec, e.Row, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Spec, e.Msg)
}

// Open returns the data set that spec names: a generator spec (gen:…) or a CSV file path.
func Open(spec string) (*Data, error) {
	if strings.HasPrefix(strings.TrimSpace(spec), "gen:") {
		return Generate(strings.TrimSpace(spec))
	}
	return Load(spec)
}

// Load reads a CSV file: a header row of column names (identifiers: letters, digits and _, not
// starting with a digit, all distinct), then at least one row of as many finite numbers. Blank
// lines are skipped. Every other file is refused with an *Error that names the row and column.
func Load(path string) (*Data, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Spec: path, Msg: fmt.Sprintf("cannot read the data file (%v)", errors.Unwrap(err))}
	}
	return parse(path, raw)
}

func parse(spec string, raw []byte) (*Data, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &Error{Spec: spec, Msg: "the data file is empty; it needs a header row of column names and at least one row of numbers"}
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1 // ragged rows are reported below, with their row
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, csvErr(spec, err)
	}
	line, _ := r.FieldPos(0)
	for i, name := range header {
		name = strings.TrimSpace(name)
		header[i] = name
		if _, err := strconv.ParseFloat(name, 64); err == nil {
			return nil, &Error{Spec: spec, Row: line, Col: i + 1, Msg: fmt.Sprintf("the first row must be a header of column names, but %q is a number; add a header row such as f,t", name)}
		}
		if !landscape.IsName(name) {
			return nil, &Error{Spec: spec, Row: line, Col: i + 1, Msg: fmt.Sprintf("column name %q is not a name: use letters, digits and _, starting with a letter or _", name)}
		}
		for j := 0; j < i; j++ {
			if header[j] == name {
				return nil, &Error{Spec: spec, Row: line, Col: i + 1, Msg: fmt.Sprintf("column name %s appears twice (also column %d)", name, j+1)}
			}
		}
	}
	d := &Data{Spec: spec, Columns: header}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(spec, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			return nil, &Error{Spec: spec, Row: line, Msg: fmt.Sprintf("has %d fields but the header has %d columns; every row needs one number per column", len(rec), len(header))}
		}
		for c, s := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, &Error{Spec: spec, Row: line, Col: c + 1, Msg: fmt.Sprintf("%q (column %s) is not a number", s, header[c])}
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &Error{Spec: spec, Row: line, Col: c + 1, Msg: fmt.Sprintf("%q (column %s) is not a finite number; remove or impute the row", s, header[c])}
			}
			d.Values = append(d.Values, v)
		}
		if len(d.Values) > MaxValues {
			return nil, &Error{Spec: spec, Row: line, Msg: fmt.Sprintf("the data set exceeds %d numbers (rows × columns); use a subset of the rows", MaxValues)}
		}
		d.N++
	}
	if d.N == 0 {
		return nil, &Error{Spec: spec, Msg: "the data file has a header but no rows of numbers"}
	}
	d.SHA256 = d.hash()
	return d, nil
}

func csvErr(spec string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Spec: spec, Row: pe.Line, Col: pe.Column, Msg: fmt.Sprintf("not valid CSV (%v)", pe.Err)}
	}
	return &Error{Spec: spec, Msg: fmt.Sprintf("not valid CSV (%v)", err)}
}

// Row returns row r's numbers (a slice of Values).
func (d *Data) Row(r int) []float64 {
	c := len(d.Columns)
	return d.Values[r*c : (r+1)*c]
}

// CSV writes the canonical text the hash is taken of.
func (d *Data) CSV() []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join(d.Columns, ","))
	b.WriteByte('\n')
	c := len(d.Columns)
	for i, v := range d.Values {
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		if (i+1)%c == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(',')
		}
	}
	return b.Bytes()
}

func (d *Data) hash() string {
	s := sha256.Sum256(d.CSV())
	return hex.EncodeToString(s[:])
}
