// draw_markers.frag.glsl: marker shapes drawn in the point sprite (alpha blended).
in vec4 vColor;
flat in int vShape;
out vec4 fragColor;

void main() {
	vec2 d = gl_PointCoord - vec2(0.5);
	float r = length(d);
	float a = 0.0;
	if (vShape == 0) {
		a = (r > 0.30 && r < 0.46) ? 1.0 : 0.0;
	} else if (vShape == 1) {
		a = (abs(d.x - d.y) < 0.09 || abs(d.x + d.y) < 0.09) && r < 0.48 ? 1.0 : 0.0;
	} else {
		float m = abs(d.x) + abs(d.y);
		a = (m > 0.28 && m < 0.45) ? 1.0 : 0.0;
	}
	if (a == 0.0) discard;
	fragColor = vec4(vColor.rgb, vColor.a * a);
}
