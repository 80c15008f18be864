package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// TargetColumn is the column that holds the target: a regression target, or the class label
// (a whole number ≥ 0) that --classes selects and --targets encodes.
const TargetColumn = "t"

// Targets is how the class label becomes the target columns (--targets).
type Targets string

// The encodings of --targets (docs/theory.md §8, "Data sets").
const (
	TargetsLabel  Targets = "label"  // t stays the class label (or regression target) as stored
	TargetsOneHot Targets = "onehot" // t is replaced by t<c> = 1 for class c, 0 otherwise, one column per class
	TargetsPM1    Targets = "pm1"    // two classes: t = −1 for the first, +1 for the second
	Targets01     Targets = "01"     // two classes: t = 0 for the first, 1 for the second
)

// maxOneHotClasses bounds the one-hot columns: a guard against one-hot encoding a regression
// target by mistake; the class data sets kramers names have at most 10 classes.
const maxOneHotClasses = 1000

// Options select and transform the rows and columns of a data set after it is read, in this order
// (docs/theory.md §8, "Data sets"): keep the rows of the given classes, keep a subset of the rows,
// standardise the features, encode the targets. The zero value changes nothing in a file or a
// generator's set; a named set is standardised unless Standardize says otherwise.
type Options struct {
	// Standardize: every column but t is shifted and scaled to mean 0 and (population) standard
	// deviation 1 over the rows kept; a constant column becomes 0. nil: yes for a named set, no for
	// a file or a generator.
	Standardize *bool `json:"standardize,omitempty"`
	// Classes keeps the rows whose label t is one of these classes; their order is the order of
	// the target encodings (the first class is −1 or 0 under pm1 and 01). Empty: every class.
	Classes []int `json:"classes,omitempty"`
	// Rows > 0 keeps that many rows: the first ones, or with RowSeed a uniform sample without
	// replacement drawn from PCG(seed, "kramers") (math/rand/v2's Perm), kept in file order.
	Rows    int     `json:"rows,omitempty"`
	RowSeed *uint64 `json:"row_seed,omitempty"`
	Targets Targets `json:"targets,omitempty"` // "": label
}

// IsZero reports whether o asks for nothing (encoding/json's omitzero uses it).
func (o Options) IsZero() bool {
	return o.Standardize == nil && len(o.Classes) == 0 && o.Rows == 0 && o.RowSeed == nil && o.Targets == ""
}

// Given lists the flags whose options o sets, for a "needs --data" message.
func (o Options) Given() []string {
	var out []string
	if o.Standardize != nil {
		out = append(out, "standardize")
	}
	if len(o.Classes) > 0 {
		out = append(out, "classes")
	}
	if o.Rows != 0 || o.RowSeed != nil {
		out = append(out, "rows")
	}
	if o.Targets != "" {
		out = append(out, "targets")
	}
	return out
}

// ParseClasses reads --classes: comma-separated whole numbers ≥ 0, each once.
func ParseClasses(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 0 {
			return nil, fmt.Errorf("%q is not a class label; give whole numbers ≥ 0 separated by commas, such as 0,1", strings.TrimSpace(f))
		}
		if slices.Contains(out, c) {
			return nil, fmt.Errorf("class %d is given twice; give each class once", c)
		}
		out = append(out, c)
	}
	return out, nil
}

// ParseRows reads --rows: N (the first N rows) or N:seed=S (N rows sampled with seed S).
func ParseRows(s string) (n int, seed *uint64, err error) {
	num, rest, sampled := strings.Cut(strings.TrimSpace(s), ":")
	n, err = strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 1 {
		return 0, nil, fmt.Errorf("%q is not a number of rows; give N ≥ 1 (the first N rows) or N:seed=S (N rows sampled with seed S), such as 200 or 200:seed=3", s)
	}
	if !sampled {
		return n, nil, nil
	}
	v, ok := strings.CutPrefix(strings.TrimSpace(rest), "seed=")
	x, perr := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if !ok || perr != nil {
		return 0, nil, fmt.Errorf("%q: after N: write seed=S with S a whole number ≥ 0, such as 200:seed=3", s)
	}
	return n, &x, nil
}

// ParseTargets reads --targets.
func ParseTargets(s string) (Targets, error) {
	t := Targets(strings.ToLower(strings.TrimSpace(s)))
	switch t {
	case TargetsLabel, TargetsOneHot, TargetsPM1, Targets01:
		return t, nil
	case "one-hot":
		return TargetsOneHot, nil
	case "±1", "+-1", "-1,1", "pm":
		return TargetsPM1, nil
	case "0/1", "0,1", "binary":
		return Targets01, nil
	}
	return "", fmt.Errorf("unknown target encoding %q; use label (t as stored), onehot (columns t<c>), pm1 (±1, two classes) or 01 (0/1, two classes)", s)
}

