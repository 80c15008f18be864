// draw_background.frag.glsl: the landscape behind the particles, evaluated per pixel from the
// same generated code the step program uses (REAL = float).
//   2-D and d > 2: a colour map of L on the view plane with contour lines every uLossStep
//   (the saddle level drawn brighter), or, with uDensity, the binned particle density as a
//   heat map over the dimmed landscape. 1-D: a plain background (the curve and the histogram
//   are drawn on top). Everywhere: the escape surface as a dashed line (where the escape
//   condition changes between neighbouring pixels), the escaped side slightly tinted.
#include "draw_view.glsl"

layout(std430, binding = 3) readonly buffer Bins { uint bins[]; };

uniform vec4 uViewport;   // x, y, width, height of the plot rectangle in window pixels (GL origin)
uniform float uLossMin;   // L(a): level 0 of the contours
uniform float uColorLo;   // bottom of the colour map
uniform float uLossStep;  // contour spacing (ΔL/6: the saddle is level 6)
uniform float uLossSpan;  // uColorLo + uLossSpan is the top of the colour map
uniform int uDensity;     // 1: draw the density heat map
uniform uint uNX;
uniform uint uNY;

in vec2 vUV;
out vec4 fragColor;

// A dark, perceptually ordered ramp (after matplotlib's viridis), kept dim so the additive
// particles stand out.
vec3 ramp(float t) {
	t = clamp(t, 0.0, 1.0);
	vec3 c0 = vec3(0.267, 0.005, 0.329);
	vec3 c1 = vec3(0.229, 0.322, 0.545);
	vec3 c2 = vec3(0.128, 0.567, 0.551);
	vec3 c3 = vec3(0.369, 0.789, 0.383);
	vec3 c4 = vec3(0.993, 0.906, 0.144);
	vec3 c;
	if (t < 0.25) c = mix(c0, c1, t / 0.25);
	else if (t < 0.5) c = mix(c1, c2, (t - 0.25) / 0.25);
	else if (t < 0.75) c = mix(c2, c3, (t - 0.5) / 0.25);
	else c = mix(c3, c4, (t - 0.75) / 0.25);
	return c;
}

vec3 heat(float t) {
	t = clamp(t, 0.0, 1.0);
	return clamp(vec3(3.0 * t, 3.0 * t - 1.0, 3.0 * t - 2.0), 0.0, 1.0);
}

void main() {
	vec2 t = (gl_FragCoord.xy - uViewport.xy) / uViewport.zw;
	vec2 p = mix(uBox.xy, uBox.zw, t);
	float x[LANDSCAPE_DIM];
	unproject(p, x);
	vec3 col;
#if VIEW_1D
	col = vec3(0.06, 0.07, 0.10);
	float grid = abs(fract(t.y * 8.0 + 0.5) - 0.5) / fwidth(t.y * 8.0);
	col += 0.025 * (1.0 - smoothstep(0.5, 1.5, grid));
#else
	float L = landscapeLoss(x);
	float v = (L - uColorLo) / uLossSpan;
	col = 0.55 * ramp(0.85 * sqrt(max(v, 0.0)));
	float f = (L - uLossMin) / uLossStep;
	float w = fwidth(f);
	float line = (1.0 - smoothstep(0.5, 1.5, abs(fract(f + 0.5) - 0.5) / max(w, 1e-6)));
	line *= 1.0 - smoothstep(0.12, 0.35, w); // too dense to resolve: fade out
	bool saddleLevel = abs(round(f) - 6.0) < 0.5;
	col = mix(col, saddleLevel ? vec3(0.95, 0.85, 0.55) : vec3(0.85), (saddleLevel ? 0.55 : 0.22) * line);
	if (uDensity == 1) {
		uint ix = min(uint(t.x * float(uNX)), uNX - 1u);
		uint iy = min(uint(t.y * float(uNY)), uNY - 1u);
		float n = float(bins[iy * uNX + ix]);
		float m = max(float(bins[uNX * uNY]), 1.0);
		col *= 0.45;
		if (n > 0.0) col = mix(col, heat(0.25 + 0.75 * log(1.0 + n) / log(1.0 + m)), 0.9);
	}
#endif
	// The edge: the condition differs at the next pixel to the right or above (explicit
	// neighbours, since fwidth misses a boundary that falls between two 2×2 pixel quads).
	bool e0 = escapeCondition(x);
	vec2 px = (uBox.zw - uBox.xy) / uViewport.zw;
	float xr[LANDSCAPE_DIM];
	unproject(p + vec2(px.x, 0.0), xr);
	bool edge = escapeCondition(xr) != e0;
#if !VIEW_1D
	float xu[LANDSCAPE_DIM];
	unproject(p + vec2(0.0, px.y), xu);
	edge = edge || escapeCondition(xu) != e0;
#endif
	col = mix(col, vec3(0.9, 0.45, 0.1), e0 ? 0.06 : 0.0);
	if (edge) {
		float dash = mod(gl_FragCoord.x + gl_FragCoord.y, 14.0) < 8.0 ? 1.0 : 0.35;
		col = mix(col, vec3(1.0, 0.6, 0.2), 0.85 * dash);
	}
	fragColor = vec4(col, 1.0);
}
