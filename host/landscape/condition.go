package landscape

import (
	"fmt"
	"math"
	"strings"
	"sync"
)

// Condition is a parsed boolean condition over the coordinates, such as an
// escape condition "x > 0.5" or "x1 + x2 > 1 && y < 2".
type Condition struct {
	src  string
	dim  int
	root *node
	prog *program
	ext  *extension // loss and dist (ParseConditionAt); nil for a condition in the coordinates only
}

// ParseCondition parses a condition over dim coordinates (dim = 0 infers it
// as for Parse; a condition may use fewer coordinates than dim). Errors are *Error values.
func ParseCondition(src string, dim int) (*Condition, error) { return ParseConditionAt(src, dim, nil) }

// ParseConditionAt parses a condition over dim coordinates that may also use the names of ref:
// loss, loss_a and dist (Reference). ref = nil is ParseCondition.
func ParseConditionAt(src string, dim int, ref *Reference) (*Condition, error) {
	n, d, err := buildCoordinateExpression(src, dim, ref)
	if err != nil {
		return nil, err
	}
	if !n.isBool() {
		return nil, errAt(0, "a condition must be a comparison such as x > 0.5, combined with && (and), || (or) and ! (not)").withExample()
	}
	prog := compile([]*node{n})
	return &Condition{src: src, dim: d, root: n, prog: prog, ext: newExtension(ref, d, prog)}, nil
}

// Reference binds the names that an escape condition or an order parameter may use besides the
// coordinates, once the run's minimum a is known (host.Prepare; docs/guide.md, "Escape
// conditions"):
//
//	loss    L(θ), the landscape's loss as the run sees it (sharpness k and l0 included): on a data
//	        landscape the mean of the per-sample losses over all N rows (the full-batch loss)
//	loss_a  L(a), a constant, so that loss - loss_a > 0.05 is a level relative to the minimum
//	dist    ‖θ − a‖, the Euclidean distance from the minimum (in θ: under sharpness k it scales
//	        as 1/√k)
type Reference struct {
	Minimum     []float64
	LossMinimum float64
	Loss        func(x []float64) float64 // L(θ) in float64 (the landscape's Evaluator)
}

// The names a Reference binds.
const (
	NameLoss        = "loss"
	NameLossMinimum = "loss_a"
	NameDist        = "dist"
)

// ReferenceNames lists the names a Reference binds, for suggestions ("did you mean dist?").
var ReferenceNames = []string{NameLoss, NameLossMinimum, NameDist}

// extension evaluates loss and dist for a parsed condition or scalar: loss is the variable dim,
// dist the variable dim+1 (the data-column mechanism of env.cols), computed before the program runs
// and only when it uses them.
type extension struct {
	ref                *Reference
	dim                int
	usesLoss, usesDist bool
	pool               sync.Pool // scratch points of dim+2 entries
}

// newExtension is nil when ref is nil.
func newExtension(ref *Reference, dim int, prog *program) *extension {
	if ref == nil {
		return nil
	}
	x := &extension{ref: ref, dim: dim}
	for _, v := range prog.vars {
		x.usesLoss = x.usesLoss || v[1] == dim
		x.usesDist = x.usesDist || v[1] == dim+1
	}
	x.pool.New = func() any { s := make([]float64, dim+2); return &s }
	return x
}

// Distance is ‖θ − a‖ in float64, summed over the coordinates in order as the GLSL of
// referenceLocals does.
func (r *Reference) Distance(x []float64) float64 {
	s := 0.0
	for k, a := range r.Minimum {
		d := x[k] - a
		s += d * d
	}
	return math.Sqrt(s)
}

// with runs f on x extended by loss and dist (those the expression uses; the others are 0).
func (x *extension) with(pt []float64, f func(v []float64)) {
	sp := x.pool.Get().(*[]float64)
	v := *sp
	copy(v, pt[:x.dim])
	v[x.dim], v[x.dim+1] = 0, 0
	if x.usesLoss {
		v[x.dim] = x.ref.Loss(pt[:x.dim])
	}
	if x.usesDist {
		v[x.dim+1] = x.ref.Distance(pt)
	}
	f(v)
	x.pool.Put(sp)
}

