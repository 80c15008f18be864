package landscape

import (
	"runtime"
	"sync"
)

// The Evaluator and Batch of a compiled network (network.go): every full-data value is a mean over
// the rows, summed in row order and divided by N (as data.go does for an expression), and the
// Hessian is formed from d Hessian-vector products, one per unit vector (O(d²·N) work, no symbolic
// d×d matrix), then symmetrised.

// netEvaluator is the Evaluator of the network l.net.
func (l *Landscape) netEvaluator() *Evaluator {
	n := l.net
	e := &Evaluator{dim: n.dim, net: n, rows: l.Rows, ncol: len(l.Columns), data: l.data}
	e.netPool.New = func() any { return n.newScratch() }
	return e
}

// row is data row r.
func (e *Evaluator) row(r int) []float64 { return e.data[r*e.ncol : (r+1)*e.ncol] }

func (e *Evaluator) netScratch() *netScratch  { return e.netPool.Get().(*netScratch) }
func (e *Evaluator) putScratch(s *netScratch) { e.netPool.Put(s) }

// netLoss is L(x), the mean per-sample loss.
func (e *Evaluator) netLoss(x []float64) float64 {
	n, s := e.net, e.netScratch()
	defer e.putScratch(s)
	n.setW(s, x)
	sum := 0.0
	for r := range e.rows {
		n.forward(&s.st, s.w, e.row(r))
		sum += n.outLoss(&s.st, e.row(r))
	}
	return sum/float64(e.rows) + n.decay(s.w) + n.l0
}

// netGradient writes ∇L(x) into g.
func (e *Evaluator) netGradient(x, g []float64) {
	n, s := e.net, e.netScratch()
	defer e.putScratch(s)
	n.setW(s, x)
	clear(s.g)
	for r := range e.rows {
		n.addSampleGradient(s, e.row(r), s.g)
	}
	inv := 1 / float64(e.rows)
	for i := range s.g {
		g[i] = s.g[i] * inv
	}
	n.finishGradient(s, g)
}

// netHVP writes H(x)·v into hv using the scratch s (s.w already holds scale·θ). states are the
// rows' states at θ (rowStates), or nil to compute each row's in s.
func (e *Evaluator) netHVP(s *netScratch, states []netState, v, hv []float64) {
	n := e.net
	copy(s.v, v[:n.dim])
	clear(s.g)
	for r := range e.rows {
		st := &s.st
		if states != nil {
			st = &states[r]
		} else {
			n.rowState(st, s.w, e.row(r))
		}
		n.addSampleHVP(st, s, e.row(r), s.g)
	}
	k := n.scale * n.scale
	inv := 1 / float64(e.rows)
	for i := range s.g {
		hv[i] = k * (s.g[i]*inv + n.wd*s.v[i])
	}
}

// netHessianVector is HessianVector for a network.
func (e *Evaluator) netHessianVector(x, v, hv []float64) {
	s := e.netScratch()
	defer e.putScratch(s)
	e.net.setW(s, x)
	e.netHVP(s, nil, v, hv)
}

// rowStates is every row's state at w (one forward and backward pass each), which the d products
// of the Hessian share.
func (e *Evaluator) rowStates(w []float64) []netState {
	n := e.net
	states := make([]netState, e.rows)
	for r := range states {
		states[r] = n.newState()
		n.rowState(&states[r], w, e.row(r))
	}
	return states
}

// netHessian writes the Hessian (row-major d×d) into h: row i is H·eᵢ, computed on all CPUs from
// the rows' states, then symmetrised ((H + Hᵀ)/2: the products agree with their transposes up to
// rounding).
func (e *Evaluator) netHessian(x, h []float64) {
	d := e.dim
	s0 := e.netScratch()
	e.net.setW(s0, x)
	states := e.rowStates(s0.w)
	e.putScratch(s0)
	workers := min(runtime.GOMAXPROCS(0), d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := e.netScratch()
			defer e.putScratch(s)
			e.net.setW(s, x)
			unit := make([]float64, d)
			for i := w; i < d; i += workers {
				unit[i] = 1
				e.netHVP(s, states, unit, h[i*d:(i+1)*d])
				unit[i] = 0
			}
		}()
	}
	wg.Wait()
	for i := range d {
		for j := i + 1; j < d; j++ {
			m := 0.5 * (h[i*d+j] + h[j*d+i])
			h[i*d+j], h[j*d+i] = m, m
		}
	}
}

// netHessianDiagonal writes the Hessian's diagonal into hd.
func (e *Evaluator) netHessianDiagonal(x, hd []float64) {
	d := e.dim
	h := make([]float64, d*d)
	e.netHessian(x, h)
	for i := range d {
		hd[i] = h[i*d+i]
	}
}

// netSampleGradients writes the N per-sample gradients, row-major N×d.
func (e *Evaluator) netSampleGradients(x, g []float64) {
	n, s := e.net, e.netScratch()
	defer e.putScratch(s)
	n.setW(s, x)
	d := n.dim
	for r := range e.rows {
		gr := g[r*d : (r+1)*d]
		clear(gr)
		n.addSampleGradient(s, e.row(r), gr)
		n.finishGradient(s, gr)
	}
}

// netMeanSampleGradient is Batch.MeanSampleGradient for a network.
func (b *Batch) netMeanSampleGradient(x []float64, m, bs int, rows []int, g []float64) {
	e := b.e
	n := e.net
	if b.ns == nil {
		b.ns = n.newScratch()
		b.pt = make([]float64, n.dim)
	}
	s := b.ns
	for j := range m {
		b.point(x, j)
		n.setW(s, b.pt)
		clear(s.g)
		for _, r := range rows[j*bs : (j+1)*bs] {
			n.addSampleGradient(s, e.row(r), s.g)
		}
		inv := 1 / float64(bs)
		for k := range s.g {
			s.g[k] *= inv
		}
		n.finishGradient(s, s.g)
		for k, gk := range s.g {
			g[k*b.Size+j] = gk
		}
	}
}

// point copies point j of x (structure of arrays) into b.pt.
func (b *Batch) point(x []float64, j int) {
	for k := range b.pt {
		b.pt[k] = x[k*b.Size+j]
	}
}

// netBatch runs the full-data evaluation what (0 loss, 1 gradient, 2 Hessian, 3 its diagonal) at
// each of the first m points of x into dst (rows of Size).
func (b *Batch) netBatch(what int, x []float64, m int, dst []float64) {
	e := b.e
	d := e.dim
	if b.pt == nil {
		b.pt = make([]float64, d)
	}
	var out []float64
	switch what {
	case 1, 3:
		out = make([]float64, d)
	case 2:
		out = make([]float64, d*d)
	}
	for j := range m {
		b.point(x, j)
		switch what {
		case 0:
			dst[j] = e.netLoss(b.pt)
			continue
		case 1:
			e.netGradient(b.pt, out)
		case 2:
			e.netHessian(b.pt, out)
		default:
			e.netHessianDiagonal(b.pt, out)
		}
		for k, v := range out {
			dst[k*b.Size+j] = v
		}
	}
}
