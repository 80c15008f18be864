// minibatch.glsl: finite-data SGD (docs/theory.md §8). The minibatch index streams of host/rng
// (index.go; doc.go, "Minibatch indices") bit for bit, the minibatch gradient of real SGD, and the
// full-data gradient with the per-sample gradient covariance C(θ) for sgd-cov.
// Needs: philox.glsl, a data landscape (sampleGradient, DATA_ROWS), REAL, and the defines
// BATCH (B) and SAMPLING (0 with, 1 without, 2 epoch); EPOCH_BINDING with sampling epoch.
#ifndef KRAMERS_MINIBATCH_GLSL
#define KRAMERS_MINIBATCH_GLSL

const uint INDEX_STREAM = 1u; // host/rng StreamIndex: counter (particle, iteration, block, 1)
const uint EPOCH_STREAM = 2u; // host/rng StreamEpoch: counter (particle, epoch, block, 2)

// indexBelow is rng.Below: ⌊w·n / 2³²⌋ (Lemire's multiply-shift without rejection).
uint indexBelow(uint w, uint n) {
	uint hi, lo;
	umulExtended(w, n, hi, lo);
	return hi;
}

// IndexStream serves the words of the stream (particle, c1, ⌊i/4⌋, stream): word i is word
// i mod 4 of that Philox block; the last block is cached (rng's word).
struct IndexStream {
	uvec2 key;
	uint particle, c1, stream, block;
	uvec4 w;
};

IndexStream indexStream(uvec2 key, uint particle, uint c1, uint stream) {
	return IndexStream(key, particle, c1, stream, 0xFFFFFFFFu, uvec4(0u));
}

uint streamWord(inout IndexStream s, uint i) {
	uint b = i >> 2;
	if (b != s.block) {
		s.block = b;
		s.w = philox4x32_10(uvec4(s.particle, s.c1, b, s.stream), s.key);
	}
	return s.w[i & 3u];
}

#if SAMPLING == 2
// Sampling epoch keeps each particle's permutation of the current epoch in a storage block, in
// EPOCH_STRIDE words from the particle's base: word 0 is epoch + 1 of the permutation held (0: none,
// as after a load or restore), words 1…DATA_ROWS its positions. An epoch is STEPS_PER_EPOCH =
// ⌊N/B⌋ steps (rng.StepsPerEpoch).
layout(std430, binding = EPOCH_BINDING) buffer EpochPerms { uint epochPerms[]; };
const uint EPOCH_STRIDE = uint(DATA_ROWS) + 1u;
const uint STEPS_PER_EPOCH = uint(DATA_ROWS / BATCH);

// epochPermutation is rng.EpochPermutation into the words after base: Fisher–Yates from the
// identity, for i = 0…N−2 swap positions i and i + Below(w_i, N − i).
void epochPermutation(uvec2 key, uint particle, uint epoch, uint base) {
	for (uint i = 0u; i < uint(DATA_ROWS); i++) epochPerms[base + 1u + i] = i;
	IndexStream s = indexStream(key, particle, epoch, EPOCH_STREAM);
	for (uint i = 0u; i + 1u < uint(DATA_ROWS); i++) {
		uint j = i + indexBelow(streamWord(s, i), uint(DATA_ROWS) - i);
		uint t = epochPerms[base + 1u + i];
		epochPerms[base + 1u + i] = epochPerms[base + 1u + j];
		epochPerms[base + 1u + j] = t;
	}
	epochPerms[base] = epoch + 1u;
}
#endif

