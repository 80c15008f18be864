package data

import (
	"embed"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kramers-sim/kramers/host/textdist"
)

// The three small tables ship inside the binary; sets/README.md gives their sources, citations
// and licences, and how they were converted from Debian's python3-sklearn.
//
//go:embed sets/*.csv
var sets embed.FS

// FashionMNISTDir is where Debian's dataset-fashion-mnist package puts the idx files (dpkg -L
// dataset-fashion-mnist). A variable so that a test can point it at a directory of its own.
var FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTPackage is the Debian package that provides FashionMNISTDir.
const FashionMNISTPackage = "dataset-fashion-mnist"

// namedSet is a data set kramers knows by name: a table in sets/ or idx files of a Debian package.
type namedSet struct {
	doc     string   // one line: what the rows are, the size and the classes
	classes []string // the class names; label i is classes[i]
	table   string   // the embedded CSV file under sets/, or ""
	images  string   // the idx images file under FashionMNISTDir (its labels are found beside it)
}

var namedSets = map[string]namedSet{
	"iris": {
		doc:     "Fisher's iris flowers: 150 rows, 4 features (sepal and petal length and width, cm), 3 classes",
		classes: []string{"setosa", "versicolor", "virginica"},
		table:   "sets/iris.csv",
	},
	"wine": {
		doc:     "UCI wine recognition: 178 rows, 13 chemical features, 3 classes (cultivars)",
		classes: []string{"class_0", "class_1", "class_2"},
		table:   "sets/wine.csv",
	},
	"breast-cancer": {
		doc:     "UCI Breast Cancer Wisconsin (diagnostic): 569 rows, 30 cell-nucleus features, 2 classes",
		classes: []string{"malignant", "benign"},
		table:   "sets/breast_cancer.csv",
	},
	"fashion-mnist": {
		doc:     "Fashion-MNIST training images: 60000 rows, 784 pixels (28×28, px1…px784), 10 classes; from Debian's " + FashionMNISTPackage,
		classes: fashionClasses,
		images:  "train-images-idx3-ubyte.gz",
	},
	"fashion-mnist-test": {
		doc:     "Fashion-MNIST test images: 10000 rows, 784 pixels (28×28, px1…px784), 10 classes; from Debian's " + FashionMNISTPackage,
		classes: fashionClasses,
		images:  "t10k-images-idx3-ubyte.gz",
	},
}

// fashionClasses are Fashion-MNIST's labels 0…9 (sets/README.md).
var fashionClasses = []string{"t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"}

// Names lists the named data sets, each with a one-line description, sorted by name.
func Names() []string {
	var out []string
	for _, name := range setNames() {
		out = append(out, name+": "+namedSets[name].doc)
	}
	return out
}

func setNames() []string {
	return slices.Sorted(maps.Keys(namedSets))
}

// openNamed reads the named data set (its raw values; options are applied by OpenWith).
func openNamed(name string, s namedSet) (*Data, error) {
	if s.table != "" {
		raw, err := sets.ReadFile(s.table)
		if err != nil {
			panic(err) // embedded at build time: a missing file is a bug
		}
		return parse(name, raw)
	}
	images := filepath.Join(FashionMNISTDir, s.images)
	if _, err := os.Stat(images); errors.Is(err, os.ErrNotExist) {
		return nil, &Error{Spec: name, Msg: fmt.Sprintf("reads %s from Debian's %s package, which is not installed: run apt-get install %s (or make deps)", images, FashionMNISTPackage, FashionMNISTPackage)}
	}
	d, err := openIdx(images)
	if err != nil {
		var de *Error
		if errors.As(err, &de) {
			de.Msg += fmt.Sprintf(" (reinstall Debian's %s: apt-get install --reinstall %s)", FashionMNISTPackage, FashionMNISTPackage)
		}
		return nil, err
	}
	return d, nil
}

// looksLikeName reports whether spec reads as a data set name rather than a file path: no
// directory separator and no file extension.
func looksLikeName(spec string) bool {
	return !strings.ContainsAny(spec, `/\.,`)
}

// unknownName is the error for a spec that looks like a name but names neither a data set nor a
// file: it proposes the closest name (edit distance at most 3, or one that contains the spec).
func unknownName(spec string) error {
	low := strings.ToLower(spec)
	best, bestD := "", 4
	for _, name := range setNames() {
		d := textdist.EditDistance(low, name)
		if strings.Contains(name, low) || strings.Contains(strings.ReplaceAll(name, "-", ""), strings.ReplaceAll(strings.ReplaceAll(low, "_", ""), "-", "")) {
			d = 0
		}
		if d < bestD {
			best, bestD = name, d
		}
	}
	hint := ""
	if best != "" {
		hint = fmt.Sprintf("did you mean %s? ", best)
	}
	return &Error{Spec: spec, Msg: fmt.Sprintf("no data set of that name and no such file; %sthe named sets: %s; or give a CSV file, an idx file (IMAGES or IMAGES,LABELS) or a generator such as gen:neuron(n=200,seed=1)", hint, strings.Join(setNames(), ", "))}
}
