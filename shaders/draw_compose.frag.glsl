// draw_compose.frag.glsl: the density view of 2-D and d > 2 landscapes, drawn each frame over
// the plot rectangle: the cached landscape layer (draw_background.frag.glsl, location 1) dimmed,
// the binned particle density (draw_bin.comp.glsl) as a heat map, and the escape surface on top.
uniform sampler2D uLayer; // landscape colour, escape code in alpha; the plot rectangle's size
uniform vec2 uOrigin;     // lower left corner of the plot rectangle in the frame (GL pixels)
uniform vec2 uSize;       // its width and height
uniform uint uNX;
uniform uint uNY;

layout(std430, binding = 3) readonly buffer Bins { uint bins[]; };

#include "draw_escape.glsl"

out vec4 fragColor;

vec3 heat(float t) {
	t = clamp(t, 0.0, 1.0);
	return clamp(vec3(3.0 * t, 3.0 * t - 1.0, 3.0 * t - 2.0), 0.0, 1.0);
}

void main() {
	ivec2 q = ivec2(gl_FragCoord.xy - uOrigin);
	vec4 l = texelFetch(uLayer, q, 0);
	vec2 t = (vec2(q) + 0.5) / uSize;
	vec3 col = 0.45 * l.rgb;
	uint ix = min(uint(t.x * float(uNX)), uNX - 1u);
	uint iy = min(uint(t.y * float(uNY)), uNY - 1u);
	uint cells = uNX * uNY;
	float n = float(bins[2u * cells + iy * uNX + ix]); // both classes (draw_bin.comp.glsl)
	float m = max(float(bins[3u * cells]), 1.0);
	if (n > 0.0) col = mix(col, heat(0.25 + 0.75 * log(1.0 + n) / log(1.0 + m)), 0.9);
	fragColor = vec4(escapeSurface(col, uint(round(l.a * 255.0))), 1.0);
}