// minibatchRows writes the BATCH rows that particle takes at iteration: rng.BatchIndices.
// permBase is the particle's slot in EpochPerms (sampling epoch; unused otherwise).
void minibatchRows(uvec2 key, uint particle, uint iteration, uint permBase, out uint rows[BATCH]) {
#if SAMPLING == 0
	IndexStream s = indexStream(key, particle, iteration, INDEX_STREAM);
	for (uint i = 0u; i < uint(BATCH); i++) rows[i] = indexBelow(streamWord(s, i), uint(DATA_ROWS));
#elif SAMPLING == 1
	// rng.BatchIndices' partial Fisher–Yates shuffle of 0…N−1 without its N-word scratch: only
	// positions that a swap moved differ from the identity, at most BATCH of them, kept as
	// (position, value) pairs. Swap i puts the value at position j into position i, which no later
	// swap touches (later ones are at positions > i), so that value is row i of the batch.
	uint movedAt[BATCH];
	uint movedVal[BATCH];
	uint moved = 0u;
	IndexStream s = indexStream(key, particle, iteration, INDEX_STREAM);
	for (uint i = 0u; i < uint(BATCH); i++) {
		uint j = i + indexBelow(streamWord(s, i), uint(DATA_ROWS) - i);
		uint vi = i;
		uint vj = j;
		int at = -1;
		for (uint m = 0u; m < moved; m++) {
			if (movedAt[m] == i) vi = movedVal[m];
			if (movedAt[m] == j) {
				vj = movedVal[m];
				at = int(m);
			}
		}
		rows[i] = vj;
		if (at >= 0) {
			movedVal[at] = vi;
		} else {
			movedAt[moved] = j;
			movedVal[moved] = vi;
			moved++;
		}
	}
#else
	uint e = iteration / STEPS_PER_EPOCH;
	uint q = iteration - e * STEPS_PER_EPOCH;
	if (epochPerms[permBase] != e + 1u) epochPermutation(key, particle, e, permBase);
	for (uint i = 0u; i < uint(BATCH); i++) rows[i] = epochPerms[permBase + 1u + q * uint(BATCH) + i];
#endif
}

// minibatchGradient is (1/B)·Σ_i ∇ℓ_{rows[i]}(θ), summed in the order of rows (as the CPU
// reference, validate/data.go).
void minibatchGradient(REAL x[LANDSCAPE_DIM], uint rows[BATCH], out REAL g[LANDSCAPE_DIM]) {
	for (int k = 0; k < LANDSCAPE_DIM; k++) g[k] = REAL(0);
	for (int i = 0; i < BATCH; i++) {
		REAL s[LANDSCAPE_DIM];
		sampleGradient(x, rows[i], s);
		for (int k = 0; k < LANDSCAPE_DIM; k++) g[k] += s[k];
	}
	for (int k = 0; k < LANDSCAPE_DIM; k++) g[k] /= REAL(BATCH);
}

// gradientCovariance writes the full-data gradient g = (1/N)·Σ_μ ∇ℓ_μ and the per-sample gradient
// covariance c = (1/N)·Σ_μ (∇ℓ_μ − g)(∇ℓ_μ − g)ᵀ (row-major) in one pass over the rows, by
// Welford's update of the mean and the co-moment (B. P. Welford, Technometrics 4 (1962) 419):
// after row r, m is the mean of rows 0…r and M += (s − m_old)(s − m_new)ᵀ. Like the two passes of
// host.SampleCovariance it has no cancellation of mean(∇ℓ∇ℓᵀ) − ggᵀ, and it evaluates each row's
// gradient once instead of twice. The drift g is the plain row-order sum divided by N, the
// arithmetic of landscapeGradient and of the CPU's Evaluator, not the running mean m (whose
// rounding grows with N in float32).
void gradientCovariance(REAL x[LANDSCAPE_DIM], out REAL g[LANDSCAPE_DIM], out REAL c[LANDSCAPE_DIM * LANDSCAPE_DIM]) {
	REAL m[LANDSCAPE_DIM];
	for (int k = 0; k < LANDSCAPE_DIM; k++) {
		g[k] = REAL(0);
		m[k] = REAL(0);
	}
	for (int k = 0; k < LANDSCAPE_DIM * LANDSCAPE_DIM; k++) c[k] = REAL(0);
	for (uint r = 0u; r < uint(DATA_ROWS); r++) {
		REAL s[LANDSCAPE_DIM];
		sampleGradient(x, r, s);
		REAL w = REAL(1) / REAL(r + 1u);
		REAL delta[LANDSCAPE_DIM];
		for (int a = 0; a < LANDSCAPE_DIM; a++) {
			g[a] += s[a];
			delta[a] = s[a] - m[a];
			m[a] += delta[a] * w;
		}
		for (int a = 0; a < LANDSCAPE_DIM; a++) {
			for (int b = 0; b < LANDSCAPE_DIM; b++) c[a * LANDSCAPE_DIM + b] += delta[a] * (s[b] - m[b]);
		}
	}
	for (int k = 0; k < LANDSCAPE_DIM; k++) g[k] /= REAL(DATA_ROWS);
	for (int k = 0; k < LANDSCAPE_DIM * LANDSCAPE_DIM; k++) c[k] /= REAL(DATA_ROWS);
}

#endif
