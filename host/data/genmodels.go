package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// The generators for the data models logistic and mlp (host/landscape/datamodels.go). Like
// gen:neuron they draw from PCG(seed, "kramers") (math/rand/v2) in the documented order, so a spec
// gives the same numbers on every machine.

// maxGenDim bounds the feature count d and the teacher width h of the generators below.
const maxGenDim = 64

// wholeIn says what is wrong with p[name] as a whole number in lo…hi ("" when nothing is).
func wholeIn(p map[string]float64, name string, lo, hi float64) string {
	v := p[name]
	if v != math.Trunc(v) || v < lo || v > hi {
		return fmt.Sprintf("%s must be a whole number in %g…%g, got %g", name, lo, hi, v)
	}
	return ""
}

// featureNames is f1 … fd.
func featureNames(d int) []string {
	out := make([]string, d)
	for j := range out {
		out[j] = "f" + strconv.Itoa(j+1)
	}
	return out
}

func init() {
	// logistic: two Gaussian classes for logistic regression. Row i draws, in this order,
	// u_i ~ U(0, 1) and sets the label t_i = 1 if u_i < 0.5 else 0 (s_i = 2t_i − 1), then
	// z_i1 … z_id ~ N(0, 1) and sets f_ij = s_i·sep/(2·sqrt(d)) + z_ij: the class means are
	// ±(sep/2)·(1, …, 1)/sqrt(d), a distance sep apart, with unit covariance.
	generators["logistic"] = generator{
		doc:      "logistic(n=200,seed=1,d=2,sep=2): columns f1..fd, t with t = 0 or 1 (probability 1/2 each), f ~ N(±(sep/2)·(1,…,1)/sqrt(d), I)",
		defaults: map[string]float64{"n": 200, "seed": 1, "d": 2, "sep": 2},
		columns:  func(p map[string]float64) int { return int(p["d"]) + 1 },
		check: func(p map[string]float64) string {
			if msg := wholeIn(p, "d", 1, maxGenDim); msg != "" {
				return msg
			}
			if !(p["sep"] >= 0) {
				return fmt.Sprintf("sep (the distance of the class means) must be ≥ 0, got %g", p["sep"])
			}
			return ""
		},
		make: func(p map[string]float64, r *rand.Rand) *Data {
			n, d := int(p["n"]), int(p["d"])
			shift := p["sep"] / (2 * math.Sqrt(float64(d)))
			out := &Data{Columns: append(featureNames(d), "t"), N: n, Values: make([]float64, 0, (d+1)*n)}
			for range n {
				t := 0.0
				if r.Float64() < 0.5 {
					t = 1
				}
				s := 2*t - 1
				for range d {
					out.Values = append(out.Values, s*shift+r.NormFloat64())
				}
				out.Values = append(out.Values, t)
			}
			return out
		},
	}
	// mlp: a teacher network with h tanh units for the student mlp. The teacher is drawn first:
	// for each unit j = 1 … h its weights W_j1 … W_jd ~ N(0, 1/d) and its bias b_j ~ N(0, 1),
	// then the output weights a_1 … a_h ~ N(0, 1). Row i then draws f_i1 … f_id ~ N(0, 1) and
	// ε_i ~ N(0, 1) and sets t_i = Σ_j a_j·tanh(W_j·f_i + b_j) + sigma·ε_i.
	generators["mlp"] = generator{
		doc:      "mlp(n=200,seed=1,d=2,h=3,sigma=0.1): columns f1..fd, t with f ~ N(0,I), t = Σ_j a_j·tanh(W_j·f + b_j) + sigma·N(0,1), a teacher with h tanh units drawn first (W ~ N(0,1/d), b, a ~ N(0,1))",
		defaults: map[string]float64{"n": 200, "seed": 1, "d": 2, "h": 3, "sigma": 0.1},
		columns:  func(p map[string]float64) int { return int(p["d"]) + 1 },
		check: func(p map[string]float64) string {
			if msg := wholeIn(p, "d", 1, maxGenDim); msg != "" {
				return msg
			}
			if msg := wholeIn(p, "h", 1, maxGenDim); msg != "" {
				return msg
			}
			if !(p["sigma"] >= 0) {
				return fmt.Sprintf("sigma (the noise of the target) must be ≥ 0, got %g", p["sigma"])
			}
			return ""
		},
		make: func(p map[string]float64, r *rand.Rand) *Data {
			n, d, h := int(p["n"]), int(p["d"]), int(p["h"])
			w := make([]float64, h*d)
			b := make([]float64, h)
			a := make([]float64, h)
			sd := 1 / math.Sqrt(float64(d))
			for j := range h {
				for k := range d {
					w[j*d+k] = sd * r.NormFloat64()
				}
				b[j] = r.NormFloat64()
			}
			for j := range a {
				a[j] = r.NormFloat64()
			}
			out := &Data{Columns: append(featureNames(d), "t"), N: n, Values: make([]float64, 0, (d+1)*n)}
			f := make([]float64, d)
			for range n {
				for k := range f {
					f[k] = r.NormFloat64()
				}
				t := 0.0
				for j := range h {
					z := b[j]
					for k := range d {
						z += w[j*d+k] * f[k]
					}
					t += a[j] * math.Tanh(z)
				}
				t += p["sigma"] * r.NormFloat64()
				out.Values = append(append(out.Values, f...), t)
			}
			return out
		},
	}
}
