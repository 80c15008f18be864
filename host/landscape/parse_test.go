package landscape

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src    string
		dim    int
		col    int // expected column, -1: any
		substr string
	}{
		{"max(x, 1 + 2", 0, 13, `expected ")" after arguments of max`},
		{"max(x, 1 + ) ", 0, 12, `expected a number, name or "(", found ")"`},
		{"x^4/4 - x^2/2 + 0.1*xx", 0, 21, "unknown name xx: a parameter without a value; give it with --param xx=0.1 (variables are x, y or x1..xd; functions are"},
		{"sinn(x)", 0, 1, "unknown function sinn"},
		{"max(x, 1, 2)", 0, 1, "max takes 2 arguments, got 3"},
		{"sin(x, y)", 0, 1, "sin takes 1 argument, got 2"},
		{"select(x, 1, 2)", 0, 8, "first argument of select must be a condition"},
		{"x + y", 1, 5, "dimension mismatch"},
		{"x1 + x3", 2, 6, "dimension mismatch"},
		{"x^2", 3, 0, "dimension mismatch"},
		{"x / (2 - 2)", 0, 3, "division by zero"},
		{"x / 0", 0, 3, "division by zero"},
		{"1/(x - x)", 0, 2, "division by zero"},
		{"", 0, 0, "empty expression"},
		{"   ", 0, 0, "empty expression"},
		{"(x + 1", 0, 7, "unbalanced parentheses"},
		{"x + 1)", 0, 6, "unbalanced parentheses"},
		{"x + * 2", 0, 5, `found "*"`},
		{"x # 2", 0, 3, "unexpected character"},
		{"x < 1", 0, 0, "must be a number, not a condition"},
		{"(x < 1) + 2", 0, 9, "comparison cannot be used as a number"},
		{"x < y < 1", 0, 7, "cannot be chained"},
		{"1e999*x", 0, 1, "out of range"},
		{"sum(xi^2 in xi)", 0, 0, "cannot infer the dimension"},
		{"sum(xi^2 for xi)", 2, 10, `expected "in"`},
		{"sin", 0, 1, "must be followed by"},
		{"x2 + x200", 0, 0, "dimension too large"},
		{"doublewell(kk=2)", 0, 12, `unknown parameter "kk" of doublewell: parameters are dl, k, l0`},
		{"doublewell(k=2", 0, 15, `expected ")"`},
		{"doublewell(k=x)", 0, 14, "unknown name x"},
		{"doublewell(k=-1)", 0, 0, "k must be positive"},
		{"pwq(a=1,b=0)", 0, 0, "b must be greater than a"},
		{"styblinski-tang(d=2.5)", 0, 0, "d must be an integer"},
		{"doublewell", 2, 0, "dimension mismatch"},
		{"doublewell(k=2, k=3)", 0, 17, "given twice"},
		{"doublewell(k)", 0, 12, "expected name=value"},
	}
	for _, c := range cases {
		_, err := Parse(c.src, c.dim)
		if err == nil {
			t.Errorf("Parse(%q, %d): want error containing %q", c.src, c.dim, c.substr)
			continue
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): error %T is not *Error: %v", c.src, err, err)
			continue
		}
		if !strings.Contains(pe.Msg, c.substr) {
			t.Errorf("Parse(%q): %q does not contain %q", c.src, err, c.substr)
		}
		if c.col >= 0 && pe.Column != c.col {
			t.Errorf("Parse(%q): column %d, want %d (%v)", c.src, pe.Column, c.col, err)
		}
	}
	// The message format of the brief.
	_, err := Parse("max(x,1 + 2", 0)
	if err == nil || err.Error() != `column 12: unbalanced parentheses: expected ")" after arguments of max (opened at column 4), found end of input` {
		t.Errorf("message: %v", err)
	}
	_, err = Parse("max(x, 1 2)", 0)
	if err == nil || err.Error() != `column 10: expected ")" after arguments of max, found "2"` {
		t.Errorf("message: %v", err)
	}
}

