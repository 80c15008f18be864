package landscape

import (
	"fmt"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// tokKind classifies a token of the expression language.
type tokKind int

const (
	tEOF tokKind = iota
	tNum
	tIdent
	tOp // operators and punctuation: + - * / ^ ( ) , < <= > >= == != && || !
)

type token struct {
	kind tokKind
	text string
	num  float64
	col  int // 1-based column (in runes) of the first character
}

func (t token) String() string {
	if t.kind == tEOF {
		return "end of input"
	}
	return strconv.Quote(t.text)
}

// Error is a parse or analysis error of a landscape spec or condition.
// Column is the 1-based column (in characters) where the problem was found,
// or 0 when the error has no position.
type Error struct {
	Column int
	Msg    string
	// Example is set when Msg already shows valid input (as in "such as x > 0.5"), so that a
	// caller need not add an example of its own.
	Example bool
	// Param is set when the problem lies in the parameter values given beside the spec (ParseWith:
	// --param): a value that is not finite, a name that is no parameter or is not used, one given
	// twice, or a parameter of the expression without a value. Msg then says how to fix it.
	Param bool
	// Unknown is the name that an "unknown name" error is about, for a caller's suggestion.
	Unknown string
}

func (e *Error) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("column %d: %s", e.Column, e.Msg)
	}
	return e.Msg
}

func errAt(col int, format string, args ...any) *Error {
	return &Error{Column: col, Msg: fmt.Sprintf(format, args...)}
}

// withExample marks e as showing valid input.
func (e *Error) withExample() *Error {
	e.Example = true
	return e
}

// paramErr is an Error about the parameter values (Param set); its message shows the fix.
func paramErr(col int, format string, args ...any) *Error {
	e := errAt(col, format, args...)
	e.Param, e.Example = true, true
	return e
}

// lex splits src into tokens. colOffset is added to every column (used when
// a sub-string of a larger spec is lexed). It is one loop over one switch on the next character
// (numbers, names, one- and two-character operators, each with its error): longer than 80 lines
// because the token table is.
func lex(src string, colOffset int) ([]token, error) {
	var toks []token
	col := colOffset
	i := 0
	for i < len(src) {
		r, w := utf8.DecodeRuneInString(src[i:])
		col++
		if r == utf8.RuneError && w == 1 {
			return nil, errAt(col, "invalid UTF-8 byte")
		}
		start, startCol := i, col
		switch {
		case unicode.IsSpace(r):
			i += w
		case r >= '0' && r <= '9' || r == '.':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			if j < len(src) && src[j] == '.' {
				j++
				for j < len(src) && src[j] >= '0' && src[j] <= '9' {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					for k < len(src) && src[k] >= '0' && src[k] <= '9' {
						k++
					}
					j = k
				}
			}
			text := src[start:j]
			if text == "." {
				return nil, errAt(startCol, "unexpected \".\"")
			}
			v, err := strconv.ParseFloat(text, 64)
			if err != nil || math.IsInf(v, 0) {
				return nil, errAt(startCol, "number %s is out of range", text)
			}
			toks = append(toks, token{kind: tNum, text: text, num: v, col: startCol})
			col += j - i - 1
			i = j
		case r == '_' || r < utf8.RuneSelf && unicode.IsLetter(r):
			j := i
			for j < len(src) {
				c := src[j]
				if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
					j++
					continue
				}
				break
			}
			word := src[start:j]
			if op, ok := wordOperators[word]; ok {
				// and, or, not: the words people write for &&, || and !.
				toks = append(toks, token{kind: tOp, text: op, col: startCol})
			} else {
				toks = append(toks, token{kind: tIdent, text: word, col: startCol})
			}
			col += j - i - 1
			i = j
		default:
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "<=", ">=", "==", "!=", "&&", "||":
				toks = append(toks, token{kind: tOp, text: two, col: startCol})
				col++
				i += 2
				continue
			}
			switch r {
			case '+', '-', '*', '/', '^', '(', ')', ',', '<', '>', '!':
				toks = append(toks, token{kind: tOp, text: string(r), col: startCol})
				i += w
			default:
				return nil, errAt(startCol, "unexpected character %q", r)
			}
		}
	}
	toks = append(toks, token{kind: tEOF, col: col + 1})
	return toks, nil
}

// wordOperators are the logical operators written as words (escape conditions such as
// 'x > 0.5 or y > 0.5'); they are no names, so no landscape or condition can use them otherwise.
var wordOperators = map[string]string{"and": "&&", "or": "||", "not": "!"}
