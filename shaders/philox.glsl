// Philox4x32-10, the GLSL twin of host/rng.Philox4x32 (bit-identical words).
// Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011; constants as in Random123's philox.h.
// Key/counter layout (host/rng doc): key = (seed lo, seed hi),
// counter = (particle, iteration, block, 0).
#ifndef KRAMERS_PHILOX_GLSL
#define KRAMERS_PHILOX_GLSL

const uint PHILOX_M0 = 0xD2511F53u;
const uint PHILOX_M1 = 0xCD9E8D57u;
const uint PHILOX_W0 = 0x9E3779B9u;
const uint PHILOX_W1 = 0xBB67AE85u;

uvec4 philox4x32_round(uvec4 c, uvec2 k) {
    uint hi0, lo0, hi1, lo1;
    umulExtended(PHILOX_M0, c.x, hi0, lo0);
    umulExtended(PHILOX_M1, c.z, hi1, lo1);
    return uvec4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
}

uvec4 philox4x32_10(uvec4 ctr, uvec2 key) {
    ctr = philox4x32_round(ctr, key);
    for (int i = 1; i < 10; i++) {
        key += uvec2(PHILOX_W0, PHILOX_W1);
        ctr = philox4x32_round(ctr, key);
    }
    return ctr;
}

uvec2 philox_key(uint seedLo, uint seedHi) { return uvec2(seedLo, seedHi); }

uvec4 philox_counter(uint particle, uint iteration, uint block) {
    return uvec4(particle, iteration, block, 0u);
}

#endif
