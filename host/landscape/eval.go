package landscape

import (
	"math"
	"sync"
)

// This file compiles DAG nodes into a flat program of closures: every node
// reachable from the outputs gets a slot in a scratch vector and one closure
// that fills it from its children's slots, in topological order. A call runs
// the closures in order: no tree walking and no map lookups. Constants and
// coordinates have no closure: constant slots are filled once, when a scratch
// vector is made, and no instruction writes them afterwards; coordinate slots
// are copied from x at the start of each run.
//
// A program evaluates at m points at once, structure of arrays: slot s holds
// the values of its node at the m points in v[s·stride : s·stride+m], and each
// closure loops over them. One point (stride 1) is the Evaluator's case; the
// CPU reference steps a block of particles in lockstep through a Batch, which
// pays for each closure call once per block instead of once per particle.
//
// Booleans live in the same scratch vector as 0 or 1.

type instr func(v []float64, stride, m int)

type program struct {
	code   []instr
	out    []int       // slot of each output
	consts []constSlot // slots that hold constants
	vars   [][2]int    // (slot, coordinate index) of each coordinate used
	n      int
	pool   sync.Pool // scratch vectors for one point
}

type constSlot struct {
	slot int
	v    float64
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
		switch n.op {
		case opConst:
			p.consts = append(p.consts, constSlot{o, n.v})
			return
		case opVar:
			p.vars = append(p.vars, [2]int{o, n.i})
			return
		}
		p.code = append(p.code, makeInstr(n, o, slot))
	}
	for _, r := range roots {
		visit(r)
		p.out = append(p.out, slot[r])
	}
	p.n = len(slot)
	p.pool.New = func() any { s := p.scratch(1); return &s }
	return p
}

// scratch returns a new scratch vector for up to size points, constants in place.
func (p *program) scratch(size int) []float64 {
	v := make([]float64, p.n*size)
	for _, c := range p.consts {
		slot := column(v, c.slot, size, size)
		for i := range slot {
			slot[i] = c.v
		}
	}
	return v
}

// column is slot s of the scratch vector v at the first m points.
func column(v []float64, s, stride, m int) []float64 { return v[s*stride : s*stride+m] }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// elementwise1 and elementwise2 build instructions from a function of one or two values. They
// cost an indirect call per point, which the arithmetic operators avoid with loops of their own
// (below); a transcendental function is a call anyway.
func elementwise1(o, a int, f func(float64) float64) instr {
	return func(v []float64, st, m int) {
		out, x := column(v, o, st, m), column(v, a, st, m)
		for i := range out {
			out[i] = f(x[i])
		}
	}
}

func elementwise2(o, a, b int, f func(x, y float64) float64) instr {
	return func(v []float64, st, m int) {
		out, x, y := column(v, o, st, m), column(v, a, st, m), column(v, b, st, m)
		for i := range out {
			out[i] = f(x[i], y[i])
		}
	}
}

// makeInstr compiles node n, whose value goes to slot o, into one instruction of the batched
// evaluator. It is one switch with a case per operation of the expression language, each a line
// or two: longer than 80 lines because the table of operations is, and split it would only scatter
// the table.
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
	case opAdd:
		return func(v []float64, st, m int) {
			out, x, y := column(v, o, st, m), column(v, a, st, m), column(v, b, st, m)
			for i := range out {
				out[i] = x[i] + y[i]
			}
		}
	case opSub:
		return func(v []float64, st, m int) {
			out, x, y := column(v, o, st, m), column(v, a, st, m), column(v, b, st, m)
			for i := range out {
				out[i] = x[i] - y[i]
			}
		}
	case opMul:
		return func(v []float64, st, m int) {
			out, x, y := column(v, o, st, m), column(v, a, st, m), column(v, b, st, m)
			for i := range out {
				out[i] = x[i] * y[i]
			}
		}
	case opDiv:
		return func(v []float64, st, m int) {
			out, x, y := column(v, o, st, m), column(v, a, st, m), column(v, b, st, m)
			for i := range out {
				out[i] = x[i] / y[i]
			}
		}
	case opNeg:
		return func(v []float64, st, m int) {
			out, x := column(v, o, st, m), column(v, a, st, m)
			for i := range out {
				out[i] = -x[i]
			}
		}
	case opPow:
		return elementwise2(o, a, b, math.Pow)
	case opPowi:
		k := n.i
		if k == 2 {
			return func(v []float64, st, m int) {
				out, x := column(v, o, st, m), column(v, a, st, m)
				for i := range out {
					out[i] = x[i] * x[i]
				}
			}
		}
		return elementwise1(o, a, func(x float64) float64 { return powiEval(x, k) })
	case opSin, opCos, opExp, opLog, opSqrt, opAbs, opTan, opTanh, opCosh, opSinh, opSign, opStep:
		f := n.op
		return elementwise1(o, a, func(x float64) float64 { return unaryEval(f, x) })
	case opMin:
		return elementwise2(o, a, b, math.Min)
	case opMax:
		return elementwise2(o, a, b, math.Max)
	case opSelect:
		return func(v []float64, st, m int) {
			out, cond, x, y := column(v, o, st, m), column(v, a, st, m), column(v, b, st, m), column(v, c, st, m)
			for i := range out {
				if cond[i] != 0 {
					out[i] = x[i]
				} else {
					out[i] = y[i]
				}
			}
		}
	case opLt:
		return elementwise2(o, a, b, func(x, y float64) float64 { return b2f(x < y) })
	case opLe:
		return elementwise2(o, a, b, func(x, y float64) float64 { return b2f(x <= y) })
	case opGt:
		return elementwise2(o, a, b, func(x, y float64) float64 { return b2f(x > y) })
	case opGe:
		return elementwise2(o, a, b, func(x, y float64) float64 { return b2f(x >= y) })
	case opEq:
		return elementwise2(o, a, b, func(x, y float64) float64 { return b2f(x == y) })
	case opNe:
		return elementwise2(o, a, b, func(x, y float64) float64 { return b2f(x != y) })
	case opAnd:
		return elementwise2(o, a, b, func(x, y float64) float64 { return b2f(x != 0 && y != 0) })
	case opOr:
		return elementwise2(o, a, b, func(x, y float64) float64 { return b2f(x != 0 || y != 0) })
	case opNot:
		return elementwise1(o, a, func(x float64) float64 { return b2f(x == 0) })
	}
	return elementwise1(o, a, func(float64) float64 { return math.NaN() })
}

