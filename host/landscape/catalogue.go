package landscape

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Param is a parameter of a catalogue landscape.
type Param struct {
	Name    string
	Default float64
	Doc     string
	// Choices names the values of a choice parameter (mlp's act and loss): the spec takes the
	// name (act=relu) or its index, the value is the index, and a Spec writes the name. nil for a
	// number.
	Choices []string
}

// choiceIndex reads text as one of the choices of p: the index of the name, ok false when text is
// no choice's name.
func (p Param) choiceIndex(text string) (float64, bool) {
	for i, c := range p.Choices {
		if c == strings.TrimSpace(text) {
			return float64(i), true
		}
	}
	return 0, false
}

// ChoiceName is the name of the choice v of p ("" when p has no choices or v is not an index).
func (p Param) ChoiceName(v float64) string {
	if v != math.Trunc(v) || v < 0 || int(v) >= len(p.Choices) {
		return ""
	}
	return p.Choices[int(v)]
}

// Entry describes a catalogue landscape.
type Entry struct {
	Name, Doc, Formula string
	Params             []Param
}

// catEntry is an Entry plus what is needed to build it.
type catEntry struct {
	Entry
	// expr is the loss in the expression language; it may use the
	// parameters and the constants returned by derive.
	expr string
	// derive validates the parameters and returns derived constants, the
	// dimension and the (unscaled) first minimum guess.
	derive func(p map[string]float64) (consts map[string]float64, dim int, start []float64, err error)
}

var commonParams = []Param{
	{Name: "k", Default: 1, Doc: "sharpness: the loss is L(sqrt(k)·θ), which keeps ΔL and multiplies every Hessian by k (docs/theory.md §4.5)"},
	{Name: "l0", Default: 0, Doc: "additive offset of the loss"},
}

func positive(p map[string]float64, names ...string) error {
	for _, n := range names {
		if !(p[n] > 0) {
			return fmt.Errorf("parameter %s must be positive, got %g", n, p[n])
		}
	}
	return nil
}

// twoWellConsts returns the positions of the minima and the junctions of the
// C¹ piecewise quadratic with curvature hs left of the barrier at 0, -hb on
// the barrier and hf right of it, both minima dl below the barrier top:
// left minimum -sqrt(2dl(hs+hb)/(hs hb)), right minimum +sqrt(2dl(hf+hb)/(hf hb)),
// junctions where the quadratics meet with equal slope (as for pwq):
// j1 = hs·wa/(hs+hb), j2 = hf·wb/(hf+hb).
func twoWellConsts(hs, hf, hb, dl float64) map[string]float64 {
	wa := -math.Sqrt(2 * dl * (hs + hb) / (hs * hb))
	wb := math.Sqrt(2 * dl * (hf + hb) / (hf * hb))
	return map[string]float64{"wa": wa, "wb": wb, "j1": hs * wa / (hs + hb), "j2": hf * wb / (hf + hb)}
}

