// Package data reads the finite data sets of docs/theory.md §8: a named set (iris, wine and
// breast-cancer ship in the binary, fashion-mnist comes from a Debian package), a CSV file with a
// header row of column names and numbers below it, a pair of MNIST-format idx files, or a built-in
// generator (gen:NAME(…)) for reproducible synthetic sets; Options then select classes and rows,
// standardise the features and encode the targets. A data set is row-major float64 values with a
// SHA-256 of its contents, which a result records beside the spec that produced it.
//
// Where each source lives: named.go (the embedded tables under sets/, whose sources and licences
// are in sets/README.md, and Fashion-MNIST's Debian path), data.go (OpenWith, which dispatches on
// the spec, and Load for CSV files, whose every error names its row and column), idx.go (LoadIdx),
// gen.go and genmodels.go (Generate: gen:neuron, gen:logistic and gen:mlp, each drawn from
// math/rand/v2's PCG with the spec's seed in a documented order) and options.go (Options, applied
// in the order classes, rows, standardisation, targets; the hash is that of the result).
//
// Column names follow the landscape language's rule for names (package landscape), so that a
// column can appear in a per-sample loss; "did you mean" suggestions for set names come from
// package textdist. The user guide (docs/guide.md, "Finite data") shows the sets and options
// from the command line.
package data
