// draw_view.glsl: what every draw program shares: the generated landscape (REAL = float) with
// the record constants, the projection of a point θ onto the two view coordinates, and the view
// box.
//
// View coordinates: 2-D and d > 2: (u, v) = ((θ − o)·U, (θ − o)·V), the identity for d = 2;
// 1-D: (x, L(x)). uBox = (u0, v0, u1, v1) is the rectangle of view coordinates shown in the
// current viewport (glViewport is the letterboxed plot rectangle).
#include "draw_landscape.glsl"

uniform vec4 uBox;

// viewPoint maps θ to view coordinates.
vec2 viewPoint(float x[LANDSCAPE_DIM]) {
#if VIEW_1D
	return vec2(x[0], landscapeLoss(x));
#else
	float u = 0.0, v = 0.0;
	for (int k = 0; k < LANDSCAPE_DIM; k++) {
		float d = x[k] - PROJ_ORIGIN[k];
		u += d * PROJ_U[k];
		v += d * PROJ_V[k];
	}
	return vec2(u, v);
#endif
}

// unproject is the point o + u·U + v·V of the view plane (PROJ_U and PROJ_V are orthonormal).
void unproject(vec2 p, out float x[LANDSCAPE_DIM]) {
	for (int k = 0; k < LANDSCAPE_DIM; k++) {
#if VIEW_1D
		x[k] = p.x;
#else
		x[k] = PROJ_ORIGIN[k] + p.x * PROJ_U[k] + p.y * PROJ_V[k];
#endif
	}
}

// toNDC maps view coordinates to normalised device coordinates of the viewport.
vec2 toNDC(vec2 p) {
	return 2.0 * (p - uBox.xy) / (uBox.zw - uBox.xy) - 1.0;
}
