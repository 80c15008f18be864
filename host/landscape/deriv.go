package landscape

// deriv returns ∂n/∂x_i, built with the simplifying constructors. memo caches
// results per node for this variable (the DAG shares subtrees).
//
// Rules for the non-smooth functions: d abs(u) = sign(u) du, d step(u) = 0,
// d min(a,b) = select(a <= b, da, db), d max(a,b) = select(a >= b, da, db),
// d select(c,a,b) = select(c, da, db).
func (bd *builder) deriv(n *node, i int, memo map[*node]*node) *node {
	if d, ok := memo[n]; ok {
		return d
	}
	bd.work++
	if bd.work > maxWork {
		bd.tooLarge = true
		return bd.num(0)
	}
	d := bd.derivRaw(n, i, memo)
	memo[n] = d
	return d
}

func (bd *builder) derivRaw(n *node, i int, memo map[*node]*node) *node {
	zero := bd.num(0)
	switch n.op {
	case opConst, opStep, opSign:
		return zero
	case opVar:
		if n.i == i {
			return bd.num(1)
		}
		return zero
	}
	if n.isBool() {
		return zero // conditions are not differentiated
	}
	if n.op == opSelect {
		return bd.sel(n.a, bd.deriv(n.b, i, memo), bd.deriv(n.c, i, memo))
	}
	da := bd.deriv(n.a, i, memo)
	var db *node
	if n.b != nil {
		db = bd.deriv(n.b, i, memo)
		if da == zero && db == zero {
			return zero
		}
	} else if da == zero {
		return zero
	}
	u := n.a
	switch n.op {
	case opAdd:
		return bd.add(da, db)
	case opSub:
		return bd.sub(da, db)
	case opNeg:
		return bd.neg(da)
	case opMul:
		return bd.add(bd.mul(da, n.b), bd.mul(u, db))
	case opDiv:
		if db == zero {
			return bd.div(da, n.b)
		}
		return bd.sub(bd.div(da, n.b), bd.div(bd.mul(u, db), bd.powi(n.b, 2)))
	case opPowi:
		return bd.mul(bd.mul(bd.num(float64(n.i)), bd.powi(u, n.i-1)), da)
	case opPow:
		if db == zero {
			if isNum(n.b) {
				return bd.mul(bd.mul(n.b, bd.pow(u, bd.num(n.b.v-1))), da)
			}
			return bd.mul(bd.mul(n.b, bd.pow(u, bd.sub(n.b, bd.num(1)))), da)
		}
		// d u^v = u^v (v' log u + v u'/u)
		return bd.mul(n, bd.add(bd.mul(db, bd.fn1(opLog, u)), bd.div(bd.mul(n.b, da), u)))
	case opSin:
		return bd.mul(bd.fn1(opCos, u), da)
	case opCos:
		return bd.neg(bd.mul(bd.fn1(opSin, u), da))
	case opTan:
		return bd.div(da, bd.powi(bd.fn1(opCos, u), 2))
	case opExp:
		return bd.mul(n, da)
	case opLog:
		return bd.div(da, u)
	case opSqrt:
		return bd.div(da, bd.mul(bd.num(2), n))
	case opAbs:
		return bd.mul(bd.fn1(opSign, u), da)
	case opTanh:
		return bd.mul(bd.sub(bd.num(1), bd.powi(n, 2)), da)
	case opCosh:
		return bd.mul(bd.fn1(opSinh, u), da)
	case opSinh:
		return bd.mul(bd.fn1(opCosh, u), da)
	case opMin:
		return bd.sel(bd.cmp(opLe, u, n.b), da, db)
	case opMax:
		return bd.sel(bd.cmp(opGe, u, n.b), da, db)
	}
	return zero
}

// derivatives builds the gradient and the upper triangle of the Hessian
// (mirrored) of loss over dim coordinates.
func (bd *builder) derivatives(loss *node, dim int) (grad []*node, hess []*node) {
	grad = make([]*node, dim)
	for i := range dim {
		grad[i] = bd.deriv(loss, i, make(map[*node]*node))
		if bd.tooLarge {
			return nil, nil
		}
	}
	hess = make([]*node, dim*dim)
	for j := range dim {
		memo := make(map[*node]*node)
		for i := 0; i <= j; i++ {
			h := bd.deriv(grad[i], j, memo)
			hess[i*dim+j] = h
			hess[j*dim+i] = h
			if bd.tooLarge {
				return nil, nil
			}
		}
	}
	return grad, hess
}
