// draw_landscape.glsl: stand-in for the generated code of the draw programs.
//
// At run time package gpu/view assembles every draw_* program with this name bound to generated
// code (REAL = float): the landscape of host/landscape (landscapeLoss, …), the escape
// condition `bool escapeCondition(REAL x[LANDSCAPE_DIM])`, the projection constants
// PROJ_ORIGIN, PROJ_U, PROJ_V (view coordinates u = (θ − o)·U, v = (θ − o)·V) with
// VIEW_1D set for one-dimensional landscapes, and the first-passage record constants
// (host.RecordGLSL, whose text the stand-in below repeats; gpu/view's tests compare them).
// This stand-in (a 2-D double well) lets the programs be validated on their own
// (shaders_test.go) and documents the interface.
#ifndef REAL
#define REAL float
#endif
#define LANDSCAPE_DIM 2
#define VIEW_1D 0

REAL landscapeLoss(REAL x[LANDSCAPE_DIM]) {
	REAL a = x[0] * x[0] - REAL(1);
	return a * a + REAL(4) * x[1] * x[1];
}

bool escapeCondition(REAL x[LANDSCAPE_DIM]) {
	return x[0] > REAL(0.2);
}

const float PROJ_ORIGIN[LANDSCAPE_DIM] = float[](0.0, 0.0);
const float PROJ_U[LANDSCAPE_DIM] = float[](1.0, 0.0);
const float PROJ_V[LANDSCAPE_DIM] = float[](0.0, 1.0);

const uint RUNNING = 0xFFFFFFFFu;
const uint DIVERGED_FLAG = 0x80000000u;
const uint LATE_DIVERGED_FLAG = 0x40000000u;
