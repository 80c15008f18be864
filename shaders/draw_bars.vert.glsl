// draw_bars.vert.glsl: the live histogram of a 1-D view as bars (two triangles per bin) rising
// from the bottom of the view box; the tallest bar is uHeight of the box.
#include "draw_view.glsl"

layout(std430, binding = 3) readonly buffer Bins { uint bins[]; };

uniform uint uNX;
uniform float uHeight;

void main() {
	int bin = gl_VertexID / 6;
	int c = gl_VertexID % 6;
	// corners of the quad: (0,0) (1,0) (1,1) (0,0) (1,1) (0,1)
	float cx = (c == 1 || c == 2 || c == 4) ? 1.0 : 0.0;
	float cy = (c == 2 || c == 4 || c == 5) ? 1.0 : 0.0;
	float m = max(float(bins[uNX]), 1.0);
	float h = uHeight * float(bins[bin]) / m;
	float x = (float(bin) + cx) / float(uNX);
	gl_Position = vec4(2.0 * x - 1.0, 2.0 * (cy * h) - 1.0, 0.0, 1.0);
}
