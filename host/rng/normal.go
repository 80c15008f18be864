package rng

import "math"

const two32 = 4294967296.0 // 2^32

// logUniform returns ln u for u = (w + 0.5)/2^32. In float64 u is exact (33 significant bits)
// and math.Log is accurate to an ulp of the result also for u close to 1, so no rewrite is
// needed here; the float32 GLSL twin takes the complement route (package documentation).
func logUniform(w uint32) float64 {
	return math.Log((float64(w) + 0.5) / two32)
}

// cosSinUniform returns (cos φ, sin φ) for φ = 2π (w + 0.5)/2^32, reducing the
// angle exactly to the nearest quarter turn first (package documentation).
func cosSinUniform(w uint32) (c, s float64) {
	k := ((w + 1<<29) >> 30) & 3
	t := int32(w - k<<30) // in [−2^29, 2^29)
	theta := 2 * math.Pi * (float64(t) + 0.5) / two32
	st, ct := math.Sincos(theta)
	switch k {
	case 0:
		return ct, st
	case 1:
		return -st, ct
	case 2:
		return -ct, -st
	default:
		return st, -ct
	}
}

// Normals turns four Philox words into four independent standard normals by
// the Box–Muller transform (G. E. P. Box and M. E. Muller, Ann. Math. Stat. 29,
// 610 (1958)): (w0,w1) give z0 = r cos φ, z1 = r sin φ with r = sqrt(−2 ln u0),
// φ = 2π u1, and (w2,w3) give z2, z3 the same way, where u = (w + 0.5)/2^32.
func Normals(w [4]uint32) [4]float64 {
	z0, z1 := NormalPair(w[0], w[1])
	z2, z3 := NormalPair(w[2], w[3])
	return [4]float64{z0, z1, z2, z3}
}

// NormalPair is one Box–Muller pair: (r·cos φ, r·sin φ) with r from the radius word and φ from
// the angle word, exactly as Normals computes words (0, 1) and (2, 3). Callers that need fewer
// than four normals of a block (a 1-D step uses one) compute only the pairs they use.
func NormalPair(radius, angle uint32) (float64, float64) {
	r := math.Sqrt(-2 * logUniform(radius))
	c, s := cosSinUniform(angle)
	return r * c, r * s
}
