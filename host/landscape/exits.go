package landscape

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Exit is one index-1 saddle b on the boundary of the basin of the minimum a
// (docs/theory.md §2, "A basin has exits, plural"): the Hessian at b has exactly one
// negative eigenvalue, and a descent from b a small step along −EscapeDirection
// settles in a.
type Exit struct {
	Saddle                   []float64 `json:"saddle"`
	LossSaddle               float64   `json:"loss_saddle"`
	DeltaL                   float64   `json:"delta_l"`                    // L(b) − L(a)
	HessianSaddle            []float64 `json:"-"`                          // row-major d*d (left out of JSON: d² numbers per exit)
	HessianSaddleEigenvalues []float64 `json:"hessian_saddle_eigenvalues"` // ascending; exactly one negative
	EscapeDirection          []float64 `json:"escape_direction"`           // unit eigenvector of H_b for its negative eigenvalue, pointing away from a
	FarMinimum               []float64 `json:"far_minimum"`                // minimum that gradient flow from b a step along +EscapeDirection reaches; nil: the flow ran off (left the box, loss unbounded below) or did not settle
	Method                   string    `json:"method"`                     // the search that found it first
	Hits                     int       `json:"hits"`                       // how many searches converged to it
}

// ExitSearch says how thoroughly the exits of the basin were searched for.
type ExitSearch struct {
	Method           string   `json:"method"`
	EigenDirections  int      `json:"eigen_directions"`  // mode-following runs started along ± eigenvectors of H_a
	RandomDirections int      `json:"random_directions"` // mode-following runs started from perturbed points (fixed PCG seed)
	RunOff           int      `json:"run_off"`           // mode-following runs that left the box, met a non-finite loss or did not converge
	NEBTargets       int      `json:"neb_targets"`       // minima a climbing-image NEB was run to
	Candidates       int      `json:"candidates"`        // critical points the searches converged to (with repeats)
	Duplicates       int      `json:"duplicates"`        // candidates equal to an earlier one
	Rejected         int      `json:"rejected"`          // distinct candidates that are not exits (index ≠ 1, or not on the boundary of the basin)
	Exits            int      `json:"exits"`             // distinct exits found
	Reported         int      `json:"reported"`          // exits listed (after AnalyzeOptions.MaxExits)
	Notes            []string `json:"notes,omitempty"`
}

// String is a one-paragraph summary of the search.
func (s *ExitSearch) String() string {
	if s == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", s.Method)
	if s.EigenDirections+s.RandomDirections > 0 {
		fmt.Fprintf(&b, "%d directions tried (%d along ± eigenvectors of H_a, %d from perturbed points; %d ran off), ",
			s.EigenDirections+s.RandomDirections, s.EigenDirections, s.RandomDirections, s.RunOff)
	}
	if s.NEBTargets > 0 {
		fmt.Fprintf(&b, "CI-NEB to %d other minima, ", s.NEBTargets)
	}
	fmt.Fprintf(&b, "%d candidates, %d duplicates, %d rejected, %d exits", s.Candidates, s.Duplicates, s.Rejected, s.Exits)
	if s.Reported < s.Exits {
		fmt.Fprintf(&b, " (%d listed)", s.Reported)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "; %s", n)
	}
	return b.String()
}

// Budget of the exit search (d ≥ 2). See searchExits.
const (
	exitSweepMaxDim = 32  // up to this dimension every eigenvector of H_a is followed, both signs
	exitSoftModes   = 16  // above it, only the softest exitSoftModes eigenvectors
	exitRandomSmall = 8   // perturbed starts for d ≤ exitSweepMaxDim
	exitRandomLarge = 16  // perturbed starts above it
	exitMaxNEB      = 32  // at most this many CI-NEB runs (d ≤ exitSweepMaxDim)
	exitMaxNEBLarge = 8   // above it
	exitFollowIter  = 400 // steps (accepted or not) of one mode-following run
	exitSeed1       = 0x6b72616d65727321
	exitSeed2       = 0x65786974732d3031
)

const methodModeFollowing = "minimum-mode following (dimer method, Henkelman & Jónsson, J. Chem. Phys. 111, 7010 (1999), with the exact Hessian) + Newton"

// walker takes trust-region Newton steps on the landscape in the eigenbasis of
// the Hessian: ascent along one followed mode and descent along the others
// (mode following), or descent along all (the basin check).
type walker struct {
	ev   *Evaluator
	diag bool // the Hessian is diagonal (separable landscape): no eigen-decomposition
	d    int
	a    []float64
	la   float64 // L(a)
	ell  float64 // length scale max(1, ‖a‖∞)
	box  float64 // |x − a|∞ beyond it a run has run off
	lcap float64 // L − L(a) beyond it an ascent has run off
	h    []float64
	gm   []float64
}

