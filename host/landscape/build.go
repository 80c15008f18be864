package landscape

import (
	"maps"
	"math"
	"sort"
	"strconv"
	"strings"
)

// MaxDim is the largest dimension accepted: of an expression, of a catalogue landscape's d, and
// so of --dim (host.MaxDim).
const MaxDim = 128

// env resolves names while an AST is turned into DAG nodes.
type env struct {
	bd     *builder
	dim    int                // 0: no variables allowed (parameter values)
	consts map[string]float64 // catalogue parameters and derived constants
	scale  float64            // sharpness: variable i is built as scale*x[i] (catalogue k)
	ph     map[string]*node   // sum placeholders in scope
	what   string             // "expression" or "condition", for messages
	// params is set for an expression (ParseWith): a free name is a parameter, taken from consts
	// (recorded in used) or reported as one without a value, with the --param that fixes it.
	params bool
	used   map[string]bool
	// cols maps data column names to their index j (ParseData): column j is the variable dim+j,
	// one value per row, not scaled by the sharpness and not differentiated.
	cols map[string]int
}

var functionList = func() string {
	names := []string{"pow", "min", "max", "select", "sum"}
	for k := range unaryFuncs {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}()

// varIndex maps x, y and x1..xd to a 0-based coordinate (x ≡ x1, y ≡ x2).
// It returns -1 when name is not a variable name.
func varIndex(name string) int {
	switch name {
	case "x":
		return 0
	case "y":
		return 1
	}
	if len(name) >= 2 && name[0] == 'x' && name[1] >= '1' && name[1] <= '9' {
		n, err := strconv.Atoi(name[1:])
		if err == nil && n >= 1 {
			return n - 1
		}
	}
	return -1
}

// inferDim returns the dimension an expression implies (highest coordinate
// used, 0 if none) and whether it uses sum(...).
func inferDim(a *ast, shadow map[string]bool) (int, bool) {
	switch a.kind {
	case aName:
		if shadow[a.name] {
			return 0, false
		}
		if i := varIndex(a.name); i >= 0 {
			if i >= maxNetworkDim {
				return maxNetworkDim + 1, false
			}
			return i + 1, false
		}
		return 0, false
	case aSum:
		inner := map[string]bool{a.name: true}
		for k := range shadow {
			inner[k] = true
		}
		d, _ := inferDim(a.args[0], inner)
		return d, true
	}
	d, s := 0, false
	for _, x := range a.args {
		dd, ss := inferDim(x, shadow)
		d = max(d, dd)
		s = s || ss
	}
	return d, s
}

// resolveDim checks a requested dimension against the inferred one.
// A condition may use fewer coordinates than dim (wider is true), and may have as many as a
// compiled network (maxNetworkDim); an expression has at most MaxDim.
func resolveDim(a *ast, dim int, wider bool) (int, error) {
	inferred, usesSum := inferDim(a, nil)
	limit := MaxDim
	if wider {
		limit = maxNetworkDim
	}
	if inferred > limit || dim > limit {
		return 0, errAt(0, "dimension too large: at most %d coordinates are supported", limit)
	}
	if dim < 0 {
		return 0, errAt(0, "dimension mismatch: dimension %d is negative", dim)
	}
	switch {
	case dim == 0 && inferred == 0 && usesSum:
		return 0, errAt(0, "cannot infer the dimension of an expression that uses only sum(...): give the dimension with --dim d")
	case dim == 0 && inferred == 0:
		return 1, nil
	case dim == 0:
		return inferred, nil
	case dim == inferred || inferred == 0:
		return dim, nil
	case dim > inferred && (usesSum || wider):
		return dim, nil
	case dim > inferred:
		return 0, errAt(0, "dimension mismatch: the expression uses %d coordinate(s) but dimension %d was asked for (only expressions with sum(...) can be widened)", inferred, dim)
	}
	name, col := firstBeyond(a, dim, nil)
	return 0, errAt(col, "dimension mismatch: the expression uses %s (coordinate %d) but the dimension is %d", name, inferred, dim)
}

// firstBeyond returns the first variable name (and its column) whose
// coordinate index is at least dim.
func firstBeyond(a *ast, dim int, shadow map[string]bool) (string, int) {
	switch a.kind {
	case aName:
		if i := varIndex(a.name); i >= dim && !shadow[a.name] {
			return a.name, a.col
		}
		return "", 0
	case aSum:
		inner := map[string]bool{a.name: true}
		for k := range shadow {
			inner[k] = true
		}
		return firstBeyond(a.args[0], dim, inner)
	}
	for _, x := range a.args {
		if n, c := firstBeyond(x, dim, shadow); c > 0 {
			return n, c
		}
	}
	return "", 0
}

// build turns an AST into a DAG node; the result's boolean flag says whether
// it is a condition.
func (e *env) build(a *ast) (*node, error) {
	if e.bd.tooLarge {
		return nil, errAt(a.col, "expression too large")
	}
	switch a.kind {
	case aNum:
		return e.bd.num(a.num), nil
	case aName:
		return e.buildName(a)
	case aUnary:
		return e.buildUnary(a)
	case aBinary:
		return e.buildBinary(a)
	case aCall:
		return e.call(a)
	case aSum:
		return e.buildSum(a)
	}
	return nil, errAt(a.col, "internal error: unknown syntax")
}

// buildName builds a name: a sum placeholder, a data column, a constant or parameter, pi, e or a
// variable; anything else is an error that says what the names are.
func (e *env) buildName(a *ast) (*node, error) {
	if n, ok := e.ph[a.name]; ok {
		return n, nil
	}
	if j, ok := e.cols[a.name]; ok && e.dim > 0 {
		return e.bd.variable(e.dim + j), nil
	}
	if v, ok := e.consts[a.name]; ok {
		if e.used != nil {
			e.used[a.name] = true
		}
		return e.bd.num(v), nil
	}
	switch a.name {
	case "pi":
		return e.bd.num(math.Pi), nil
	case "e":
		return e.bd.num(math.E), nil
	}
	if i := varIndex(a.name); i >= 0 && e.dim > 0 {
		if i >= e.dim {
			return nil, errAt(a.col, "dimension mismatch: %s used but the dimension is %d", a.name, e.dim)
		}
		return e.coord(i), nil
	}
	if e.dim == 0 {
		return nil, errAt(a.col, "unknown name %s: a parameter value must be a constant expression", a.name)
	}
	if _, ok := unaryFuncs[a.name]; ok || a.name == "pow" || a.name == "min" || a.name == "max" || a.name == "select" || a.name == "sum" {
		return nil, errAt(a.col, "function %s must be followed by \"(\"", a.name)
	}
	if e.params {
		switch a.name {
		case "k":
			return nil, errAt(a.col, "k is the sharpness that every landscape takes (L(sqrt(k)·θ), set with --param k=2) and cannot be a name in the expression; rename it").withExample()
		case "l0":
			return nil, errAt(a.col, "l0 is the offset that every landscape takes (L + l0, set with --param l0=0.1) and cannot be a name in the expression; rename it").withExample()
		}
		return nil, errAt(a.col, "unknown name %s: a parameter without a value; give it with --param %s=0.1 (variables are x, y or x1..xd; functions are %s; constants are pi and e)", a.name, a.name, functionList).withExample()
	}
	err := errAt(a.col, "unknown name %s: variables are x, y or x1..xd; functions are %s; constants are pi and e%s", a.name, functionList, e.referenceNote())
	err.Unknown = a.name
	return nil, err
}

// referenceNote lists loss, loss_a and dist in an unknown-name message where they are bound.
func (e *env) referenceNote() string {
	_, dist := e.cols[NameDist]
	if _, lossA := e.consts[NameLossMinimum]; dist && lossA {
		return "; loss is L(θ), loss_a is L(a) and dist is ‖θ − a‖ at the run's minimum a"
	}
	return ""
}

// buildUnary builds ! (not) of a condition, or unary minus or plus of a real.
func (e *env) buildUnary(a *ast) (*node, error) {
	x, err := e.build(a.args[0])
	if err != nil {
		return nil, err
	}
	if a.name == "!" {
		if !x.isBool() {
			return nil, errAt(a.col, "operand of ! (not) must be a condition: it binds tighter than a comparison, so write not (y < 0) or !(y < 0)")
		}
		return e.bd.not(x), nil
	}
	if err := e.real(x, a.col, a.name); err != nil {
		return nil, err
	}
	if a.name == "-" {
		return e.bd.neg(x), nil
	}
	return x, nil
}

// buildBinary builds && and || of conditions, a comparison, or an arithmetic operation of reals.
func (e *env) buildBinary(a *ast) (*node, error) {
	x, err := e.build(a.args[0])
	if err != nil {
		return nil, err
	}
	y, err := e.build(a.args[1])
	if err != nil {
		return nil, err
	}
	switch a.name {
	case "&&", "||":
		if !x.isBool() || !y.isBool() {
			return nil, errAt(a.col, "both sides of %s must be conditions (comparisons)", a.name)
		}
		if a.name == "&&" {
			return e.bd.and(x, y), nil
		}
		return e.bd.or(x, y), nil
	}
	if err := e.real(x, a.col, a.name); err != nil {
		return nil, err
	}
	if err := e.real(y, a.col, a.name); err != nil {
		return nil, err
	}
	if o, ok := cmpOps[a.name]; ok {
		return e.bd.cmp(o, x, y), nil
	}
	switch a.name {
	case "+":
		return e.bd.add(x, y), nil
	case "-":
		return e.bd.sub(x, y), nil
	case "*":
		return e.bd.mul(x, y), nil
	case "/":
		if y.isConst(0) {
			return nil, errAt(a.col, "division by zero (the divisor simplifies to the constant 0)")
		}
		return e.bd.div(x, y), nil
	case "^":
		return e.bd.pow(x, y), nil
	}
	return nil, errAt(a.col, "internal error: unknown syntax")
}

// buildSum builds sum(xi, body): the body with the placeholder standing for each coordinate in
// turn, added up.
func (e *env) buildSum(a *ast) (*node, error) {
	if e.dim == 0 {
		return nil, errAt(a.col, "sum(...) is not allowed in a parameter value")
	}
	if varIndex(a.name) >= 0 || a.name == "pi" || a.name == "e" {
		return nil, errAt(a.col, "placeholder %s of sum would hide a variable or constant: use xi", a.name)
	}
	if _, ok := e.consts[a.name]; ok && e.params {
		return nil, paramErr(a.col, "placeholder %s of sum would hide the parameter %s: rename the placeholder or the parameter", a.name, a.name)
	}
	// The body is built in an environment of its own, with the placeholder in scope.
	inner := *e
	inner.ph = make(map[string]*node, len(e.ph)+1)
	maps.Copy(inner.ph, e.ph)
	var total *node
	for i := 0; i < e.dim; i++ {
		inner.ph[a.name] = e.coord(i)
		t, err := inner.build(a.args[0])
		if err != nil {
			return nil, err
		}
		if err := e.real(t, a.col, "sum"); err != nil {
			return nil, err
		}
		if total == nil {
			total = t
		} else {
			total = e.bd.add(total, t)
		}
		if e.bd.tooLarge {
			return nil, errAt(a.col, "expression too large")
		}
	}
	return total, nil
}

func (e *env) coord(i int) *node {
	v := e.bd.variable(i)
	if e.scale != 1 && e.scale != 0 {
		return e.bd.mul(e.bd.num(e.scale), v)
	}
	return v
}

func (e *env) real(x *node, col int, what string) error {
	if x.isBool() {
		return errAt(col, "a comparison cannot be used as a number here (operand of %s): comparisons are only valid inside select(cond, a, b) or an escape condition", what)
	}
	return nil
}

func (e *env) call(a *ast) (*node, error) {
	bd := e.bd
	arity := 0
	o, unary := unaryFuncs[a.name]
	switch {
	case unary:
		arity = 1
	case a.name == "pow" || a.name == "min" || a.name == "max":
		arity = 2
	case a.name == "select":
		arity = 3
	default:
		return nil, errAt(a.col, "unknown function %s: functions are %s", a.name, functionList)
	}
	if len(a.args) != arity {
		s := "s"
		if arity == 1 {
			s = ""
		}
		return nil, errAt(a.col, "%s takes %d argument%s, got %d", a.name, arity, s, len(a.args))
	}
	args := make([]*node, arity)
	for i, x := range a.args {
		n, err := e.build(x)
		if err != nil {
			return nil, err
		}
		wantBool := a.name == "select" && i == 0
		if wantBool && !n.isBool() {
			return nil, errAt(x.col, "the first argument of select must be a condition such as x < 0").withExample()
		}
		if !wantBool {
			if err := e.real(n, x.col, a.name); err != nil {
				return nil, err
			}
		}
		args[i] = n
	}
	switch a.name {
	case "pow":
		return bd.pow(args[0], args[1]), nil
	case "min":
		return bd.minmax(opMin, args[0], args[1]), nil
	case "max":
		return bd.minmax(opMax, args[0], args[1]), nil
	case "select":
		return bd.sel(args[0], args[1], args[2]), nil
	}
	return bd.fn1(o, args[0]), nil
}

// constValue evaluates a constant expression (a catalogue parameter value).
func constValue(src string, colOffset int, consts map[string]float64) (float64, error) {
	a, err := parseAST(src, colOffset)
	if err != nil {
		return 0, err
	}
	e := &env{bd: newBuilder(), consts: consts, scale: 1}
	n, err := e.build(a)
	if err != nil {
		return 0, err
	}
	if n.isBool() {
		return 0, errAt(colOffset+1, "a parameter value must be a number, not a comparison")
	}
	if !isNum(n) {
		return 0, errAt(colOffset+1, "parameter value %q is not a finite constant", strings.TrimSpace(src))
	}
	return n.v, nil
}
