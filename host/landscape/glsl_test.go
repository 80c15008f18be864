package landscape

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shader wraps landscape (and optional condition) code in a #version 430
// compute shader that defines REAL and calls every function.
func shader(code, cond string, double bool) string {
	real := "float"
	if double {
		real = "double"
	}
	var sb strings.Builder
	sb.WriteString("#version 430\nlayout(local_size_x = 64) in;\n")
	fmt.Fprintf(&sb, "#define REAL %s\n", real)
	sb.WriteString(code)
	sb.WriteString(cond)
	sb.WriteString(`
layout(std430, binding = 0) buffer Data { REAL data[]; };
void main() {
	uint base = gl_GlobalInvocationID.x * uint(LANDSCAPE_DIM);
	REAL x[LANDSCAPE_DIM];
	for (int i = 0; i < LANDSCAPE_DIM; i++) { x[i] = data[base + uint(i)]; }
	REAL g[LANDSCAPE_DIM];
	REAL h[LANDSCAPE_DIM*LANDSCAPE_DIM];
	REAL hd[LANDSCAPE_DIM];
	REAL l = landscapeLoss(x);
	landscapeGradient(x, g);
	landscapeHessian(x, h);
	landscapeHessianDiagonal(x, hd);
	REAL s = l;
	for (int i = 0; i < LANDSCAPE_DIM; i++) { s += g[i] + hd[i]; }
	for (int i = 0; i < LANDSCAPE_DIM*LANDSCAPE_DIM; i++) { s += h[i]; }
`)
	if cond != "" {
		sb.WriteString("\tif (landscapeEscaped(x)) { s += REAL(1); }\n")
	}
	sb.WriteString("\tdata[base] = s;\n}\n")
	return sb.String()
}

// validateGLSL runs glslangValidator on the shader. A missing validator is a
// test failure, never a skip.
func validateGLSL(t *testing.T, name, src string) {
	t.Helper()
	bin, err := exec.LookPath("glslangValidator")
	if err != nil {
		t.Fatalf("glslangValidator not found (install glslang-tools): %v", err)
	}
	path := filepath.Join(t.TempDir(), "landscape.comp")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-S", "comp", path).CombinedOutput()
	if err != nil {
		t.Errorf("%s: glslangValidator: %v\n%s\n--- shader ---\n%s", name, err, out, numbered(src))
	}
}

func numbered(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = fmt.Sprintf("%4d %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}

func TestGLSLCatalogueValidates(t *testing.T) {
	for _, e := range Catalogue() {
		spec := e.Name
		if e.Name == "styblinski-tang" {
			spec = "styblinski-tang(d=5,k=2)"
		}
		l := mustParse(t, spec, 0)
		for _, double := range []bool{false, true} {
			code := l.GLSL(GLSLOptions{Double: double})
			if !strings.HasPrefix(code, fmt.Sprintf("#define LANDSCAPE_DIM %d\n#define LANDSCAPE_DIAGONAL_HESSIAN ", l.Dim)) {
				t.Errorf("%s: GLSL does not start with the defines:\n%s", spec, code)
			}
			c, err := ParseCondition("x > 0.5 && !(x < -3)", l.Dim)
			if err != nil {
				t.Fatal(err)
			}
			validateGLSL(t, fmt.Sprintf("%s double=%v", spec, double), shader(code, c.GLSL("landscapeEscaped", GLSLOptions{Double: double}), double))
		}
	}
}

func TestGLSLRandomExpressionsValidate(t *testing.T) {
	srcs, dims := randomExprs(17) // 51 expressions over 1, 2 and 3 dimensions
	for k, src := range srcs {
		l := mustParse(t, src, dims[k])
		double := k%2 == 1
		validateGLSL(t, src, shader(l.GLSL(GLSLOptions{Double: double}), "", double))
	}
}

func TestGLSLShape(t *testing.T) {
	l := mustParse(t, "x^3 + sin(x)^2 + 0.1*x + x^-2", 0)
	f := l.GLSL(GLSLOptions{})
	d := l.GLSL(GLSLOptions{Double: true})
	if strings.Contains(f, "pow(") {
		t.Errorf("integer powers must be expanded:\n%s", f)
	}
	if !strings.Contains(f, "0.1") || strings.Contains(f, "0.1LF") || !strings.Contains(d, "0.1LF") {
		t.Errorf("literal formatting:\n%s\n%s", f, d)
	}
	if !strings.Contains(d, "REAL(sin(float(") {
		t.Errorf("double mode must call sin in float:\n%s", d)
	}
	if !strings.Contains(f, "REAL t0 = ") {
		t.Errorf("expected shared temporaries:\n%s", f)
	}
	if l := mustParse(t, "styblinski-tang(d=3)", 0); !strings.Contains(l.GLSL(GLSLOptions{}), "LANDSCAPE_DIAGONAL_HESSIAN 1") || !l.DiagonalHessian {
		t.Error("styblinski-tang should have a diagonal Hessian")
	}
	if l := mustParse(t, "muller-brown", 0); l.DiagonalHessian {
		t.Error("muller-brown Hessian is not diagonal")
	}
}

func TestLiteral(t *testing.T) {
	cases := []struct {
		v      float64
		double bool
		want   string
	}{
		{1.5, false, "1.5"}, {2, false, "2.0"}, {1e-5, false, "1e-05"}, {-3, false, "(-3.0)"},
		{0.1, true, "0.1LF"}, {2, true, "2.0LF"}, {1e20, true, "1e20LF"},
	}
	for _, c := range cases {
		if got := Literal(c.v, GLSLOptions{Double: c.double}); got != c.want {
			t.Errorf("Literal(%v, %v) = %q, want %q", c.v, c.double, got, c.want)
		}
	}
}
