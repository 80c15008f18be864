// Package rng is the host-side reference for the random numbers that the GPU
// step shader draws: the counter-based generator Philox4x32-10 and a
// Box–Muller transform that turns its four 32-bit words into four standard
// normals (docs/theory.md §6).
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
// number at which the draw is made, and block numbers the successive Philox
// calls of one draw (block b yields normals 4b..4b+3). The fourth word is
// reserved and is 0.
//
// # Draws: every normal of a call is used
//
// A d-dimensional step needs d normals. A draw is the ceil(d/4) calls
// (blocks 0, 1, …) made with the same (particle, iteration); it yields
// 4·ceil(d/4) normals, and consecutive iterations share one draw while it
// has normals left for whole steps:
//
//	S = StepsPerDraw(d) = 4 for d = 1, 2 for d = 2, 1 for d ≥ 3
//	the draw serving iteration t is made at g = t − t mod S  (DrawIteration)
//	iteration t takes normals (t − g)·d … (t − g)·d + d − 1 of that draw
//
// so in 1-D iterations 0..3 take normals 0..3 of the call with counter
// (particle, 0, 0, 0), iterations 4..7 those of (particle, 4, 0, 0), and so
// on; in 2-D iteration t takes the Box–Muller pair (w0,w1) for even t and
// (w2,w3) for odd t of the call made at the even iteration. From 3-D on every
// iteration makes its own draw and coordinate k takes normal k (word k mod 4 of
// block ⌊k/4⌋), as docs/theory.md §6 states; d = 3 and d mod 4 ≠ 0 leave the last
// words of a draw unused. Counters stay distinct (each is made at one
// iteration of one particle), the numbers of any iteration are a pure function
// of (seed, particle, iteration), and a run resumes bit for bit from any
// iteration, also one inside a group. Sharing draws is what lets the 1-D step
// afford one Philox call and two logarithms per four iterations instead of one
// call and one logarithm per iteration (docs/theory.md §6 says four normals come
// from each call; the performance issue asks that all four are used).
//
// # Forward flux sampling
//
// kramers run --method ffs (host/ffs) runs many ensembles from given positions, each from
// iteration 0. Each ensemble gets its own key: stream s of a run with seed S runs with the seed
// S ⊕ splitmix64(s + 1) (StreamSeed), with s = stage<<32 | part: stage 0 is the flux
// (part 0 the relaxation, parts 1…5 the renewal cycles), stage k ≥ 1 the interface stage from
// λ_{k−1} (part j < 2¹⁶ its j-th batch of trials, 2¹⁶ + a its a-th pilot ensemble). splitmix64
// is a bijection of 64-bit words, so distinct streams of one seed have distinct keys and no two
// trials of a run share a (key, counter); within an ensemble the counter layout above applies.
// The host-side choice of start points (uniform resampling of stored configurations) uses a
// PCG generator seeded with the stream 2²⁰ + part of the same stage. A run is a pure function of
// its seed and options.
//
// # Sweeps
//
// kramers sweep (host/sweep) runs one measurement per point and fits a line to ln τ̂ with weights
// that treat the points' errors as independent. The points therefore do not share the sweep's seed:
// point i of series j (the j-th compared value, 0 without --compare) runs, pilot run included, with
// the seed S ⊕ splitmix64(s + 1) (the same StreamSeed), s = 2⁶³ + j·2³² + i (sweep.PointSeed).
// The top bit keeps these streams apart from the forward-flux streams above. The seed a point ran
// with is in its record (seed in the JSON and the CSV, and in the progress line), so
// `kramers run --seed` with it and the point's particles and steps reproduces the point on its own.
// A sweep that varies the seed itself (--vary seed=…) runs each point with the value given.
//
// # Minibatch indices
//
// Real minibatch SGD on finite data (docs/theory.md §8, --noise minibatch) draws the rows of each
// step from streams of their own, told apart from the normals by the fourth counter word (index.go):
//
//	with, without  counter (particle, iteration, block, 1)   words 4b…4b+3 of the step's indices
//	epoch          counter (particle, epoch, block, 2)       words of the epoch's permutation
//
// A word becomes an index in 0…n−1 by Lemire's multiply-shift ⌊w·n/2³²⌋ without rejection
// (relative bias below n/2³²). with: index i is word i mapped to 0…N−1. without: a partial
// Fisher–Yates shuffle of 0…N−1, step i swapping position i with i + (word i mapped to
// 0…N−i−1); the batch is the first B positions, B distinct rows. epoch: Fisher–Yates over all N
// rows with the words of (particle, e, ·, 2) gives epoch e's permutation; an epoch is ⌊N/B⌋ steps,
// iteration t takes positions (t mod ⌊N/B⌋)·B … +B−1 of the permutation of epoch ⌊t/⌊N/B⌋⌋ (the
// N mod B rows at the end are left out of that epoch). Every batch is a pure function of
// (seed, particle, iteration), so resumed runs and shards reproduce it exactly, and no index
// counter equals a normals counter.
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
// twin (shaders/normal.glsl) within a few 1e-7 of this float64 reference:
//
//   - ln u for u ≥ 1/2 (w ≥ 2^31) is computed from the exact complement
//     v = 1 − u = (^w + 0.5)/2^32 as ln(1 − v), i.e. log1p(−v), so that u close
//     to 1 (small radii) keeps its relative precision. Only float32 needs it:
//     in float64 u itself is exact and math.Log is accurate near 1, so the
//     reference takes ln u directly.
//   - The angle is reduced exactly in integers to the nearest quarter turn:
//     k = ((w1 + 2^29) >> 30) & 3 and t = int32(w1 − k·2^30) ∈ [−2^29, 2^29),
//     θ = 2π (t + 0.5)/2^32 ∈ (−π/4, π/4), and (cos φ, sin φ) is (cos θ, sin θ)
//     rotated by k quarter turns, which is exact (swaps and sign changes).
//     Both implementations use it.
//
// The words are bit-identical between Go and GLSL; the normals agree to
// float32 rounding (docs/theory.md §6 expects differences in the last bits).
package rng
