// draw_overlay.frag.glsl: the text overlay, a texture the size of the frame (row 0 at the top),
// alpha blended over everything.
uniform sampler2D uText;
in vec2 vUV;
out vec4 fragColor;

void main() {
	fragColor = texture(uText, vec2(vUV.x, 1.0 - vUV.y));
}
