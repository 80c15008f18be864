package landscape

// This file holds the recursive-descent parser that turns tokens into an
// abstract syntax tree (AST). Names are resolved later (build.go), so the
// parser only knows the grammar given in doc.go.

// astKind classifies an AST node.
type astKind int

const (
	aNum    astKind = iota
	aName           // identifier: variable, parameter, constant or sum placeholder
	aCall           // function call name(args)
	aSum            // sum(body in placeholder)
	aUnary          // op: "-", "+", "!"
	aBinary         // op: + - * / ^ < <= > >= == != && ||
)

type ast struct {
	kind astKind
	col  int
	num  float64
	name string // identifier, function name, operator or sum placeholder
	args []*ast
}

// maxDepth bounds the nesting of the input so that hostile inputs cannot
// exhaust the stack.
const maxDepth = 200

type parser struct {
	toks  []token
	pos   int
	depth int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) isOp(s string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == s
}

// parseAST parses a whole expression or condition.
func parseAST(src string, colOffset int) (*ast, error) {
	toks, err := lex(src, colOffset)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == tEOF {
		return nil, errAt(0, "empty expression")
	}
	p := &parser{toks: toks}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tOp && t.text == ")" {
			return nil, errAt(t.col, "unbalanced parentheses: unexpected \")\"")
		}
		return nil, errAt(t.col, "expected an operator or end of input, found %s", t)
	}
	return e, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return errAt(p.peek().col, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

func (p *parser) binaryLevel(ops []string, sub func() (*ast, error), nonAssoc bool) (*ast, error) {
	left, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		matched := false
		if t.kind == tOp {
			for _, o := range ops {
				if t.text == o {
					matched = true
				}
			}
		}
		if !matched {
			return left, nil
		}
		p.next()
		right, err := sub()
		if err != nil {
			return nil, err
		}
		left = &ast{kind: aBinary, col: t.col, name: t.text, args: []*ast{left, right}}
		if nonAssoc {
			if u := p.peek(); u.kind == tOp {
				for _, o := range ops {
					if u.text == o {
						return nil, errAt(u.col, "comparisons cannot be chained; use && between them")
					}
				}
			}
			return left, nil
		}
	}
}

func (p *parser) parseOr() (*ast, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.binaryLevel([]string{"||"}, p.parseAnd, false)
}

func (p *parser) parseAnd() (*ast, error) {
	return p.binaryLevel([]string{"&&"}, p.parseCmp, false)
}

func (p *parser) parseCmp() (*ast, error) {
	return p.binaryLevel([]string{"<", "<=", ">", ">=", "==", "!="}, p.parseAdd, true)
}

func (p *parser) parseAdd() (*ast, error) {
	return p.binaryLevel([]string{"+", "-"}, p.parseMul, false)
}

func (p *parser) parseMul() (*ast, error) {
	return p.binaryLevel([]string{"*", "/"}, p.parseUnary, false)
}

// parseUnary: unary = ("-" | "+" | "!") unary | power.
func (p *parser) parseUnary() (*ast, error) {
	t := p.peek()
	if t.kind == tOp && (t.text == "-" || t.text == "+" || t.text == "!") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		p.next()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &ast{kind: aUnary, col: t.col, name: t.text, args: []*ast{x}}, nil
	}
	return p.parsePower()
}

// parsePower: power = primary [ "^" unary ] (right associative, and tighter
// than unary minus on its left: -x^2 = -(x^2)).
func (p *parser) parsePower() (*ast, error) {
	base, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == tOp && t.text == "^" {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		exp, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &ast{kind: aBinary, col: t.col, name: "^", args: []*ast{base, exp}}, nil
	}
	return base, nil
}

func (p *parser) parsePrimary() (*ast, error) {
	t := p.next()
	switch t.kind {
	case tNum:
		return &ast{kind: aNum, col: t.col, num: t.num}, nil
	case tIdent:
		if !p.isOp("(") {
			return &ast{kind: aName, col: t.col, name: t.text}, nil
		}
		open := p.next()
		if t.text == "sum" {
			return p.parseSum(t, open)
		}
		call := &ast{kind: aCall, col: t.col, name: t.text}
		if p.isOp(")") {
			p.next()
			return call, nil
		}
		for {
			arg, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			call.args = append(call.args, arg)
			u := p.next()
			if u.kind == tOp && u.text == "," {
				continue
			}
			if u.kind == tOp && u.text == ")" {
				return call, nil
			}
			if u.kind == tEOF {
				return nil, errAt(u.col, "unbalanced parentheses: expected \")\" after arguments of %s (opened at column %d), found end of input", t.text, open.col)
			}
			return nil, errAt(u.col, "expected \")\" after arguments of %s, found %s", t.text, u)
		}
	case tOp:
		if t.text == "(" {
			e, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			u := p.next()
			if u.kind == tOp && u.text == ")" {
				return e, nil
			}
			if u.kind == tEOF {
				return nil, errAt(u.col, "unbalanced parentheses: expected \")\" to close the \"(\" at column %d, found end of input", t.col)
			}
			return nil, errAt(u.col, "expected \")\" to close the \"(\" at column %d, found %s", t.col, u)
		}
		if t.text == ")" {
			return nil, errAt(t.col, "expected a number, name or \"(\", found \")\"")
		}
	case tEOF:
		return nil, errAt(t.col, "unexpected end of input: expected a number, name or \"(\"")
	}
	return nil, errAt(t.col, "expected a number, name or \"(\", found %s", t)
}

// parseSum parses the rest of sum(body in placeholder).
func (p *parser) parseSum(name, open token) (*ast, error) {
	body, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	in := p.next()
	if in.kind != tIdent || in.text != "in" {
		return nil, errAt(in.col, "expected \"in\" and a placeholder name in sum(EXPR in xi), found %s", in)
	}
	ph := p.next()
	if ph.kind != tIdent {
		return nil, errAt(ph.col, "expected a placeholder name after \"in\", found %s", ph)
	}
	cl := p.next()
	if cl.kind != tOp || cl.text != ")" {
		return nil, errAt(cl.col, "expected \")\" to close sum( at column %d, found %s", open.col, cl)
	}
	return &ast{kind: aSum, col: name.col, name: ph.text, args: []*ast{body}}, nil
}