// catalogue holds the named landscapes (formulas: docs/theory.md §4 and §5). In
// every entry x → sqrt(k)·x (sharpness), l0 is added, and the default start
// is the first minimum divided by sqrt(k).
//
//   - doublewell(dl=1): dl·(x²−1)²; start −1.
//   - tilted(c=0.1): x⁴/4 − x²/2 + c·x; start −1 (left minimum).
//   - pwq(ha=4, hb=2, a=−1, b=0): (ha/2)(x−a)² for x < c, ΔL − (hb/2)(x−b)² for x ≥ c,
//     c = (ha·a+hb·b)/(ha+hb), ΔL = ha·hb·(b−a)²/(2(ha+hb)); start a.
//   - styblinski-tang(d=2): ½·Σ(xᵢ⁴ − 16xᵢ² + 5xᵢ); start (−2.903534, …).
//   - zhu2d(sx=200, sy=20, hf=2, hb=200, dl=1): f(x) + ½·g(x)·y², f the twowell
//     profile with curvatures sx, −hb, hf, and g blending sy into hf with a C¹
//     smoothstep between wa/2 and wb/2; Hessians exactly diag(sx, sy) at the
//     sharp minimum (wa, 0) and diag(hf, hf) at the flat one (wb, 0); start (wa, 0).
//   - muller-brown: Σ Aᵢ exp(aᵢ(x−x0ᵢ)² + bᵢ(x−x0ᵢ)(y−y0ᵢ) + cᵢ(y−y0ᵢ)²) with the
//     constants of Müller & Brown (1979); start (−0.558, 1.442).
//   - twowell(hs=4, hf=1, hb=8, dl=0.5): sharp minimum wa = −sqrt(2dl(hs+hb)/(hs·hb)),
//     barrier at 0, flat minimum wb = sqrt(2dl(hf+hb)/(hf·hb)); start wa.
var catalogue = []*catEntry{
	{
		Entry: Entry{
			Name:    "doublewell",
			Formula: "L = dl·(x²−1)² + l0, with x → sqrt(k)·x",
			Doc:     "Symmetric 1-D double well with minima at ±1/sqrt(k) and a barrier of height dl at 0. H_a = 8·dl·k, H_b = −4·dl·k. Default start −1/sqrt(k).",
			Params:  []Param{{Name: "dl", Default: 1, Doc: "barrier height ΔL"}},
		},
		expr: "dl*(x^2 - 1)^2",
		derive: func(p map[string]float64) (map[string]float64, int, []float64, error) {
			return nil, 1, []float64{-1}, positive(p, "dl")
		},
	},
	{
		Entry: Entry{
			Name:    "tilted",
			Formula: "L = x⁴/4 − x²/2 + c·x + l0, with x → sqrt(k)·x",
			Doc:     "Tilted 1-D quartic: two minima near ±1 of different depth; the saddle is the local maximum near c. Default start −1/sqrt(k) (near the left minimum).",
			Params:  []Param{{Name: "c", Default: 0.1, Doc: "tilt"}},
		},
		expr: "x^4/4 - x^2/2 + c*x",
		derive: func(p map[string]float64) (map[string]float64, int, []float64, error) {
			return nil, 1, []float64{-1}, nil
		},
	},
	{
		Entry: Entry{
			Name: "pwq",
			Formula: "L = (ha/2)(x−a)² for x < c, ΔL − (hb/2)(x−b)² for x ≥ c, plus l0, with x → sqrt(k)·x; " +
				"c = (ha·a + hb·b)/(ha+hb), ΔL = ha·hb·(b−a)²/(2(ha+hb))",
			Doc: "C¹ piecewise quadratic (docs/theory.md §4.2): minimum a of curvature ha, barrier top b of curvature −hb; " +
				"the exact case of Xie et al. with s = hb/(ha+hb). L(a) = l0. Default start a/sqrt(k).",
			Params: []Param{
				{Name: "ha", Default: 4, Doc: "curvature at the minimum"},
				{Name: "hb", Default: 2, Doc: "magnitude of the (negative) curvature at the barrier"},
				{Name: "a", Default: -1, Doc: "position of the minimum"},
				{Name: "b", Default: 0, Doc: "position of the barrier top (b > a)"},
			},
		},
		expr: "select(x < pc, ha/2*(x - a)^2, pdl - hb/2*(x - b)^2)",
		derive: func(p map[string]float64) (map[string]float64, int, []float64, error) {
			if err := positive(p, "ha", "hb"); err != nil {
				return nil, 0, nil, err
			}
			ha, hb, a, b := p["ha"], p["hb"], p["a"], p["b"]
			if !(b > a) {
				return nil, 0, nil, fmt.Errorf("parameter b must be greater than a, got a=%g b=%g", a, b)
			}
			c := map[string]float64{"pc": (ha*a + hb*b) / (ha + hb), "pdl": ha * hb * (b - a) * (b - a) / (2 * (ha + hb))}
			return c, 1, []float64{a}, nil
		},
	},
	{
		Entry: Entry{
			Name:    "styblinski-tang",
			Formula: "L = ½·Σᵢ (xᵢ⁴ − 16xᵢ² + 5xᵢ) + l0, with x → sqrt(k)·x",
			Doc:     "Separable Styblinski–Tang function in d dimensions; 2^d minima, the global one at xᵢ ≈ −2.903534. Default start (−2.903534,…)/sqrt(k).",
			Params:  []Param{{Name: "d", Default: 2, Doc: "dimension (integer, 1..128)"}},
		},
		expr: "0.5*sum(xi^4 - 16*xi^2 + 5*xi in xi)",
		derive: func(p map[string]float64) (map[string]float64, int, []float64, error) {
			d := p["d"]
			if d != math.Trunc(d) || d < 1 || d > MaxDim {
				return nil, 0, nil, fmt.Errorf("parameter d must be an integer from 1 to %d, got %g", MaxDim, d)
			}
			start := make([]float64, int(d))
			for i := range start {
				start[i] = -2.903534
			}
			return nil, int(d), start, nil
		},
	},
	{
		Entry: Entry{
			Name: "zhu2d",
			Formula: "L = f(x) + ½·g(x)·y² + l0, with (x,y) → sqrt(k)·(x,y); " +
				"f = (sx/2)(x−wa)² for x < j1, dl − (hb/2)x² for j1 ≤ x < j2, (hf/2)(x−wb)² for x ≥ j2; " +
				"wa = −sqrt(2dl(sx+hb)/(sx·hb)), wb = sqrt(2dl(hf+hb)/(hf·hb)), j1 = sx·wa/(sx+hb), j2 = hf·wb/(hf+hb); " +
				"g = sy + (hf−sy)·s(t), s(t) = t²(3−2t), t = min(max((x−wa/2)/(wb/2−wa/2), 0), 1)",
			Doc: "2-D basin in the spirit of Zhu et al. (ICML 2019): a sharp minimum at (wa, 0) with Hessian exactly diag(sx, sy) " +
				"and a flat minimum at (wb, 0) with Hessian exactly diag(hf, hf), equal depth dl below the saddle at (0, 0). " +
				"f is C¹ piecewise quadratic, g blends the y-curvature with a C¹ smoothstep between wa/2 and wb/2. " +
				"Default start: the sharp minimum. The sharp curvature 200 lies along the escape direction x, as in " +
				"Zhu et al.'s argument that noise aligned with sharp directions escapes faster, and hb = sx keeps the " +
				"barrier from dominating (docs/theory.md §5, the hb ≥ hs remark of K8).",
			Params: []Param{
				{Name: "sx", Default: 200, Doc: "x-curvature of the sharp minimum (along the escape direction)"},
				{Name: "sy", Default: 20, Doc: "y-curvature of the sharp minimum (transverse)"},
				{Name: "hf", Default: 2, Doc: "curvature of the flat minimum (both directions)"},
				{Name: "hb", Default: 200, Doc: "magnitude of the x-curvature at the saddle"},
				{Name: "dl", Default: 1, Doc: "depth of both minima below the saddle"},
			},
		},
		expr: "select(x < j1, sx/2*(x - wa)^2, select(x < j2, dl - hb/2*x^2, hf/2*(x - wb)^2)) + " +
			"0.5*(sy + (hf - sy)*min(max((x - t0)/(t1 - t0), 0), 1)^2*(3 - 2*min(max((x - t0)/(t1 - t0), 0), 1)))*y^2",
		derive: func(p map[string]float64) (map[string]float64, int, []float64, error) {
			if err := positive(p, "sx", "sy", "hf", "hb", "dl"); err != nil {
				return nil, 0, nil, err
			}
			c := twoWellConsts(p["sx"], p["hf"], p["hb"], p["dl"])
			c["t0"], c["t1"] = c["wa"]/2, c["wb"]/2
			return c, 2, []float64{c["wa"], 0}, nil
		},
	},
	{
		Entry: Entry{
			Name: "muller-brown",
			Formula: "L = Σᵢ Aᵢ·exp(aᵢ(x−x0ᵢ)² + bᵢ(x−x0ᵢ)(y−y0ᵢ) + cᵢ(y−y0ᵢ)²) + l0, with (x,y) → sqrt(k)·(x,y); " +
				"A = (−200, −100, −170, 15), a = (−1, −1, −6.5, 0.7), b = (0, 0, 11, 0.6), c = (−10, −10, −6.5, 0.7), " +
				"x0 = (1, 0, −0.5, −1), y0 = (0, 0.5, 1.5, 1)",
			Doc: "Müller–Brown potential (K. Müller and L. D. Brown, Theor. Chim. Acta 53, 75 (1979)): minima ≈ (−0.558, 1.442), " +
				"(0.623, 0.028), (−0.050, 0.467); saddles ≈ (−0.822, 0.624), (0.212, 0.293). Default start (−0.558, 1.442)/sqrt(k).",
		},
		expr: "-200*exp(-(x - 1)^2 - 10*y^2) - 100*exp(-x^2 - 10*(y - 0.5)^2)" +
			" - 170*exp(-6.5*(x + 0.5)^2 + 11*(x + 0.5)*(y - 1.5) - 6.5*(y - 1.5)^2)" +
			" + 15*exp(0.7*(x + 1)^2 + 0.6*(x + 1)*(y - 1) + 0.7*(y - 1)^2)",
		derive: func(p map[string]float64) (map[string]float64, int, []float64, error) {
			return nil, 2, []float64{-0.558, 1.442}, nil
		},
	},
	{
		Entry: Entry{
			Name: "twowell",
			Formula: "L = (hs/2)(x−wa)² for x < j1, dl − (hb/2)x² for j1 ≤ x < j2, (hf/2)(x−wb)² for x ≥ j2, plus l0, with x → sqrt(k)·x; " +
				"wa = −sqrt(2dl(hs+hb)/(hs·hb)), wb = sqrt(2dl(hf+hb)/(hf·hb)), j1 = hs·wa/(hs+hb), j2 = hf·wb/(hf+hb)",
			Doc: "C¹ piecewise quadratic with a sharp minimum (curvature hs) left of a barrier at 0 (curvature −hb) and a flat one " +
				"(curvature hf) right of it, both dl below the barrier top; L = l0 at both minima (docs/theory.md §5, K8). Default start: the sharp minimum wa/sqrt(k).",
			Params: []Param{
				{Name: "hs", Default: 4, Doc: "curvature of the sharp minimum"},
				{Name: "hf", Default: 1, Doc: "curvature of the flat minimum"},
				{Name: "hb", Default: 8, Doc: "magnitude of the barrier curvature"},
				{Name: "dl", Default: 0.5, Doc: "depth of both minima below the barrier"},
			},
		},
		expr: "select(x < j1, hs/2*(x - wa)^2, select(x < j2, dl - hb/2*x^2, hf/2*(x - wb)^2))",
		derive: func(p map[string]float64) (map[string]float64, int, []float64, error) {
			if err := positive(p, "hs", "hf", "hb", "dl"); err != nil {
				return nil, 0, nil, err
			}
			c := twoWellConsts(p["hs"], p["hf"], p["hb"], p["dl"])
			return c, 1, []float64{c["wa"]}, nil
		},
	},
}

