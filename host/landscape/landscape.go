package landscape

import (
	"math"
	"strconv"
	"strings"
	"sync"
)

// Landscape is a parsed loss with symbolic derivatives.
type Landscape struct {
	Spec string // as typed by the user
	Name string // catalogue name, or "expression"
	Dim  int    // number of coordinates
	// Params are the resolved parameters: a catalogue entry's with defaults filled in, or an
	// expression's values (ParseWith) with k and l0 (defaults 1 and 0) always present.
	Params          map[string]float64
	DefaultStart    []float64 // the catalogue landscape's first minimum guess; nil for expressions
	DiagonalHessian bool      // true when every off-diagonal Hessian entry simplifies to 0 (separable)

	// Columns and Rows describe the data of a finite-data landscape (ParseData): the loss is the
	// mean over the Rows rows of a per-sample expression in the coordinates and the columns.
	// Both are empty otherwise.
	Columns []string
	Rows    int
	data    []float64 // row-major Rows × len(Columns)

	sharp sharpness          // k and l0: L(sqrt(k)·θ) + l0
	given map[string]float64 // the values given beside the spec (ParseWith), for the GLSL comment

	// net is the compiled network of the data model mlp (network.go); the DAG fields below are
	// nil for it.
	net *network

	bd   *builder
	loss *node
	grad []*node // ∂L/∂x_i
	hess []*node // row-major d*d, symmetric (shared nodes)

	evalOnce sync.Once
	eval     *Evaluator
}

// Parse accepts a catalogue spec such as "doublewell(k=2)" or
// "styblinski-tang(d=10,k=1)", or an expression in x (1-D), x,y (2-D) or
// x1..xd. dim = 0 infers the dimension; dim > 0 must agree with it (an
// expression that uses sum(...) may be widened to dim coordinates). Errors
// are *Error values. An expression with parameters needs ParseWith.
func Parse(spec string, dim int) (l *Landscape, err error) {
	return ParseWith(spec, dim, nil)
}

// Sharpen maps a point θ of the landscape as written (the expression or catalogue formula at
// k = 1) to θ/sqrt(k), the same point of this landscape, L(sqrt(k)·θ): the catalogue's default
// start goes through it, and an expression's start guess and target (host.Prepare). nil stays nil.
func (l *Landscape) Sharpen(p []float64) []float64 { return l.sharp.point(p) }

// finish builds the loss from a under the sharpness sh (every coordinate scaled by sqrt(k), l0
// added) and derives its gradient and Hessian.
func finish(spec, name string, e *env, a *ast, sh sharpness, params map[string]float64) (*Landscape, error) {
	e.scale = sh.scale()
	loss, err := e.build(a)
	if err != nil {
		return nil, err
	}
	if loss.isBool() {
		return nil, errAt(0, "the loss must be a number, not a condition: comparisons are only valid inside select(cond, a, b) or an escape condition")
	}
	if e.bd.divZero {
		return nil, errAt(0, "division by zero (a divisor simplifies to the constant 0)")
	}
	loss = e.bd.add(loss, e.bd.num(sh.l0))
	l := &Landscape{Spec: spec, Name: name, Dim: e.dim, Params: params, sharp: sh, bd: e.bd, loss: loss}
	l.grad, l.hess = e.bd.derivatives(loss, e.dim)
	if e.bd.tooLarge {
		return nil, errAt(0, "expression too large: it and its derivatives exceed %d distinct terms or %d construction steps", maxNodes, maxWork)
	}
	l.DiagonalHessian = true
	for i := range e.dim {
		for j := range e.dim {
			if i != j && !l.hess[i*e.dim+j].isConst(0) {
				l.DiagonalHessian = false
			}
		}
	}
	return l, nil
}

// String returns the canonical expression text of the loss (after
// simplification and, for catalogue landscapes, parameter substitution). It
// parses back to the same function.
func (l *Landscape) String() string {
	if l.data != nil {
		return l.Spec // a per-sample loss in the data columns: shown as typed
	}
	var sb strings.Builder
	writeNode(&sb, l.loss, l.Dim)
	return sb.String()
}

// Precedence levels for printing, matching the grammar in doc.go.
const (
	precOr = iota + 1
	precAnd
	precCmp
	precAdd
	precMul
	precUnary
	precPow
	precAtom
)

func prec(n *node) int {
	switch n.op {
	case opConst:
		if !n.boolean && (n.v < 0 || math.Signbit(n.v)) {
			return precUnary
		}
		return precAtom
	case opAdd, opSub:
		return precAdd
	case opMul, opDiv:
		return precMul
	case opNeg, opNot:
		return precUnary
	case opPow, opPowi:
		return precPow
	case opLt, opLe, opGt, opGe, opEq, opNe:
		return precCmp
	case opAnd:
		return precAnd
	case opOr:
		return precOr
	}
	return precAtom
}

var opText = map[op]string{opAdd: " + ", opSub: " - ", opMul: "*", opDiv: "/",
	opLt: " < ", opLe: " <= ", opGt: " > ", opGe: " >= ", opEq: " == ", opNe: " != ", opAnd: " && ", opOr: " || "}

func varName(i, dim int) string {
	switch {
	case dim <= 2 && i == 0:
		return "x"
	case dim == 2 && i == 1:
		return "y"
	}
	return "x" + strconv.Itoa(i+1)
}

func formatNum(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func writeChild(sb *strings.Builder, n *node, min, dim int) {
	if prec(n) < min {
		sb.WriteByte('(')
		writeNode(sb, n, dim)
		sb.WriteByte(')')
		return
	}
	writeNode(sb, n, dim)
}

func writeNode(sb *strings.Builder, n *node, dim int) {
	switch n.op {
	case opConst:
		if n.boolean {
			if n.v != 0 {
				sb.WriteString("(0 < 1)")
			} else {
				sb.WriteString("(1 < 0)")
			}
			return
		}
		sb.WriteString(formatNum(n.v))
	case opVar:
		sb.WriteString(varName(n.i, dim))
	case opNeg:
		sb.WriteByte('-')
		writeChild(sb, n.a, precUnary, dim)
	case opNot:
		sb.WriteByte('!')
		writeChild(sb, n.a, precUnary, dim)
	case opPowi:
		writeChild(sb, n.a, precAtom, dim)
		sb.WriteByte('^')
		if n.i < 0 {
			sb.WriteString("(" + strconv.Itoa(n.i) + ")")
		} else {
			sb.WriteString(strconv.Itoa(n.i))
		}
	case opPow:
		writeChild(sb, n.a, precAtom, dim)
		sb.WriteByte('^')
		writeChild(sb, n.b, precPow, dim)
	case opAdd, opSub, opMul, opDiv, opAnd, opOr:
		p := prec(n)
		writeChild(sb, n.a, p, dim)
		sb.WriteString(opText[n.op])
		right := p + 1
		if n.op == opMul || n.op == opDiv {
			right = precUnary
			if n.b.op == opConst && n.b.v < 0 {
				right = precAtom
			}
		}
		writeChild(sb, n.b, right, dim)
	case opLt, opLe, opGt, opGe, opEq, opNe:
		writeChild(sb, n.a, precAdd, dim)
		sb.WriteString(opText[n.op])
		writeChild(sb, n.b, precAdd, dim)
	default:
		sb.WriteString(funcNames[n.op])
		sb.WriteByte('(')
		for i, k := range n.kids() {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeNode(sb, k, dim)
		}
		sb.WriteByte(')')
	}
}
