package landscape

import (
	"math"
	"sync"
)

// This file compiles DAG nodes into a flat program of closures: every node
// reachable from the outputs gets a slot in a scratch vector and one closure
// that fills it from its children's slots, in topological order. A call runs
// the closures in order: no tree walking and no map lookups. Scratch vectors
// come from a sync.Pool, so a program is safe for concurrent use.
//
// Booleans live in the same scratch vector as 0 or 1.

type instr func(v, x []float64)

type program struct {
	code []instr
	out  []int // slot of each output
	n    int
	pool sync.Pool
}

func compile(roots []*node) *program {
	slot := make(map[*node]int)
	p := &program{}
	var visit func(n *node)
	visit = func(n *node) {
		if _, ok := slot[n]; ok {
			return
		}
		for _, k := range n.kids() {
			visit(k)
		}
		o := len(slot)
		slot[n] = o
		p.code = append(p.code, makeInstr(n, o, slot))
	}
	for _, r := range roots {
		visit(r)
		p.out = append(p.out, slot[r])
	}
	p.n = len(slot)
	size := p.n
	p.pool.New = func() any { s := make([]float64, size); return &s }
	return p
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func makeInstr(n *node, o int, slot map[*node]int) instr {
	var a, b, c int
	if n.a != nil {
		a = slot[n.a]
	}
	if n.b != nil {
		b = slot[n.b]
	}
	if n.c != nil {
		c = slot[n.c]
	}
	switch n.op {
	case opConst:
		val := n.v
		return func(v, _ []float64) { v[o] = val }
	case opVar:
		i := n.i
		return func(v, x []float64) { v[o] = x[i] }
	case opAdd:
		return func(v, _ []float64) { v[o] = v[a] + v[b] }
	case opSub:
		return func(v, _ []float64) { v[o] = v[a] - v[b] }
	case opMul:
		return func(v, _ []float64) { v[o] = v[a] * v[b] }
	case opDiv:
		return func(v, _ []float64) { v[o] = v[a] / v[b] }
	case opNeg:
		return func(v, _ []float64) { v[o] = -v[a] }
	case opPow:
		return func(v, _ []float64) { v[o] = math.Pow(v[a], v[b]) }
	case opPowi:
		k := n.i
		if k == 2 {
			return func(v, _ []float64) { v[o] = v[a] * v[a] }
		}
		return func(v, _ []float64) { v[o] = powiEval(v[a], k) }
	case opSin:
		return func(v, _ []float64) { v[o] = math.Sin(v[a]) }
	case opCos:
		return func(v, _ []float64) { v[o] = math.Cos(v[a]) }
	case opExp:
		return func(v, _ []float64) { v[o] = math.Exp(v[a]) }
	case opLog:
		return func(v, _ []float64) { v[o] = math.Log(v[a]) }
	case opSqrt:
		return func(v, _ []float64) { v[o] = math.Sqrt(v[a]) }
	case opAbs:
		return func(v, _ []float64) { v[o] = math.Abs(v[a]) }
	case opTan, opTanh, opCosh, opSinh, opSign, opStep:
		f := n.op
		return func(v, _ []float64) { v[o] = unaryEval(f, v[a]) }
	case opMin:
		return func(v, _ []float64) { v[o] = math.Min(v[a], v[b]) }
	case opMax:
		return func(v, _ []float64) { v[o] = math.Max(v[a], v[b]) }
	case opSelect:
		return func(v, _ []float64) {
			if v[a] != 0 {
				v[o] = v[b]
			} else {
				v[o] = v[c]
			}
		}
	case opLt:
		return func(v, _ []float64) { v[o] = b2f(v[a] < v[b]) }
	case opLe:
		return func(v, _ []float64) { v[o] = b2f(v[a] <= v[b]) }
	case opGt:
		return func(v, _ []float64) { v[o] = b2f(v[a] > v[b]) }
	case opGe:
		return func(v, _ []float64) { v[o] = b2f(v[a] >= v[b]) }
	case opEq:
		return func(v, _ []float64) { v[o] = b2f(v[a] == v[b]) }
	case opNe:
		return func(v, _ []float64) { v[o] = b2f(v[a] != v[b]) }
	case opAnd:
		return func(v, _ []float64) { v[o] = b2f(v[a] != 0 && v[b] != 0) }
	case opOr:
		return func(v, _ []float64) { v[o] = b2f(v[a] != 0 || v[b] != 0) }
	case opNot:
		return func(v, _ []float64) { v[o] = b2f(v[a] == 0) }
	}
	return func(v, _ []float64) { v[o] = math.NaN() }
}

// run evaluates the program at x and calls emit with the scratch vector.
func (p *program) run(x []float64, emit func(v []float64)) {
	sp := p.pool.Get().(*[]float64)
	v := *sp
	for _, f := range p.code {
		f(v, x)
	}
	emit(v)
	p.pool.Put(sp)
}

// Evaluator evaluates a landscape's loss and its symbolic derivatives in Go.
// It is safe for concurrent use by many goroutines.
type Evaluator struct {
	dim                        int
	loss, grad, hess, hessDiag *program
	hessIdx                    []int // for each entry of the row-major Hessian, its output index
}

// Evaluator compiles the loss, gradient and Hessian trees into closures once.
func (l *Landscape) Evaluator() *Evaluator {
	l.evalOnce.Do(func() {
		d := l.Dim
		e := &Evaluator{dim: d}
		e.loss = compile([]*node{l.loss})
		e.grad = compile(l.grad)
		var upper []*node
		e.hessIdx = make([]int, d*d)
		for i := range d {
			for j := i; j < d; j++ {
				e.hessIdx[i*d+j] = len(upper)
				e.hessIdx[j*d+i] = len(upper)
				upper = append(upper, l.hess[i*d+j])
			}
		}
		e.hess = compile(upper)
		diag := make([]*node, d)
		for i := range d {
			diag[i] = l.hess[i*d+i]
		}
		e.hessDiag = compile(diag)
		l.eval = e
	})
	return l.eval
}

// Dim is the number of coordinates.
func (e *Evaluator) Dim() int { return e.dim }

// Loss returns L(x).
func (e *Evaluator) Loss(x []float64) float64 {
	var r float64
	e.loss.run(x, func(v []float64) { r = v[e.loss.out[0]] })
	return r
}

// Gradient writes ∇L(x) into g (len d).
func (e *Evaluator) Gradient(x, g []float64) {
	e.grad.run(x, func(v []float64) {
		for i, s := range e.grad.out {
			g[i] = v[s]
		}
	})
}

// Hessian writes the Hessian at x into h, row-major d*d (symmetric).
func (e *Evaluator) Hessian(x, h []float64) {
	e.hess.run(x, func(v []float64) {
		for k, o := range e.hessIdx {
			h[k] = v[e.hess.out[o]]
		}
	})
}

// HessianDiagonal writes the d diagonal entries of the Hessian at x into h.
func (e *Evaluator) HessianDiagonal(x, h []float64) {
	e.hessDiag.run(x, func(v []float64) {
		for i, s := range e.hessDiag.out {
			h[i] = v[s]
		}
	})
}

// evalRef is a plain tree-walking evaluation of n at x, used by tests as an
// independent route to the same numbers (same operation order as the programs).
func evalRef(n *node, x []float64) float64 {
	switch n.op {
	case opConst:
		return n.v
	case opVar:
		return x[n.i]
	case opSelect:
		if evalRef(n.a, x) != 0 {
			return evalRef(n.b, x)
		}
		return evalRef(n.c, x)
	case opAnd:
		return b2f(evalRef(n.a, x) != 0 && evalRef(n.b, x) != 0)
	case opOr:
		return b2f(evalRef(n.a, x) != 0 || evalRef(n.b, x) != 0)
	case opNot:
		return b2f(evalRef(n.a, x) == 0)
	}
	a := evalRef(n.a, x)
	switch n.op {
	case opNeg:
		return -a
	case opPowi:
		return powiEval(a, n.i)
	case opSin, opCos, opTan, opExp, opLog, opSqrt, opAbs, opTanh, opCosh, opSinh, opSign, opStep:
		return unaryEval(n.op, a)
	}
	b := evalRef(n.b, x)
	switch n.op {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		return a / b
	case opPow:
		return math.Pow(a, b)
	case opMin:
		return math.Min(a, b)
	case opMax:
		return math.Max(a, b)
	case opLt, opLe, opGt, opGe, opEq, opNe:
		return b2f(cmpEval(n.op, a, b))
	}
	return math.NaN()
}
