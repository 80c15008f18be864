// draw_resolve.frag.glsl: the particle counts of draw_splat.comp.glsl as colour, added to the
// frame (blending ONE, ONE) over the plot rectangle: each particle adds its class colour times
// uAlpha, so dense clouds saturate towards white, as additive point sprites would.
layout(std430, binding = 4) readonly buffer Counts { uint counts[]; };

uniform vec2 uOrigin; // lower left corner of the plot rectangle in the frame (GL pixels)
uniform uvec2 uSize;  // counter cells (draw_splat.comp.glsl)
uniform uint uScale;  // pixels per cell along each axis
uniform float uAlpha;
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
	if ((nr | ne | nd) == 0u) discard; // most pixels: nothing to add, no blend
	vec3 c = float(nr) * uColorRunning + float(ne) * uColorEscaped + float(nd) * uColorDiverged;
	fragColor = vec4(uAlpha * c, 1.0);
}
