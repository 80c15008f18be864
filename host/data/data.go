package data

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host/landscape"
)

// MaxValues is the most numbers (rows × columns) a data set may hold: 2^26 float64 values, 512 MiB
// in memory on the host.
const MaxValues = 1 << 26

// Data is a data set: N rows of len(Columns) numbers, row-major in Values.
type Data struct {
	Spec    string    // the name, path or gen: spec it came from
	Columns []string  // the header
	Values  []float64 // row r, column c at Values[r·len(Columns)+c]
	N       int       // rows
	// SHA256 is the hex SHA-256 of the canonical CSV text of the contents: the header joined by
	// commas, then each row's numbers in Go's shortest round-trip formatting ('g', -1), every line
	// ended by \n. It depends on the numbers, not on how the file spells them.
	SHA256 string
	// Options are the options applied, resolved (Standardize set, Targets label when not given);
	// zero for a file or generator read without options.
	Options Options
}

// Error is a problem with a data set; Row and Col are 1-based (0: not about one cell). Row 1 is
// the header. Flag names the option at fault (classes, rows, standardize, targets) or is empty
// when the data themselves are.
type Error struct {
	Spec     string
	Row, Col int
	Msg      string
	Flag     string
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

// Open returns the data set that spec names, without options: OpenWith(spec, Options{}).
func Open(spec string) (*Data, error) { return OpenWith(spec, Options{}) }

// OpenWith returns the data set that spec names, with the options o applied (Options). spec is
// a generator spec (gen:…), a named set (Names; a file of the same name is read as ./NAME), a CSV
// file, an idx images file (its labels found beside it by the MNIST naming) or IMAGES,LABELS.
// A file or generator read with zero options is exactly what it holds.
func OpenWith(spec string, o Options) (*Data, error) {
	s := strings.TrimSpace(spec)
	var d *Data
	var err error
	set, named := namedSets[s]
	switch {
	case strings.HasPrefix(s, "gen:"):
		d, err = generate(s)
	case named:
		d, err = openNamed(s, set)
	default:
		d, err = openFile(spec)
	}
	if err != nil {
		return nil, err
	}
	d.Spec = spec
	if !o.IsZero() || named {
		return apply(d, o, named, set.classes)
	}
	d.SHA256 = d.hash()
	return d, nil
}

// openFile reads a CSV or idx file (told apart by their first bytes) or an IMAGES,LABELS pair.
func openFile(spec string) (*Data, error) {
	f, err := os.Open(spec)
	if err != nil {
		switch {
		case strings.Contains(spec, ","):
			return openIdx(spec)
		case looksLikeName(strings.TrimSpace(spec)):
			return nil, unknownName(strings.TrimSpace(spec))
		}
		return loadCSV(spec)
	}
	head := make([]byte, 2)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if isIdx(head[:n]) || namedLikeIdx(spec) {
		return openIdx(spec)
	}
	return loadCSV(spec)
}

// idxName matches the names the MNIST files have (train-images-idx3-ubyte, ….idx1-ubyte.gz).
var idxName = regexp.MustCompile(`idx[0-9]-ubyte(\.gz)?$`)

// namedLikeIdx reports whether the file's name says it is an idx file: such a file is read as
// one whatever its first bytes, so that a wrong magic number is reported as that (idx.go) rather
// than as CSV that does not parse.
func namedLikeIdx(path string) bool { return idxName.MatchString(filepath.Base(path)) }

// Load reads a CSV file: a header row of column names (identifiers: letters, digits and _, not
// starting with a digit, all distinct), then at least one row of as many finite numbers. Blank
// lines are skipped. Every other file is refused with an *Error that names the row and column.
func Load(path string) (*Data, error) {
	d, err := loadCSV(path)
	if err != nil {
		return nil, err
	}
	d.SHA256 = d.hash()
	return d, nil
}

// loadCSV is Load without the hash.
func loadCSV(path string) (*Data, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Spec: path, Msg: fmt.Sprintf("cannot read the data file (%v)", errors.Unwrap(err))}
	}
	return parse(path, raw)
}

// parse reads CSV text; the caller sets the hash (once, after any options). A UTF-8 byte-order
// mark, which spreadsheet programs write at the start of a file, is no part of the first name.
func parse(spec string, raw []byte) (*Data, error) {
	raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
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
	d.writeCSV(&b)
	return b.Bytes()
}

// writeCSV writes the canonical text to w, a number at a time, so that the hash of a large set
// needs no copy of its text.
func (d *Data) writeCSV(w io.Writer) {
	bw := bufio.NewWriter(w)
	bw.WriteString(strings.Join(d.Columns, ","))
	bw.WriteByte('\n')
	c := len(d.Columns)
	var num []byte
	for i, v := range d.Values {
		num = strconv.AppendFloat(num[:0], v, 'g', -1, 64)
		bw.Write(num)
		if (i+1)%c == 0 {
			bw.WriteByte('\n')
		} else {
			bw.WriteByte(',')
		}
	}
	bw.Flush()
}

func (d *Data) hash() string {
	h := sha256.New()
	d.writeCSV(h)
	return hex.EncodeToString(h.Sum(nil))
}