func init() {
	for _, c := range catalogue {
		c.Params = append(c.Params, commonParams...)
	}
	sort.Slice(catalogue, func(i, j int) bool { return catalogue[i].Name < catalogue[j].Name })
}

// Catalogue lists the named landscapes, sorted by name. Every entry takes k
// (sharpness) and l0 (offset).
func Catalogue() []Entry {
	out := make([]Entry, len(catalogue))
	for i, c := range catalogue {
		out[i] = c.Entry
		out[i].Params = append([]Param(nil), c.Params...)
	}
	return out
}

func lookupEntry(name string) *catEntry {
	for _, c := range catalogue {
		if c.Name == name {
			return c
		}
	}
	return nil
}

type specArg struct {
	text string
	col  int // column of text[0] minus 1 (an offset for lex)
}

// splitSpec splits "name(args)" into the name and the argument text. ok is
// false when spec does not start with a name that could be a catalogue entry.
func splitSpec(spec string) (name string, args *specArg, ok bool) {
	i := 0
	for i < len(spec) && (spec[i] == ' ' || spec[i] == '\t') {
		i++
	}
	j := i
	for j < len(spec) {
		c := spec[j]
		if c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			j++
			continue
		}
		break
	}
	if j == i {
		return "", nil, false
	}
	name = spec[i:j]
	rest := spec[j:]
	return name, &specArg{text: rest, col: utf8.RuneCountInString(spec[:j])}, true
}

