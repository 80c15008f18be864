package rng

import (
	"math"
	"testing"
)

// Known-answer vectors from Random123's tests/kat_vectors
// (https://github.com/DEShawResearch/random123, file tests/kat_vectors, the
// "philox4x32 7" and "philox4x32 10" lines). Columns there: name, rounds,
// counter (4 words), key (2 words), expected output (4 words).
var katVectors = []struct {
	rounds int
	ctr    [4]uint32
	key    [2]uint32
	want   [4]uint32
}{
	{7, [4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48}},
	{7, [4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [4]uint32{0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662}},
	{7, [4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0}, [4]uint32{0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a}},
	{10, [4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
	{10, [4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
	{10, [4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0}, [4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
}

func TestPhiloxKnownAnswers(t *testing.T) {
	for _, v := range katVectors {
		got := philox4x32R(v.rounds, v.ctr, v.key)
		if got != v.want {
			t.Errorf("philox4x32-%d(%08x, %08x) = %08x, want %08x", v.rounds, v.ctr, v.key, got, v.want)
		}
		if v.rounds == 10 {
			if got := Philox4x32(v.ctr, v.key); got != v.want {
				t.Errorf("Philox4x32(%08x, %08x) = %08x, want %08x", v.ctr, v.key, got, v.want)
			}
		}
	}
}

func TestKeyCounterLayout(t *testing.T) {
	if k := Key(0x0123456789abcdef); k != [2]uint32{0x89abcdef, 0x01234567} {
		t.Errorf("Key = %08x, want low word then high word", k)
	}
	if c := Counter(7, 11, 3); c != [4]uint32{7, 11, 3, 0} {
		t.Errorf("Counter = %v, want [7 11 3 0]", c)
	}
	want := Normals(Philox4x32([4]uint32{7, 11, 3, 0}, [2]uint32{0x89abcdef, 0x01234567}))
	if got := ParticleNormals(0x0123456789abcdef, 7, 11, 3); got != want {
		t.Errorf("ParticleNormals = %v, want %v", got, want)
	}
}

// The draw layout of the package documentation ("Draws"), written out by hand for d = 1, 2, 3
// and 5: which call (counter) and which of its normals each iteration takes.
func TestDrawLayout(t *testing.T) {
	const seed, particle = 0x0123456789abcdef, 42
	call := func(iteration, block uint32) [4]float64 { return ParticleNormals(seed, particle, iteration, block) }
	for _, tc := range []struct {
		dim, steps int
	}{{1, 4}, {2, 2}, {3, 1}, {4, 1}, {5, 1}, {10, 1}} {
		if got := StepsPerDraw(tc.dim); got != tc.steps {
			t.Errorf("StepsPerDraw(%d) = %d, want %d", tc.dim, got, tc.steps)
		}
	}
	// 1-D: iterations 8..11 take normals 0..3 of the call made at iteration 8.
	c8 := call(8, 0)
	for it := uint32(8); it < 12; it++ {
		if g := DrawIteration(it, 1); g != 8 {
			t.Errorf("DrawIteration(%d, 1) = %d, want 8", it, g)
		}
		if z := StepNormals(seed, particle, it, 1); len(z) != 1 || z[0] != c8[it-8] {
			t.Errorf("1-D iteration %d: normals %v, want [%v]", it, z, c8[it-8])
		}
	}
	// 2-D: iteration 6 takes the pair (w0,w1), iteration 7 the pair (w2,w3) of the call at 6.
	c6 := call(6, 0)
	if z := StepNormals(seed, particle, 7, 2); z[0] != c6[2] || z[1] != c6[3] {
		t.Errorf("2-D iteration 7: %v, want %v", z, c6[2:])
	}
	if z := StepNormals(seed, particle, 6, 2); z[0] != c6[0] || z[1] != c6[1] {
		t.Errorf("2-D iteration 6: %v, want %v", z, c6[:2])
	}
	// 3-D: every iteration its own call, the fourth normal unused.
	c5 := call(5, 0)
	if z := StepNormals(seed, particle, 5, 3); z[0] != c5[0] || z[1] != c5[1] || z[2] != c5[2] {
		t.Errorf("3-D iteration 5: %v, want %v", z, c5[:3])
	}
	// 5-D: blocks 0 and 1 of the iteration's own call; coordinate 4 is word 0 of block 1.
	b1 := call(5, 1)
	if z := StepNormals(seed, particle, 5, 5); z[3] != c5[3] || z[4] != b1[0] {
		t.Errorf("5-D iteration 5: %v, want coordinates 3, 4 = %v, %v", z, c5[3], b1[0])
	}
	// Distinct iterations never reuse a normal: 1-D iterations 0..15 take 16 different values.
	seen := map[float64]uint32{}
	for it := uint32(0); it < 16; it++ {
		z := StepNormals(seed, particle, it, 1)[0]
		if prev, ok := seen[z]; ok {
			t.Errorf("iterations %d and %d share the normal %v", prev, it, z)
		}
		seen[z] = it
	}
}

// Consecutive iterations of a 1-D step take consecutive normals of one draw and then of the next
// (TestDrawLayout); as a sequence they must look independent. Over 2^22 iterations (2^20 calls,
// 64 particles) at seed 77: the lag-1, 2, 3 and 4 autocorrelations (lags 1–3 inside a draw, lag 4
// across draws) and the lag-1 correlation of squares, E[z_t² z_{t+1}²] − 1 (0 for independent
// normals, and also for the two normals of one Box–Muller pair), each within 5 standard errors
// of 0: SE = 1/√N for the autocorrelations of unit-variance normals, √(8/N) for the squares
// (Var(z²z'²) = E[z⁴]² − 1 = 8).
func TestDrawSequenceIndependent(t *testing.T) {
	const particles, perParticle = 64, 1 << 16
	var z []float64
	for p := uint32(0); p < particles; p++ {
		for it := uint32(0); it < perParticle; it++ {
			z = append(z, StepNormals(77, p, it, 1)[0])
		}
	}
	n := float64(len(z))
	for lag := 1; lag <= 4; lag++ {
		sum, cnt := 0.0, 0
		for i := 0; i+lag < len(z); i++ {
			if (i+lag)/perParticle != i/perParticle {
				continue // do not pair two particles
			}
			sum += z[i] * z[i+lag]
			cnt++
		}
		r, se := sum/float64(cnt), 1/math.Sqrt(float64(cnt))
		if math.Abs(r) > 5*se {
			t.Errorf("lag-%d autocorrelation %.5f, want 0 ± %.5f (5 SE)", lag, r, 5*se)
		}
	}
	sq := 0.0
	for i := 0; i+1 < len(z); i++ {
		sq += z[i] * z[i] * z[i+1] * z[i+1]
	}
	if c, se := sq/(n-1)-1, math.Sqrt(8/(n-1)); math.Abs(c) > 5*se {
		t.Errorf("E[z_t² z_{t+1}²] − 1 = %.5f, want 0 ± %.5f (5 SE)", c, 5*se)
	}
}

// TestNormalsMatchTextbook checks the quarter-turn reduction of the angle against the plain
// Box–Muller formula in float64.
func TestNormalsMatchTextbook(t *testing.T) {
	words := []uint32{0, 1, 2, 1<<29 - 1, 1 << 29, 1<<30 - 1, 1 << 30, 1<<31 - 1, 1 << 31,
		3 << 30, 0xe0000000, 0xdfffffff, 0xfffffffe, 0xffffffff}
	key := Key(12345)
	for i := uint32(0); i < 1000; i++ {
		w := Philox4x32(Counter(i, 1, 0), key)
		words = append(words, w[:]...)
	}
	maxErr := 0.0
	for _, a := range words {
		for _, b := range words[:40] {
			for _, pair := range [][2]uint32{{a, b}, {b, a}} {
				z := Normals([4]uint32{pair[0], pair[1], pair[1], pair[0]})
				u0 := (float64(pair[0]) + 0.5) / two32
				u1 := (float64(pair[1]) + 0.5) / two32
				r := math.Sqrt(-2 * math.Log(u0))
				phi := 2 * math.Pi * u1
				maxErr = math.Max(maxErr, math.Abs(z[0]-r*math.Cos(phi)))
				maxErr = math.Max(maxErr, math.Abs(z[1]-r*math.Sin(phi)))
			}
		}
	}
	if maxErr > 1e-12 {
		t.Errorf("max |Normals - textbook Box–Muller| = %g, want ≤ 1e-12", maxErr)
	}
	// Extreme words: u never reaches 0 or 1, so the radius is finite and > 0.
	z := Normals([4]uint32{0, 0, 0xffffffff, 0})
	if r := math.Hypot(z[0], z[1]); math.IsInf(r, 0) || r < 6.76 || r > 6.77 {
		t.Errorf("radius for w=0 is %g, want sqrt(66 ln 2) ≈ 6.764", r)
	}
	if r := math.Hypot(z[2], z[3]); r <= 0 {
		t.Errorf("radius for w=0xffffffff is %g, want > 0", r)
	}
}

// Moments and tail counts of 2^25 normals (2^23 Philox calls) at seed 2026.
//
// Tolerances: each sample moment is compared with its exact value within 5
// standard errors, SE = sqrt(Var/N), with Var(z)=1, Var(z²)=2, Var(z³)=15,
// Var(z⁴)=96 for a standard normal. Tail counts beyond 4σ and 5σ are binomial
// with p = erfc(k/√2); the count must lie within 5·sqrt(Np(1−p)) + 1 of Np.
func TestNormalMomentsAndTails(t *testing.T) {
	const calls = 1 << 23
	z := make([]float64, 0, 4*calls)
	for i := uint32(0); i < calls; i++ {
		// Vary all counter words that the simulator varies.
		n := ParticleNormals(2026, i&0xffff, i>>16, i%3)
		z = append(z, n[:]...)
	}
	checkNormalSample(t, z)
}

// checkNormalSample applies the moment and tail tests described at
// TestNormalMomentsAndTails to z.
func checkNormalSample(t *testing.T, z []float64) {
	t.Helper()
	n := float64(len(z))
	var m [5]float64
	var tail4, tail5 int
	for _, x := range z {
		x2 := x * x
		m[1] += x
		m[2] += x2
		m[3] += x2 * x
		m[4] += x2 * x2
		if a := math.Abs(x); a > 4 {
			tail4++
			if a > 5 {
				tail5++
			}
		}
	}
	want := [5]float64{0, 0, 1, 0, 3}
	variance := [5]float64{0, 1, 2, 15, 96}
	for k := 1; k <= 4; k++ {
		got := m[k] / n
		se := math.Sqrt(variance[k] / n)
		if math.Abs(got-want[k]) > 5*se {
			t.Errorf("moment E[z^%d] = %.6f, want %.1f ± %.6f (5 SE)", k, got, want[k], 5*se)
		} else {
			t.Logf("E[z^%d] = %+.6f (exact %.0f, SE %.1e)", k, got, want[k], se)
		}
	}
	for _, c := range []struct {
		k     float64
		count int
	}{{4, tail4}, {5, tail5}} {
		p := math.Erfc(c.k / math.Sqrt2)
		mu := n * p
		tol := 5*math.Sqrt(n*p*(1-p)) + 1
		if math.Abs(float64(c.count)-mu) > tol {
			t.Errorf("count |z| > %gσ = %d, want %.1f ± %.1f", c.k, c.count, mu, tol)
		} else {
			t.Logf("count |z| > %gσ = %d (expected %.1f ± %.1f)", c.k, c.count, mu, tol)
		}
	}
}
