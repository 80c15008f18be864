package landscape

// This file is the finite-data landscape of docs/theory.md §8: an expression ℓ(θ; row) in the
// coordinates and the columns of a data set, and L(θ) = (1/N)·Σ_μ ℓ(θ; row μ). The columns are
// variables dim…dim+ncol−1 of the DAG, so the symbolic gradient and Hessian (over the coordinates
// alone) are per-sample ones; the Evaluator and Batch average them over the rows, and so every
// caller of the Landscape interfaces (Analyze, the theory, the stability check) sees the
// full-data loss. The per-sample values themselves are served by SampleGradients and
// Batch.MeanSampleGradient (minibatch SGD and its covariance).

// ParseData parses a per-sample loss: an expression in the coordinates (x, y or x1..xd), the
// parameters (as ParseWith) and the data columns, whose names stand for one row's values. values
// holds the rows, row-major, len(columns) numbers each. A catalogue spec, a column name that is
// not a name, or one that shadows a coordinate, function, constant, k, l0 or a parameter given in
// params are *Error values. A spec that names a data model (datamodels.go: neuron, logistic, mlp)
// builds that model's per-sample loss over the columns; any other catalogue spec is refused.
func ParseData(spec string, dim int, params map[string]float64, columns []string, values []float64) (*Landscape, error) {
	if len(columns) == 0 || len(values) == 0 || len(values)%len(columns) != 0 {
		return nil, errAt(0, "a data landscape needs at least one column and one full row of data")
	}
	if err := checkParamValues(params); err != nil {
		return nil, err
	}
	if name, args, ok := splitSpec(spec); ok {
		if m := lookupDataModel(name); m != nil {
			return parseDataModel(spec, m, args, dim, params, columns, values)
		}
		if lookupEntry(name) != nil {
			return nil, errAt(0, "with data the landscape is a data model (%s) or a per-sample loss written as an expression in the coordinates and the column names (%v), not the catalogue entry %s", dataModelNames(), columns, name).withExample()
		}
	}
	cols, err := dataColumns(columns, params)
	if err != nil {
		return nil, err
	}
	l, err := parseExpression(spec, dim, params, cols)
	if err != nil {
		return nil, err
	}
	l.Columns = append([]string(nil), columns...)
	l.data = values
	l.Rows = len(values) / len(columns)
	return l, nil
}

// dataColumns maps the column names to their index after checking that each is a name that
// neither shadows the language, k, l0 nor a parameter given in params, and appears once.
func dataColumns(columns []string, params map[string]float64) (map[string]int, error) {
	cols := make(map[string]int, len(columns))
	for j, c := range columns {
		what := reservedName(c)
		switch {
		case !IsName(c):
			return nil, errAt(0, "data column %q is not a name usable in an expression; rename the column", c)
		case what != "":
			return nil, errAt(0, "data column %s shadows %s of the expression language; rename the column in the data file", c, what).withExample()
		case isSharpnessParam(c):
			return nil, errAt(0, "data column %s shadows the parameter %s that every landscape takes; rename the column in the data file", c, c).withExample()
		}
		if _, ok := params[c]; ok {
			return nil, paramErr(0, "data column %s shadows the parameter %s given with --param; rename one of them", c, c)
		}
		if _, dup := cols[c]; dup {
			return nil, errAt(0, "data column %s appears twice", c)
		}
		cols[c] = j
	}
	return cols, nil
}

// HasData reports whether l is a finite-data landscape (ParseData).
func (l *Landscape) HasData() bool { return l.data != nil }

// dataScratch evaluates the three programs at all N rows at once for one θ (stride N).
type dataScratch struct {
	xs                         []float64 // (dim+ncol) rows of N: θ repeated, then the columns
	loss, grad, hess, hessDiag []float64
	tmp                        []float64
}

func (e *Evaluator) newDataScratch() *dataScratch {
	n := e.rows
	s := &dataScratch{xs: make([]float64, (e.dim+e.ncol)*n), loss: e.loss.scratch(n), grad: e.grad.scratch(n),
		hess: e.hess.scratch(n), hessDiag: e.hessDiag.scratch(n)}
	for r := 0; r < n; r++ {
		for j := 0; j < e.ncol; j++ {
			s.xs[(e.dim+j)*n+r] = e.data[r*e.ncol+j]
		}
	}
	return s
}

// setTheta puts θ into every row of s.xs.
func (e *Evaluator) setTheta(s *dataScratch, x []float64) {
	n := e.rows
	for k := 0; k < e.dim; k++ {
		col := s.xs[k*n : (k+1)*n]
		for r := range col {
			col[r] = x[k]
		}
	}
}

