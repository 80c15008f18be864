package landscape

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/floats"
)

// root1D returns the root of f in [lo, hi] (f(lo), f(hi) of opposite signs) by
// bisection to the last bit: the exact values the tests compare with.
func root1D(f func(float64) float64, lo, hi float64) float64 {
	flo := f(lo)
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid == lo || mid == hi {
			break
		}
		if fm := f(mid); (fm < 0) == (flo < 0) {
			lo, flo = mid, fm
		} else {
			hi = mid
		}
	}
	return lo + (hi-lo)/2
}

// Tolerances. check() accepts a saddle when |∇L(b)| ≤ 1e-8·max(1, λ_max(H_a)·‖b − a‖);
// on the landscapes below that is at most ~1e-6 and the smallest |eigenvalue| at the
// saddles is ≥ 4, so a validated saddle lies within ~3e-7 of the exact one (in
// practice Newton's method ends at round-off, ~1e-15). Positions are compared to
// posTol; ΔL, whose error is quadratic in the position error, and eigenvalues to valTol.
const (
	posTol = 1e-6
	valTol = 1e-8
)

// checkExits checks what every exit must satisfy: exactly one negative Hessian
// eigenvalue, a unit escape direction along its eigenvector, pointing away from a,
// ΔL = L(b) − L(a), sorted by ΔL.
func checkExits(t *testing.T, l *Landscape, an *Analysis) {
	t.Helper()
	d := l.Dim
	ev := l.Evaluator()
	for i, ex := range an.Exits {
		neg := 0
		for _, v := range ex.HessianSaddleEigenvalues {
			if v < 0 {
				neg++
			}
		}
		if neg != 1 {
			t.Errorf("exit %d at %v: %d negative eigenvalues %v, want 1", i, ex.Saddle, neg, ex.HessianSaddleEigenvalues)
		}
		if n := floats.Norm(ex.EscapeDirection, 2); math.Abs(n-1) > 1e-12 {
			t.Errorf("exit %d: |e| = %v", i, n)
		}
		// H_b e = λ₀ e
		he := make([]float64, d)
		for r := range d {
			for c := range d {
				he[r] += ex.HessianSaddle[r*d+c] * ex.EscapeDirection[c]
			}
		}
		floats.AddScaled(he, -ex.HessianSaddleEigenvalues[0], ex.EscapeDirection)
		if floats.Norm(he, 2) > 1e-9*math.Abs(ex.HessianSaddleEigenvalues[0]) {
			t.Errorf("exit %d: e is not the unstable eigenvector: |H e − λ e| = %g", i, floats.Norm(he, 2))
		}
		ba := make([]float64, d)
		floats.SubTo(ba, ex.Saddle, an.Minimum)
		if floats.Dot(ba, ex.EscapeDirection) <= 0 {
			t.Errorf("exit %d: e = %v does not point away from a", i, ex.EscapeDirection)
		}
		near(t, "ΔL = L(b) − L(a)", ex.DeltaL, ev.Loss(ex.Saddle)-ev.Loss(an.Minimum), 1e-12*math.Max(1, math.Abs(ex.DeltaL)))
		if i > 0 && ex.DeltaL < an.Exits[i-1].DeltaL-1e-9 {
			t.Errorf("exits not sorted by ΔL: %v after %v", ex.DeltaL, an.Exits[i-1].DeltaL)
		}
	}
}

func nearVec(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= tol) {
			t.Errorf("%s = %.10g, want %.10g ± %g", what, got, want, tol)
			return
		}
	}
}

