package rng

// Minibatch indices (doc.go, "Minibatch indices"): which data rows a step of real SGD takes.

// Sampling laws of the rows of a minibatch.
const (
	With    = "with"    // B independent uniform indices (with replacement)
	Without = "without" // B distinct indices per step
	Epoch   = "epoch"   // a fresh random permutation of the rows per epoch, cut into batches
)

// Fourth counter words of the index streams; the normals use 0.
const (
	StreamIndex = 1 // (particle, iteration, block, 1): the indices of with and without
	StreamEpoch = 2 // (particle, epoch, block, 2): the permutation of an epoch
)

// Below maps a uniform 32-bit word to 0…n−1 by Lemire's multiply-shift, ⌊w·n / 2³²⌋ (D. Lemire,
// "Fast random integer generation in an interval", ACM TOMACS 29 (2019)), without the rejection
// step: each value has ⌊2³²/n⌋ or ⌈2³²/n⌉ preimages, a relative bias below n/2³² (5·10⁻⁸ at
// n = 200), far below any statistical resolution of the runs.
func Below(w uint32, n int) int { return int((uint64(w) * uint64(n)) >> 32) }

// word returns word i of the stream (particle, iteration, ⌊i/4⌋, stream): word i mod 4 of that
// Philox block. w caches the last block.
func word(key [2]uint32, particle, iteration uint32, stream uint32, i int, blk *int, w *[4]uint32) uint32 {
	if b := i / 4; b != *blk {
		*blk = b
		*w = Philox4x32([4]uint32{particle, iteration, uint32(b), stream}, key)
	}
	return w[i%4]
}

// StepsPerEpoch is ⌊n/b⌋: an epoch of sampling epoch is that many steps, and the n mod b rows
// at the end of each epoch's permutation are not used in it.
func StepsPerEpoch(n, b int) int { return n / b }

// EpochPermutation writes the permutation of rows 0…n−1 of a particle's epoch into perm (len n):
// Fisher–Yates from the identity, for i = 0…n−2 swap perm[i] with perm[i + Below(w_i, n−i)], w_i
// being word i of the stream (particle, epoch, ⌊i/4⌋, 2).
func EpochPermutation(key [2]uint32, particle, epoch uint32, perm []int) {
	n := len(perm)
	for i := range perm {
		perm[i] = i
	}
	blk, w := -1, [4]uint32{}
	for i := 0; i < n-1; i++ {
		j := i + Below(word(key, particle, epoch, StreamEpoch, i, &blk, &w), n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
}

// BatchIndices writes the b row indices (of n rows) that particle takes at iteration into dst
// (len b), a pure function of (key, particle, iteration):
//
//   - with: index i is Below(w_i, n), w_i word i of the stream (particle, iteration, ⌊i/4⌋, 1);
//   - without: a partial Fisher–Yates shuffle of 0…n−1 with the same words: for i = 0…b−1 swap
//     positions i and i + Below(w_i, n−i); the batch is positions 0…b−1, b distinct rows, every
//     b-subset equally likely (up to Below's bias). scratch (len n) must hold the identity on entry
//     and holds it again on return (the swaps are undone);
//   - epoch: with E = StepsPerEpoch(n, b), iteration t lies in epoch e = ⌊t/E⌋ at step q = t mod E,
//     and the batch is positions q·b…q·b+b−1 of EpochPermutation(e), which perm must hold (the
//     caller computes it once per epoch; scratch is unused).
func BatchIndices(key [2]uint32, sampling string, particle, iteration uint32, n int, dst, scratch, perm []int) {
	b := len(dst)
	blk, w := -1, [4]uint32{}
	switch sampling {
	case With:
		for i := range dst {
			dst[i] = Below(word(key, particle, iteration, StreamIndex, i, &blk, &w), n)
		}
	case Without:
		js := dst // the swap partners, kept to undo the swaps
		for i := 0; i < b; i++ {
			j := i + Below(word(key, particle, iteration, StreamIndex, i, &blk, &w), n-i)
			scratch[i], scratch[j] = scratch[j], scratch[i]
			js[i] = j
		}
		out := make([]int, b)
		copy(out, scratch[:b])
		for i := b - 1; i >= 0; i-- {
			j := js[i]
			scratch[i], scratch[j] = scratch[j], scratch[i]
		}
		copy(dst, out)
	case Epoch:
		q := int(iteration) % StepsPerEpoch(n, b)
		copy(dst, perm[q*b:(q+1)*b])
	default:
		panic("rng: unknown sampling " + sampling)
	}
}

// EpochOf is the epoch of iteration under sampling epoch.
func EpochOf(iteration uint32, n, b int) uint32 { return iteration / uint32(StepsPerEpoch(n, b)) }
