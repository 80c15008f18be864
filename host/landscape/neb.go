package landscape

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// climbingImageNEB locates the saddle between the minima a and t with the
// climbing-image nudged elastic band method (G. Henkelman, B. P. Uberuaga and
// H. Jónsson, J. Chem. Phys. 113, 9901 (2000)), using the improved tangent of
// G. Henkelman and H. Jónsson, J. Chem. Phys. 113, 9978 (2000), and the FIRE
// optimiser (E. Bitzek et al., Phys. Rev. Lett. 97, 170201 (2006)) to relax the
// band. The climbing image is then refined by Newton iterations on ∇L = 0.
func climbingImageNEB(l *Landscape, a, t []float64) ([]float64, string, error) {
	const (
		maxIter   = 20000
		climbFrom = 200 // iterations before the highest image starts climbing
	)
	b, err := newBand(l, a, t)
	if err != nil {
		return nil, "", err
	}
	fire := newFIRE(b)
	ftol := -1.0
	climb := -1
	for it := 0; it < maxIter; it++ {
		if it >= climbFrom {
			climb = b.highest()
		}
		fmax := b.forces(climb)
		if ftol < 0 {
			ftol = 1e-7 * math.Max(fmax, b.kappa*b.span)
		}
		if climb > 0 && fmax < ftol {
			break
		}
		if err := fire.step(b); err != nil {
			return nil, "", err
		}
	}
	return b.refineSaddle(max(climb, 1))
}

// nebImages is the number of interior images of the band.
const nebImages = 17

// band is a nudged elastic band between two minima: its images R (the ends fixed), their losses E,
// gradients G, forces F and FIRE velocities V; kappa is the largest curvature at the ends, ks the
// spring constant.
type band struct {
	ev        *Evaluator
	d, n      int
	R, G, F   [][]float64
	V         [][]float64
	E         []float64
	kappa, ks float64
	// span is the distance between the two minima.
	span float64
	// tau, tp, tm are the scratch tangent and the differences to the next and the previous image.
	tau, tp, tm []float64
}

// newBand is the straight band of nebImages interior images from a to t, with the spring constant
// half the largest Hessian eigenvalue at either end.
func newBand(l *Landscape, a, t []float64) (*band, error) {
	d := l.Dim
	n := nebImages + 2
	b := &band{ev: l.Evaluator(), d: d, n: n, R: make([][]float64, n), G: make([][]float64, n), F: make([][]float64, n),
		V: make([][]float64, n), E: make([]float64, n), tau: make([]float64, d), tp: make([]float64, d), tm: make([]float64, d)}
	for i := range n {
		b.R[i] = make([]float64, d)
		s := float64(i) / float64(n-1)
		for j := range d {
			b.R[i][j] = a[j] + s*(t[j]-a[j])
		}
	}
	// Curvature scale for the spring constant and the time step.
	for _, p := range [][]float64{a, t} {
		vals, _, err := hessianEigen(b.ev, p, d)
		if err != nil {
			return nil, err
		}
		b.kappa = math.Max(b.kappa, vals[d-1])
	}
	b.ks = 0.5 * b.kappa
	b.span = distance(a, t)
	for i := range n {
		b.E[i] = b.ev.Loss(b.R[i])
		b.G[i] = make([]float64, d)
		b.F[i] = make([]float64, d)
		b.V[i] = make([]float64, d)
	}
	return b, nil
}

// highest is the interior image of the highest loss (the first of equals).
func (b *band) highest() int { return b.highestAgainst(1) }

// highestAgainst is the image of the highest loss among first and the interior images from 2 on
// (first where none is higher).
func (b *band) highestAgainst(first int) int {
	climb := first
	for i := 2; i < b.n-1; i++ {
		if b.E[i] > b.E[climb] {
			climb = i
		}
	}
	return climb
}

// tangent sets b.tau to the improved tangent at image i (Henkelman & Jónsson 2000), and b.tp, b.tm
// to the differences to the next and the previous image.
func (b *band) tangent(i int) {
	E, tau, tp, tm := b.E, b.tau, b.tp, b.tm
	floats.SubTo(tp, b.R[i+1], b.R[i])
	floats.SubTo(tm, b.R[i], b.R[i-1])
	switch {
	case E[i+1] > E[i] && E[i] > E[i-1]:
		copy(tau, tp)
	case E[i+1] < E[i] && E[i] < E[i-1]:
		copy(tau, tm)
	default:
		dmax := math.Max(math.Abs(E[i+1]-E[i]), math.Abs(E[i-1]-E[i]))
		dmin := math.Min(math.Abs(E[i+1]-E[i]), math.Abs(E[i-1]-E[i]))
		if E[i+1] > E[i-1] {
			floats.AddScaledTo(tau, floats.ScaleTo(tau, dmax, tp), dmin, tm)
		} else {
			floats.AddScaledTo(tau, floats.ScaleTo(tau, dmin, tp), dmax, tm)
		}
	}
	if nt := floats.Norm(tau, 2); nt > 0 {
		floats.Scale(1/nt, tau)
	}
}

