// Package ffs is forward flux sampling (docs/theory.md §7, kramers run --method ffs): the escape
// rate factored through a ladder of interfaces of an order parameter λ(θ), κ = Φ_0·Π P_i. Every
// stage is an ordinary absorbing run of the engine (host.Loop on any host.Backend) from given
// positions, with an expression escape condition "λ ≥ upper || λ ≤ lower"; a trial's outcome is
// read from the point where it froze.
//
// The package sits above host, as host/sweep does: it drives host's loop and returns a
// host.Result whose FFS record (host.FFSResult) it fills. The state it checkpoints between stages
// is a file format, store.FFSState (host/store), which Options.Checkpoint receives and
// Options.Resume continues. Each ensemble runs with its own random stream (rng.StreamSeed, the
// "Forward flux sampling" section of host/rng).
package ffs
