package minimum

import (
	"math/rand/v2"
	"testing"
)

// The linear algebra of a description on operators whose products cost little against it: a
// dense symmetric matrix (products O(d²)) for the full spectrum, a diagonal one for Lanczos.

func benchmarkDense(b *testing.B, d int) {
	lambda := make([]float64, d)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range lambda {
		lambda[i] = 0.001 + rng.Float64()
	}
	m := matrixModel{testMatrix(lambda, 3), d}
	x := make([]float64, d)
	b.ResetTimer()
	for range b.N {
		if _, err := NewSpectrum(m, x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDenseSpectrum513: d = 513, the breast-cancer 30-16-1 network's size.
func BenchmarkDenseSpectrum513(b *testing.B) { benchmarkDense(b, 513) }

// BenchmarkDenseSpectrum2000: the largest d diagonalised in full.
func BenchmarkDenseSpectrum2000(b *testing.B) { benchmarkDense(b, MaxDenseDim) }

// BenchmarkLanczos10000: the extremes and Hutchinson's trace at d = 10⁴ (a Fashion-MNIST network's size).
func BenchmarkLanczos10000(b *testing.B) {
	const d = 10000
	diag := make(diagonalModel, d)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range diag {
		diag[i] = 0.001 + rng.Float64()
	}
	x := make([]float64, d)
	b.ResetTimer()
	for range b.N {
		if _, err := NewSpectrum(diag, x); err != nil {
			b.Fatal(err)
		}
	}
}