// forces sets the NEB force of every interior image: the gradient's component across the band
// plus the spring force along it, or, on the climbing image climb (< 0: none), the full force with
// its component along the band inverted. It returns the largest force.
func (b *band) forces(climb int) float64 {
	fmax := 0.0
	for i := 1; i < b.n-1; i++ {
		b.ev.Gradient(b.R[i], b.G[i])
		b.tangent(i)
		tau, G, F := b.tau, b.G[i], b.F[i]
		gt := floats.Dot(G, tau)
		if i == climb {
			for j := range b.d {
				F[j] = -G[j] + 2*gt*tau[j]
			}
		} else {
			spring := b.ks * (floats.Norm(b.tp, 2) - floats.Norm(b.tm, 2))
			for j := range b.d {
				F[j] = -G[j] + gt*tau[j] + spring*tau[j]
			}
		}
		fmax = math.Max(fmax, floats.Norm(F, 2))
	}
	return fmax
}

// fire is the state of the FIRE optimiser (Bitzek et al. 2006) on a band: time step dt (at most
// dtMax), mixing alpha, the count nPos of steps with positive power, and the largest move of an
// image per step.
type fire struct {
	dt, dtMax, alpha float64
	nPos             int
	maxStep          float64
}

// newFIRE starts FIRE on b with dt = 0.1/√(κ + 4k_s), dtMax = 10·dt and moves of at most a fifth
// of the initial spacing of the images.
func newFIRE(b *band) *fire {
	dt0 := 0.1 / math.Sqrt(b.kappa+4*b.ks)
	return &fire{dt: dt0, dtMax: 10 * dt0, alpha: 0.1,
		maxStep: 0.2 * b.span / float64(b.n-1)}
}

// step is one FIRE step of the interior images under the forces b.F.
func (f *fire) step(b *band) error {
	P, vn, fn := 0.0, 0.0, 0.0
	for i := 1; i < b.n-1; i++ {
		P += floats.Dot(b.F[i], b.V[i])
		vn += floats.Dot(b.V[i], b.V[i])
		fn += floats.Dot(b.F[i], b.F[i])
	}
	vn, fn = math.Sqrt(vn), math.Sqrt(fn)
	if P > 0 {
		for i := 1; i < b.n-1; i++ {
			for j := range b.d {
				b.V[i][j] = (1-f.alpha)*b.V[i][j] + f.alpha*vn*b.F[i][j]/fn
			}
		}
		f.nPos++
		if f.nPos > 5 {
			f.dt = math.Min(f.dt*1.1, f.dtMax)
			f.alpha *= 0.99
		}
	} else {
		for i := 1; i < b.n-1; i++ {
			floats.Scale(0, b.V[i])
		}
		f.dt *= 0.5
		f.alpha = 0.1
		f.nPos = 0
	}
	for i := 1; i < b.n-1; i++ {
		floats.AddScaled(b.V[i], f.dt, b.F[i])
		step := floats.Norm(b.V[i], 2) * f.dt
		sc := f.dt
		if step > f.maxStep {
			sc = f.dt * f.maxStep / step
		}
		floats.AddScaled(b.R[i], sc, b.V[i])
		b.E[i] = b.ev.Loss(b.R[i])
		if !finite(b.E[i]) {
			return fmt.Errorf("nudged elastic band left the region where the loss is finite")
		}
	}
	return nil
}

// refineSaddle refines the band's highest image by Newton iterations on ∇L = 0 and returns it
// with the method's description; where Newton does not converge to a nearby critical point it
// returns the climbing image itself. The highest image is found against the last climbing image
// climb (1 before any climbed), as the band was relaxed.
func (b *band) refineSaddle(climb int) ([]float64, string, error) {
	ci := b.R[b.highestAgainst(climb)]
	s := newtonPolish(b.ev, ci, false)
	g := make([]float64, b.d)
	b.ev.Gradient(s, g)
	method := "climbing-image nudged elastic band (Henkelman, Uberuaga & Jónsson 2000) + Newton refinement"
	if !(floats.Norm(g, 2) <= 1e-8*math.Max(1, b.kappa*b.span)) || distance(s, ci) > 0.5*b.span {
		// Newton did not converge to a nearby critical point: report the climbing image.
		s = append([]float64(nil), ci...)
		method = "climbing-image nudged elastic band (Henkelman, Uberuaga & Jónsson 2000), Newton refinement did not converge"
	}
	return s, method, nil
}
