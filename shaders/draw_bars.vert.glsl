// draw_bars.vert.glsl: the live histogram of a 1-D view as bars (two triangles per bin) rising
// from the bottom of the view box, in two stacked parts by escape status (draw_bin.comp.glsl):
// uPart 0 the never escaped particles from the bottom, uPart 1 the escaped ones on top of them.
// A bin holding the share uTop of the uTotal binned particles is uHeight of the box tall (the
// scale the overlay labels).
#include "draw_view.glsl"

layout(std430, binding = 3) readonly buffer Bins { uint bins[]; };

uniform uint uNX;
uniform uint uPart;
uniform float uHeight;
uniform float uTop;   // share of the particles at the top of the scale
uniform float uTotal; // particles binned

void main() {
	int bin = gl_VertexID / 6;
	int c = gl_VertexID % 6;
	// corners of the quad: (0,0) (1,0) (1,1) (0,0) (1,1) (0,1)
	float cx = (c == 1 || c == 2 || c == 4) ? 1.0 : 0.0;
	float cy = (c == 2 || c == 4 || c == 5) ? 1.0 : 0.0;
	float base = uPart == 0u ? 0.0 : float(bins[bin]);
	float top = base + float(bins[uPart * uNX + uint(bin)]);
	float scale = uHeight / (max(uTotal, 1.0) * uTop);
	float x = (float(bin) + cx) / float(uNX);
	gl_Position = vec4(2.0 * x - 1.0, 2.0 * mix(base, top, cy) * scale - 1.0, 0.0, 1.0);
}