// The issue's example: L = (x²−1)² + (y²−1)² + 0.1·x from (−1, −1) has two exits, over
// the y barrier (ΔL = 1 exactly) and over the x barrier (ΔL ≈ 1.10). L is separable:
// f(x) = (x²−1)² + 0.1x, g(y) = (y²−1)², so a = (x_a, −1) with f′(x_a) = 0, the
// x-exit is (x_m, −1) with f′(x_m) = 0 near 0, the y-exit (x_a, 0).
func TestExitsIssueExample(t *testing.T) {
	l := mustParse(t, "(x^2-1)^2 + (y^2-1)^2 + 0.1*x", 0)
	f := func(x float64) float64 { return (x*x-1)*(x*x-1) + 0.1*x }
	fp := func(x float64) float64 { return 4*x*x*x - 4*x + 0.1 }
	xa, xm, xb := root1D(fp, -1.5, -0.5), root1D(fp, -0.5, 0.5), root1D(fp, 0.5, 1.5)
	an, err := Analyze(l, AnalyzeOptions{Start: []float64{-1, -1}})
	if err != nil {
		t.Fatal(err)
	}
	checkExits(t, l, an)
	if len(an.Exits) != 2 {
		t.Fatalf("%d exits %+v, want 2", len(an.Exits), an.Exits)
	}
	y, x := an.Exits[0], an.Exits[1]
	nearVec(t, "y-exit", y.Saddle, []float64{xa, 0}, posTol)
	near(t, "y-exit ΔL", y.DeltaL, 1, valTol)
	nearVec(t, "y-exit far minimum", y.FarMinimum, []float64{xa, 1}, posTol)
	nearVec(t, "y-exit e", y.EscapeDirection, []float64{0, 1}, 1e-9)
	nearVec(t, "x-exit", x.Saddle, []float64{xm, -1}, posTol)
	near(t, "x-exit ΔL", x.DeltaL, f(xm)-f(xa), valTol)
	nearVec(t, "x-exit far minimum", x.FarMinimum, []float64{xb, -1}, posTol)
	nearVec(t, "x-exit e", x.EscapeDirection, []float64{1, 0}, 1e-9)
	near(t, "x-exit λ₀", x.HessianSaddleEigenvalues[0], 12*xm*xm-4, valTol)
	// The single-saddle fields are the lowest exit.
	nearVec(t, "saddle", an.Saddle, y.Saddle, 0)
	near(t, "ΔL", an.DeltaL, 1, valTol)
	nearVec(t, "target minimum", an.TargetMinimum, y.FarMinimum, 0)
	if !an.Index1 {
		t.Error("index1 false")
	}
	t.Logf("x_a = %.12g, exits: b = %.12g ΔL = %.12g; b = %.12g ΔL = %.12g (f(x_m) − f(x_a) = %.12g)\nsearch: %s",
		xa, y.Saddle, y.DeltaL, x.Saddle, x.DeltaL, f(xm)-f(xa), an.ExitSearch)

	// A target selects the exit toward its basin; MaxExits keeps the lowest, and the target's.
	an, err = Analyze(l, AnalyzeOptions{Start: []float64{-1, -1}, Target: []float64{1, -1}})
	if err != nil {
		t.Fatal(err)
	}
	nearVec(t, "saddle toward (1, −1)", an.Saddle, []float64{xm, -1}, posTol)
	nearVec(t, "target minimum", an.TargetMinimum, []float64{xb, -1}, posTol)
	if len(an.Exits) != 2 {
		t.Errorf("with a target: %d exits, want 2", len(an.Exits))
	}
	an, err = Analyze(l, AnalyzeOptions{Start: []float64{-1, -1}, MaxExits: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(an.Exits) != 1 || an.ExitSearch.Exits != 2 || an.ExitSearch.Reported != 1 {
		t.Errorf("MaxExits 1: %d listed, search %+v", len(an.Exits), an.ExitSearch)
	}
	nearVec(t, "MaxExits 1: the lowest", an.Exits[0].Saddle, []float64{xa, 0}, posTol)
	an, err = Analyze(l, AnalyzeOptions{Start: []float64{-1, -1}, MaxExits: 1, Target: []float64{1, -1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(an.Exits) != 2 {
		t.Errorf("MaxExits 1 with a target beyond the higher exit: %d listed, want 2 (the lowest and the target's)", len(an.Exits))
	}
}

// An index-2 point (the maximum of both 1-D terms) is never an exit.
func TestExitsRejectIndex2(t *testing.T) {
	l := mustParse(t, "(x^2-1)^2 + (y^2-1)^2 + 0.1*x", 0)
	a, err := FindMinimum(l, []float64{-1, -1})
	if err != nil {
		t.Fatal(err)
	}
	xm := root1D(func(x float64) float64 { return 4*x*x*x - 4*x + 0.1 }, -0.5, 0.5)
	ev := l.Evaluator()
	h := make([]float64, 4)
	ev.Hessian(a, h)
	f := &exitFinder{l: l, a: a, hmax: 8, reasons: map[string]int{}}
	f.w = newWalker(l, a, f.hmax)
	if ex := f.add([]float64{xm, 0}, "test"); ex != nil {
		t.Fatalf("the index-2 point (%g, 0) was accepted as an exit: %+v", xm, ex)
	}
	if f.reasons["index ≠ 1"] != 1 {
		t.Errorf("rejected for %v, want index ≠ 1", f.reasons)
	}
	// A far-away exit of another basin is not on this basin's boundary: the saddle
	// between (1, −1) and (1, 1) at (x_b, 0).
	xb := root1D(func(x float64) float64 { return 4*x*x*x - 4*x + 0.1 }, 0.5, 1.5)
	if ex := f.add([]float64{xb, 0}, "test"); ex != nil {
		t.Fatalf("the saddle (%g, 0) of the basin of (x_b, −1) was accepted: %+v", xb, ex)
	}
	if f.reasons["not on the boundary of the basin"] != 1 {
		t.Errorf("rejected for %v, want not on the boundary", f.reasons)
	}
	// A ring of maxima (a zero Hessian eigenvalue) gives no exit: the error is the old one.
	ring := mustParse(t, "(x^2+y^2)*exp(-(x^2+y^2))", 0)
	if _, err := Analyze(ring, AnalyzeOptions{Start: []float64{0.1, 0.1}}); err == nil || !strings.Contains(err.Error(), "no other minimum") {
		t.Errorf("ring: err = %v, want the no-other-minimum error", err)
	}
}

// Müller–Brown (catalogue doc, from Müller & Brown 1979, to 3 decimals, hence the
// tolerance 1e-3): minima A (−0.558, 1.442), B (0.623, 0.028), C (−0.050, 0.467);
// saddles S1 (−0.822, 0.624) between A and C, S2 (0.212, 0.293) between C and B.
func TestExitsMullerBrown(t *testing.T) {
	l := mustParse(t, "muller-brown", 0)
	A, B, C := []float64{-0.558, 1.442}, []float64{0.623, 0.028}, []float64{-0.050, 0.467}
	S1, S2 := []float64{-0.822, 0.624}, []float64{0.212, 0.293}
	cases := []struct {
		name   string
		start  []float64
		saddle [][]float64
		far    [][]float64
	}{
		{"A", A, [][]float64{S1}, [][]float64{C}},
		{"B", B, [][]float64{S2}, [][]float64{C}},
		{"C", C, [][]float64{S2, S1}, [][]float64{B, A}}, // ΔL ≈ 8.5 over S2, ≈ 40 over S1
	}
	found := map[string][]float64{}
	for _, c := range cases {
		t0 := time.Now()
		an, err := Analyze(l, AnalyzeOptions{Start: c.start})
		el := time.Since(t0)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		checkExits(t, l, an)
		nearVec(t, c.name+" minimum", an.Minimum, c.start, 1e-3)
		if len(an.Exits) != len(c.saddle) {
			t.Errorf("%s: %d exits, want %d: %+v", c.name, len(an.Exits), len(c.saddle), an.Exits)
			continue
		}
		for i, ex := range an.Exits {
			nearVec(t, c.name+" exit", ex.Saddle, c.saddle[i], 1e-3)
			nearVec(t, c.name+" far minimum", ex.FarMinimum, c.far[i], 1e-3)
			key := "S1"
			if distance(ex.Saddle, S2) < 1e-2 {
				key = "S2"
			}
			if prev, ok := found[key]; ok {
				// the same saddle found from both of its basins, independently
				nearVec(t, key+" from both sides", ex.Saddle, prev, 1e-9)
			}
			found[key] = ex.Saddle
			t.Logf("%s: exit b = %.8g ΔL = %.8g eig %.6g far %.6g (%s, %d hits)", c.name, ex.Saddle, ex.DeltaL, ex.HessianSaddleEigenvalues, ex.FarMinimum, ex.Method, ex.Hits)
		}
		t.Logf("%s (%v): %s", c.name, el, an.ExitSearch)
	}
}

// Styblinski–Tang is separable: from the corner minimum (every coordinate at the left
// 1-D minimum x₋) the exits are the d points with one coordinate at the 1-D maximum x₀,
// each with the 1-D barrier h(x₀) − h(x₋), h(x) = ½(x⁴ − 16x² + 5x), leading to the
// minimum with that coordinate at the right 1-D minimum x₊.
func TestExitsStyblinskiTang(t *testing.T) {
	h := func(x float64) float64 { return 0.5 * (x*x*x*x - 16*x*x + 5*x) }
	hp := func(x float64) float64 { return 2*x*x*x - 16*x + 2.5 }
	xl, x0, xr := root1D(hp, -4, -1), root1D(hp, -1, 1), root1D(hp, 1, 4)
	for _, d := range []int{3, 10} {
		l := mustParse(t, fmt.Sprintf("styblinski-tang(d=%d)", d), 0)
		t0 := time.Now()
		an, err := Analyze(l, AnalyzeOptions{})
		el := time.Since(t0)
		if err != nil {
			t.Fatal(err)
		}
		checkExits(t, l, an)
		if len(an.Exits) != d {
			t.Fatalf("d = %d: %d exits, want %d", d, len(an.Exits), d)
		}
		seen := make([]bool, d)
		for _, ex := range an.Exits {
			k := floats.MaxIdx(ex.Saddle)
			if seen[k] {
				t.Errorf("d = %d: two exits along coordinate %d", d, k)
			}
			seen[k] = true
			want, far := make([]float64, d), make([]float64, d)
			for i := range d {
				want[i], far[i] = xl, xl
			}
			want[k], far[k] = x0, xr
			nearVec(t, "saddle", ex.Saddle, want, posTol)
			nearVec(t, "far minimum", ex.FarMinimum, far, posTol)
			near(t, "ΔL", ex.DeltaL, h(x0)-h(xl), valTol)
			near(t, "λ₀", ex.HessianSaddleEigenvalues[0], 6*x0*x0-16, valTol)
			near(t, "λ₁", ex.HessianSaddleEigenvalues[1], 6*xl*xl-16, valTol)
		}
		// Equal barriers: the single-saddle fields keep the exit along x1 (as before).
		if floats.MaxIdx(an.Saddle) != 0 {
			t.Errorf("d = %d: single saddle %v, want the exit along x1", d, an.Saddle)
		}
		t.Logf("d = %d (%v): ΔL = %.12g each; %s", d, el, h(x0)-h(xl), an.ExitSearch)
	}
}

// In 1-D the exits are the nearest maxima on each side.
func TestExits1D(t *testing.T) {
	l := mustParse(t, "doublewell", 0)
	an, err := Analyze(l, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkExits(t, l, an)
	if len(an.Exits) != 1 {
		t.Fatalf("doublewell: %d exits, want 1", len(an.Exits))
	}
	near(t, "b", an.Exits[0].Saddle[0], 0, 1e-9)
	near(t, "far minimum", an.Exits[0].FarMinimum[0], 1, 1e-9)
	if !strings.Contains(strings.Join(an.ExitSearch.Notes, ";"), "no local maximum of L to the left") {
		t.Errorf("doublewell: notes %v do not say the left side has no maximum", an.ExitSearch.Notes)
	}
	// x²(x² − 1)² from 0: maxima at ±1/√3 (ΔL = 4/27), minima beyond at ±1.
	l = mustParse(t, "x^2*(x^2-1)^2", 0)
	an, err = Analyze(l, AnalyzeOptions{Start: []float64{0.1}})
	if err != nil {
		t.Fatal(err)
	}
	checkExits(t, l, an)
	if len(an.Exits) != 2 {
		t.Fatalf("x²(x²−1)²: %d exits, want 2", len(an.Exits))
	}
	for i, s := range []float64{1, -1} { // equal ΔL: the larger coordinate first
		near(t, "b", an.Exits[i].Saddle[0], s/math.Sqrt(3), 1e-9)
		near(t, "ΔL", an.Exits[i].DeltaL, 4.0/27, 1e-12)
		near(t, "far minimum", an.Exits[i].FarMinimum[0], s, 1e-9)
		near(t, "e", an.Exits[i].EscapeDirection[0], s, 0)
	}
}

// An exit whose far side runs off (the loss unbounded below beyond it) has no far minimum.
func TestExitsRunOff(t *testing.T) {
	l := mustParse(t, "x^3 - 3*x + y^2", 0)
	an, err := Analyze(l, AnalyzeOptions{Start: []float64{1, 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	checkExits(t, l, an)
	if len(an.Exits) != 1 {
		t.Fatalf("%d exits, want 1", len(an.Exits))
	}
	nearVec(t, "b", an.Exits[0].Saddle, []float64{-1, 0}, posTol)
	near(t, "ΔL", an.Exits[0].DeltaL, 4, valTol)
	if an.Exits[0].FarMinimum != nil || an.TargetMinimum != nil {
		t.Errorf("far minimum %v, target %v: want none", an.Exits[0].FarMinimum, an.TargetMinimum)
	}
}

// The search is deterministic (fixed seed), and its cost is logged (no timed assertion).
func TestExitsDeterministicAndTiming(t *testing.T) {
	for _, spec := range []string{"muller-brown", "styblinski-tang(d=10)"} {
		l := mustParse(t, spec, 0)
		t0 := time.Now()
		an1, err := Analyze(l, AnalyzeOptions{})
		el := time.Since(t0)
		if err != nil {
			t.Fatal(err)
		}
		an2, _ := Analyze(l, AnalyzeOptions{})
		if !reflect.DeepEqual(an1, an2) {
			t.Errorf("%s: two analyses differ", spec)
		}
		t.Logf("%s: Analyze took %v (%d exits; %s)", spec, el, len(an1.Exits), an1.ExitSearch)
	}
}