func newWalker(l *Landscape, a []float64, hmax float64) *walker {
	d := l.Dim
	w := &walker{ev: l.Evaluator(), diag: l.DiagonalHessian, d: d, a: a}
	w.la = w.ev.Loss(a)
	w.ell = math.Max(1, floats.Norm(a, math.Inf(1)))
	w.box = 100 * w.ell
	w.lcap = 1e6 * math.Max(1, math.Max(math.Abs(w.la), hmax*w.ell*w.ell))
	w.h, w.gm = make([]float64, d), make([]float64, d)
	return w
}

// state is the local picture at a point: loss, gradient, Hessian and its
// eigen-decomposition.
type state struct {
	x, g []float64
	loss float64
	hs   []float64  // Hessian, row-major d*d (only the diagonal, d entries, when the walker's is diagonal)
	vals []float64  // ascending eigenvalues
	vecs *mat.Dense // eigenvectors (columns); nil for a diagonal Hessian
	perm []int      // diagonal Hessian: mode m is coordinate perm[m]
}

func (w *walker) newState() *state {
	d := w.d
	s := &state{x: make([]float64, d), g: make([]float64, d), vals: make([]float64, d)}
	if w.diag {
		s.hs, s.perm = make([]float64, d), make([]int, d)
	} else {
		s.hs = make([]float64, d*d)
	}
	return s
}

// eval fills s from s.x; false if anything is not finite.
func (w *walker) eval(s *state) bool {
	d := w.d
	s.loss = w.ev.Loss(s.x)
	w.ev.Gradient(s.x, s.g)
	if !finite(s.loss) || !allFinite(s.g) {
		return false
	}
	if w.diag {
		w.ev.HessianDiagonal(s.x, s.hs)
		if !allFinite(s.hs) {
			return false
		}
		for i := range s.perm {
			s.perm[i] = i
		}
		sort.SliceStable(s.perm, func(i, j int) bool { return s.hs[s.perm[i]] < s.hs[s.perm[j]] })
		for k, i := range s.perm {
			s.vals[k] = s.hs[i]
		}
		return true
	}
	w.ev.Hessian(s.x, s.hs)
	if !allFinite(s.hs) {
		return false
	}
	vals, vecs, err := eigen(s.hs, d)
	if err != nil {
		return false
	}
	copy(s.vals, vals)
	s.vecs = vecs
	return true
}

// comp returns the component of v along mode m.
func (s *state) comp(m int, v []float64) float64 {
	if s.vecs == nil {
		return v[s.perm[m]]
	}
	c := 0.0
	for i := range v {
		c += s.vecs.At(i, m) * v[i]
	}
	return c
}

// addMode adds c times mode m to dst.
func (s *state) addMode(dst []float64, m int, c float64) {
	if s.vecs == nil {
		dst[s.perm[m]] += c
		return
	}
	for i := range dst {
		dst[i] += c * s.vecs.At(i, m)
	}
}

// hessTimes writes H·v into dst.
func (w *walker) hessTimes(s *state, dst, v []float64) {
	d := w.d
	if w.diag {
		for i := range d {
			dst[i] = s.hs[i] * v[i]
		}
		return
	}
	for i := range d {
		t := 0.0
		for j := range d {
			t += s.hs[i*d+j] * v[j]
		}
		dst[i] = t
	}
}

// track returns the mode of s nearest the direction v and, if update, turns v
// into that mode (sign kept).
func (w *walker) track(s *state, v []float64, update bool) int {
	k, best, ck := 0, -1.0, 0.0
	for m := range w.d {
		if c := s.comp(m, v); math.Abs(c) > best {
			k, best, ck = m, math.Abs(c), c
		}
	}
	if update {
		for i := range v {
			v[i] = 0
		}
		s.addMode(v, k, math.Copysign(1, ck))
	}
	return k
}

// newtonStep writes into w.h the step −Σₘ sₘ (vₘ·g)/|λₘ| vₘ with sₘ = −1 for
// the followed mode k (ascent; k < 0: none) and +1 for the others (descent):
// the force of the dimer method with its component along the mode inverted,
// preconditioned by |H|⁻¹. Near an index-1 saddle whose negative mode is k (or
// near a minimum, k < 0) it is Newton's step.
func (w *walker) newtonStep(s *state, k int) {
	d := w.d
	hmax := math.Max(math.Abs(s.vals[0]), math.Abs(s.vals[d-1]))
	floor := math.Max(math.Max(1e-8*hmax, 1e-12*floats.Norm(s.g, 2)/w.ell), 1e-300)
	for i := range w.h {
		w.h[i] = 0
	}
	for m := range d {
		c := s.comp(m, s.g) / math.Max(math.Abs(s.vals[m]), floor)
		if m != k {
			c = -c
		}
		s.addMode(w.h, m, c)
	}
}

