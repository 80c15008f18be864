package landscape

import (
	"fmt"
	"strings"
	"testing"
)

// netShader wraps a network's GLSL in a compute shader that calls its per-sample functions and
// their row means.
func netShader(code string, double bool) string {
	real := "float"
	if double {
		real = "double"
	}
	return "#version 430\nlayout(local_size_x = 64) in;\n#define REAL " + real + "\n" + code + `
layout(std430, binding = 0) buffer Data { REAL data[]; };
void main() {
	uint base = gl_GlobalInvocationID.x * uint(LANDSCAPE_DIM);
	REAL x[LANDSCAPE_DIM];
	for (int i = 0; i < LANDSCAPE_DIM; i++) { x[i] = data[base + uint(i)]; }
	REAL g[LANDSCAPE_DIM];
	REAL s = landscapeLoss(x) + sampleLoss(x, 1u);
	landscapeGradient(x, g);
	for (int i = 0; i < LANDSCAPE_DIM; i++) { s += g[i]; }
	sampleGradient(x, 0u, g);
	for (int i = 0; i < LANDSCAPE_DIM; i++) { s += g[i]; }
	data[base] = s;
}
`
}

// TestNetworkGLSLValidates: the GLSL of every activation × loss, with and without biases and
// weight decay, one to three hidden layers (one wide enough for the chunked loops), in float and
// double, passes glslangValidator; it has no Hessian, and SampleLoopTurns counts its loops.
func TestNetworkGLSLValidates(t *testing.T) {
	cols := []string{"f1", "t", "f2", "t0", "t1", "t2"} // t for mse/logistic, t0…t2 for xent (each ignores the other's)
	vals := []float64{0.5, 1, -0.2, 1, 0, 0, -1, 0, 0.3, 0, 0, 1}
	k := 0
	for _, act := range activationNames {
		for _, loss := range lossNames {
			hidden := []string{"h1=3", "h1=20,h2=4", "h1=3,h2=17,h3=2"}[k%3]
			spec := fmt.Sprintf("mlp(%s,bias=%d,act=%s,loss=%s,wd=%g,k=2,l0=0.5)", hidden, k%2, act, loss, 0.01*float64(k%2))
			k++
			l, err := ParseData(spec, 0, nil, cols, vals)
			if err != nil {
				t.Fatalf("%s: %v", spec, err)
			}
			lossTurns, gradTurns := l.SampleLoopTurns()
			if lossTurns <= 0 || gradTurns <= lossTurns {
				t.Errorf("%s: loop turns %d (loss), %d (gradient)", spec, lossTurns, gradTurns)
			}
			for _, double := range []bool{false, true} {
				code := l.GLSL(GLSLOptions{Double: double})
				if strings.Contains(code, "Hessian") {
					t.Errorf("%s: the network GLSL has a Hessian", spec)
				}
				validateGLSL(t, fmt.Sprintf("%s double=%v", spec, double), netShader(code, double))
			}
		}
	}
}