// UsesLoss reports whether the condition uses loss, whose evaluation on a data landscape costs
// the N rows of the full-batch loss.
func (c *Condition) UsesLoss() bool { return c.ext != nil && c.ext.usesLoss }

// referenceLocals declares loss and dist as GLSL locals (col0 and col1: opt.dataDim = dim makes
// the emitter name the variables dim and dim+1 so) where the expression uses them.
func (x *extension) referenceLocals(sb *strings.Builder, opt GLSLOptions) {
	if x.usesLoss {
		sb.WriteString("\tREAL " + columnName(0) + " = landscapeLoss(x);\n")
	}
	if x.usesDist {
		sb.WriteString("\tREAL dist2 = " + Literal(0, opt) + ";\n")
		for k, a := range x.ref.Minimum {
			fmt.Fprintf(sb, "\t{ REAL d = x[%d] - %s; dist2 += d * d; }\n", k, Literal(a, opt))
		}
		sb.WriteString("\tREAL " + columnName(1) + " = sqrt(dist2);\n")
	}
}

// buildCoordinateExpression parses and builds an expression over dim coordinates (dim = 0 infers
// it), as conditions and scalar expressions share it, refusing a divisor that simplifies to 0.
// With ref, loss and dist are the variables dim and dim+1 and loss_a the constant L(a).
func buildCoordinateExpression(src string, dim int, ref *Reference) (*node, int, error) {
	a, err := parseAST(src, 0)
	if err != nil {
		return nil, 0, err
	}
	d, err := resolveDim(a, dim, true)
	if err != nil {
		return nil, 0, err
	}
	e := &env{bd: newBuilder(), dim: d, scale: 1}
	if ref != nil {
		e.cols = map[string]int{NameLoss: 0, NameDist: 1}
		e.consts = map[string]float64{NameLossMinimum: ref.LossMinimum}
	}
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
	if c.ext != nil {
		return func(x []float64) bool {
			var r bool
			c.ext.with(x, func(xv []float64) { p.pooled(xv, func(v []float64) { r = v[p.out[0]] != 0 }) })
			return r
		}
	}
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
	if c.ext != nil {
		opt.dataDim = c.dim
		c.ext.referenceLocals(&sb, opt)
	}
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
	ext  *extension
}

// ParseScalar parses a real expression over dim coordinates (dim = 0 infers it as for Parse).
// Errors are *Error values.
func ParseScalar(src string, dim int) (*Scalar, error) { return ParseScalarAt(src, dim, nil) }

// ParseScalarAt is ParseScalar with the names of ref (loss, loss_a, dist); ref = nil is ParseScalar.
func ParseScalarAt(src string, dim int, ref *Reference) (*Scalar, error) {
	n, d, err := buildCoordinateExpression(src, dim, ref)
	if err != nil {
		return nil, err
	}
	if n.isBool() {
		return nil, errAt(0, "an order parameter must be a real expression such as x - 0.5, not a condition")
	}
	prog := compile([]*node{n})
	return &Scalar{src: src, dim: d, prog: prog, ext: newExtension(ref, d, prog)}, nil
}

// Func returns the expression as a Go function of the coordinates; safe for concurrent use.
func (s *Scalar) Func() func(x []float64) float64 {
	p := s.prog
	if s.ext != nil {
		return func(x []float64) float64 {
			var r float64
			s.ext.with(x, func(xv []float64) { p.pooled(xv, func(v []float64) { r = v[p.out[0]] }) })
			return r
		}
	}
	return func(x []float64) float64 {
		var r float64
		p.pooled(x, func(v []float64) { r = v[p.out[0]] })
		return r
	}
}
