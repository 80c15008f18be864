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
// between rounds, as in Random123's philox4x32_R. The four counter words live
// in scalars rather than an array: Go then keeps them in registers, which makes
// a call about four times faster (the CPU reference's step draws one per four
// 1-D iterations).
func philox4x32R(rounds int, ctr [4]uint32, key [2]uint32) [4]uint32 {
	c0, c1, c2, c3 := ctr[0], ctr[1], ctr[2], ctr[3]
	k0, k1 := key[0], key[1]
	for i := 0; i < rounds; i++ {
		hi0, lo0 := bits.Mul32(M0, c0)
		hi1, lo1 := bits.Mul32(M1, c2)
		c0, c1, c2, c3 = hi1^c1^k0, lo1, hi0^c3^k1, lo0
		k0 += W0
		k1 += W1
	}
	return [4]uint32{c0, c1, c2, c3}
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

// StepsPerDraw is the number of consecutive iterations of a dim-dimensional step that share one
// draw (package documentation, "Draws"): 4 in 1-D, 2 in 2-D and 1 from 3-D on.
func StepsPerDraw(dim int) int {
	if dim <= 2 {
		return 4 / dim
	}
	return 1
}

// DrawIteration is the iteration at which the draw that serves iteration is made: the first
// iteration of its group of StepsPerDraw(dim). It is counter word 1 of the draw's calls.
func DrawIteration(iteration uint32, dim int) uint32 {
	s := uint32(StepsPerDraw(dim)) // 1, 2 or 4: a mask instead of a division
	return iteration &^ (s - 1)
}

// StepNormals returns the dim standard normals that iteration iteration of particle particle
// uses, for the run seeded with seed: normals (iteration − g)·dim … of the draw made at
// g = DrawIteration(iteration, dim). It computes the whole draw; the reference steppers cache it.
func StepNormals(seed uint64, particle, iteration uint32, dim int) []float64 {
	g := DrawIteration(iteration, dim)
	draw := make([]float64, 0, 4*((dim+3)/4))
	for b := uint32(0); 4*int(b) < dim; b++ {
		z := ParticleNormals(seed, particle, g, b)
		draw = append(draw, z[:]...)
	}
	off := int(iteration-g) * dim
	return draw[off : off+dim]
}
