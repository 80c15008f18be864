// draw_points.frag.glsl: a round sprite, added to the frame (additive blending), so dense
// clouds saturate towards white.
in vec3 vColor;
out vec4 fragColor;

void main() {
	vec2 d = gl_PointCoord - vec2(0.5);
	if (dot(d, d) > 0.3) discard;
	fragColor = vec4(vColor, 1.0);
}
