package landscape

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// safeAt reports whether x is a sample point where finite differences are
// meaningful for l: away from branch switches of abs, sign, step, min, max,
// select and comparisons, and away from singularities of log, sqrt, /, pow
// and tan. Every such argument must be at least margin away from its
// critical value. Skipping is deterministic (it depends only on x).
func safeAt(l *Landscape, x []float64, margin float64) bool {
	roots := append([]*node{l.loss}, l.grad...)
	roots = append(roots, l.hess...)
	seen := map[*node]bool{}
	ok := true
	var walk func(n *node)
	walk = func(n *node) {
		if seen[n] || !ok {
			return
		}
		seen[n] = true
		for _, k := range n.kids() {
			walk(k)
		}
		var crit float64
		switch n.op {
		case opAbs, opSign, opStep, opLog, opSqrt:
			crit = evalRef(n.a, x)
		case opMin, opMax, opLt, opLe, opGt, opGe, opEq, opNe:
			crit = evalRef(n.a, x) - evalRef(n.b, x)
		case opDiv:
			crit = evalRef(n.b, x)
		case opPowi:
			if n.i < 0 {
				crit = evalRef(n.a, x)
			} else {
				return
			}
		case opPow:
			crit = evalRef(n.a, x)
		case opTan:
			crit = math.Cos(evalRef(n.a, x))
		default:
			return
		}
		if !(math.Abs(crit) >= margin) {
			ok = false
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return ok
}

// Tolerance of the finite-difference checks. Central differences with step h
// have truncation error h²/6·|f”'| and rounding error about ε·|f|/h; with
// h = 1e-5 both are ~1e-11 times the size of the function and its third
// derivative. Sample points where |f| or its derivatives exceed 1e3 are
// skipped, so a tolerance of 1e-6·(1 + |value|) leaves a wide margin while
// still catching any wrong derivative rule (those are O(1) wrong).
const (
	fdStep = 1e-5
	fdTol  = 1e-6
	fdMax  = 1e3
)

// exprsAndCatalogue is randomExprs(n) followed by every catalogue landscape with the parameters
// params appended to its name ("" for the defaults, "(k=1.5)" for others).
func exprsAndCatalogue(n int, params string) (srcs []string, dims []int) {
	srcs, dims = randomExprs(n)
	for _, e := range Catalogue() {
		srcs = append(srcs, e.Name+params)
		dims = append(dims, 0)
	}
	return srcs, dims
}

func TestDerivativesMatchFiniteDifferences(t *testing.T) {
	srcs, dims := exprsAndCatalogue(40, "(k=1.5)")
	rng := rand.New(rand.NewPCG(7, 11))
	checked, exprsChecked := 0, 0
	for k, src := range srcs {
		d := dims[k]
		l, err := Parse(src, d)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		d = l.Dim
		ev := l.Evaluator()
		any := false
		for range 6 {
			x := make([]float64, d)
			for i := range x {
				x[i] = rng.Float64()*4 - 2
			}
			if !safeAt(l, x, 0.05) {
				continue
			}
			f := ev.Loss(x)
			g := make([]float64, d)
			h := make([]float64, d*d)
			hd := make([]float64, d)
			ev.Gradient(x, g)
			ev.Hessian(x, h)
			ev.HessianDiagonal(x, hd)
			big := math.Abs(f) > fdMax || maxAbs(g) > fdMax || maxAbs(h) > fdMax
			if !allFinite(append(append([]float64{f}, g...), h...)) || big && dims[k] != 0 {
				continue
			}
			set := &fd.Settings{Formula: fd.Central, Step: fdStep}
			gfd := fd.Gradient(nil, ev.Loss, x, set)
			var jac mat.Dense
			jac.ReuseAs(d, d)
			fd.Jacobian(&jac, func(y, x []float64) { ev.Gradient(x, y) }, x, &fd.JacobianSettings{Formula: fd.Central, Step: fdStep})
			for i := range d {
				if !(math.Abs(g[i]-gfd[i]) <= fdTol*(1+math.Abs(g[i])+math.Abs(f))) {
					t.Errorf("%q at %v: ∂%d L = %.12g, finite differences %.12g", src, x, i, g[i], gfd[i])
				}
				if hd[i] != h[i*d+i] {
					t.Errorf("%q: HessianDiagonal %v differs from Hessian diagonal", src, hd)
				}
				for j := range d {
					if h[i*d+j] != h[j*d+i] {
						t.Errorf("%q: Hessian not symmetric", src)
					}
					if !(math.Abs(h[i*d+j]-jac.At(j, i)) <= fdTol*(1+math.Abs(h[i*d+j])+maxAbs(g))) {
						t.Errorf("%q at %v: H[%d,%d] = %.12g, finite differences %.12g", src, x, i, j, h[i*d+j], jac.At(j, i))
					}
				}
			}
			checked++
			any = true
		}
		if any {
			exprsChecked++
		}
	}
	t.Logf("%d expressions, %d with checked points, %d points checked", len(srcs), exprsChecked, checked)
	if exprsChecked < len(srcs)/2 {
		t.Errorf("only %d of %d expressions had a usable sample point", exprsChecked, len(srcs))
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// sameFloat: equal, or both NaN.
func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// The compiled closures and the tree-walking reference must agree exactly:
// they perform the same operations in the same order.
func TestEvaluatorMatchesTreeWalk(t *testing.T) {
	srcs, dims := exprsAndCatalogue(40, "")
	rng := rand.New(rand.NewPCG(3, 5))
	for k, src := range srcs {
		l, err := Parse(src, dims[k])
		if err != nil {
			t.Fatal(err)
		}
		d := l.Dim
		ev := l.Evaluator()
		for range 5 {
			x := make([]float64, d)
			for i := range x {
				x[i] = rng.Float64()*4 - 2
			}
			g := make([]float64, d)
			h := make([]float64, d*d)
			ev.Gradient(x, g)
			ev.Hessian(x, h)
			if f, r := ev.Loss(x), evalRef(l.loss, x); !sameFloat(f, r) {
				t.Errorf("%q at %v: Loss %v, tree walk %v", src, x, f, r)
			}
			for i := range d {
				if r := evalRef(l.grad[i], x); !sameFloat(g[i], r) {
					t.Errorf("%q: gradient %d: %v vs %v", src, i, g[i], r)
				}
				for j := range d {
					if r := evalRef(l.hess[i*d+j], x); !sameFloat(h[i*d+j], r) {
						t.Errorf("%q: Hessian %d,%d: %v vs %v", src, i, j, h[i*d+j], r)
					}
				}
			}
		}
	}
}

// A Batch evaluates many points at once and must give, point for point, exactly what the
// Evaluator gives at each point alone: the same closures run, only over columns. Batches of 7
// points in scratch for 8 (m < Size), 40 random expressions and the catalogue.
func TestBatchMatchesEvaluator(t *testing.T) {
	srcs, dims := exprsAndCatalogue(40, "")
	rng := rand.New(rand.NewPCG(4, 6))
	const size, m = 8, 7
	for k, src := range srcs {
		l, err := Parse(src, dims[k])
		if err != nil {
			t.Fatal(err)
		}
		d := l.Dim
		ev := l.Evaluator()
		b := ev.Batch(size)
		x := make([]float64, d*size) // coordinate c of point j at x[c·size+j]
		for i := range x {
			x[i] = rng.Float64()*4 - 2
		}
		loss, g, h, hd := make([]float64, size), make([]float64, d*size), make([]float64, d*d*size), make([]float64, d*size)
		b.Loss(x, m, loss)
		b.Gradient(x, m, g)
		b.Hessian(x, m, h)
		b.HessianDiagonal(x, m, hd)
		for j := 0; j < m; j++ {
			p := make([]float64, d)
			for c := range p {
				p[c] = x[c*size+j]
			}
			gj, hj, hdj := make([]float64, d), make([]float64, d*d), make([]float64, d)
			ev.Gradient(p, gj)
			ev.Hessian(p, hj)
			ev.HessianDiagonal(p, hdj)
			if f := ev.Loss(p); !sameFloat(loss[j], f) {
				t.Errorf("%q point %d: batch loss %v, evaluator %v", src, j, loss[j], f)
			}
			for c := range d {
				if !sameFloat(g[c*size+j], gj[c]) || !sameFloat(hd[c*size+j], hdj[c]) {
					t.Errorf("%q point %d coordinate %d: batch ∂ %v, ∂² %v; evaluator %v, %v", src, j, c, g[c*size+j], hd[c*size+j], gj[c], hdj[c])
				}
			}
			for e := range d * d {
				if !sameFloat(h[e*size+j], hj[e]) {
					t.Errorf("%q point %d Hessian entry %d: batch %v, evaluator %v", src, j, e, h[e*size+j], hj[e])
				}
			}
		}
	}
}

// String() must parse back to the same function.
func TestStringRoundTrip(t *testing.T) {
	srcs, dims := exprsAndCatalogue(30, "(k=2,l0=0.5)")
	rng := rand.New(rand.NewPCG(9, 9))
	for k, src := range srcs {
		l := mustParse(t, src, dims[k])
		l2, err := Parse(l.String(), l.Dim)
		if err != nil && l.Dim > 1 {
			l2, err = Parse(l.String(), 0) // the sum may have collapsed to fewer coordinates
		}
		if err != nil {
			t.Fatalf("%q → %q: %v", src, l.String(), err)
		}
		for range 5 {
			x := make([]float64, l.Dim)
			for i := range x {
				x[i] = rng.Float64()*4 - 2
			}
			a, b := l.Evaluator().Loss(x), l2.Evaluator().Loss(x)
			if !(sameFloat(a, b) || math.Abs(a-b) <= 1e-12*(1+math.Abs(a))) {
				t.Errorf("%q → %q at %v: %v vs %v", src, l.String(), x, a, b)
			}
		}
	}
}

func TestConcurrentEvaluation(t *testing.T) {
	l := mustParse(t, "styblinski-tang(d=4)", 0)
	ev := l.Evaluator()
	x := []float64{0.1, -1, 2, 0.5}
	want := ev.Loss(x)
	done := make(chan bool)
	for range 8 {
		go func() {
			ok := true
			g := make([]float64, 4)
			for range 1000 {
				ok = ok && ev.Loss(x) == want
				ev.Gradient(x, g)
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("concurrent evaluation differs")
		}
	}
}
