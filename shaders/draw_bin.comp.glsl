// draw_bin.comp.glsl: the live density: bin the (subsampled) particles of one batch by their
// view coordinates into three planes of uNX × uNY counters with atomics: never escaped,
// escaped, and both together; bins[3·uNX·uNY] keeps the largest count of the third plane.
// 1-D views bin x only (uNY = 1). Diverged particles (before or after an escape) are left out.
#ifndef POS_REAL
#define POS_REAL float
#endif
#include "draw_view.glsl"

layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Positions { POS_REAL positions[]; };
layout(std430, binding = 1) readonly buffer Records { uint records[]; };
layout(std430, binding = 3) buffer Bins { uint bins[]; };

uniform uint uFirst; // first point of this dispatch (points are particles 0, uStride, 2·uStride, …)
uniform uint uStride;
uniform uint uCount;
uniform uint uNX;
uniform uint uNY;

void main() {
	uint i = (uFirst + gl_GlobalInvocationID.x) * uStride;
	if (i >= uCount) return;
	uint r = records[i];
	if (r != RUNNING && (r & (DIVERGED_FLAG | LATE_DIVERGED_FLAG)) != 0u) return;
	float x[LANDSCAPE_DIM];
	for (int k = 0; k < LANDSCAPE_DIM; k++) x[k] = float(positions[i * uint(LANDSCAPE_DIM) + uint(k)]);
	vec2 p = viewPoint(x);
	vec2 t = (p - uBox.xy) / (uBox.zw - uBox.xy);
#if VIEW_1D
	t.y = 0.5;
#endif
	if (!(t.x >= 0.0 && t.x < 1.0 && t.y >= 0.0 && t.y < 1.0)) return;
	uint ix = min(uint(t.x * float(uNX)), uNX - 1u);
	uint iy = min(uint(t.y * float(uNY)), uNY - 1u);
	uint cells = uNX * uNY, k = iy * uNX + ix;
	atomicAdd(bins[(r == RUNNING ? 0u : cells) + k], 1u);
	uint n = atomicAdd(bins[2u * cells + k], 1u) + 1u;
	atomicMax(bins[3u * cells], n);
}