// Spec is a catalogue spec "name(p=v, …)" as the catalogue-spec grammar reads it: the entry's
// name and its arguments in the order written, each value as written (a constant expression, not
// evaluated). That grammar has one reading, eachArg: Parse builds catalogue landscapes through it,
// and ParseSpec, Set and String let a client (a sweep's --vary) rewrite one parameter of a spec.
type Spec struct {
	Name string
	Args []SpecArg
}

// SpecArg is one argument name=value of a Spec, both trimmed of blanks.
type SpecArg struct {
	Name, Value string
}

// ParseSpec reads spec as a catalogue spec. ok is false when spec does not start with the name of
// a catalogue entry or a data model (it is then an expression, whose parameters are given beside it: ParseWith, Parameters). err is what Parse reports
// for a malformed argument list, an unknown parameter or one given twice, with its column; the
// values are not evaluated.
func ParseSpec(spec string) (s Spec, ok bool, err error) {
	name, rest, ok := splitSpec(spec)
	if !ok {
		return Spec{}, false, nil
	}
	ent := lookupSpecEntry(name)
	if ent == nil {
		return Spec{}, false, nil
	}
	s.Name = name
	err = ent.eachArg(rest, func(a specParam) error {
		s.Args = append(s.Args, SpecArg{Name: a.name, Value: strings.TrimSpace(a.value)})
		return nil
	})
	if err != nil {
		return Spec{}, true, err
	}
	return s, true, nil
}