// exec evaluates the program at the first m points of x (structure of arrays: coordinate k of
// point i is x[k·stride+i]) into the scratch vector v (made by scratch for stride points).
func (p *program) exec(v, x []float64, stride, m int) {
	for _, s := range p.vars {
		copy(column(v, s[0], stride, m), column(x, s[1], stride, m))
	}
	for _, f := range p.code {
		f(v, stride, m)
	}
}

// pooled runs the program at the one point x on a pooled scratch vector and hands it to emit.
func (p *program) pooled(x []float64, emit func(v []float64)) {
	sp := p.pool.Get().(*[]float64)
	p.exec(*sp, x, 1, 1)
	emit(*sp)
	p.pool.Put(sp)
}

// Evaluator evaluates a landscape's loss and its symbolic derivatives in Go.
// It is safe for concurrent use by many goroutines.
type Evaluator struct {
	dim                        int
	loss, grad, hess, hessDiag *program
	hessIdx                    []int // for each entry of the row-major Hessian, its output index
	// data landscapes (data.go): N rows of ncol columns, row-major; every value is a row mean
	rows, ncol int
	data       []float64
	dataPool   sync.Pool
	// a compiled network (network_eval.go): the programs above are nil
	net     *network
	netPool sync.Pool
}

// Evaluator compiles the loss, gradient and Hessian trees into closures once.
func (l *Landscape) Evaluator() *Evaluator {
	l.evalOnce.Do(func() {
		if l.net != nil {
			l.eval = l.netEvaluator()
			return
		}
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
		if l.data != nil {
			e.rows, e.ncol, e.data = l.Rows, len(l.Columns), l.data
			e.dataPool.New = func() any { return e.newDataScratch() }
		}
		l.eval = e
	})
	return l.eval
}

// Dim is the number of coordinates.
func (e *Evaluator) Dim() int { return e.dim }

// Loss returns L(x).
func (e *Evaluator) Loss(x []float64) float64 {
	if e.net != nil {
		return e.netLoss(x)
	}
	if e.rows > 0 {
		var out [1]float64
		e.pooledData(0, x, out[:])
		return out[0]
	}
	var r float64
	e.loss.pooled(x, func(v []float64) { r = v[e.loss.out[0]] })
	return r
}

// Gradient writes ∇L(x) into g (len d).
func (e *Evaluator) Gradient(x, g []float64) {
	if e.net != nil {
		e.netGradient(x, g)
		return
	}
	if e.rows > 0 {
		e.pooledData(1, x, g)
		return
	}
	e.grad.pooled(x, func(v []float64) { outputs(e.grad, nil, v, g, 1, 1) })
}

// Hessian writes the Hessian at x into h, row-major d*d (symmetric).
func (e *Evaluator) Hessian(x, h []float64) {
	if e.net != nil {
		e.netHessian(x, h)
		return
	}
	if e.rows > 0 {
		e.pooledData(2, x, h)
		return
	}
	e.hess.pooled(x, func(v []float64) { outputs(e.hess, e.hessIdx, v, h, 1, 1) })
}