// rho is the relative error of the quadratic model of the step w.h from cur
// to nxt: ‖∇L(nxt) − (∇L(cur) + H h)‖ / max(‖∇L(cur)‖, ‖∇L(cur) + H h‖). It
// sets the trust radius.
func (w *walker) rho(cur, nxt *state) float64 {
	w.hessTimes(cur, w.gm, w.h)
	floats.Add(w.gm, cur.g)
	den := math.Max(math.Max(floats.Norm(cur.g, 2), floats.Norm(w.gm, 2)), 1e-300)
	return floats.Distance(nxt.g, w.gm, 2) / den
}

func (w *walker) inBox(x []float64) bool {
	for i := range x {
		if !(math.Abs(x[i]-w.a[i]) <= w.box) {
			return false
		}
	}
	return true
}

// Trust-region constants: a step whose model error ρ exceeds trustReject is
// retaken at a quarter of its length; above trustShrink the radius halves,
// below trustGrow (for a step cut to the radius) it doubles. The radius never
// exceeds trustRel·‖x − a‖ (at least 10⁻³·ℓ), so that runs cannot jump across
// a basin in one step.
const (
	trustReject = 0.5
	trustShrink = 0.25
	trustGrow   = 0.1
	trustRel    = 0.5
)

// follow runs minimum-mode following from x0 with the followed mode
// initialised to the eigenvector of the Hessian nearest v0 and then tracked by
// overlap from step to step (so that a run started along a stiff eigenvector
// of H_a keeps following it instead of falling onto the softest mode). It
// returns the index-1 saddle it converged to, or nil when it ran off. Like
// every mode-following method it may miss a saddle whose minimum energy path
// curves away from the followed direction (Müller–Brown's upper basin: most
// runs climb the outer wall); the perturbed starts and the CI-NEB step cover
// such saddles.
func (w *walker) follow(x0, v0 []float64) []float64 {
	d := w.d
	cur, nxt := w.newState(), w.newState()
	copy(cur.x, x0)
	if !w.eval(cur) {
		return nil
	}
	v := append([]float64(nil), v0...)
	k := w.track(cur, v, true)
	tau := 0.1 * w.ell
	for range exitFollowIter {
		if cur.loss-w.la > w.lcap {
			return nil
		}
		w.newtonStep(cur, k)
		hn := floats.Norm(w.h, 2)
		if k == 0 && cur.vals[0] < 0 && (d == 1 || cur.vals[1] > 0) && hn <= 1e-10*w.ell {
			return cur.x
		}
		clipped := hn > tau
		if clipped {
			floats.Scale(tau/hn, w.h)
			hn = tau
		}
		floats.AddTo(nxt.x, cur.x, w.h)
		if !w.inBox(nxt.x) {
			return nil
		}
		ok := w.eval(nxt)
		rho := math.Inf(1)
		if ok {
			rho = w.rho(cur, nxt)
		}
		if !ok || rho > trustReject {
			tau = hn / 4
			if tau < 1e-13*w.ell {
				return nil
			}
			continue
		}
		cur, nxt = nxt, cur
		k = w.track(cur, v, true)
		limit := math.Max(trustRel*floats.Distance(cur.x, w.a, 2), 1e-3*w.ell)
		switch {
		case rho < trustGrow && clipped:
			tau *= 2
		case rho > trustShrink:
			tau = hn / 2
		}
		tau = math.Min(tau, limit)
	}
	return nil
}

// exitFinder collects, deduplicates and validates candidate saddles.
type exitFinder struct {
	l        *Landscape
	w        *walker
	a        []float64
	hmax     float64 // largest eigenvalue of H_a
	exits    []Exit
	rejected [][]float64
	search   ExitSearch
	reasons  map[string]int
}

// sameMin reports whether two minima coincide (both come out of newtonPolish).
func (f *exitFinder) sameMin(p, q []float64) bool {
	return p != nil && q != nil && distance(p, q) <= 1e-4*f.w.ell
}

