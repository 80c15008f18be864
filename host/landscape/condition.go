package landscape

import (
	"fmt"
	"strings"
)

// Condition is a parsed boolean condition over the coordinates, such as an
// escape condition "x > 0.5" or "x1 + x2 > 1 && y < 2".
type Condition struct {
	src  string
	dim  int
	root *node
	prog *program
}

// ParseCondition parses a condition over dim coordinates (dim = 0 infers it
// as for Parse; a condition may use fewer coordinates than dim). Errors are *Error values.
func ParseCondition(src string, dim int) (*Condition, error) {
	n, d, err := buildCoordinateExpression(src, dim)
	if err != nil {
		return nil, err
	}
	if !n.isBool() {
		return nil, errAt(0, "a condition must be a comparison such as x > 0.5, combined with && (and), || (or) and ! (not)").withExample()
	}
	return &Condition{src: src, dim: d, root: n, prog: compile([]*node{n})}, nil
}

// buildCoordinateExpression parses and builds an expression over dim coordinates (dim = 0 infers
// it), as conditions and scalar expressions share it, refusing a divisor that simplifies to 0.
func buildCoordinateExpression(src string, dim int) (*node, int, error) {
	a, err := parseAST(src, 0)
	if err != nil {
		return nil, 0, err
	}
	d, err := resolveDim(a, dim, true)
	if err != nil {
		return nil, 0, err
	}
	e := &env{bd: newBuilder(), dim: d, scale: 1}
	n, err := e.build(a)
	if err != nil {
		return nil, 0, err
	}
	if e.bd.divZero {
		return nil, 0, errAt(0, "division by zero (a divisor simplifies to the constant 0)")
	}
	return n, d, nil
}

// Dim is the number of coordinates of the condition.
func (c *Condition) Dim() int { return c.dim }

// Func returns the condition as a Go function of the coordinates; it is safe
// for concurrent use.
func (c *Condition) Func() func(x []float64) bool {
	p := c.prog
	return func(x []float64) bool {
		var r bool
		p.pooled(x, func(v []float64) { r = v[p.out[0]] != 0 })
		return r
	}
}

// GLSL emits `bool funcName(REAL x[LANDSCAPE_DIM]) {...}`; LANDSCAPE_DIM and
// REAL come from the landscape code and the includer.
func (c *Condition) GLSL(funcName string, opt GLSLOptions) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "// Condition: %s\n", sanitizeComment(c.src))
	fmt.Fprintf(&sb, "bool %s(REAL x[LANDSCAPE_DIM]) {\n", funcName)
	emitBody(&sb, opt, []*node{c.root}, func(int) string { return "return " })
	sb.WriteString("}\n")
	return sb.String()
}

// Scalar is a parsed real-valued expression over the coordinates, in the language of conditions
// and landscapes (the order parameter of forward flux sampling, host/ffs).
type Scalar struct {
	src  string
	dim  int
	prog *program
}

// ParseScalar parses a real expression over dim coordinates (dim = 0 infers it as for Parse).
// Errors are *Error values.
func ParseScalar(src string, dim int) (*Scalar, error) {
	n, d, err := buildCoordinateExpression(src, dim)
	if err != nil {
		return nil, err
	}
	if n.isBool() {
		return nil, errAt(0, "an order parameter must be a real expression such as x - 0.5, not a condition")
	}
	return &Scalar{src: src, dim: d, prog: compile([]*node{n})}, nil
}

// Func returns the expression as a Go function of the coordinates; safe for concurrent use.
func (s *Scalar) Func() func(x []float64) float64 {
	p := s.prog
	return func(x []float64) float64 {
		var r float64
		p.pooled(x, func(v []float64) { r = v[p.out[0]] })
		return r
	}
}
