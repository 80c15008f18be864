package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host/data"
)

// registerDataOptions adds the data options of docs/theory.md §8 ("Data sets") to fs: they
// select and transform the rows and columns that --data reads.
func registerDataOptions(fs *flag.FlagSet, o *data.Options) {
	fs.Var(standardizeFlag{&o.Standardize}, "standardize", "with --data: shift and scale every column but t to mean 0, sd 1 over the rows kept (default: true for the named sets, false for files and generators; --standardize=false turns it off)")
	fs.Var(classesFlag{&o.Classes}, "classes", "with --data: keep the rows of these classes of the label column t, such as 0,1 (their order is the order of the target encodings)")
	fs.Var(rowsFlag{o}, "rows", "with --data: keep N rows, the first N, or N:seed=S for N rows sampled without replacement with seed S (after --classes)")
	fs.Var(targetsFlag{&o.Targets}, "targets", "with --data: the target columns: label (t as stored; the default), onehot (t replaced by t<c> per class c), pm1 (t = ±1) or 01 (t = 0/1; pm1 and 01 take two classes)")
}

// standardizeFlag is --standardize: a boolean flag whose absence means "the data set's default".
type standardizeFlag struct{ v **bool }

func (f standardizeFlag) IsBoolFlag() bool { return true }

func (f standardizeFlag) String() string {
	if f.v == nil || *f.v == nil {
		return "auto"
	}
	return strconv.FormatBool(**f.v)
}

func (f standardizeFlag) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is neither true nor false; write --standardize or --standardize=false", s)
	}
	*f.v = &b
	return nil
}

// classesFlag is --classes: class labels such as 0,1.
type classesFlag struct{ v *[]int }

func (f classesFlag) String() string {
	if f.v == nil {
		return ""
	}
	s := make([]string, len(*f.v))
	for i, c := range *f.v {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ",")
}

func (f classesFlag) Set(s string) error {
	c, err := data.ParseClasses(s)
	if err == nil {
		*f.v = c
	}
	return err
}

// rowsFlag is --rows: N or N:seed=S.
type rowsFlag struct{ o *data.Options }

func (f rowsFlag) String() string {
	if f.o == nil || f.o.Rows == 0 {
		return ""
	}
	if f.o.RowSeed == nil {
		return strconv.Itoa(f.o.Rows)
	}
	return strconv.Itoa(f.o.Rows) + ":seed=" + strconv.FormatUint(*f.o.RowSeed, 10)
}

func (f rowsFlag) Set(s string) error {
	n, seed, err := data.ParseRows(s)
	if err == nil {
		f.o.Rows, f.o.RowSeed = n, seed
	}
	return err
}

// targetsFlag is --targets.
type targetsFlag struct{ v *data.Targets }

func (f targetsFlag) String() string {
	if f.v == nil {
		return ""
	}
	return string(*f.v)
}

func (f targetsFlag) Set(s string) error {
	t, err := data.ParseTargets(s)
	if err == nil {
		*f.v = t
	}
	return err
}

// isDataOptionFlag reports whether v is one of the flags above, whose Set errors say the fix.
func isDataOptionFlag(v flag.Value) bool {
	switch v.(type) {
	case standardizeFlag, classesFlag, rowsFlag, targetsFlag:
		return true
	}
	return false
}
