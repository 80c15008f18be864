// Package validate holds the CPU reference Backend and the cross-check suite.
//
// The reference is written for clarity, in float64, from the same Philox4x32-10 words as the GPU
// (package host/rng), with goroutines over blocks of particles. It is the oracle for package gpu
// in the manner of OpenMM's Reference platform: one table of checks (crosscheck.go) runs against
// both backends, in the tests and in `kramers validate`.
package validate