// meanOut runs p at all rows and writes the row mean of each output (through index, as outputs)
// into dst (output k at dst[k·stride+j]).
func (e *Evaluator) meanOut(p *program, index []int, v []float64, s *dataScratch, dst []float64, stride, j int) {
	n := e.rows
	p.exec(v, s.xs, n, n)
	count := len(p.out)
	if index != nil {
		count = len(index)
	}
	for k := 0; k < count; k++ {
		o := k
		if index != nil {
			o = index[k]
		}
		sum := 0.0
		for _, y := range column(v, p.out[o], n, n) {
			sum += y
		}
		dst[k*stride+j] = sum / float64(n)
	}
}

// dataEval evaluates what (0 loss, 1 gradient, 2 Hessian, 3 its diagonal) as a mean over the rows.
func (e *Evaluator) dataEval(s *dataScratch, what int, x, dst []float64, stride, j int) {
	e.setTheta(s, x)
	switch what {
	case 0:
		e.meanOut(e.loss, nil, s.loss, s, dst, stride, j)
	case 1:
		e.meanOut(e.grad, nil, s.grad, s, dst, stride, j)
	case 2:
		e.meanOut(e.hess, e.hessIdx, s.hess, s, dst, stride, j)
	default:
		e.meanOut(e.hessDiag, nil, s.hessDiag, s, dst, stride, j)
	}
}

func (e *Evaluator) pooledData(what int, x, dst []float64) {
	s := e.dataPool.Get().(*dataScratch)
	e.dataEval(s, what, x, dst, 1, 0)
	e.dataPool.Put(s)
}

// Rows is the number of data rows N (0: not a data landscape).
func (e *Evaluator) Rows() int { return e.rows }

// SampleGradients writes the N per-sample gradients ∇ℓ_μ(x) into g, row-major N×d (row μ at
// g[μ·d:(μ+1)·d]). It panics on a landscape without data.
func (e *Evaluator) SampleGradients(x, g []float64) {
	if e.rows == 0 {
		panic("landscape: SampleGradients on a landscape without data")
	}
	if e.net != nil {
		e.netSampleGradients(x, g)
		return
	}
	s := e.dataPool.Get().(*dataScratch)
	n, d := e.rows, e.dim
	e.setTheta(s, x)
	e.grad.exec(s.grad, s.xs, n, n)
	for k, o := range e.grad.out {
		for r, y := range column(s.grad, o, n, n) {
			g[r*d+k] = y
		}
	}
	e.dataPool.Put(s)
}

// sampleScratch evaluates the gradient program at up to cap points (θ of a slot, one row each).
type sampleScratch struct {
	cap int
	xs  []float64
	v   []float64
}

// MeanSampleGradient writes, for each of the first m points of x (structure of arrays, as
// Gradient), the mean of the per-sample gradients over its b rows rows[j·b:(j+1)·b] into g (d
// rows of Size): (1/b)·Σ_i ∇ℓ_{rows[j·b+i]}(θ_j), summed in the order of rows.
func (b *Batch) MeanSampleGradient(x []float64, m, bs int, rows []int, g []float64) {
	e := b.e
	if e.rows == 0 {
		panic("landscape: MeanSampleGradient on a landscape without data")
	}
	if e.net != nil {
		b.netMeanSampleGradient(x, m, bs, rows, g)
		return
	}
	n := m * bs
	if b.samp == nil || b.samp.cap < n {
		c := max(n, b.Size*bs)
		b.samp = &sampleScratch{cap: c, xs: make([]float64, (e.dim+e.ncol)*c), v: e.grad.scratch(c)}
	}
	s := b.samp
	for j := 0; j < m; j++ {
		for i := 0; i < bs; i++ {
			p, r := j*bs+i, rows[j*bs+i]
			for k := 0; k < e.dim; k++ {
				s.xs[k*s.cap+p] = x[k*b.Size+j]
			}
			for c := 0; c < e.ncol; c++ {
				s.xs[(e.dim+c)*s.cap+p] = e.data[r*e.ncol+c]
			}
		}
	}
	e.grad.exec(s.v, s.xs, s.cap, n)
	for k, o := range e.grad.out {
		col := column(s.v, o, s.cap, n)
		for j := 0; j < m; j++ {
			sum := 0.0
			for i := 0; i < bs; i++ {
				sum += col[j*bs+i]
			}
			g[k*b.Size+j] = sum / float64(bs)
		}
	}
}

// dataBatch runs the full-data evaluation what at each of the first m points of x.
func (b *Batch) dataBatch(what int, x []float64, m int, dst []float64) {
	e := b.e
	if b.ds == nil {
		b.ds = e.newDataScratch()
		b.pt = make([]float64, e.dim)
	}
	for j := 0; j < m; j++ {
		for k := 0; k < e.dim; k++ {
			b.pt[k] = x[k*b.Size+j]
		}
		e.dataEval(b.ds, what, b.pt, dst, b.Size, j)
	}
}
