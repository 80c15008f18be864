// Test program for the Philox and Box–Muller twins (used by gpu tests).
// Invocation i builds the counter (particle, iteration, block, 0) with
// particle = PARTICLE0 + (i % NPART), iteration = ITER0 + i / NPART / NBLOCK,
// block = (i / NPART) % NBLOCK, and writes its four words and four normals.
#version 430
#include "philox.glsl"
#include "normal.glsl"

#ifndef LOCAL_SIZE
#define LOCAL_SIZE 64
#endif
layout(local_size_x = LOCAL_SIZE) in;

layout(std430, binding = 0) writeonly buffer Words { uvec4 words[]; };
layout(std430, binding = 1) writeonly buffer Normals { vec4 normals[]; };

uniform uvec2 uKey;
uniform uint uCount;
uniform uint uParticle0;
uniform uint uNumParticles;
uniform uint uNumBlocks;
uniform uint uIteration0;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= uCount) return;
    uint p = uParticle0 + i % uNumParticles;
    uint rest = i / uNumParticles;
    uvec4 w = philox4x32_10(philox_counter(p, uIteration0 + rest / uNumBlocks, rest % uNumBlocks), uKey);
    words[i] = w;
    normals[i] = boxMuller(w);
}
