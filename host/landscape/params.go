package landscape

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// sharpness is the transform every landscape takes, catalogue entry or expression alike
// (docs/theory.md §4.5): L_k(θ) = L(sqrt(k)·θ) + l0, where L is the formula as written. It keeps ΔL,
// multiplies every Hessian by k and moves every critical point θ* of L to θ*/sqrt(k). This is its
// one home: finish builds every loss through scale and offset, and the catalogue's default start
// (and, through Landscape.Sharpen, an expression's start guess and target) goes through point.
type sharpness struct{ k, l0 float64 }

// sharpnessOf reads k and l0 from p, with the defaults of commonParams for what p lacks.
func sharpnessOf(p map[string]float64) sharpness {
	s := sharpness{}
	for _, c := range commonParams {
		v, ok := p[c.Name]
		if !ok {
			v = c.Default
		}
		switch c.Name {
		case "k":
			s.k = v
		case "l0":
			s.l0 = v
		}
	}
	return s
}

// scale is the factor sqrt(k) every coordinate is multiplied by inside L.
func (s sharpness) scale() float64 { return math.Sqrt(s.k) }

// point maps a point of L (k = 1) to the corresponding point of L_k: θ/sqrt(k). nil stays nil.
func (s sharpness) point(p []float64) []float64 {
	if p == nil {
		return nil
	}
	sk := s.scale()
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = v / sk
	}
	return out
}

// isSharpnessParam reports whether name is k or l0, which every landscape takes.
func isSharpnessParam(name string) bool {
	for _, c := range commonParams {
		if c.Name == name {
			return true
		}
	}
	return false
}

// ParseWith is Parse with parameter values given beside the spec (the --param flag):
//
//   - for an expression, every name that is neither a coordinate (x, y, x1..xd, a sum
//     placeholder), a function nor a constant (pi, e) is a parameter and takes its value from
//     params; k (sharpness, default 1) and l0 (offset, default 0) are always accepted and mean
//     what they mean for the catalogue: the loss is L(sqrt(k)·θ) + l0;
//   - for a catalogue spec, params set its parameters as if written in the spec.
//
// The values are substituted while the loss is built, so the derivatives, the Go closures and
// the GLSL see constants (folded as if the numbers were written in). A parameter given but not
// used, a parameter used but not given, a name that is a coordinate, function, constant or sum
// placeholder, a non-finite value, k ≤ 0, and a catalogue parameter given both in the spec and in
// params are errors: *Error values with Param set. A nil or empty params is Parse.
func ParseWith(spec string, dim int, params map[string]float64) (*Landscape, error) {
	if err := checkParamValues(params); err != nil {
		return nil, err
	}
	if name, args, ok := splitSpec(spec); ok {
		if ent := lookupEntry(name); ent != nil {
			return parseCatalogue(spec, ent, args, dim, params)
		}
		if lookupDataModel(name) != nil {
			return nil, errAt(0, "%s is a data model: it is a per-sample loss over a data set; give one with --data FILE.csv or --data 'gen:…'", name).withExample()
		}
	}
	return parseExpression(spec, dim, params, nil)
}

// parseExpression is ParseWith for an expression; cols, when not nil, maps data column names to
// their index (ParseData).
func parseExpression(spec string, dim int, params map[string]float64, cols map[string]int) (*Landscape, error) {
	a, err := parseAST(spec, 0)
	if err != nil {
		return nil, err
	}
	d, err := resolveDim(a, dim, false)
	if err != nil {
		return nil, err
	}
	for _, name := range sortedNames(params) {
		if what := reservedName(name); what != "" {
			return nil, paramErr(0, "%s is %s of the expression language, not a parameter; give the parameter another name, in the expression and in --param", name, what)
		}
	}
	resolved := make(map[string]float64, len(params)+len(commonParams))
	for _, c := range commonParams {
		resolved[c.Name] = c.Default
	}
	consts := make(map[string]float64, len(params))
	for name, v := range params {
		resolved[name] = v
		if !isSharpnessParam(name) {
			consts[name] = v
		}
	}
	e := &env{bd: newBuilder(), dim: d, consts: consts, params: true, used: map[string]bool{}, cols: cols}
	l, err := finish(spec, "expression", e, a, sharpnessOf(params), resolved)
	if err != nil {
		return nil, err
	}
	for _, name := range sortedNames(consts) {
		if !e.used[name] {
			return nil, paramErr(0, "parameter %s = %g is given but the expression does not use it; drop it from --param or use it in the expression", name, consts[name])
		}
	}
	l.given = copyParams(params)
	return l, nil
}