// samePoint reports whether two critical points coincide: within 10⁻⁴ of their
// distance from a, plus 10⁻⁸ of the landscape's length scale.
func (f *exitFinder) samePoint(p, q []float64) bool {
	return distance(p, q) <= 1e-4*math.Min(distance(p, f.a), distance(q, f.a))+1e-8*f.w.ell
}

// add validates the candidate b (already Newton-refined) and records it.
// It returns the exit when b is (or equals) an exit.
func (f *exitFinder) add(b []float64, method string) *Exit {
	f.search.Candidates++
	for i := range f.exits {
		if f.samePoint(f.exits[i].Saddle, b) {
			f.search.Duplicates++
			f.exits[i].Hits++
			return &f.exits[i]
		}
	}
	for _, r := range f.rejected {
		if f.samePoint(r, b) {
			f.search.Duplicates++
			return nil
		}
	}
	ex, reason := f.check(b)
	if ex == nil {
		f.rejected = append(f.rejected, b)
		f.search.Rejected++
		f.reasons[reason]++
		return nil
	}
	ex.Method = method
	ex.Hits = 1
	f.exits = append(f.exits, *ex)
	return &f.exits[len(f.exits)-1]
}

// check validates b as an exit of the basin of a: ∇L(b) ≈ 0 (10⁻⁸ of the
// gradient scale λ_max(H_a)·‖b − a‖, as for the NEB), exactly one negative
// Hessian eigenvalue and the others positive beyond round-off (above 10⁻⁹ of
// the largest |λ|, the threshold FindMinimum applies to minima), and gradient flow (flow.go) from b ∓ ε·e (ε = 10⁻³·‖b − a‖) settles in a
// on exactly one side. The other side gives FarMinimum.
func (f *exitFinder) check(b []float64) (*Exit, string) {
	w, d := f.w, f.l.Dim
	dab := distance(b, f.a)
	if !allFinite(b) || dab <= 1e-8*w.ell {
		return nil, "not a new critical point"
	}
	st := w.newState()
	copy(st.x, b)
	if !w.eval(st) {
		return nil, "non-finite derivatives"
	}
	vals := append([]float64(nil), st.vals...)
	if gn := floats.Norm(st.g, 2); !(gn <= 1e-8*math.Max(1, f.hmax*dab)) {
		return nil, "not a critical point"
	}
	if !(vals[0] < 0) || (d > 1 && vals[1] < 0) {
		return nil, "index ≠ 1"
	}
	if hb := math.Max(-vals[0], math.Abs(vals[d-1])); d > 1 && !(vals[1] > 1e-9*hb) {
		return nil, "degenerate (a zero Hessian eigenvalue, e.g. a ring of maxima)"
	}
	e := make([]float64, d)
	st.addMode(e, 0, 1)
	floats.Scale(1/floats.Norm(e, 2), e)
	if floats.Dot(e, b)-floats.Dot(e, f.a) < 0 {
		floats.Scale(-1, e)
	}
	eps := 1e-3 * dab
	side := func(sgn float64) []float64 {
		p := make([]float64, d)
		floats.AddScaledTo(p, b, sgn*eps, e)
		return w.flowToMinimum(p)
	}
	back, fwd := side(-1), side(1)
	backA, fwdA := f.sameMin(back, f.a), f.sameMin(fwd, f.a)
	switch {
	case backA && fwdA:
		return nil, "both sides lead back to a"
	case !backA && !fwdA:
		return nil, "not on the boundary of the basin"
	case fwdA: // the unstable direction leads back to a on the side e points to: turn e
		floats.Scale(-1, e)
		back, fwd = fwd, back
	}
	ex := &Exit{Saddle: append([]float64(nil), b...), EscapeDirection: e, FarMinimum: fwd}
	f.fill(ex, vals)
	return ex, ""
}

func (f *exitFinder) fill(ex *Exit, vals []float64) {
	d := f.l.Dim
	ev := f.w.ev
	ex.LossSaddle = ev.Loss(ex.Saddle)
	ex.DeltaL = ex.LossSaddle - f.w.la
	ex.HessianSaddle = make([]float64, d*d)
	ev.Hessian(ex.Saddle, ex.HessianSaddle)
	ex.HessianSaddleEigenvalues = append([]float64(nil), vals...)
}