// rowsText writes --rows back as it is typed.
func rowsText(n int, seed *uint64) string {
	if seed == nil {
		return strconv.Itoa(n)
	}
	return fmt.Sprintf("%d:seed=%d", n, *seed)
}

// labelled reports whether o needs t to be a class label.
func (o Options) labelled() bool {
	return len(o.Classes) > 0 || o.Targets == TargetsOneHot || o.Targets == TargetsPM1 || o.Targets == Targets01
}

// labelFlag names the flag that needs class labels, for the error that says there are none.
func (o Options) labelFlag() string {
	if len(o.Classes) > 0 {
		return "classes"
	}
	return "targets"
}

// apply returns the data set that o selects from d, which it may modify (OpenWith's own copy);
// classNames (nil for files) name the labels in messages. The result's Options are o resolved.
func apply(d *Data, o Options, named bool, classNames []string) (*Data, error) {
	std := named
	if o.Standardize != nil {
		std = *o.Standardize
	}
	o.Standardize = &std
	if o.Targets == "" {
		o.Targets = TargetsLabel
	}
	ti := slices.Index(d.Columns, TargetColumn)
	var order []int // the classes in the order of their encodings
	if o.labelled() {
		present, err := classLabels(d, ti, o.labelFlag())
		if err != nil {
			return nil, err
		}
		if order, err = selectClasses(d, o.Classes, present, classNames); err != nil {
			return nil, err
		}
		d = keepRows(d, func(row []float64) bool { return slices.Contains(order, int(row[ti])) })
	}
	if o.Rows > 0 {
		if o.Rows > d.N {
			after := ""
			if len(o.Classes) > 0 {
				after = " of the classes kept"
			}
			return nil, &Error{Spec: d.Spec, Flag: "rows", Msg: fmt.Sprintf("--rows %s asks for %d rows but the data have %d%s; give --rows ≤ %d", rowsText(o.Rows, o.RowSeed), o.Rows, d.N, after, d.N)}
		}
		d = subsetRows(d, o.Rows, o.RowSeed)
	}
	if std {
		standardize(d, ti)
	}
	d, err := encodeTargets(d, ti, o.Targets, order, classNames)
	if err != nil {
		return nil, err
	}
	d.Options = o
	d.SHA256 = d.hash()
	return d, nil
}

// classLabels checks that column ti holds class labels and returns the distinct ones, ascending.
func classLabels(d *Data, ti int, flag string) ([]int, error) {
	if ti < 0 {
		return nil, &Error{Spec: d.Spec, Flag: flag, Msg: fmt.Sprintf("--%s needs a class label column t (whole numbers ≥ 0), but the data have the columns %s; name the label column t, or drop --%s (regression data have no classes)", flag, columnList(d.Columns), flag)}
	}
	var present []int
	for r := range d.N {
		v := d.Row(r)[ti]
		if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
			return nil, &Error{Spec: d.Spec, Flag: flag, Row: r + 2, Msg: fmt.Sprintf("t = %g is not a class label (a whole number ≥ 0): --%s needs class data, and t looks like a regression target; drop --%s", v, flag, flag)}
		}
		if !slices.Contains(present, int(v)) {
			present = append(present, int(v))
			if len(present) > maxOneHotClasses {
				return nil, &Error{Spec: d.Spec, Flag: flag, Msg: fmt.Sprintf("t takes more than %d distinct values: a regression target rather than class labels; drop --%s", maxOneHotClasses, flag)}
			}
		}
	}
	slices.Sort(present)
	return present, nil
}

// selectClasses returns the classes wanted (every present one, ascending, when none are given),
// refusing one that the data do not have.
func selectClasses(d *Data, wanted, present []int, classNames []string) ([]int, error) {
	if len(wanted) == 0 {
		return present, nil
	}
	for _, c := range wanted {
		if !slices.Contains(present, c) {
			return nil, &Error{Spec: d.Spec, Flag: "classes", Msg: fmt.Sprintf("class %d is not in the data, whose classes are %s; give classes from these", c, classText(present, classNames))}
		}
	}
	return wanted, nil
}

func classText(classes []int, names []string) string {
	s := make([]string, len(classes))
	for i, c := range classes {
		s[i] = strconv.Itoa(c)
		if c < len(names) {
			s[i] += " (" + names[c] + ")"
		}
	}
	return strings.Join(s, ", ")
}

