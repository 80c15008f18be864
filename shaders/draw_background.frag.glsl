// draw_background.frag.glsl: the landscape behind the particles, evaluated per pixel from the
// same generated code the step program uses (REAL = float). It runs only when the cached
// background is rebuilt (a new plot size or view box), into two textures of the plot's size:
//   fragColor (location 0): the finished background, copied into every frame of the point view.
//     2-D and d > 2: a colour map of L on the view plane with contour lines every uLossStep
//     (the saddle level drawn brighter); 1-D: a plain background (the curve and the histogram
//     are drawn on top each frame). Everywhere: the escape surface as a dashed line (where the
//     escape condition changes between neighbouring pixels), the escaped side slightly tinted.
//   layer (location 1): the landscape colour before the escape surface, with the escape surface
//     coded in alpha (ESC_SIDE | ESC_EDGE | ESC_BRIGHT, over 255), for the density view
//     (draw_compose.frag.glsl), which dims the landscape and puts the escape surface back on top.
#include "draw_view.glsl"
#include "draw_escape.glsl"

uniform vec4 uViewport;   // x, y, width, height of the plot rectangle in the target's pixels
uniform vec2 uDashOrigin; // where the plot rectangle sits in the frame (keeps the dashes' phase)
uniform float uLossMin;   // L(a): level 0 of the contours
uniform float uColorLo;   // bottom of the colour map
uniform float uLossStep;  // contour spacing (ΔL/6: the saddle is level 6)
uniform float uMarkLevel; // the contour drawn bright (6: L(b) or a trained minimum's escape level; −1: none)
uniform float uLossSpan;  // uColorLo + uLossSpan is the top of the colour map

layout(location = 0) out vec4 fragColor;
layout(location = 1) out vec4 layer;

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

// level is the contour coordinate of view point p: contour k lies where it equals k.
float level(vec2 p) {
	float x[LANDSCAPE_DIM];
	unproject(p, x);
	return (landscapeLoss(x) - uLossMin) / uLossStep;
}

// contourCoverage is the share of the pixel at p (px: one pixel in view coordinates) that the
// contour lines cover: (ordinary levels, the marked level uMarkLevel). The level is sampled at the 2×2
// points (±¼, ±¼) of the pixel; their differences give its gradient in levels per pixel, exact
// per pixel where fwidth would take one value per 2×2 quad. Each sample lies on a line of
// width about one pixel when its level is within one pixel's change of an integer, and the four
// are averaged: supersampled, anti-aliased lines that do not ripple near a sharp minimum. Lines
// closer than about 8 pixels fade out, and are gone below 3 (w between 0.12 and 0.35 levels
// per pixel), where they would only draw a moiré.
vec2 contourCoverage(vec2 p, vec2 px) {
	float f[4];
	for (int i = 0; i < 4; i++) {
		vec2 o = vec2(float(i & 1), float(i >> 1)) * 0.5 - 0.25;
		f[i] = level(p + o * px);
	}
	vec2 g = vec2(f[1] - f[0] + f[3] - f[2], f[2] - f[0] + f[3] - f[1]); // two half-pixel steps each
	float w = length(g);
	float ordinary = 0.0, saddle = 0.0;
	for (int i = 0; i < 4; i++) {
		float d = abs(fract(f[i] + 0.5) - 0.5) / max(w, 1e-6); // distance to the nearest line in pixels
		float c = 1.0 - smoothstep(0.4, 1.2, d);
		if (abs(round(f[i]) - uMarkLevel) < 0.5) saddle += c;
		else ordinary += c;
	}
	return 0.25 * vec2(ordinary, saddle) * (1.0 - smoothstep(0.12, 0.35, w));
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
	vec2 px = (uBox.zw - uBox.xy) / uViewport.zw; // one pixel in view coordinates
	float L = landscapeLoss(x);
	float v = (L - uColorLo) / uLossSpan;
	col = 0.55 * ramp(0.85 * sqrt(max(v, 0.0)));
	vec2 lines = contourCoverage(p, px);
	col = mix(col, vec3(0.85), 0.22 * lines.x);
	col = mix(col, vec3(0.95, 0.85, 0.55), 0.55 * lines.y);
#endif
	// The edge: the condition differs at the next pixel to the right or above (explicit
	// neighbours, since fwidth misses a boundary that falls between two 2×2 pixel quads).
	bool e0 = escapeCondition(x);
#if VIEW_1D
	vec2 px = (uBox.zw - uBox.xy) / uViewport.zw;
#endif
	float xr[LANDSCAPE_DIM];
	unproject(p + vec2(px.x, 0.0), xr);
	bool edge = escapeCondition(xr) != e0;
#if !VIEW_1D
	float xu[LANDSCAPE_DIM];
	unproject(p + vec2(0.0, px.y), xu);
	edge = edge || escapeCondition(xu) != e0;
#endif
	vec2 fc = gl_FragCoord.xy - uViewport.xy + uDashOrigin;
	bool bright = mod(fc.x + fc.y, 14.0) < 8.0;
	uint code = (e0 ? ESC_SIDE : 0u) | (edge ? ESC_EDGE : 0u) | (bright ? ESC_BRIGHT : 0u);
	layer = vec4(col, float(code) / 255.0);
	fragColor = vec4(escapeSurface(col, code), 1.0);
}
