// draw_escape.glsl: the escape surface over the landscape: the escaped side slightly tinted,
// the surface itself a dashed orange line. draw_background.frag.glsl codes where it is (a few
// bits per pixel of the cached layer); draw_compose.frag.glsl applies the code again over the
// density view.
const uint ESC_SIDE = 1u;   // the escape condition holds here
const uint ESC_EDGE = 2u;   // it changes between this pixel and the next one right or above
const uint ESC_BRIGHT = 4u; // the bright part of a dash

vec3 escapeSurface(vec3 col, uint code) {
	col = mix(col, vec3(0.9, 0.45, 0.1), (code & ESC_SIDE) != 0u ? 0.06 : 0.0);
	if ((code & ESC_EDGE) != 0u) {
		float dash = (code & ESC_BRIGHT) != 0u ? 1.0 : 0.35;
		col = mix(col, vec3(1.0, 0.6, 0.2), 0.85 * dash);
	}
	return col;
}