// searchExits finds the exits of the basin of the minimum a (d ≥ 2).
//
//  1. Minimum-mode following (the dimer method of G. Henkelman and
//     H. Jónsson, J. Chem. Phys. 111, 7010 (1999), with the exact Hessian
//     instead of the finite-difference dimer): from a + δ·v (δ = 10⁻³·ℓ,
//     ℓ = max(1, ‖a‖∞)) for ± every eigenvector v of H_a when d ≤ 32 or the
//     Hessian is diagonal, for ± the 16 softest otherwise; then from 8 (16
//     when not every eigenvector was followed) perturbed points a + r·u, u uniform on the sphere (math/rand/v2 PCG with
//     a fixed seed), r = 0.3·(distance to the nearest exit found so far, or
//     0.1·ℓ). Each run ascends along the followed mode and descends along the
//     others, then converges by Newton's method to an index-1 saddle, or runs
//     off (leaves |x − a|∞ ≤ 100·ℓ, or 400 steps).
//  2. Climbing-image nudged elastic bands (G. Henkelman, B. P. Uberuaga and
//     H. Jónsson, J. Chem. Phys. 113, 9901 (2000)) from a to every minimum
//     found beyond an exit (and to the minima beyond the exits these find), at
//     most 32 (8 when d > 32); when step 1 found no exit, to the nearest other minimum found by
//     descents from displaced points (as before exits were searched for).
//
// Every converged point is deduplicated by distance and validated by check.
func searchExits(l *Landscape, a []float64) ([]Exit, ExitSearch) {
	d := l.Dim
	hvals, hvecs, err := hessianEigen(l.Evaluator(), a, d)
	f := &exitFinder{l: l, a: a, reasons: map[string]int{}}
	f.search.Method = methodModeFollowing + "; climbing-image NEB (Henkelman, Uberuaga & Jónsson, J. Chem. Phys. 113, 9901 (2000)) to the minima found beyond them"
	if err != nil {
		f.search.Notes = append(f.search.Notes, err.Error())
		return nil, f.search
	}
	f.hmax = math.Max(math.Abs(hvals[0]), math.Abs(hvals[d-1]))
	f.w = newWalker(l, a, f.hmax)
	all := f.followEigenvectors(hvals, hvecs)
	f.followPerturbed(all)
	f.nebToFarMinima()
	if len(f.reasons) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(f.reasons)) {
			parts = append(parts, fmt.Sprintf("%d %s", f.reasons[k], k))
		}
		f.search.Notes = append(f.search.Notes, "rejected: "+strings.Join(parts, ", "))
	}
	f.search.Exits = len(f.exits)
	return f.exits, f.search
}

// followEigenvectors is step 1a of searchExits: mode following from a + δ·v for ± the
// eigenvectors v of H_a (ascending eigenvalues hvals: the softest first), every one when d ≤
// exitSweepMaxDim or the Hessian is diagonal, else the exitSoftModes softest. It says whether
// every eigenvector was followed.
func (f *exitFinder) followEigenvectors(hvals []float64, hvecs *mat.Dense) bool {
	l, a, d := f.l, f.a, f.l.Dim
	modes := d
	if d > exitSweepMaxDim && !l.DiagonalHessian { // a diagonal Hessian needs no O(d³) decomposition: sweep all
		modes = exitSoftModes
		f.search.Notes = append(f.search.Notes, fmt.Sprintf("d = %d > %d: only the %d softest eigenvectors of H_a were followed", d, exitSweepMaxDim, exitSoftModes))
	}
	x0 := make([]float64, d)
	v := make([]float64, d)
	delta := 1e-3 * f.w.ell
	for k := range modes {
		for _, sgn := range []float64{1, -1} {
			for i := range d {
				v[i] = sgn * hvecs.At(i, k)
				x0[i] = a[i] + delta*v[i]
			}
			f.search.EigenDirections++
			f.followAndAdd(x0, v, fmt.Sprintf("%s, started along %s eigenvector %d of H_a (λ = %.6g)", methodModeFollowing, sgnWord(sgn), k+1, hvals[k]))
		}
	}
	return modes == d
}

// followPerturbed is step 1b of searchExits: mode following from exitRandomSmall perturbed
// points a + r·u (exitRandomLarge when not every eigenvector was followed), u uniform on the
// sphere from a fixed seed, r = 0.3·(distance to the nearest exit found so far, or 0.1·ℓ).
func (f *exitFinder) followPerturbed(allEigenvectors bool) {
	a, d := f.a, f.l.Dim
	nr := exitRandomSmall
	if !allEigenvectors {
		nr = exitRandomLarge
	}
	r := 0.1 * f.w.ell
	if len(f.exits) > 0 {
		r = math.Inf(1)
		for _, ex := range f.exits {
			r = math.Min(r, distance(ex.Saddle, a))
		}
		r *= 0.3
	}
	x0 := make([]float64, d)
	v := make([]float64, d)
	rng := rand.New(rand.NewPCG(exitSeed1, exitSeed2))
	for j := range nr {
		for i := range d {
			v[i] = rng.NormFloat64()
		}
		floats.Scale(1/floats.Norm(v, 2), v)
		floats.AddScaledTo(x0, a, r, v)
		f.search.RandomDirections++
		f.followAndAdd(x0, v, fmt.Sprintf("%s, started from perturbed point %d", methodModeFollowing, j+1))
	}
}

