// draw_markers.vert.glsl: the start minimum, the saddle and the target minimum as point sprites
// at view coordinates computed on the host.
#include "draw_view.glsl"

uniform vec2 uMarkers[4];
uniform vec4 uMarkerColors[4];
uniform int uMarkerShapes[4]; // 0 ring, 1 cross, 2 diamond
uniform float uMarkerSize;

out vec4 vColor;
flat out int vShape;

void main() {
	gl_Position = vec4(toNDC(uMarkers[gl_VertexID]), 0.0, 1.0);
	gl_PointSize = uMarkerSize;
	vColor = uMarkerColors[gl_VertexID];
	vShape = uMarkerShapes[gl_VertexID];
}
