// Package host is the domain of kramers: the run configuration (Config: the Model, which is what
// Hash covers, and its Execution), the Backend interface that the GPU path (package gpu) and the
// CPU reference (package validate) implement, the chunked run loop that advances an ensemble and
// reduces its first-passage records, the escape-rate estimators of docs/theory.md §3, the Result with
// its typed warnings, checkpoint state and shard merging. Files (the checkpoint format, atomic
// writes) are package host/store's, and job environments (--shard auto) package host/cluster's;
// neither is imported here.
//
// A run is a pure function of its Model: particle i's noise at iteration n is Philox4x32-10 of
// the counter (i, n, block, 0) under the key of the seed (package host/rng), so a run resumes bit
// for bit from (seed, iteration) and shards of an ensemble draw exactly the numbers that the
// whole ensemble would.
//
// Formulas live in one place each: the dynamics and noise constants in problem.go (docs/theory.md §1),
// escape conditions in escape.go (§2), estimators in package host/survival (§3), and the theory glue in
// predict.go, which calls package host/theory (§4).
package host
