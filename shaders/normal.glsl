// Box–Muller on four Philox words, the float32 twin of host/rng.Normals:
// (w0,w1) -> r cos(phi), r sin(phi) with r = sqrt(-2 ln u0), phi = 2 pi u1,
// likewise (w2,w3); u = (w + 0.5) / 2^32. The same two exact rewrites as the Go
// reference (host/rng doc): ln u via the complement 1 - u for u >= 1/2, and an
// integer reduction of the angle to the nearest quarter turn.
#ifndef KRAMERS_NORMAL_GLSL
#define KRAMERS_NORMAL_GLSL

const float BM_TWO_M32 = 2.3283064365386963e-10; // 2^-32, exact
const float BM_TWO_PI_M32 = 1.4629180792671596e-09; // 2 pi / 2^32

// ln u for u = (w + 0.5) / 2^32.
float bm_log_uniform(uint w) {
    if (w < 0x80000000u) {
        return log((float(w) + 0.5) * BM_TWO_M32);
    }
    float v = (float(~w) + 0.5) * BM_TWO_M32; // 1 - u, exact to float rounding
    if (v < 0.0625) {
        // log1p(-v) by its Taylor series; truncation below 5e-10 relative.
        return -v * (1.0 + v * (1.0 / 2.0 + v * (1.0 / 3.0 + v * (1.0 / 4.0 +
               v * (1.0 / 5.0 + v * (1.0 / 6.0 + v * (1.0 / 7.0 + v * (1.0 / 8.0))))))));
    }
    return log(1.0 - v);
}

// (cos phi, sin phi) for phi = 2 pi (w + 0.5) / 2^32.
vec2 bm_cos_sin_uniform(uint w) {
    uint k = ((w + 0x20000000u) >> 30) & 3u;
    int t = int(w - (k << 30)); // in [-2^29, 2^29)
    float theta = (float(t) + 0.5) * BM_TWO_PI_M32;
    vec2 cs = vec2(cos(theta), sin(theta));
    if (k == 1u) return vec2(-cs.y, cs.x);
    if (k == 2u) return -cs;
    if (k == 3u) return vec2(cs.y, -cs.x);
    return cs;
}

vec4 boxMuller(uvec4 w) {
    float r0 = sqrt(-2.0 * bm_log_uniform(w.x));
    float r1 = sqrt(-2.0 * bm_log_uniform(w.z));
    return vec4(r0 * bm_cos_sin_uniform(w.y), r1 * bm_cos_sin_uniform(w.w));
}

#endif
