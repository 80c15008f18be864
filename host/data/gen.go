package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// generator is a built-in synthetic data set.
type generator struct {
	doc      string
	defaults map[string]float64
	make     func(p map[string]float64, r *rand.Rand) *Data
	// columns is the number of columns for the parameters p (nil: 2). check, when not nil, says
	// what is wrong with the parameters other than n and seed ("" when nothing is).
	columns func(p map[string]float64) int
	check   func(p map[string]float64) string
}

// pcgStream is the second PCG word of every generator ("kramers" in ASCII), the first is the seed.
const pcgStream = 0x6b72616d657273

var generators = map[string]generator{
	// neuron: N rows (f, t) for the one-neuron regression t ≈ v·tanh(w·f + c). Row i draws, in this
	// order from PCG(seed, "kramers") (math/rand/v2), f_i ~ U(−2, 2) and ε_i ~ N(0, 1), and sets
	// t_i = v·tanh(w·f_i + c) + sigma·ε_i. The target column is t, not y: y is a coordinate of the
	// expression language.
	"neuron": {
		doc:      "neuron(n=200,seed=1,v=1,w=1.5,c=0,sigma=0.1): columns f, t with f ~ U(-2,2), t = v·tanh(w·f + c) + sigma·N(0,1)",
		defaults: map[string]float64{"n": 200, "seed": 1, "v": 1, "w": 1.5, "c": 0, "sigma": 0.1},
		make: func(p map[string]float64, r *rand.Rand) *Data {
			n := int(p["n"])
			d := &Data{Columns: []string{"f", "t"}, N: n, Values: make([]float64, 0, 2*n)}
			for range n {
				f := -2 + 4*r.Float64()
				eps := r.NormFloat64()
				d.Values = append(d.Values, f, p["v"]*math.Tanh(p["w"]*f+p["c"])+p["sigma"]*eps)
			}
			return d
		},
	},
}

// Generators lists the built-in generators with their parameters and defaults.
func Generators() []string {
	var out []string
	for _, g := range generators {
		out = append(out, "gen:"+g.doc)
	}
	sort.Strings(out)
	return out
}

// Generate makes the data set of a generator spec such as "gen:neuron(n=200,seed=1)". The same spec
// gives the same numbers on every machine (math/rand/v2's PCG and its documented algorithms).
func Generate(spec string) (*Data, error) {
	d, err := generate(spec)
	if err != nil {
		return nil, err
	}
	d.SHA256 = d.hash()
	return d, nil
}

// generate is Generate without the hash.
func generate(spec string) (*Data, error) {
	body := strings.TrimPrefix(strings.TrimSpace(spec), "gen:")
	name, args := body, ""
	if i := strings.IndexByte(body, '('); i >= 0 {
		if !strings.HasSuffix(body, ")") {
			return nil, &Error{Spec: spec, Msg: "missing ) at the end of the generator's arguments; write for example gen:neuron(n=200,seed=1)"}
		}
		name, args = body[:i], body[i+1:len(body)-1]
	}
	name = strings.TrimSpace(name)
	g, ok := generators[name]
	if !ok {
		return nil, &Error{Spec: spec, Msg: fmt.Sprintf("unknown generator %q; the generators: %s", name, strings.Join(Generators(), "; "))}
	}
	p := map[string]float64{}
	for k, v := range g.defaults {
		p[k] = v
	}
	if strings.TrimSpace(args) != "" {
		for _, kv := range strings.Split(args, ",") {
			k, v, ok := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			if _, known := g.defaults[k]; !ok || !known {
				return nil, &Error{Spec: spec, Msg: fmt.Sprintf("%q is not one of the generator's NAME=VALUE arguments (%s)", strings.TrimSpace(kv), g.doc)}
			}
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, &Error{Spec: spec, Msg: fmt.Sprintf("%s=%s is not a finite number", k, strings.TrimSpace(v))}
			}
			p[k] = x
		}
	}
	if g.check != nil {
		if msg := g.check(p); msg != "" {
			return nil, &Error{Spec: spec, Msg: msg}
		}
	}
	cols := 2
	if g.columns != nil {
		cols = g.columns(p)
	}
	n, seed := p["n"], p["seed"]
	if n < 1 || n != math.Trunc(n) || n*float64(cols) > MaxValues {
		return nil, &Error{Spec: spec, Msg: fmt.Sprintf("n must be a whole number of rows in 1…%d, got %g", MaxValues/cols, n)}
	}
	if seed < 0 || seed != math.Trunc(seed) || seed >= 1<<53 {
		return nil, &Error{Spec: spec, Msg: fmt.Sprintf("seed must be a whole number ≥ 0, got %g", seed)}
	}
	d := g.make(p, rand.New(rand.NewPCG(uint64(seed), pcgStream)))
	d.Spec = spec
	return d, nil
}
