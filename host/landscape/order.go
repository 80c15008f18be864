package landscape

import (
	"strconv"
	"strings"
)

// ConditionOrder is the order parameter λ of an escape condition, with escape ⇔ λ > 0, for the
// conditions whose level sets forward flux sampling can climb (docs/theory.md §7):
//
//	A > B  or  A >= B   →  (A) - (B)
//	A < B  or  A <= B   →  (B) - (A)
//	P || Q              →  max(λ_P, λ_Q)   (escape when either holds)
//	P && Q              →  min(λ_P, λ_Q)   (escape when both hold)
//
// Strict and non-strict comparisons differ only on the level set λ = 0, which the chain hits with
// probability zero. ok is false for every other condition (==, !=, !, select, …): such a condition
// has no order parameter that kramers can derive, and forward flux sampling needs --order.
func ConditionOrder(src string) (order string, ok bool) {
	a, err := parseAST(src, 0)
	if err != nil {
		return "", false
	}
	return orderOf(a)
}

func orderOf(a *ast) (string, bool) {
	if a.kind != aBinary {
		return "", false
	}
	l, r := a.args[0], a.args[1]
	switch a.name {
	case ">", ">=":
		return "(" + astSource(l) + ") - (" + astSource(r) + ")", true
	case "<", "<=":
		return "(" + astSource(r) + ") - (" + astSource(l) + ")", true
	case "||", "&&":
		lo, ok1 := orderOf(l)
		ro, ok2 := orderOf(r)
		if !ok1 || !ok2 {
			return "", false
		}
		f := "max"
		if a.name == "&&" {
			f = "min"
		}
		return f + "(" + lo + ", " + ro + ")", true
	}
	return "", false
}

// astSource writes an AST back as source text, fully parenthesised, so that it parses to the same
// tree whatever the precedence of its context.
func astSource(a *ast) string {
	switch a.kind {
	case aNum:
		return strconv.FormatFloat(a.num, 'g', -1, 64)
	case aName:
		return a.name
	case aCall:
		args := make([]string, len(a.args))
		for i, x := range a.args {
			args[i] = astSource(x)
		}
		return a.name + "(" + strings.Join(args, ", ") + ")"
	case aSum:
		return "sum(" + astSource(a.args[0]) + " in " + a.name + ")"
	case aUnary:
		return "(" + a.name + astSource(a.args[0]) + ")"
	default: // aBinary
		return "(" + astSource(a.args[0]) + " " + a.name + " " + astSource(a.args[1]) + ")"
	}
}
