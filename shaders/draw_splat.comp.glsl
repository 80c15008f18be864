// draw_splat.comp.glsl: the particles as point sprites, rasterised by a compute pass: every
// (subsampled) particle of one batch is pulled straight from the simulation's storage buffers
// (nothing is copied to the host), projected, and counted with atomics in each pixel of the plot
// rectangle its sprite covers, in one of three planes by its first-passage record (never
// escaped, escaped, diverged). draw_resolve.frag.glsl turns the counts into additive colour.
//
// The sprite follows OpenGL's rule for points (4.3 core §14.4): the pixels whose centres lie in
// the square of side uPointSize centred on the particle, here also inside the disc of radius
// √0.3·uPointSize; a particle whose centre is outside the plot rectangle is not drawn. A plot
// too large for the storage block limit is counted in cells of uScale×uScale pixels. Under a
// software rasteriser this is about ten times faster than GL_POINTS (one invocation per point in
// parallel, against a serial vertex and set-up stage), and on a GPU it is bound by the atomics.
#ifndef POS_REAL
#define POS_REAL float
#endif
#include "draw_view.glsl"

layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Positions { POS_REAL positions[]; };
layout(std430, binding = 1) readonly buffer Records { uint records[]; };
layout(std430, binding = 4) buffer Counts { uint counts[]; };

uniform uint uFirst;      // first point of this dispatch (points are particles 0, uStride, 2·uStride, …)
uniform uint uStride;
uniform uint uCount;      // particles in the batch
uniform vec2 uPlot;       // plot rectangle in pixels
uniform float uScale;     // pixels per counter cell along each axis (1 unless the plot is huge)
uniform uvec2 uSize;      // counter cells; each plane holds uSize.x·uSize.y counters
uniform float uPointSize; // in cells

void main() {
	uint i = (uFirst + gl_GlobalInvocationID.x) * uStride;
	if (i >= uCount) return;
	float x[LANDSCAPE_DIM];
	for (int k = 0; k < LANDSCAPE_DIM; k++) {
		x[k] = float(positions[i * uint(LANDSCAPE_DIM) + uint(k)]);
		if (isnan(x[k]) || isinf(x[k])) return;
	}
	vec2 size = vec2(uSize);
	vec2 c = (viewPoint(x) - uBox.xy) / (uBox.zw - uBox.xy) * uPlot / uScale; // cell centres at +0.5
	if (!(c.x >= 0.0 && c.x < size.x && c.y >= 0.0 && c.y < size.y)) return;
	uint r = records[i];
	uint plane = r == RUNNING ? 0u : ((r & DIVERGED_FLAG) != 0u ? 2u : 1u);
	uint base = plane * uSize.x * uSize.y;
	float h = 0.5 * uPointSize;
	ivec2 lo = max(ivec2(ceil(c - h - 0.5)), ivec2(0));
	ivec2 hi = min(ivec2(floor(c + h - 0.5)), ivec2(uSize) - 1);
	if (lo == hi) {
		atomicAdd(counts[base + uint(lo.y) * uSize.x + uint(lo.x)], 1u);
		return;
	}
	for (int py = lo.y; py <= hi.y; py++) {
		for (int px = lo.x; px <= hi.x; px++) {
			vec2 d = (vec2(px, py) + 0.5 - c) / uPointSize;
			if (dot(d, d) > 0.3) continue;
			atomicAdd(counts[base + uint(py) * uSize.x + uint(px)], 1u);
		}
	}
}
