// draw_fullscreen.vert.glsl: one triangle that covers the viewport (no vertex buffer).
out vec2 vUV;

void main() {
	vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
	vUV = p;
	gl_Position = vec4(2.0 * p - 1.0, 0.0, 1.0);
}
