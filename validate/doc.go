// Package validate holds the CPU reference Backend and the cross-check suite.
//
// The reference computes in float64, from the same Philox4x32-10 words and the same draw layout as
// the GPU (package host/rng), with goroutines over blocks of particles. Each block advances in
// lockstep, one iteration for all its particles at a time, so that the interpreted landscape
// program runs once per iteration for the block (landscape.Batch) rather than once per particle;
// per particle the arithmetic is the plain Euler–Maruyama step of docs/theory.md §1, in the shader's
// order. cpu_test.go keeps that plain step as a per-particle loop, written straight from the
// formulas, and requires the backend to match it bit for bit (TestCPUEqualsPlainReference).
//
// It is the oracle for package gpu in the manner of OpenMM's Reference platform: one table of checks
// (crosscheck.go) runs against both backends, in the tests and in `kramers validate`.
package validate
