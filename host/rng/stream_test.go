package rng

import "testing"

// TestStreamSeed checks splitmix64 against the first output of Vigna's splitmix64.c from state 0
// (0xe220a8397b1dcdaf, the published reference sequence) and that the streams 0…2¹⁶ of one seed
// get distinct keys, as the bijection promises ("Forward flux sampling" in doc.go).
func TestStreamSeed(t *testing.T) {
	if got := splitmix64(0); got != 0xe220a8397b1dcdaf {
		t.Fatalf("splitmix64(0) = %#x, want 0xe220a8397b1dcdaf", got)
	}
	const seed = 12345
	seen := map[uint64]uint64{}
	for s := uint64(0); s <= 1<<16; s++ {
		k := StreamSeed(seed, s)
		if prev, ok := seen[k]; ok {
			t.Fatalf("streams %d and %d share the seed %#x", prev, s, k)
		}
		seen[k] = s
	}
}
