// draw_color.frag.glsl: a uniform colour (alpha blended).
uniform vec4 uColor;
out vec4 fragColor;

void main() {
	fragColor = uColor;
}
