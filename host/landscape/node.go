package landscape

import (
	"math"
)

// op is the operation of a node of the expression DAG.
type op uint8

const (
	opConst op = iota // v; a boolean constant when boolean is set (v is 0 or 1)
	opVar             // x[i]
	opAdd
	opSub
	opMul
	opDiv
	opNeg
	opPow  // a^b, general real power
	opPowi // a^i, integer power with 2 <= |i| <= maxPowi, expanded into multiplications
	opSin
	opCos
	opTan
	opExp
	opLog
	opSqrt
	opAbs
	opTanh
	opCosh
	opSinh
	opSign // derivative of abs
	opStep // 1 if a > 0 else 0
	opMin
	opMax
	opSelect // a ? b : c, a boolean
	opLt
	opLe
	opGt
	opGe
	opEq
	opNe
	opAnd
	opOr
	opNot
)

// maxPowi is the largest |n| for which u^n is expanded into multiplications.
const maxPowi = 8

var unaryFuncs = map[string]op{
	"sin": opSin, "cos": opCos, "tan": opTan, "exp": opExp, "log": opLog,
	"sqrt": opSqrt, "abs": opAbs, "tanh": opTanh, "cosh": opCosh, "sinh": opSinh,
	"step": opStep, "sign": opSign,
}

var funcNames = map[op]string{
	opSin: "sin", opCos: "cos", opTan: "tan", opExp: "exp", opLog: "log",
	opSqrt: "sqrt", opAbs: "abs", opTanh: "tanh", opCosh: "cosh", opSinh: "sinh",
	opStep: "step", opSign: "sign", opMin: "min", opMax: "max", opSelect: "select", opPow: "pow",
}

var cmpOps = map[string]op{"<": opLt, "<=": opLe, ">": opGt, ">=": opGe, "==": opEq, "!=": opNe}

// node is a vertex of the hash-consed expression DAG: structurally equal
// subexpressions are the same *node, which gives cheap equality tests for
// simplification and common-subexpression detection for code generation.
type node struct {
	op      op
	boolean bool
	v       float64
	i       int
	a, b, c *node
	id      int
}

func (n *node) isBool() bool { return n.boolean }

func (n *node) isConst(v float64) bool { return n.op == opConst && !n.boolean && n.v == v }

func (n *node) kids() []*node {
	switch {
	case n.c != nil:
		return []*node{n.a, n.b, n.c}
	case n.b != nil:
		return []*node{n.a, n.b}
	case n.a != nil:
		return []*node{n.a}
	}
	return nil
}

type nodeKey struct {
	op      op
	boolean bool
	v       uint64
	i       int
	a, b, c int
}

// maxNodes bounds the size of a landscape's DAG (loss, gradient and Hessian
// together) so that hostile inputs fail with an error instead of exhausting memory.
const maxNodes = 200000

// maxWork bounds the number of node constructions and derivative steps spent
// on one landscape (hash-consing hits included), for the same reason.
const maxWork = 4000000

// builder interns nodes and applies the simplification rules as nodes are built
// (constant folding, 0/1 identities, double negation, u+u = 2*u, u*u = u^2).
type builder struct {
	table    map[nodeKey]*node
	nodes    []*node
	tooLarge bool
	work     int
	divZero  bool // a division by a literal zero was requested
}

func newBuilder() *builder {
	return &builder{table: make(map[nodeKey]*node)}
}

func id(n *node) int {
	if n == nil {
		return -1
	}
	return n.id
}

func (bd *builder) intern(n node) *node {
	if n.op == opConst && n.v == 0 {
		n.v = 0 // normalise -0
	}
	bd.work++
	if bd.work > maxWork {
		bd.tooLarge = true
	}
	k := nodeKey{op: n.op, boolean: n.boolean, v: math.Float64bits(n.v), i: n.i, a: id(n.a), b: id(n.b), c: id(n.c)}
	if m, ok := bd.table[k]; ok {
		return m
	}
	if len(bd.nodes) >= maxNodes {
		bd.tooLarge = true
	}
	m := &node{}
	*m = n
	m.id = len(bd.nodes)
	bd.nodes = append(bd.nodes, m)
	bd.table[k] = m
	return m
}

func (bd *builder) num(v float64) *node { return bd.intern(node{op: opConst, v: v}) }

func (bd *builder) boolConst(t bool) *node {
	v := 0.0
	if t {
		v = 1
	}
	return bd.intern(node{op: opConst, boolean: true, v: v})
}