// Set gives the parameter name the value v (written as strconv's shortest 'g' form, or the
// choice's name for a choice parameter such as mlp's act): replaced
// where the spec already gives it, appended otherwise.
func (s *Spec) Set(name string, v float64) {
	val := strconv.FormatFloat(v, 'g', -1, 64)
	if ent := lookupSpecEntry(s.Name); ent != nil {
		if c := ent.param(name).ChoiceName(v); c != "" {
			val = c // a choice parameter is written by name
		}
	}
	for i := range s.Args {
		if s.Args[i].Name == name {
			s.Args[i].Value = val
			return
		}
	}
	s.Args = append(s.Args, SpecArg{Name: name, Value: val})
}

// String writes the spec: "name(p=v,…)", or the bare name when it has no arguments.
func (s Spec) String() string {
	if len(s.Args) == 0 {
		return s.Name
	}
	args := make([]string, len(s.Args))
	for i, a := range s.Args {
		args[i] = a.Name + "=" + a.Value
	}
	return s.Name + "(" + strings.Join(args, ",") + ")"
}

// specParam is one argument of a catalogue spec with the column offset of its value (for
// constValue's error columns).
type specParam struct {
	name, value string
	valueCol    int
}

// eachArg reads the argument list rest of the entry ("", "()" or "(p=v, …)") and calls fn on every
// argument in order; the first error, of the syntax or of fn, stops it. It rejects unknown
// parameters and parameters given twice. The one reading of the catalogue-spec grammar.
func (ent *catEntry) eachArg(rest *specArg, fn func(specParam) error) error {
	var names []string
	known := map[string]bool{}
	for _, p := range ent.Params {
		names = append(names, p.Name)
		known[p.Name] = true
	}
	valid := strings.Join(names, ", ")
	text := strings.TrimRight(rest.text, " \t")
	lead := len(text) - len(strings.TrimLeft(text, " \t"))
	text = text[lead:]
	col := rest.col + utf8.RuneCountInString(rest.text[:lead])
	if text == "" {
		return nil
	}
	if text[0] != '(' {
		return errAt(col+1, "expected \"(\" or end of input after %s, found %q", ent.Name, text[:1])
	}
	if text[len(text)-1] != ')' {
		return errAt(col+utf8.RuneCountInString(text)+1, "expected \")\" at the end of %s(...)", ent.Name)
	}
	inner := text[1 : len(text)-1]
	base := col + 1 // column offset of inner[0] minus 1
	seen := map[string]bool{}
	depth, start := 0, 0
	for i := 0; i <= len(inner); i++ {
		if i < len(inner) {
			switch inner[i] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			}
			if inner[i] != ',' || depth != 0 {
				continue
			}
		}
		piece := inner[start:i]
		pcol := base + utf8.RuneCountInString(inner[:start])
		start = i + 1
		if strings.TrimSpace(piece) == "" {
			if i == len(inner) && len(seen) == 0 && strings.TrimSpace(inner) == "" {
				break // "name()"
			}
			return errAt(pcol+1, "empty parameter in %s(...)", ent.Name)
		}
		eq := strings.IndexByte(piece, '=')
		if eq < 0 {
			return errAt(pcol+1, "expected name=value in %s(...), found %q; parameters are %s", ent.Name, strings.TrimSpace(piece), valid)
		}
		pname := strings.TrimSpace(piece[:eq])
		ncol := pcol + utf8.RuneCountInString(piece[:len(piece[:eq])-len(strings.TrimLeft(piece[:eq], " \t"))]) + 1
		if !known[pname] {
			return errAt(ncol, "unknown parameter %q of %s: parameters are %s", pname, ent.Name, valid)
		}
		if seen[pname] {
			return errAt(ncol, "parameter %s given twice", pname)
		}
		seen[pname] = true
		if err := fn(specParam{name: pname, value: piece[eq+1:], valueCol: pcol + utf8.RuneCountInString(piece[:eq+1])}); err != nil {
			return err
		}
	}
	return nil
}

