package landscape

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// exprGen generates random expressions of the language for property tests.
type exprGen struct {
	r    *rand.Rand
	vars []string
	sum  bool // may use sum(... in xi)
}

func newGen(seed uint64, dim int) *exprGen {
	g := &exprGen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
	switch dim {
	case 1:
		g.vars = []string{"x"}
	case 2:
		g.vars = []string{"x", "y"}
	default:
		for i := 1; i <= dim; i++ {
			g.vars = append(g.vars, fmt.Sprintf("x%d", i))
		}
		g.sum = true
	}
	return g
}

func (g *exprGen) leaf(vars []string) string {
	if g.r.IntN(3) > 0 {
		return vars[g.r.IntN(len(vars))]
	}
	return []string{"1", "2", "0.5", "1.5", "3", "0.25", "pi", "1e-1"}[g.r.IntN(8)]
}

func (g *exprGen) cond(depth int, vars []string) string {
	ops := []string{"<", "<=", ">", ">="}
	c := g.expr(depth-1, vars) + " " + ops[g.r.IntN(len(ops))] + " " + g.expr(depth-1, vars)
	switch g.r.IntN(4) {
	case 0:
		return c + " && " + g.expr(0, vars) + " > " + g.leaf(vars)
	case 1:
		return "!(" + c + ")"
	}
	return c
}

func (g *exprGen) expr(depth int, vars []string) string {
	if depth <= 0 || g.r.IntN(5) == 0 {
		return g.leaf(vars)
	}
	a := func() string { return g.expr(depth-1, vars) }
	switch g.r.IntN(22) {
	case 0, 1:
		return "(" + a() + " + " + a() + ")"
	case 2, 3:
		return "(" + a() + " - " + a() + ")"
	case 4, 5:
		return a() + "*" + a()
	case 6:
		return "(" + a() + ")/(" + a() + ")"
	case 7:
		return "(" + a() + ")^" + []string{"2", "3", "-1", "-2", "4", "0.5", "1.5"}[g.r.IntN(7)]
	case 8:
		return "-" + a()
	case 9:
		f := []string{"sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "cosh", "sinh", "step"}
		return f[g.r.IntN(len(f))] + "(" + a() + ")"
	case 10:
		return []string{"min", "max", "pow"}[g.r.IntN(3)] + "(" + a() + ", " + a() + ")"
	case 11:
		return "select(" + g.cond(depth, vars) + ", " + a() + ", " + a() + ")"
	case 12:
		if g.sum {
			inner := append([]string{"xi", "xi"}, vars...)
			return "sum(" + g.expr(depth-1, inner) + " in xi)"
		}
		return a()
	case 13:
		return "exp(-(" + a() + ")^2)"
	}
	return "(" + a() + " + " + a() + ")*" + g.leaf(vars)
}

// dims of the generated test expressions and the seed base.
var genDims = []int{1, 2, 3}

// randomExprs returns n expressions per dimension that parse; it returns
// each with its dimension.
func randomExprs(n int) (srcs []string, dims []int) {
	for _, d := range genDims {
		g := newGen(uint64(1000+d), d)
		got := 0
		for tries := 0; got < n && tries < 50*n; tries++ {
			s := g.expr(4, g.vars)
			if !strings.ContainsAny(s, "xy") {
				continue
			}
			if _, err := Parse(s, d); err != nil {
				continue
			}
			srcs = append(srcs, s)
			dims = append(dims, d)
			got++
		}
	}
	return srcs, dims
}
