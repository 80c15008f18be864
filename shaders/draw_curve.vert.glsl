// draw_curve.vert.glsl: the curve L(x) of a 1-D landscape as a line strip of uSamples vertices
// across the view box, evaluated from the generated landscape code.
#include "draw_view.glsl"

uniform int uSamples;
uniform vec2 uOffset; // in NDC, to thicken the line with a second pass

void main() {
	float s = float(gl_VertexID) / float(uSamples - 1);
	float x[LANDSCAPE_DIM];
	unproject(vec2(mix(uBox.x, uBox.z, s), 0.0), x);
	gl_Position = vec4(toNDC(viewPoint(x)) + uOffset, 0.0, 1.0);
}
