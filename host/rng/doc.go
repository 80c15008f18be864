// Package rng is the host-side reference for the random numbers that the GPU
// step shader draws: the counter-based generator Philox4x32-10 and a
// Box–Muller transform that turns its four 32-bit words into four standard
// normals (theory.md §6).
//
// Philox4x32-10 is from J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw,
// "Parallel random numbers: as easy as 1, 2, 3", Proc. SC 2011
// (doi:10.1145/2063384.2063405), as implemented in the Random123 library
// (github.com/DEShawResearch/random123, include/Random123/philox.h). Being
// counter-based, the numbers of one particle at one iteration are a pure
// function of (key, counter): nothing has to be saved to resume a run, and any
// particle can be replayed on its own.
//
// # Key and counter layout (the contract shared with shaders/philox.glsl)
//
// The layout follows HOOMD-blue's RandomNumbers.h convention of spending the
// key on the seed and the counter on "who and when":
//
//	key     = (seed & 0xffffffff, seed >> 32)             see Key
//	counter = (particle, iteration, block, 0)             see Counter
//
// particle is the global particle index (0..N-1), iteration is the step
// number, and block numbers the successive Philox calls a particle makes
// within one iteration (block b yields normals 4b..4b+3, so a d-dimensional
// step uses blocks 0..ceil(d/4)-1). The fourth word is reserved and is 0.
//
// # Normals
//
// Normals applies Box–Muller to the pairs (w0,w1) and (w2,w3):
//
//	u = (w + 0.5) / 2^32        in (0,1), never 0 or 1
//	r = sqrt(-2 ln u0)          at most sqrt(66 ln 2) ≈ 6.76
//	φ = 2π (w1 + 0.5) / 2^32
//	z0 = r cos φ, z1 = r sin φ  (and likewise z2, z3 from w2, w3)
//
// Two rewrites that do not change the mathematical value keep the float32 GLSL
// twin (shaders/normal.glsl) within a few 1e-7 of this float64 reference, and
// both implementations use them identically:
//
//   - ln u for u ≥ 1/2 (w ≥ 2^31) is computed from the exact complement
//     v = 1 − u = (^w + 0.5)/2^32 as ln(1 − v), i.e. log1p(−v), so that u close
//     to 1 (small radii) keeps its relative precision.
//   - The angle is reduced exactly in integers to the nearest quarter turn:
//     k = ((w1 + 2^29) >> 30) & 3 and t = int32(w1 − k·2^30) ∈ [−2^29, 2^29),
//     θ = 2π (t + 0.5)/2^32 ∈ (−π/4, π/4), and (cos φ, sin φ) is (cos θ, sin θ)
//     rotated by k quarter turns, which is exact (swaps and sign changes).
//
// The words are bit-identical between Go and GLSL; the normals agree to
// float32 rounding (theory.md §6 expects differences in the last bits).
package rng
