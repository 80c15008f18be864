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
		nImg      = 17 // interior images
		maxIter   = 20000
		climbFrom = 200 // iterations before the highest image starts climbing
	)
	ev := l.Evaluator()
	d := l.Dim
	n := nImg + 2
	R := make([][]float64, n)
	for i := range n {
		R[i] = make([]float64, d)
		s := float64(i) / float64(n-1)
		for j := range d {
			R[i][j] = a[j] + s*(t[j]-a[j])
		}
	}
	// Curvature scale for the spring constant and the time step.
	h := make([]float64, d*d)
	kappa := 0.0
	for _, p := range [][]float64{a, t} {
		ev.Hessian(p, h)
		vals, _, err := eigen(h, d)
		if err != nil {
			return nil, "", err
		}
		kappa = math.Max(kappa, vals[d-1])
	}
	ks := 0.5 * kappa // spring constant
	dt0 := 0.1 / math.Sqrt(kappa+4*ks)
	dtMax := 10 * dt0
	maxStep := 0.2 * distance(a, t) / float64(n-1)

	E := make([]float64, n)
	for i := range n {
		E[i] = ev.Loss(R[i])
	}
	G := make([][]float64, n)
	F := make([][]float64, n)
	V := make([][]float64, n)
	tau := make([]float64, d)
	tp := make([]float64, d)
	tm := make([]float64, d)
	for i := range n {
		G[i] = make([]float64, d)
		F[i] = make([]float64, d)
		V[i] = make([]float64, d)
	}
	dt, alpha, nPos := dt0, 0.1, 0
	ftol := -1.0
	climb := -1
	for it := 0; it < maxIter; it++ {
		fmax := 0.0
		if it >= climbFrom {
			climb = 1
			for i := 2; i < n-1; i++ {
				if E[i] > E[climb] {
					climb = i
				}
			}
		}
		for i := 1; i < n-1; i++ {
			ev.Gradient(R[i], G[i])
			floats.SubTo(tp, R[i+1], R[i])
			floats.SubTo(tm, R[i], R[i-1])
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
			gt := floats.Dot(G[i], tau)
			if i == climb {
				// climbing image: full force with the component along the band inverted
				for j := range d {
					F[i][j] = -G[i][j] + 2*gt*tau[j]
				}
			} else {
				spring := ks * (floats.Norm(tp, 2) - floats.Norm(tm, 2))
				for j := range d {
					F[i][j] = -G[i][j] + gt*tau[j] + spring*tau[j]
				}
			}
			fmax = math.Max(fmax, floats.Norm(F[i], 2))
		}
		if ftol < 0 {
			ftol = 1e-7 * math.Max(fmax, kappa*distance(a, t))
		}
		if climb > 0 && fmax < ftol {
			break
		}
		// FIRE step
		P, vn, fn := 0.0, 0.0, 0.0
		for i := 1; i < n-1; i++ {
			P += floats.Dot(F[i], V[i])
			vn += floats.Dot(V[i], V[i])
			fn += floats.Dot(F[i], F[i])
		}
		vn, fn = math.Sqrt(vn), math.Sqrt(fn)
		if P > 0 {
			for i := 1; i < n-1; i++ {
				for j := range d {
					V[i][j] = (1-alpha)*V[i][j] + alpha*vn*F[i][j]/fn
				}
			}
			nPos++
			if nPos > 5 {
				dt = math.Min(dt*1.1, dtMax)
				alpha *= 0.99
			}
		} else {
			for i := 1; i < n-1; i++ {
				floats.Scale(0, V[i])
			}
			dt *= 0.5
			alpha = 0.1
			nPos = 0
		}
		for i := 1; i < n-1; i++ {
			floats.AddScaled(V[i], dt, F[i])
			step := floats.Norm(V[i], 2) * dt
			sc := dt
			if step > maxStep {
				sc = dt * maxStep / step
			}
			floats.AddScaled(R[i], sc, V[i])
			E[i] = ev.Loss(R[i])
			if !finite(E[i]) {
				return nil, "", fmt.Errorf("nudged elastic band left the region where the loss is finite")
			}
		}
	}
	if climb < 0 {
		climb = 1
	}
	for i := 2; i < n-1; i++ {
		if E[i] > E[climb] {
			climb = i
		}
	}
	ci := R[climb]
	b := newtonPolish(ev, ci, false)
	g := make([]float64, d)
	ev.Gradient(b, g)
	method := "climbing-image nudged elastic band (Henkelman, Uberuaga & Jónsson 2000) + Newton refinement"
	if !(floats.Norm(g, 2) <= 1e-8*math.Max(1, kappa*distance(a, t))) || distance(b, ci) > 0.5*distance(a, t) {
		// Newton did not converge to a nearby critical point: report the climbing image.
		b = append([]float64(nil), ci...)
		method = "climbing-image nudged elastic band (Henkelman, Uberuaga & Jónsson 2000), Newton refinement did not converge"
	}
	return b, method, nil
}