func TestParseValues(t *testing.T) {
	cases := []struct {
		src  string
		x    []float64
		want float64
	}{
		{"-x^2", []float64{3}, -9},
		{"2^3^2", []float64{0}, 512},
		{"2^-1", []float64{0}, 0.5},
		{"-2^2", []float64{0}, -4},
		{".5 + 1e-3 + 1.5E1", []float64{0}, 15.501},
		{"pi + e", []float64{0}, math.Pi + math.E},
		{"x*y - y", []float64{2, 3}, 3},
		{"x1 + 2*x3", []float64{1, 0, 4}, 9},
		{"select(x > 0 && y < 1 || !(x < -5), 1, 2)", []float64{-1, 0}, 1},
		{"select(x > 0 && y < 1 || !(x < -5), 1, 2)", []float64{-6, 0}, 2},
		{"select(x > 0 && y < 1 || !(x < -5), 1, 2)", []float64{1, 0}, 1},
		{"step(x)", []float64{0}, 0},
		{"step(x)", []float64{1e-300}, 1},
		{"min(x, 2) + max(x, 2) + abs(-x)", []float64{-1}, 2},
		{"pow(x, 0.5) + sqrt(x)", []float64{4}, 4},
		{"x^(1/2)", []float64{9}, 3},
		{"(x-1)^(-2)", []float64{3}, 0.25},
		{"0.5*sum(xi^4 - 16*xi^2 + 5*xi in xi)", []float64{1, 2}, 0.5 * ((1 - 16 + 5) + (16 - 64 + 10))},
		{"sum(xi*x1 in xi)", []float64{2, 3}, 2*2 + 3*2},
		{"exp(0)*log(e)*tanh(0)+cosh(0)+sinh(0)+tan(0)+cos(0)+sin(0)", []float64{0}, 2},
	}
	for _, c := range cases {
		l, err := Parse(c.src, len(c.x))
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if got := l.Evaluator().Loss(c.x); math.Abs(got-c.want) > 1e-12*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%q at %v = %v, want %v", c.src, c.x, got, c.want)
		}
	}
}

func TestDimensionInference(t *testing.T) {
	cases := []struct {
		src       string
		dim, want int
	}{
		{"x^2", 0, 1}, {"x + y", 0, 2}, {"y", 0, 2}, {"x1 + x5", 0, 5}, {"2", 0, 1},
		{"sum(xi^2 in xi)", 7, 7}, {"x1 + sum(xi^2 in xi)", 4, 4}, {"x3 + sum(xi in xi)", 0, 3},
	}
	for _, c := range cases {
		l, err := Parse(c.src, c.dim)
		if err != nil {
			t.Errorf("Parse(%q, %d): %v", c.src, c.dim, err)
			continue
		}
		if l.Dim != c.want {
			t.Errorf("Parse(%q, %d).Dim = %d, want %d", c.src, c.dim, l.Dim, c.want)
		}
		if l.Name != "expression" || len(l.Params) != 2 || l.Params["k"] != 1 || l.Params["l0"] != 0 || l.DefaultStart != nil {
			t.Errorf("%q: expression metadata %q %v %v", c.src, l.Name, l.Params, l.DefaultStart)
		}
	}
}

func TestSimplification(t *testing.T) {
	cases := map[string]string{
		"0*x + 1*x + x^1 + x^0":  "2*x + 1",
		"-(-x)":                  "x",
		"x + x":                  "2*x",
		"x*x":                    "x^2",
		"3*x - x":                "2*x",
		"(1 + 2)*x/1 - 0":        "3*x",
		"x - -1":                 "x + 1",
		"sin(0) + x":             "x",
		"select(1 < 2, x, y)":    "x",
		"max(x, x) + min(2, 3)":  "x + 2",
		"step(-1) + step(x) * 0": "0",
	}
	for src, want := range cases {
		l, err := Parse(src, 0)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if got := l.String(); got != want {
			t.Errorf("simplify %q = %q, want %q", src, got, want)
		}
	}
	// derivative of step is 0, of a constant 0
	l := mustParse(t, "step(x) + 5", 0)
	if !l.grad[0].isConst(0) {
		t.Error("d step(x)/dx should simplify to 0")
	}
}

func TestConditions(t *testing.T) {
	c, err := ParseCondition("x1 + x2 > 1 && y < 2", 0)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Func()
	if !f([]float64{1, 0.5}) || f([]float64{0, 0.5}) || f([]float64{0, 3}) {
		t.Error("condition values")
	}
	c, err = ParseCondition("x > 0.5", 3)
	if err != nil || c.Dim() != 3 || !c.Func()([]float64{1, 0, 0}) {
		t.Errorf("x > 0.5 in 3-D: %v", err)
	}
	for _, bad := range []string{"x + 1", "x > ", "x > 1 &&", "x2 > 1"} {
		if _, err := ParseCondition(bad, 1); err == nil {
			t.Errorf("ParseCondition(%q): want error", bad)
		}
	}
}

