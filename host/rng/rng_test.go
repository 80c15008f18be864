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

// TestNormalsMatchTextbook checks the two exact rewrites (log1p complement and
// quarter-turn reduction) against the plain Box–Muller formula in float64.
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
