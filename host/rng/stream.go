package rng

// StreamSeed is the Philox seed of stream s of a run with seed seed: seed ⊕ splitmix64(s + 1).
// splitmix64 is a bijection, so distinct streams of one seed get distinct keys and no two
// ensembles of a run share a (key, counter) ("Forward flux sampling" and "Sweeps" above).
func StreamSeed(seed, s uint64) uint64 { return seed ^ splitmix64(s+1) }

// splitmix64 is the output function of SplitMix64 (G. L. Steele, D. Lea and C. H. Flood, "Fast
// splittable pseudorandom number generators", OOPSLA 2014, with the constants of S. Vigna's
// splitmix64.c): an increment by the golden-ratio word and two xor-shift-multiply rounds, each
// step invertible.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