func (bd *builder) variable(i int) *node { return bd.intern(node{op: opVar, i: i}) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// fold returns a constant node for v when v is finite, else nil (the
// operation is then kept symbolic so no non-finite literal is ever emitted).
func (bd *builder) fold(v float64) *node {
	if finite(v) {
		return bd.num(v)
	}
	return nil
}

func isNum(n *node) bool { return n.op == opConst && !n.boolean }

func (bd *builder) add(x, y *node) *node {
	switch {
	case isNum(x) && isNum(y):
		if f := bd.fold(x.v + y.v); f != nil {
			return f
		}
	case x.isConst(0):
		return y
	case y.isConst(0):
		return x
	case x == y:
		return bd.mul(bd.num(2), x)
	case y.op == opNeg:
		return bd.sub(x, y.a)
	}
	if isNum(y) && y.v < 0 {
		return bd.sub(x, bd.num(-y.v)) // exact in IEEE arithmetic
	}
	if cy, uy := split(y); cy < 0 && !isNum(uy) {
		return bd.sub(x, bd.mul(bd.num(-cy), uy))
	}
	if cx, ux := split(x); !isNum(ux) {
		if cy, uy := split(y); ux == uy && finite(cx+cy) {
			return bd.mul(bd.num(cx+cy), ux) // c1*u + c2*u = (c1+c2)*u
		}
	}
	return bd.intern(node{op: opAdd, a: x, b: y})
}

// split writes n as c*u with a constant c (1 when n is not such a product).
func split(n *node) (float64, *node) {
	if n.op == opMul && isNum(n.a) {
		return n.a.v, n.b
	}
	return 1, n
}

func (bd *builder) sub(x, y *node) *node {
	switch {
	case isNum(x) && isNum(y):
		if f := bd.fold(x.v - y.v); f != nil {
			return f
		}
	case y.isConst(0):
		return x
	case x.isConst(0):
		return bd.neg(y)
	case x == y:
		return bd.num(0)
	case y.op == opNeg:
		return bd.add(x, y.a)
	}
	if isNum(y) && y.v < 0 {
		return bd.add(x, bd.num(-y.v))
	}
	if cy, uy := split(y); cy < 0 && !isNum(uy) {
		return bd.add(x, bd.mul(bd.num(-cy), uy))
	}
	if cx, ux := split(x); !isNum(ux) {
		if cy, uy := split(y); ux == uy && finite(cx-cy) {
			return bd.mul(bd.num(cx-cy), ux) // c1*u - c2*u = (c1-c2)*u
		}
	}
	return bd.intern(node{op: opSub, a: x, b: y})
}

func (bd *builder) mul(x, y *node) *node {
	switch {
	case isNum(x) && isNum(y):
		if f := bd.fold(x.v * y.v); f != nil {
			return f
		}
	case x.isConst(0) || y.isConst(0):
		return bd.num(0)
	case x.isConst(1):
		return y
	case y.isConst(1):
		return x
	case x.isConst(-1):
		return bd.neg(y)
	case y.isConst(-1):
		return bd.neg(x)
	case x == y:
		return bd.powi(x, 2)
	case isNum(y):
		return bd.mul(y, x) // constants to the left
	case x.op == opNeg:
		return bd.neg(bd.mul(x.a, y))
	case y.op == opNeg:
		return bd.neg(bd.mul(x, y.a))
	case isNum(x) && y.op == opMul && isNum(y.a):
		if f := bd.fold(x.v * y.a.v); f != nil {
			return bd.mul(f, y.b)
		}
	}
	return bd.intern(node{op: opMul, a: x, b: y})
}

func (bd *builder) div(x, y *node) *node {
	switch {
	case y.isConst(0):
		bd.divZero = true
	case isNum(x) && isNum(y):
		if f := bd.fold(x.v / y.v); f != nil {
			return f
		}
	case x.isConst(0):
		return bd.num(0)
	case y.isConst(1):
		return x
	case x == y:
		return bd.num(1)
	case x.op == opNeg:
		return bd.neg(bd.div(x.a, y))
	}
	return bd.intern(node{op: opDiv, a: x, b: y})
}

func (bd *builder) neg(x *node) *node {
	switch {
	case isNum(x):
		return bd.num(-x.v)
	case x.op == opNeg:
		return x.a
	case x.op == opSub:
		return bd.sub(x.b, x.a)
	}
	return bd.intern(node{op: opNeg, a: x})
}

// pow builds x^y: integer constant exponents become opPowi (expanded into
// multiplications by both back ends), others use pow.
func (bd *builder) pow(x, y *node) *node {
	if isNum(y) {
		n := y.v
		switch {
		case n == 0:
			return bd.num(1)
		case n == 1:
			return x
		case n == math.Trunc(n) && math.Abs(n) <= maxPowi:
			return bd.powi(x, int(n))
		}
		if isNum(x) {
			if f := bd.fold(math.Pow(x.v, y.v)); f != nil {
				return f
			}
		}
	}
	return bd.intern(node{op: opPow, a: x, b: y})
}

func (bd *builder) powi(x *node, n int) *node {
	switch {
	case n == 0:
		return bd.num(1)
	case n == 1:
		return x
	case isNum(x):
		if f := bd.fold(powiEval(x.v, n)); f != nil {
			return f
		}
	}
	if n == -1 {
		return bd.div(bd.num(1), x)
	}
	return bd.intern(node{op: opPowi, a: x, i: n})
}

// powiEval evaluates x^n by repeated multiplication, left to right, the same
// order the GLSL back end writes: ((x*x)*x)..., then 1/that for n < 0.
func powiEval(x float64, n int) float64 {
	m := n
	if m < 0 {
		m = -m
	}
	r := x
	for k := 1; k < m; k++ {
		r *= x
	}
	if n < 0 {
		return 1 / r
	}
	return r
}

// fn1 builds a one-argument function node.
func (bd *builder) fn1(o op, x *node) *node {
	if isNum(x) {
		if o == opStep || o == opSign || o == opAbs {
			return bd.num(unaryEval(o, x.v))
		}
		if f := bd.fold(unaryEval(o, x.v)); f != nil {
			return f
		}
	}
	if o == opAbs && (x.op == opAbs || x.op == opNeg) {
		return bd.fn1(opAbs, x.a)
	}
	return bd.intern(node{op: o, a: x})
}

// unaryEval is the one place that defines the value of a one-argument function.
// step(u) is 1 for u > 0 and 0 for u <= 0 (so step(0) = 0), in Go and GLSL.
func unaryEval(o op, u float64) float64 {
	switch o {
	case opSin:
		return math.Sin(u)
	case opCos:
		return math.Cos(u)
	case opTan:
		return math.Tan(u)
	case opExp:
		return math.Exp(u)
	case opLog:
		return math.Log(u)
	case opSqrt:
		return math.Sqrt(u)
	case opAbs:
		return math.Abs(u)
	case opTanh:
		return math.Tanh(u)
	case opCosh:
		return math.Cosh(u)
	case opSinh:
		return math.Sinh(u)
	case opSign:
		switch {
		case u > 0:
			return 1
		case u < 0:
			return -1
		}
		return 0
	case opStep:
		if u > 0 {
			return 1
		}
		return 0
	}
	return math.NaN()
}

func (bd *builder) minmax(o op, x, y *node) *node {
	if x == y {
		return x
	}
	if isNum(x) && isNum(y) {
		if o == opMin {
			return bd.num(math.Min(x.v, y.v))
		}
		return bd.num(math.Max(x.v, y.v))
	}
	return bd.intern(node{op: o, a: x, b: y})
}

func (bd *builder) sel(c, x, y *node) *node {
	if x == y {
		return x
	}
	if c.op == opConst {
		if c.v != 0 {
			return x
		}
		return y
	}
	return bd.intern(node{op: opSelect, a: c, b: x, c: y})
}

func cmpEval(o op, x, y float64) bool {
	switch o {
	case opLt:
		return x < y
	case opLe:
		return x <= y
	case opGt:
		return x > y
	case opGe:
		return x >= y
	case opEq:
		return x == y
	case opNe:
		return x != y
	}
	return false
}

func (bd *builder) cmp(o op, x, y *node) *node {
	if isNum(x) && isNum(y) {
		return bd.boolConst(cmpEval(o, x.v, y.v))
	}
	return bd.intern(node{op: o, boolean: true, a: x, b: y})
}

func (bd *builder) and(x, y *node) *node {
	switch {
	case x.op == opConst:
		if x.v == 0 {
			return x
		}
		return y
	case y.op == opConst:
		if y.v == 0 {
			return y
		}
		return x
	case x == y:
		return x
	}
	return bd.intern(node{op: opAnd, boolean: true, a: x, b: y})
}

func (bd *builder) or(x, y *node) *node {
	switch {
	case x.op == opConst:
		if x.v != 0 {
			return x
		}
		return y
	case y.op == opConst:
		if y.v != 0 {
			return y
		}
		return x
	case x == y:
		return x
	}
	return bd.intern(node{op: opOr, boolean: true, a: x, b: y})
}

func (bd *builder) not(x *node) *node {
	if x.op == opConst {
		return bd.boolConst(x.v == 0)
	}
	if x.op == opNot {
		return x.a
	}
	return bd.intern(node{op: opNot, boolean: true, a: x})
}
