// draw_resolve.frag.glsl: the particle counts of draw_splat.comp.glsl as colour over the plot
// rectangle, blended as premultiplied alpha (ONE, ONE_MINUS_SRC_ALPHA). A pixel keeps the hue of
// its particles' classes (the classes' colours weighted by their counts), and its count sets only
// the opacity, on a log scale: one particle covers uAlpha of the background, uDense particles or
// more cover it fully. A dense cloud therefore shows its class's own colour (cyan never escaped,
// orange escaped) instead of adding up to white, and density still reads as opacity
// (README.md, "Watching particles: kramers view").
layout(std430, binding = 4) readonly buffer Counts { uint counts[]; };

uniform vec2 uOrigin; // lower left corner of the plot rectangle in the frame (GL pixels)
uniform uvec2 uSize;  // counter cells (draw_splat.comp.glsl)
uniform uint uScale;  // pixels per cell along each axis
uniform float uAlpha; // opacity of one particle
uniform float uDense; // particles per pixel at full opacity (> 1)
uniform vec3 uColorRunning;
uniform vec3 uColorEscaped;
uniform vec3 uColorDiverged;

out vec4 fragColor;

void main() {
	ivec2 q = ivec2(gl_FragCoord.xy - uOrigin) / int(uScale);
	if (q.x < 0 || q.y < 0 || q.x >= int(uSize.x) || q.y >= int(uSize.y)) discard;
	uint n = uSize.x * uSize.y;
	uint k = uint(q.y) * uSize.x + uint(q.x);
	uint nr = counts[k], ne = counts[n + k], nd = counts[2u * n + k];
	if ((nr | ne | nd) == 0u) discard; // most pixels: nothing to draw, no blend
	float total = float(nr + ne + nd);
	vec3 hue = (float(nr) * uColorRunning + float(ne) * uColorEscaped + float(nd) * uColorDiverged) / total;
	float a = mix(uAlpha, 1.0, clamp(log(total) / log(uDense), 0.0, 1.0));
	fragColor = vec4(a * hue, a);
}