func columnList(cols []string) string {
	if len(cols) > 8 {
		return strings.Join(cols[:4], ", ") + fmt.Sprintf(", … (%d in all), ", len(cols)) + cols[len(cols)-1]
	}
	return strings.Join(cols, ", ")
}

// keepRows is the data set of the rows of d for which keep is true, in order.
func keepRows(d *Data, keep func(row []float64) bool) *Data {
	out := &Data{Spec: d.Spec, Columns: d.Columns}
	for r := range d.N {
		if row := d.Row(r); keep(row) {
			out.Values = append(out.Values, row...)
			out.N++
		}
	}
	return out
}

// subsetRows keeps n rows of d: the first n, or with a seed n rows drawn uniformly without
// replacement (the first n of a PCG(seed, "kramers") permutation), in the order of d.
func subsetRows(d *Data, n int, seed *uint64) *Data {
	if seed == nil {
		c := len(d.Columns)
		return &Data{Spec: d.Spec, Columns: d.Columns, N: n, Values: d.Values[:n*c]}
	}
	pick := rand.New(rand.NewPCG(*seed, pcgStream)).Perm(d.N)[:n]
	slices.Sort(pick)
	out := &Data{Spec: d.Spec, Columns: d.Columns, N: n}
	for _, r := range pick {
		out.Values = append(out.Values, d.Row(r)...)
	}
	return out
}

// standardize shifts and scales every column but ti (the target; −1: none) to mean 0 and
// population standard deviation 1 (gonum's stat.PopMeanStdDev); a constant column becomes 0. It
// writes d's values in place: apply works on OpenWith's own freshly read copy, and a data set as
// large as Fashion-MNIST (47·10⁶ numbers) is not copied again.
func standardize(d *Data, ti int) {
	c := len(d.Columns)
	col := make([]float64, d.N)
	for j := range c {
		if j == ti {
			continue
		}
		for r := range d.N {
			col[r] = d.Values[r*c+j]
		}
		mean, sd := stat.PopMeanStdDev(col, nil)
		if sd == 0 {
			sd = 1
		}
		for r := range d.N {
			d.Values[r*c+j] = (col[r] - mean) / sd
		}
	}
}

// encodeTargets writes the target column ti in the encoding e; order lists the classes (nil when
// the data are not labelled, for e = label).
func encodeTargets(d *Data, ti int, e Targets, order []int, classNames []string) (*Data, error) {
	switch e {
	case TargetsLabel:
		return d, nil
	case TargetsPM1, Targets01:
		if len(order) != 2 {
			fix := "keep two classes with --classes A,B"
			if len(order) > 2 {
				fix = fmt.Sprintf("choose two with --classes, such as --classes %d,%d", order[0], order[1])
			}
			return nil, &Error{Spec: d.Spec, Flag: "targets", Msg: fmt.Sprintf("--targets %s needs exactly two classes, but the data have %d (%s); %s", e, len(order), classText(order, classNames), fix)}
		}
		lo := map[Targets]float64{TargetsPM1: -1, Targets01: 0}[e]
		for r := range d.N { // in place, as standardize
			row := d.Row(r)
			if row[ti] == float64(order[1]) {
				row[ti] = 1
			} else {
				row[ti] = lo
			}
		}
		return d, nil
	}
	return oneHot(d, ti, order)
}

// oneHot replaces column ti by one column t<c> per class c of order, 1 in the row's class and 0
// elsewhere.
func oneHot(d *Data, ti int, order []int) (*Data, error) {
	c := len(d.Columns)
	cols := slices.Clone(d.Columns[:ti])
	for _, k := range order {
		name := TargetColumn + strconv.Itoa(k)
		if slices.Contains(d.Columns, name) {
			return nil, &Error{Spec: d.Spec, Flag: "targets", Msg: fmt.Sprintf("--targets onehot writes the column %s, which the data already have; rename that column", name)}
		}
		cols = append(cols, name)
	}
	cols = append(cols, d.Columns[ti+1:]...)
	if d.N*len(cols) > MaxValues {
		return nil, &Error{Spec: d.Spec, Flag: "targets", Msg: fmt.Sprintf("one-hot targets make %d × %d values, more than the %d a data set may hold; use fewer rows or classes", d.N, len(cols), MaxValues)}
	}
	out := &Data{Spec: d.Spec, Columns: cols, N: d.N, Values: make([]float64, 0, d.N*len(cols))}
	for r := range d.N {
		row := d.Row(r)
		out.Values = append(out.Values, row[:ti]...)
		for _, k := range order {
			out.Values = append(out.Values, b2f(row[ti] == float64(k)))
		}
		out.Values = append(out.Values, row[ti+1:c]...)
	}
	return out, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