// checkParamValues refuses names that are no names, non-finite values and k ≤ 0.
func checkParamValues(params map[string]float64) error {
	for _, name := range sortedNames(params) {
		v := params[name]
		if !IsName(name) {
			return paramErr(0, "%q is not a parameter name: a name is letters, digits and _, starting with a letter or _, as in --param c=0.1", name)
		}
		if !finite(v) {
			return paramErr(0, "parameter %s = %g is not a finite number; give a finite value such as --param %s=0.1", name, v, name)
		}
		if name == "k" && !(v > 0) {
			return paramErr(0, "the sharpness k must be positive, got %g; give for example --param k=2", v)
		}
	}
	return nil
}

// IsName reports whether s is one identifier token of the expression language (not one of the
// word operators and, or, not): the one rule for parameter and data-column names.
func IsName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	_, op := wordOperators[s]
	return !op
}

// reservedName says what name already is in the expression language ("a coordinate", "a
// function", "a constant"), or "" when it can be a parameter.
func reservedName(name string) string {
	switch {
	case varIndex(name) >= 0:
		return "a coordinate"
	case name == "pi" || name == "e":
		return "a constant"
	case name == "pow" || name == "min" || name == "max" || name == "select" || name == "sum":
		return "a function"
	}
	if _, ok := unaryFuncs[name]; ok {
		return "a function"
	}
	return ""
}

func sortedNames(m map[string]float64) []string {
	return slices.Sorted(maps.Keys(m))
}

func copyParams(m map[string]float64) map[string]float64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Parameters lists the parameters spec takes, sorted: a catalogue entry's (catalogue is true),
// or an expression's free names (neither coordinates, functions, constants nor sum placeholders)
// together with k and l0. err is a syntax error of the spec (a catalogue spec's argument list is
// read as ParseSpec reads it).
func Parameters(spec string) (names []string, catalogue bool, err error) {
	if name, rest, ok := splitSpec(spec); ok {
		if ent := lookupSpecEntry(name); ent != nil {
			if err := ent.eachArg(rest, func(specParam) error { return nil }); err != nil {
				return nil, true, err
			}
			for _, p := range ent.Params {
				names = append(names, p.Name)
			}
			sort.Strings(names)
			return names, true, nil
		}
	}
	a, err := parseAST(spec, 0)
	if err != nil {
		return nil, false, err
	}
	free := map[string]bool{}
	freeNames(a, nil, free)
	for _, c := range commonParams {
		free[c.Name] = true
	}
	return slices.Sorted(maps.Keys(free)), false, nil
}

// freeNames collects the names of a that ParseWith would look up among the parameters.
func freeNames(a *ast, shadow map[string]bool, out map[string]bool) {
	switch a.kind {
	case aName:
		if !shadow[a.name] && reservedName(a.name) == "" {
			out[a.name] = true
		}
		return
	case aSum:
		inner := map[string]bool{a.name: true}
		for k := range shadow {
			inner[k] = true
		}
		freeNames(a.args[0], inner, out)
		return
	}
	for _, x := range a.args {
		freeNames(x, shadow, out)
	}
}

// paramText writes the parameters given beside the spec as "c=0.1, k=2" (sorted), for the GLSL
// header comment.
func paramText(m map[string]float64) string {
	parts := make([]string, 0, len(m))
	for _, n := range sortedNames(m) {
		parts = append(parts, fmt.Sprintf("%s=%s", n, formatNum(m[n])))
	}
	return strings.Join(parts, ", ")
}
