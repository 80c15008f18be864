package rng

import "math/bits"

// Philox4x32 constants, from Salmon et al. (SC 2011), Table 2, and Random123's
// philox.h: the multipliers PHILOX_M4x32_0/1 and the Weyl key increments
// PHILOX_W32_0/1 (the golden ratio and sqrt(3)-1, as 32-bit fractions).
const (
	M0 uint32 = 0xD2511F53
	M1 uint32 = 0xCD9E8D57
	W0 uint32 = 0x9E3779B9
	W1 uint32 = 0xBB67AE85
)

// Rounds is the number of Philox rounds used by the simulator (Philox4x32-10).
const Rounds = 10

// Philox4x32 returns Philox4x32-10 of the counter ctr under key.
func Philox4x32(ctr [4]uint32, key [2]uint32) [4]uint32 {
	return philox4x32R(Rounds, ctr, key)
}

// philox4x32R is Philox4x32 with a given number of rounds; the key is bumped
// between rounds, as in Random123's philox4x32_R.
func philox4x32R(rounds int, ctr [4]uint32, key [2]uint32) [4]uint32 {
	for i := 0; i < rounds; i++ {
		if i > 0 {
			key[0] += W0
			key[1] += W1
		}
		hi0, lo0 := bits.Mul32(M0, ctr[0])
		hi1, lo1 := bits.Mul32(M1, ctr[2])
		ctr = [4]uint32{hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0}
	}
	return ctr
}

// Key maps a 64-bit seed to the Philox key (seed low 32 bits, seed high 32 bits).
func Key(seed uint64) [2]uint32 {
	return [2]uint32{uint32(seed), uint32(seed >> 32)}
}

// Counter builds the Philox counter (particle, iteration, block, 0); see the
// package documentation for the meaning of each word.
func Counter(particle, iteration, block uint32) [4]uint32 {
	return [4]uint32{particle, iteration, block, 0}
}

// ParticleNormals returns the four standard normals of draw block block of
// particle particle at iteration iteration, for the run seeded with seed.
func ParticleNormals(seed uint64, particle, iteration, block uint32) [4]float64 {
	return Normals(Philox4x32(Counter(particle, iteration, block), Key(seed)))
}