// param is the entry's parameter called name (the zero Param when there is none).
func (ent *catEntry) param(name string) Param {
	for _, p := range ent.Params {
		if p.Name == name {
			return p
		}
	}
	return Param{}
}

// resolve reads the parameters of the entry from its argument list rest and the values given
// beside the spec (ParseWith), which count as written in the spec, over the defaults. setD says
// whether d was given.
func (ent *catEntry) resolve(spec string, rest *specArg, given map[string]float64) (params map[string]float64, setD bool, err error) {
	params = make(map[string]float64)
	for _, p := range ent.Params {
		params[p.Name] = p.Default
	}
	inSpec := map[string]bool{}
	err = ent.eachArg(rest, func(a specParam) error {
		inSpec[a.name] = true
		p := ent.param(a.name)
		if v, ok := p.choiceIndex(a.value); ok {
			params[a.name] = v
			return nil
		}
		v, err := constValue(a.value, a.valueCol, nil)
		if err != nil && p.Choices != nil {
			return errAt(a.valueCol+1, "parameter %s of %s is one of %s (or its index 0–%d), got %q", a.name, ent.Name, choiceList(p.Choices), len(p.Choices)-1, strings.TrimSpace(a.value))
		}
		if err != nil {
			return err
		}
		params[a.name] = v
		setD = setD || a.name == "d"
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	for _, name := range sortedNames(given) {
		if _, known := params[name]; !known {
			var names []string
			for _, p := range ent.Params {
				names = append(names, p.Name)
			}
			return nil, false, paramErr(0, "%s has no parameter %s; its parameters are %s", ent.Name, name, strings.Join(names, ", "))
		}
		if inSpec[name] {
			return nil, false, paramErr(0, "parameter %s is given both in the spec %s and in --param; give it once", name, strings.TrimSpace(spec))
		}
		params[name] = given[name]
		setD = setD || name == "d"
	}
	return params, setD, nil
}

// parseCatalogue builds the entry ent from the argument list rest and the values given beside the
// spec (ParseWith), which count as written in the spec.
func parseCatalogue(spec string, ent *catEntry, rest *specArg, dim int, given map[string]float64) (*Landscape, error) {
	params, setD, err := ent.resolve(spec, rest, given)
	if err != nil {
		return nil, err
	}
	if _, hasD := params["d"]; hasD && !setD && dim > 0 {
		params["d"] = float64(dim)
	}
	if !(params["k"] > 0) {
		return nil, errAt(0, "%s: parameter k must be positive, got %g", ent.Name, params["k"])
	}
	consts, d, start, err := ent.derive(params)
	if err != nil {
		return nil, errAt(0, "%s: %v", ent.Name, err)
	}
	for name, v := range consts {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errAt(0, "%s: the parameters overflow (derived constant %s = %g); use smaller magnitudes", ent.Name, name, v)
		}
	}
	if dim > 0 && dim != d {
		return nil, errAt(0, "dimension mismatch: %s has dimension %d but dimension %d was asked for", ent.Name, d, dim)
	}
	all := make(map[string]float64, len(params)+len(consts))
	for k, v := range params {
		all[k] = v
	}
	for k, v := range consts {
		all[k] = v
	}
	a, err := parseAST(ent.expr, 0)
	if err != nil {
		return nil, fmt.Errorf("internal error in catalogue formula of %s: %w", ent.Name, err)
	}
	e := &env{bd: newBuilder(), dim: d, consts: all}
	l, err := finish(spec, ent.Name, e, a, sharpnessOf(params), params)
	if err != nil {
		return nil, err
	}
	l.DefaultStart = l.Sharpen(start)
	l.given = copyParams(given)
	return l, nil
}
