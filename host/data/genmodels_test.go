package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestGenerateLogistic: gen:logistic follows its documented draw order (re-derived here from
// PCG(seed, "kramers")), its labels are 0 or 1 and the class means lie ±(sep/2)·(1,…,1)/sqrt(d).
func TestGenerateLogistic(t *testing.T) {
	a, err := Generate("gen:logistic(n=2000,seed=7,d=3,sep=4)")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Open("gen:logistic(d=3, sep=4, n=2000, seed=7)")
	c, _ := Generate("gen:logistic(n=2000,seed=8,d=3,sep=4)")
	if a.N != 2000 || !slices.Equal(a.Columns, []string{"f1", "f2", "f3", "t"}) || a.SHA256 != b.SHA256 || a.SHA256 == c.SHA256 {
		t.Fatalf("n %d columns %v hashes %s %s %s", a.N, a.Columns, a.SHA256, b.SHA256, c.SHA256)
	}
	r := rand.New(rand.NewPCG(7, pcgStream))
	shift := 4 / (2 * math.Sqrt(3))
	var mean [2][3]float64
	var count [2]float64
	for i := 0; i < a.N; i++ {
		tt := 0.0
		if r.Float64() < 0.5 {
			tt = 1
		}
		want := []float64{0, 0, 0, tt}
		for j := 0; j < 3; j++ {
			want[j] = (2*tt-1)*shift + r.NormFloat64()
		}
		if !slices.Equal(a.Row(i), want) {
			t.Fatalf("row %d: %v, want %v (documented draw order)", i, a.Row(i), want)
		}
		for j := 0; j < 3; j++ {
			mean[int(tt)][j] += want[j]
		}
		count[int(tt)]++
	}
	for cl := 0; cl < 2; cl++ {
		if count[cl] < 900 {
			t.Errorf("class %d has %v of 2000 rows", cl, count[cl])
		}
		for j := 0; j < 3; j++ {
			if m := mean[cl][j] / count[cl]; math.Abs(m-float64(2*cl-1)*shift) > 0.1 {
				t.Errorf("class %d, feature %d: mean %g, want %g", cl, j+1, m, float64(2*cl-1)*shift)
			}
		}
	}
}

// TestGenerateMLP: gen:mlp draws its teacher first, then the rows, as documented.
func TestGenerateMLP(t *testing.T) {
	a, err := Generate("gen:mlp(n=50,seed=3,d=2,h=4,sigma=0.2)")
	if err != nil {
		t.Fatal(err)
	}
	if a.N != 50 || !slices.Equal(a.Columns, []string{"f1", "f2", "t"}) {
		t.Fatalf("n %d columns %v", a.N, a.Columns)
	}
	r := rand.New(rand.NewPCG(3, pcgStream))
	var w [4][2]float64
	var b, o [4]float64
	for j := range 4 {
		for k := range 2 {
			w[j][k] = r.NormFloat64() / math.Sqrt(2)
		}
		b[j] = r.NormFloat64()
	}
	for j := range 4 {
		o[j] = r.NormFloat64()
	}
	for i := 0; i < a.N; i++ {
		f := []float64{r.NormFloat64(), r.NormFloat64()}
		tt := 0.0
		for j := range 4 {
			tt += o[j] * math.Tanh(w[j][0]*f[0]+w[j][1]*f[1]+b[j])
		}
		tt += 0.2 * r.NormFloat64()
		got := a.Row(i)
		if got[0] != f[0] || got[1] != f[1] || math.Abs(got[2]-tt) > 1e-14 {
			t.Fatalf("row %d: %v, want %v, %v (documented draw order)", i, got, f, tt)
		}
	}
	// the neuron generator keeps its numbers: its defaults and its two columns
	n, _ := Generate("gen:neuron(n=3,seed=1)")
	r = rand.New(rand.NewPCG(1, pcgStream))
	f := -2 + 4*r.Float64()
	if tt := math.Tanh(1.5*f) + 0.1*r.NormFloat64(); n.Row(0)[0] != f || n.Row(0)[1] != tt {
		t.Errorf("gen:neuron first row %v, want %v, %v", n.Row(0), f, tt)
	}
}

// TestGenerateModelErrors: bad sizes of the new generators are refused with what is wrong.
func TestGenerateModelErrors(t *testing.T) {
	for _, c := range []struct{ spec, want string }{
		{"gen:logistic(d=0)", "d must be a whole number in 1…64, got 0"},
		{"gen:logistic(d=65)", "d must be a whole number in 1…64, got 65"},
		{"gen:logistic(sep=-1)", "sep (the distance of the class means) must be ≥ 0"},
		{"gen:mlp(h=1.5)", "h must be a whole number in 1…64, got 1.5"},
		{"gen:mlp(sigma=-0.1)", "sigma (the noise of the target) must be ≥ 0"},
		{"gen:mlp(w=1)", "\"w=1\" is not one of the generator's NAME=VALUE arguments (mlp(n=200,seed=1,d=2,h=3,sigma=0.1)"},
		{"gen:logistic(n=30000000,d=3)", "n must be a whole number of rows in 1…16777216"},
	} {
		_, err := Generate(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want …%s…", c.spec, err, c.want)
		}
	}
}