func TestCatalogue(t *testing.T) {
	cat := Catalogue()
	want := []string{"doublewell", "muller-brown", "pwq", "styblinski-tang", "tilted", "twowell", "zhu2d"}
	if len(cat) != len(want) {
		t.Fatalf("catalogue has %d entries", len(cat))
	}
	for i, e := range cat {
		if e.Name != want[i] {
			t.Errorf("entry %d: %s, want %s", i, e.Name, want[i])
		}
		has := map[string]bool{}
		for _, p := range e.Params {
			has[p.Name] = true
		}
		if !has["k"] || !has["l0"] || e.Doc == "" || e.Formula == "" {
			t.Errorf("%s: k/l0/doc/formula missing", e.Name)
		}
		l := mustParse(t, e.Name, 0)
		if l.Name != e.Name || len(l.DefaultStart) != l.Dim || l.Params["k"] != 1 {
			t.Errorf("%s: metadata %v", e.Name, l)
		}
		// sharpness: L_k(θ) = L(sqrt(k)θ); l0 adds
		lk := mustParse(t, e.Name+"(k=4, l0=0.5)", 0)
		x := make([]float64, l.Dim)
		xs := make([]float64, l.Dim)
		for i := range x {
			x[i] = 0.1 + 0.05*float64(i)
			xs[i] = 2 * x[i]
		}
		if a, b := lk.Evaluator().Loss(x), l.Evaluator().Loss(xs)+0.5; math.Abs(a-b) > 1e-9*math.Max(1, math.Abs(b)) {
			t.Errorf("%s: L_k(x) = %v, L(2x) + l0 = %v", e.Name, a, b)
		}
		if lk.DefaultStart[0] != l.DefaultStart[0]/2 {
			t.Errorf("%s: default start not scaled by 1/sqrt(k)", e.Name)
		}
	}
	l := mustParse(t, "styblinski-tang", 6)
	if l.Dim != 6 || l.Params["d"] != 6 {
		t.Errorf("styblinski-tang with dim 6: %d", l.Dim)
	}
	l = mustParse(t, "pwq( ha = 2*3 , hb=2 )", 0)
	if l.Params["ha"] != 6 || l.Params["a"] != -1 {
		t.Errorf("params %v", l.Params)
	}
	// pwq, doublewell, twowell: L(a) = l0 at the default minimum
	for _, s := range []string{"pwq(l0=0.3)", "doublewell(l0=0.3,k=3)", "twowell(l0=0.3)"} {
		l := mustParse(t, s, 0)
		if v := l.Evaluator().Loss(l.DefaultStart); math.Abs(v-0.3) > 1e-12 {
			t.Errorf("%s: L(start) = %v, want l0", s, v)
		}
	}
}

// Conditions accept and, or and not as well as &&, || and !: both spellings give the same truth
// table on a grid of points. not binds like ! (tighter than a comparison), so it takes parentheses.
func TestConditionWordOperators(t *testing.T) {
	pairs := [][2]string{
		{"x > 0.5 or y > 0.5", "x > 0.5 || y > 0.5"},
		{"x > 0 and not (y < 0)", "x > 0 && !(y < 0)"},
		{"not (x > 1 or y > 1) and x < -0.2", "!(x > 1 || y > 1) && x < -0.2"},
	}
	for _, pr := range pairs {
		a, err := ParseCondition(pr[0], 2)
		if err != nil {
			t.Fatalf("%q: %v", pr[0], err)
		}
		b, err := ParseCondition(pr[1], 2)
		if err != nil {
			t.Fatalf("%q: %v", pr[1], err)
		}
		fa, fb := a.Func(), b.Func()
		for x := -1.5; x <= 1.5; x += 0.25 {
			for y := -1.5; y <= 1.5; y += 0.25 {
				if p := []float64{x, y}; fa(p) != fb(p) {
					t.Fatalf("%q and %q differ at (%g, %g)", pr[0], pr[1], x, y)
				}
			}
		}
	}
}