// nebToFarMinima is step 2 of searchExits: climbing-image NEB from a to every minimum beyond an
// exit found (and to the minima beyond the exits these find), at most exitMaxNEB (exitMaxNEBLarge
// when d > exitSweepMaxDim); with no exit found, to the nearest other minimum.
func (f *exitFinder) nebToFarMinima() {
	l, a, d := f.l, f.a, f.l.Dim
	var targets, done [][]float64
	for _, ex := range f.exits {
		targets = append(targets, ex.FarMinimum)
	}
	if len(f.exits) == 0 {
		if m, err := nearestOtherMinimum(l, a); err == nil {
			targets = append(targets, m)
			f.search.Notes = append(f.search.Notes, "mode following found no exit: CI-NEB to the nearest other minimum found by descents from displaced points")
		}
	}
	maxNEB := exitMaxNEB
	if d > exitSweepMaxDim {
		maxNEB = exitMaxNEBLarge
	}
	for len(targets) > 0 && f.search.NEBTargets < maxNEB {
		m := targets[0]
		targets = targets[1:]
		if m == nil || f.sameMin(m, a) || slices.ContainsFunc(done, func(q []float64) bool { return f.sameMin(q, m) }) {
			continue
		}
		done = append(done, m)
		f.search.NEBTargets++
		b, _, err := climbingImageNEB(l, a, m)
		if err != nil {
			continue
		}
		n := len(f.exits)
		ex := f.add(b, fmt.Sprintf("climbing-image NEB (Henkelman, Uberuaga & Jónsson, J. Chem. Phys. 113, 9901 (2000)) to the minimum %s + Newton", fmtPoint(m)))
		if ex != nil && len(f.exits) > n {
			targets = append(targets, ex.FarMinimum)
		}
	}
	if len(targets) > 0 {
		f.search.Notes = append(f.search.Notes, fmt.Sprintf("CI-NEB budget (%d) spent; %d minima not tried", maxNEB, len(targets)))
	}
}

func (f *exitFinder) followAndAdd(x0, v []float64, method string) {
	b := f.w.follow(x0, v)
	if b == nil {
		f.search.RunOff++
		return
	}
	f.add(newtonPolish(f.w.ev, b, false), method)
}

func sgnWord(s float64) string {
	if s > 0 {
		return "+"
	}
	return "−"
}

func fmtPoint(p []float64) string { return FormatPoint(p, 6) }

// maxPrintedCoordinates is the most coordinates FormatPoint writes out: a network's point of
// hundreds of parameters would fill a screen, and the JSON carries every one.
const maxPrintedCoordinates = 8

