package landscape

import (
	"math"
	"testing"
)

// exercise differentiates, evaluates and emits GLSL for a parsed landscape;
// any panic fails the fuzz target.
func exercise(t *testing.T, l *Landscape) {
	ev := l.Evaluator()
	d := l.Dim
	g := make([]float64, d)
	h := make([]float64, d*d)
	hd := make([]float64, d)
	for _, v := range []float64{0, 0.7, -1.3, math.Inf(1), math.NaN()} {
		x := make([]float64, d)
		for i := range x {
			x[i] = v
		}
		_ = ev.Loss(x)
		ev.Gradient(x, g)
		ev.Hessian(x, h)
		ev.HessianDiagonal(x, hd)
	}
	_ = l.GLSL(GLSLOptions{})
	_ = l.GLSL(GLSLOptions{Double: true})
	s := l.String()
	if _, err := Parse(s, d); err != nil {
		if _, err2 := Parse(s, 0); err2 != nil {
			t.Errorf("String() %q of %q does not parse back: %v", s, l.Spec, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"x^4/4 - x^2/2 + 0.1*x", "max(x, 1 + 2", "select(x < 0, x^2, -x^3)", "0.5*sum(xi^4 - 16*xi^2 + 5*xi in xi)",
		"x1*x2 + sin(x3)^-2", "abs(x - y) + step(x) + min(x, y)/max(x, 2)", "pow(x, 1.5) + exp(-x^2) + log(1 + y^2)",
		"x > 0.5 && !(y < 1) || x1 == 2", "1/(x-x)", "((((x))))", "2^3^-x", "tanh(cosh(sinh(tan(sqrt(x)))))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 { // long inputs only slow the engine's minimisation down
			return
		}
		for _, dim := range []int{0, 3} {
			if l, err := Parse(s, dim); err == nil {
				exercise(t, l)
			} else if _, ok := err.(*Error); !ok {
				t.Errorf("Parse(%q): error of type %T", s, err)
			}
			if c, err := ParseCondition(s, dim); err == nil {
				x := make([]float64, c.Dim())
				_ = c.Func()(x)
				_ = c.GLSL("landscapeEscaped", GLSLOptions{})
				_ = c.GLSL("landscapeEscaped", GLSLOptions{Double: true})
			}
		}
	})
}

// FuzzCatalogueSpec fuzzes catalogue specs. (It is not named FuzzParseSpec
// so that -fuzz=FuzzParse matches exactly one fuzz target.)
func FuzzCatalogueSpec(f *testing.F) {
	for _, s := range []string{
		"doublewell(k=2)", "pwq(ha=4,hb=2,a=-1,b=0)", "styblinski-tang(d=10,k=1)", "tilted(c=0.2, l0=1)",
		"zhu2d(sx=30)", "muller-brown(k=0.5)", "twowell(hs=4,hf=1,hb=8,dl=0.5)", "doublewell(k=2*pi)", "pwq(", "pwq()",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 { // long inputs only slow the engine's minimisation down
			return
		}
		l, err := Parse(s, 0)
		if err != nil {
			return
		}
		exercise(t, l)
		if l.DefaultStart != nil {
			_ = l.Evaluator().Loss(l.DefaultStart)
		}
	})
}