// HessianVector writes H(x)·v into hv (len d each): the product that Lanczos and other
// matrix-free methods need. Landscapes with symbolic derivatives form it from the Hessian; a
// compiled network (network.go) forms it without the d×d matrix.
func (e *Evaluator) HessianVector(x, v, hv []float64) {
	if e.net != nil {
		e.netHessianVector(x, v, hv)
		return
	}
	d := e.dim
	h := make([]float64, d*d)
	e.Hessian(x, h)
	for i := range d {
		s := 0.0
		for j, vj := range v[:d] {
			s += h[i*d+j] * vj
		}
		hv[i] = s
	}
}

// HessianDiagonal writes the d diagonal entries of the Hessian at x into h.
func (e *Evaluator) HessianDiagonal(x, h []float64) {
	if e.net != nil {
		e.netHessianDiagonal(x, h)
		return
	}
	if e.rows > 0 {
		e.pooledData(3, x, h)
		return
	}
	e.hessDiag.pooled(x, func(v []float64) { outputs(e.hessDiag, nil, v, h, 1, 1) })
}

// outputs copies the outputs of p from its scratch vector v into dst, structure of arrays with
// the given stride: output k (or p's output index[k] when index is not nil) of point i goes to
// dst[k·stride+i].
func outputs(p *program, index []int, v, dst []float64, stride, m int) {
	if index == nil {
		for k, s := range p.out {
			copy(column(dst, k, stride, m), column(v, s, stride, m))
		}
		return
	}
	for k, o := range index {
		copy(column(dst, k, stride, m), column(v, p.out[o], stride, m))
	}
}

// Batch evaluates like its Evaluator at up to Size points at once, structure of arrays:
// coordinate k of point i is x[k·Size+i], and so are the outputs (gradient component k, Hessian
// entry k of the row-major matrix). Each instruction runs over all points, so the interpreter's
// cost per instruction is paid once per batch. A Batch holds its own scratch vectors; one
// goroutine may use it at a time (the CPU reference gives each worker one).
type Batch struct {
	e                          *Evaluator
	Size                       int
	loss, grad, hess, hessDiag []float64
	ds                         *dataScratch   // data landscapes: the row-mean scratch
	pt                         []float64      // one point's coordinates
	samp                       *sampleScratch // MeanSampleGradient
	ns                         *netScratch    // a network's MeanSampleGradient
}

// Batch returns scratch space for evaluating at up to size points at once.
func (e *Evaluator) Batch(size int) *Batch {
	if e.net != nil {
		return &Batch{e: e, Size: size}
	}
	return &Batch{e: e, Size: size, loss: e.loss.scratch(size), grad: e.grad.scratch(size),
		hess: e.hess.scratch(size), hessDiag: e.hessDiag.scratch(size)}
}

// Loss writes L at the first m points of x into l[:m].
func (b *Batch) Loss(x []float64, m int, l []float64) {
	if b.e.net != nil {
		b.netBatch(0, x, m, l)
		return
	}
	if b.e.rows > 0 {
		b.dataBatch(0, x, m, l)
		return
	}
	b.e.loss.exec(b.loss, x, b.Size, m)
	outputs(b.e.loss, nil, b.loss, l, b.Size, m)
}

// Gradient writes ∇L at the first m points of x into g (d rows of Size).
func (b *Batch) Gradient(x []float64, m int, g []float64) {
	if b.e.net != nil {
		b.netBatch(1, x, m, g)
		return
	}
	if b.e.rows > 0 {
		b.dataBatch(1, x, m, g)
		return
	}
	b.e.grad.exec(b.grad, x, b.Size, m)
	outputs(b.e.grad, nil, b.grad, g, b.Size, m)
}

// Hessian writes the d·d entries of the Hessian at the first m points of x into h (d·d rows of
// Size, row-major entry order).
func (b *Batch) Hessian(x []float64, m int, h []float64) {
	if b.e.net != nil {
		b.netBatch(2, x, m, h)
		return
	}
	if b.e.rows > 0 {
		b.dataBatch(2, x, m, h)
		return
	}
	b.e.hess.exec(b.hess, x, b.Size, m)
	outputs(b.e.hess, b.e.hessIdx, b.hess, h, b.Size, m)
}

// HessianDiagonal writes the d diagonal entries of the Hessian at the first m points of x into h
// (d rows of Size).
func (b *Batch) HessianDiagonal(x []float64, m int, h []float64) {
	if b.e.net != nil {
		b.netBatch(3, x, m, h)
		return
	}
	if b.e.rows > 0 {
		b.dataBatch(3, x, m, h)
		return
	}
	b.e.hessDiag.exec(b.hessDiag, x, b.Size, m)
	outputs(b.e.hessDiag, nil, b.hessDiag, h, b.Size, m)
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