// FormatPoint writes a point for people with the given significant digits: "(x1, …, xd)", or
// for more than maxPrintedCoordinates coordinates the first four and the last, the dimension and
// the Euclidean norm: "(0.1, 0.2, 0.3, 0.4, …, 0.9; d = 513, |θ| = 2.31)".
func FormatPoint(p []float64, digits int) string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', digits, 64) }
	if len(p) <= maxPrintedCoordinates {
		s := make([]string, len(p))
		for i, v := range p {
			s[i] = num(v)
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	s := make([]string, 0, 6)
	for _, v := range p[:4] {
		s = append(s, num(v))
	}
	s = append(s, "…", num(p[len(p)-1]))
	return fmt.Sprintf("(%s; d = %d, |θ| = %s)", strings.Join(s, ", "), len(p), num(floats.Norm(p, 2)))
}

// exits1D returns the exits of the basin of a in 1-D: the nearest local
// maximum of L on each side (at most two; the sign scan of L′ outward to
// 10⁴·max(1, |a|) and bisection of saddle1D), with the minimum beyond each.
func exits1D(l *Landscape, a []float64) ([]Exit, ExitSearch) {
	ev := l.Evaluator()
	h := make([]float64, 1)
	ev.Hessian(a, h)
	f := &exitFinder{l: l, a: a, hmax: math.Abs(h[0]), reasons: map[string]int{}}
	f.w = newWalker(l, a, f.hmax)
	f.search.Method = "1-D: nearest local maximum of L on each side of a (sign scan of L′, bisection)"
	limit := 1e4 * math.Max(1, math.Abs(a[0]))
	for _, dir := range []float64{-1, 1} {
		side := map[float64]string{-1: "left", 1: "right"}[dir]
		f.search.EigenDirections++
		b, ok := nearestMaximum1D(ev, a[0], dir, limit)
		if !ok {
			f.search.RunOff++
			f.search.Notes = append(f.search.Notes, fmt.Sprintf("no local maximum of L to the %s of a (L′ keeps its sign up to %.6g): no exit on that side", side, a[0]+dir*limit))
			continue
		}
		f.search.Candidates++
		ex := &Exit{Saddle: []float64{b}, EscapeDirection: []float64{dir}, Hits: 1,
			Method: fmt.Sprintf("1-D: nearest local maximum of L to the %s (sign scan of L′, bisection)", side)}
		h := make([]float64, 1)
		ev.Hessian(ex.Saddle, h)
		f.fill(ex, h)
		dab := math.Abs(b - a[0])
		ex.FarMinimum = f.w.flowToMinimum([]float64{b + dir*1e-3*dab})
		f.exits = append(f.exits, *ex)
	}
	f.search.Exits = len(f.exits)
	return f.exits, f.search
}

// sortExits orders exits by ΔL; exits of equal ΔL (within 10⁻⁹ relative) by
// distance from a, then by the larger move |b_k − a_k| in the first coordinate
// k where they differ (on a separable landscape: the exit along x1 first), so
// that the order does not depend on round-off or on the order of discovery.
func sortExits(exits []Exit, a []float64) {
	sort.SliceStable(exits, func(i, j int) bool {
		p, q := exits[i], exits[j]
		if math.Abs(p.DeltaL-q.DeltaL) > 1e-9*math.Max(1, math.Max(math.Abs(p.DeltaL), math.Abs(q.DeltaL))) {
			return p.DeltaL < q.DeltaL
		}
		dp, dq := distance(p.Saddle, a), distance(q.Saddle, a)
		if math.Abs(dp-dq) > 1e-9*math.Max(1, dp) {
			return dp < dq
		}
		for k := range p.Saddle { // the larger move in the first coordinate where they differ
			dp, dq := math.Abs(p.Saddle[k]-a[k]), math.Abs(q.Saddle[k]-a[k])
			if math.Abs(dp-dq) > 1e-9*math.Max(1, dp) {
				return dp > dq
			}
			if math.Abs(p.Saddle[k]-q.Saddle[k]) > 1e-9*math.Max(1, math.Abs(p.Saddle[k])) {
				return p.Saddle[k] > q.Saddle[k]
			}
		}
		return false
	})
}

// analyzeExits fills the Analysis of the minimum a: every exit of its basin,
// and the single-saddle fields from the lowest exit (or the exit toward
// opt.Target).
func analyzeExits(l *Landscape, a []float64, opt AnalyzeOptions) (*Analysis, error) {
	var exits []Exit
	var search ExitSearch
	if l.Dim == 1 {
		exits, search = exits1D(l, a)
	} else {
		exits, search = searchExits(l, a)
	}
	sortExits(exits, a)
	chosen := -1
	var targetMin []float64
	var err error
	switch {
	case opt.Target != nil && l.Dim == 1:
		chosen, targetMin, err = exitToward1D(l, a, exits, opt.Target)
	case opt.Target != nil:
		exits, chosen, targetMin, err = exitTowardND(l, a, exits, &search, opt.Target)
	case len(exits) > 0:
		chosen = 0
		targetMin = exits[0].FarMinimum
	}
	if err != nil {
		return nil, err
	}
	var an *Analysis
	if chosen >= 0 {
		ex := exits[chosen]
		if an, err = describe(l, a, ex.Saddle, targetMin, ex.Method); err != nil {
			return nil, err
		}
		an.EscapeDirection = append([]float64(nil), ex.EscapeDirection...)
	} else if an, err = describeUnvalidatedSaddle(l, a, opt, &search); err != nil {
		return nil, err
	}
	exits = keepLowestExits(exits, chosen, opt.MaxExits)
	search.Reported = len(exits)
	an.Exits = exits
	an.ExitSearch = &search
	return an, nil
}

// exitToward1D is the index in exits of the saddle between a and the 1-D target (−1: none of
// them), and the target's minimum.
func exitToward1D(l *Landscape, a []float64, exits []Exit, target []float64) (int, []float64, error) {
	b, t, err := saddle1D(l, a[0], target)
	if err != nil {
		return -1, nil, err
	}
	for i := range exits {
		if math.Abs(exits[i].Saddle[0]-b[0]) <= 1e-9*math.Max(1, math.Abs(b[0])) {
			return i, t, nil
		}
	}
	return -1, t, nil
}

// exitTowardND is the index in exits of the exit whose far minimum is the target's (−1: none),
// and the target's minimum. Where no exit found leads there, one more CI-NEB to the target's
// minimum may add one: it returns the exits with that one, sorted, and counts it in search.
func exitTowardND(l *Landscape, a []float64, exits []Exit, search *ExitSearch, target []float64) ([]Exit, int, []float64, error) {
	tm, err := FindMinimum(l, target)
	if err != nil {
		return nil, -1, nil, fmt.Errorf("target: %w", err)
	}
	if distance(tm, a) < sameTol(a) {
		return nil, -1, nil, fmt.Errorf("the target %v lies in the basin of the start minimum %v", target, a)
	}
	ell := math.Max(1, floats.Norm(a, math.Inf(1)))
	toward := func() int {
		for i := range exits {
			if exits[i].FarMinimum != nil && distance(exits[i].FarMinimum, tm) <= 1e-4*ell {
				return i
			}
		}
		return -1
	}
	if chosen := toward(); chosen >= 0 {
		return exits, chosen, tm, nil
	}
	exits = nebToTarget(l, a, exits, search, tm)
	return exits, toward(), tm, nil
}

// nebToTarget runs one more CI-NEB from a to the target's minimum tm and adds the saddle it finds
// to exits when it validates as an exit; it counts the attempt in search and returns the exits,
// sorted.
func nebToTarget(l *Landscape, a []float64, exits []Exit, search *ExitSearch, tm []float64) []Exit {
	b, _, err := climbingImageNEB(l, a, tm)
	if err != nil {
		return exits
	}
	hv, _, _ := hessianEigen(l.Evaluator(), a, l.Dim)
	f := &exitFinder{l: l, a: a, exits: exits, reasons: map[string]int{}}
	if hv != nil {
		f.hmax = math.Max(math.Abs(hv[0]), math.Abs(hv[l.Dim-1]))
	}
	f.w = newWalker(l, a, f.hmax)
	f.add(b, fmt.Sprintf("climbing-image NEB (Henkelman, Uberuaga & Jónsson, J. Chem. Phys. 113, 9901 (2000)) to the target minimum %s + Newton", fmtPoint(tm)))
	search.NEBTargets++
	search.Candidates += f.search.Candidates
	search.Duplicates += f.search.Duplicates
	search.Rejected += f.search.Rejected
	exits = f.exits
	search.Exits = len(exits)
	sortExits(exits, a)
	return exits
}

// describeUnvalidatedSaddle describes the saddle of the single-saddle search where no validated
// exit (toward the target) was found, as before exits were searched for, and says so in search.
func describeUnvalidatedSaddle(l *Landscape, a []float64, opt AnalyzeOptions, search *ExitSearch) (*Analysis, error) {
	var b, tm []float64
	var method string
	var err error
	target := opt.Target
	if l.Dim == 1 {
		b, tm, err = saddle1D(l, a[0], target)
		method = "1-D: nearest local maximum of L (sign scan of L', bisection)"
		var none NoBarrierError
		if errors.As(err, &none) && opt.Escaped != nil {
			const limit = 1e4 // as saddle1D's search
			x, ok := nearestEscaped1D(a[0], opt.Escaped, limit)
			if !ok {
				return nil, fmt.Errorf("%w, and the escape region holds nowhere within %g of it", err, limit*math.Max(1, math.Abs(a[0])))
			}
			b, err = []float64{x}, nil
			method = "no barrier (L rises on both sides of a): the nearest point of the escape region stands in for the saddle"
			search.Notes = append(search.Notes, "no barrier encloses the basin: the escape region given is the question")
		}
	} else {
		b, tm, method, err = saddleND(l, a, target)
	}
	if err != nil {
		return nil, err
	}
	an, err := describe(l, a, b, tm, method+"; not among the validated exits of the basin")
	if err != nil {
		return nil, err
	}
	search.Notes = append(search.Notes, "the saddle reported is not a validated exit of the basin")
	return an, nil
}

// keepLowestExits keeps the lowest maxExits of the sorted exits, and the chosen one (maxExits ≤ 0:
// all).
func keepLowestExits(exits []Exit, chosen, maxExits int) []Exit {
	if maxExits <= 0 || len(exits) <= maxExits {
		return exits
	}
	kept := append([]Exit(nil), exits[:maxExits]...)
	if chosen >= maxExits {
		kept = append(kept, exits[chosen])
	}
	return kept
}
