// draw_points.vert.glsl: one point per particle, pulled straight from the simulation's storage
// buffers (vertex pulling through gl_VertexID; nothing is copied to the host). Particle
// gl_VertexID·uStride of the batch is drawn, so huge ensembles are subsampled by a stride.
// Colour from the first-passage record: running (in the start basin), escaped, diverged.
#ifndef POS_REAL
#define POS_REAL float
#endif
#include "draw_view.glsl"

layout(std430, binding = 0) readonly buffer Positions { POS_REAL positions[]; };
layout(std430, binding = 1) readonly buffer Records { uint records[]; };

uniform uint uStride;
uniform uint uCount;
uniform float uPointSize;
uniform float uAlpha;
uniform vec3 uColorRunning;
uniform vec3 uColorEscaped;
uniform vec3 uColorDiverged;

out vec3 vColor;

void main() {
	uint i = uint(gl_VertexID) * uStride;
	gl_PointSize = uPointSize;
	if (i >= uCount) {
		gl_Position = vec4(2.0, 2.0, 2.0, 1.0); // clipped
		vColor = vec3(0.0);
		return;
	}
	float x[LANDSCAPE_DIM];
	bool finite = true;
	for (int k = 0; k < LANDSCAPE_DIM; k++) {
		x[k] = float(positions[i * uint(LANDSCAPE_DIM) + uint(k)]);
		if (isnan(x[k]) || isinf(x[k])) finite = false;
	}
	uint r = records[i];
	vec3 c = uColorRunning;
	if (r != RUNNING) c = (r & DIVERGED_FLAG) != 0u ? uColorDiverged : uColorEscaped;
	vColor = c * uAlpha;
	gl_Position = finite ? vec4(toNDC(viewPoint(x)), 0.0, 1.0) : vec4(2.0, 2.0, 2.0, 1.0);
}
