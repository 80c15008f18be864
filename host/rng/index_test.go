package rng

import (
	"math"
	"testing"
)

// TestSamplingLaws checks the three sampling laws on the index stream (fixed key):
// with: every row equally often (χ² over 40 rows, 40 000 draws, below the 0.999 quantile 73.4);
// without: B distinct rows per step, uniform marginals (same χ² bound); epoch: every row exactly
// once per epoch. And every batch is a pure function of (key, particle, iteration).
func TestSamplingLaws(t *testing.T) {
	key := Key(7)
	const n, b, steps = 40, 8, 5000
	scratch := make([]int, n)
	for i := range scratch {
		scratch[i] = i
	}
	chi2 := func(counts []int, total int) float64 {
		e := float64(total) / float64(len(counts))
		s := 0.0
		for _, c := range counts {
			s += (float64(c) - e) * (float64(c) - e) / e
		}
		return s
	}
	for _, sampling := range []string{With, Without} {
		counts := make([]int, n)
		dst := make([]int, b)
		repeats := 0
		for it := uint32(0); it < steps; it++ {
			BatchIndices(key, sampling, 3, it, n, dst, scratch, nil)
			seen := map[int]bool{}
			for _, r := range dst {
				if r < 0 || r >= n {
					t.Fatalf("%s: index %d outside 0…%d", sampling, r, n-1)
				}
				if seen[r] {
					repeats++
				}
				seen[r] = true
				counts[r]++
			}
			for i := range scratch {
				if scratch[i] != i {
					t.Fatalf("%s: scratch not restored", sampling)
				}
			}
		}
		if x := chi2(counts, steps*b); x > 73.4 {
			t.Errorf("%s: χ² = %.1f over %d rows, above the 0.999 quantile 73.4", sampling, x, n)
		}
		if sampling == Without && repeats != 0 {
			t.Errorf("without: %d repeated rows within batches", repeats)
		}
		// with replacement: repeated draws per batch = b − E[distinct] = 8 − 40·(1 − (39/40)^8) ≈ 0.667
		// (standard error of the mean over 5000 batches ≈ 0.011)
		if want := b - n*(1-math.Pow(1-1.0/n, b)); sampling == With && math.Abs(float64(repeats)/steps-want) > 0.05 {
			t.Errorf("with: %d repeats in %d batches, expected %.3f per batch", repeats, steps, want)
		}
	}
	perm := make([]int, n)
	dst := make([]int, b)
	e := StepsPerEpoch(n, b)
	for epoch := uint32(0); epoch < 20; epoch++ {
		EpochPermutation(key, 5, epoch, perm)
		seen := make([]int, n)
		for q := 0; q < e; q++ {
			it := epoch*uint32(e) + uint32(q)
			if EpochOf(it, n, b) != epoch {
				t.Fatalf("iteration %d: epoch %d, want %d", it, EpochOf(it, n, b), epoch)
			}
			BatchIndices(key, Epoch, 5, it, n, dst, nil, perm)
			for _, r := range dst {
				seen[r]++
			}
		}
		for r, c := range seen {
			if c != 1 {
				t.Fatalf("epoch %d: row %d taken %d times, want once", epoch, r, c)
			}
		}
	}
	// Pure function: the same call twice, and another particle differs.
	a, c, d := make([]int, b), make([]int, b), make([]int, b)
	BatchIndices(key, Without, 9, 123, n, a, scratch, nil)
	BatchIndices(key, Without, 9, 123, n, c, scratch, nil)
	BatchIndices(key, Without, 10, 123, n, d, scratch, nil)
	same, other := true, true
	for i := range a {
		same = same && a[i] == c[i]
		other = other && a[i] == d[i]
	}
	if !same || other {
		t.Errorf("batches %v %v %v: want the first two equal and the third different", a, c, d)
	}
}
