package view

import (
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// PanelWidth is the width in pixels of the text panel left of the plot.
const PanelWidth = 330

// Geometry is everything about a view that needs no GL: the projection of θ onto the two view
// coordinates, the view box, the landmarks, the colour scale of the landscape and the mapping of
// view coordinates to pixels. It is built from a host.Problem alone (NewGeometry) and is a plain
// value: tests and reports use it to find the basins in a picture.
//
// View coordinates: in 2-D (u, v) = (x, y); for d > 2, u = (θ − Origin)·U and v = (θ − Origin)·V on
// the plane through the start minimum a spanned by the escape direction e and the eigenvector of
// H_a with the largest part orthogonal to e (a trained minimum without a saddle: H_a's two leading
// eigenvectors, trained.go); in 1-D, (u, v) = (x, L(x)).
type Geometry struct {
	Dim     int
	OneD    bool      // 1-D: the view coordinates are (x, L(x))
	Origin  []float64 // the projection: u = (θ − Origin)·U, v = (θ − Origin)·V (2-D and d > 2)
	U, V    []float64 // orthonormal
	Axes    [2]string // names of u and v
	Box     [4]float64
	Marks   Landmarks
	Colours ColourScale
	// Trained: the start minimum has no saddle (a trained network, host/trained.go); the plane is
	// then spanned by H_a's two leading eigenvectors, whose eigenvalues are Curvatures (trained.go).
	Trained    bool
	Curvatures [2]float64
	// ContourNote is the legend's line about the contours (2-D and d > 2).
	ContourNote string

	loss func([]float64) float64 // L(θ), for the 1-D view coordinate v = L(x)
}

// ColourScale fixes the colour map and the contours of the background: contours every Step from
// LossMin (L(a)), contour Mark drawn bright (6: the saddle level, or a trained minimum's escape
// level; −1: none); the colour map runs from Lo to Lo + Span.
type ColourScale struct {
	LossMin, Lo, Step, Span float64
	Mark                    float64
}

// Landmarks are the marked points in view coordinates; Target is nil when the analysis has no
// target minimum.
type Landmarks struct {
	Minimum []float64 `json:"minimum"`
	Saddle  []float64 `json:"saddle"`
	Target  []float64 `json:"target,omitempty"`
}

// Mapping says where view coordinates land in a rendered frame: the plot rectangle (the
// viewport) shows Box, with equal scales on both axes in 2-D (Geometry.Mapping).
type Mapping struct {
	Box         [4]float64 `json:"box"`         // u0, u1, v0, v1 (view coordinates)
	Viewport    [4]int     `json:"viewport"`    // left, top, width, height in image pixels (row 0 at the top)
	Framebuffer [2]int     `json:"framebuffer"` // width, height
	Axes        [2]string  `json:"axes"`        // names of u and v
}

// Pixel returns the image position (x right, y down; pixel centres at +0.5) of view point (u, v).
func (m Mapping) Pixel(u, v float64) (x, y float64) {
	x = float64(m.Viewport[0]) + (u-m.Box[0])/(m.Box[1]-m.Box[0])*float64(m.Viewport[2])
	y = float64(m.Viewport[1]) + (m.Box[3]-v)/(m.Box[3]-m.Box[2])*float64(m.Viewport[3])
	return x, y
}

// View is the inverse of Pixel: the view coordinates of image position (x, y).
func (m Mapping) View(x, y float64) (u, v float64) {
	u = m.Box[0] + (x-float64(m.Viewport[0]))/float64(m.Viewport[2])*(m.Box[1]-m.Box[0])
	v = m.Box[3] - (y-float64(m.Viewport[1]))/float64(m.Viewport[3])*(m.Box[3]-m.Box[2])
	return u, v
}

// NewGeometry fixes the view of p: the projection, the colour scale, the landmarks and the box
// (box as (u0, u1, v0, v1); the zero value chooses one around the start minimum, the saddle, the
// target minimum and the escape surface).
func NewGeometry(p *host.Problem, box [4]float64) (Geometry, error) {
	g := Geometry{Dim: p.Dim, OneD: p.Dim == 1, loss: p.Eval.Loss}
	an := p.Analysis
	g.Trained = p.Dim > 2 && an.Saddle == nil
	g.projection(an)
	pt := func(x []float64) []float64 {
		if x == nil {
			return nil
		}
		u, v := g.ViewPoint(x)
		return []float64{u, v}
	}
	g.Marks = Landmarks{Minimum: pt(an.Minimum), Saddle: pt(an.Saddle), Target: pt(an.TargetMinimum)}
	if box != ([4]float64{}) {
		if !(box[1] > box[0] && box[3] > box[2]) {
			return Geometry{}, fmt.Errorf("view box %v: need u0 < u1 and v0 < v1", box)
		}
		g.Box = box
	} else if g.Trained {
		g.Box = g.trainedBox(p)
	} else {
		g.Box = g.autoBox(p)
	}
	if g.Trained {
		g.Colours, g.ContourNote = g.trainedContours(p, g.Box)
	} else {
		g.Colours = colourScale(p)
		g.ContourNote = "contours every ΔL/6; bright: L(b)"
	}
	return g, nil
}

// projection fixes the view plane: identity in 2-D; for d > 2 the plane through the start
// minimum a spanned by the escape direction e and the eigenvector of H_a, taken in ascending
// eigenvalue order, with the largest part orthogonal to e (Gram–Schmidt); for a trained minimum
// without a saddle, H_a's two leading eigenvectors (trainedProjection).
func (g *Geometry) projection(an *landscape.Analysis) {
	d := g.Dim
	g.Origin = make([]float64, d)
	g.U = make([]float64, d)
	g.V = make([]float64, d)
	switch {
	case d == 1:
		g.U[0] = 1
		g.Axes = [2]string{"x", "L(x)"}
	case d == 2:
		g.U[0], g.V[1] = 1, 1
		g.Axes = [2]string{"x", "y"}
	case g.Trained:
		copy(g.Origin, an.Minimum)
		g.trainedProjection(an.HessianMin)
	default:
		copy(g.Origin, an.Minimum)
		copy(g.U, an.EscapeDirection)
		var es mat.EigenSym
		best, bestNorm := -1, 0.0
		var vecs mat.Dense
		if es.Factorize(mat.NewSymDense(d, append([]float64(nil), an.HessianMin...)), true) {
			es.VectorsTo(&vecs)
			for j := 0; j < d; j++ {
				w := orthogonalPart(mat.Col(nil, j, &vecs), g.U)
				if n := floats.Norm(w, 2); n > bestNorm+1e-9 {
					best, bestNorm = j, n
				}
			}
		}
		if best >= 0 && bestNorm > 1e-6 {
			w := orthogonalPart(mat.Col(nil, best, &vecs), g.U)
			for k := range w {
				g.V[k] = w[k] / bestNorm
			}
		} else { // any unit vector orthogonal to e
			for k := 0; k < d; k++ {
				u := make([]float64, d)
				u[k] = 1
				w := orthogonalPart(u, g.U)
				if n := floats.Norm(w, 2); n > 0.5 {
					for i := range w {
						g.V[i] = w[i] / n
					}
					break
				}
			}
		}
		g.Axes = [2]string{"e: escape direction (from a)", "v: H_a eigenvector, orthogonal to e"}
	}
}

func orthogonalPart(v, e []float64) []float64 {
	s := floats.Dot(v, e)
	w := make([]float64, len(v))
	for i := range v {
		w[i] = v[i] - s*e[i]
	}
	return w
}

// ViewPoint maps θ to view coordinates, as the shaders do.
func (g Geometry) ViewPoint(x []float64) (u, v float64) {
	if g.OneD {
		return x[0], g.loss(x)
	}
	for k := range x {
		d := x[k] - g.Origin[k]
		u += d * g.U[k]
		v += d * g.V[k]
	}
	return u, v
}

// Unproject is the point Origin + u·U + v·V of the view plane (in 1-D, x = u), as the background
// shader evaluates the landscape.
func (g Geometry) Unproject(u, v float64) []float64 {
	x := make([]float64, g.Dim)
	for k := range x {
		if g.OneD {
			x[k] = u
			continue
		}
		x[k] = g.Origin[k] + u*g.U[k] + v*g.V[k]
	}
	return x
}

func colourScale(p *host.Problem) ColourScale {
	an := p.Analysis
	dl := math.Max(an.DeltaL, 1e-12)
	c := ColourScale{LossMin: an.LossMinimum, Lo: an.LossMinimum, Step: dl / 6, Mark: 6}
	if t := an.TargetMinimum; t != nil {
		c.Lo = math.Min(c.Lo, p.Eval.Loss(t))
	}
	c.Span = 3 * (an.LossSaddle - c.Lo)
	if !(c.Span > 0) {
		c.Span = 2.5 * dl
	}
	return c
}

// autoBox frames the start minimum, the saddle, the target minimum and the escape surface; with
// several exits (host.EscapeExits) every exit's saddle, far minimum and surface point, so that the
// view draws every exit surface.
func (g Geometry) autoBox(p *host.Problem) [4]float64 {
	an := p.Analysis
	pts := [][]float64{an.Minimum, an.Saddle}
	if an.TargetMinimum != nil {
		pts = append(pts, an.TargetMinimum)
	}
	if e := p.Escape; e.Kind == host.EscapeHyperplane {
		q := make([]float64, g.Dim)
		for i := range q {
			q[i] = e.Point[i] + e.Margin*e.Normal[i]
		}
		pts = append(pts, q)
	}
	if e := p.Escape; e.Kind == host.EscapeExits {
		for i, s := range e.Surfaces {
			q := make([]float64, g.Dim)
			for k := range q {
				q[k] = s.Point[k] + s.Margin*s.Normal[k]
			}
			pts = append(pts, s.Point, q)
			if i < len(an.Exits) && an.Exits[i].FarMinimum != nil {
				pts = append(pts, an.Exits[i].FarMinimum)
			}
		}
	}
	if g.OneD {
		x0, x1 := math.Inf(1), math.Inf(-1)
		for _, q := range pts {
			x0, x1 = math.Min(x0, q[0]), math.Max(x1, q[0])
		}
		ex := math.Max(x1-x0, 1e-3)
		x0 -= 0.6 * ex
		x1 += 0.6 * ex
		if an.TargetMinimum == nil {
			x1 += 0.4 * ex
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i <= 400; i++ {
			l := p.Eval.Loss([]float64{x0 + (x1-x0)*float64(i)/400})
			if !math.IsNaN(l) && !math.IsInf(l, 0) {
				lo, hi = math.Min(lo, l), math.Max(hi, l)
			}
		}
		top := math.Min(hi, an.LossSaddle+0.8*math.Max(an.DeltaL, 1e-9))
		if !(top > lo) {
			top = lo + 1
		}
		h := top - lo
		return [4]float64{x0, x1, lo - 0.45*h, top + 0.08*h}
	}
	u0, u1, v0, v1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		u, v := g.ViewPoint(q)
		u0, u1, v0, v1 = math.Min(u0, u), math.Max(u1, u), math.Min(v0, v), math.Max(v1, v)
	}
	eu, ev := u1-u0, v1-v0
	ext := math.Max(math.Max(eu, ev), 1e-3)
	eu, ev = math.Max(eu, 0.6*ext), math.Max(ev, 0.6*ext)
	cu, cv := (u0+u1)/2, (v0+v1)/2
	return [4]float64{cu - eu, cu + eu, cv - ev, cv + ev}
}

// histogramMargin is the 1-D view's margin right of the plot, for the histogram's scale.
const histogramMargin = 56

// Mapping returns where the view box lands in a w×h frame: the plot fills the whole plot
// area, which leaves the text panel on the left and margins for the axis labels and, in 1-D,
// the histogram's scale (a frame
// narrower than two panels puts the text over the plot). In 2-D and d > 2 the box shown is the
// geometry's box widened along one axis, about its centre, to the plot area's aspect ratio, so
// that both axes have equal scales and no part of the frame is left empty (a letterboxed plot
// left bands beside it, issue 21); in 1-D the box is shown as it is.
func (g Geometry) Mapping(w, h int) Mapping {
	left, right, top, bottom := PanelWidth+58, 14, 10, 40
	if w < 2*PanelWidth {
		left = 58
	}
	if g.OneD {
		right = histogramMargin
	}
	aw, ah := max(w-left-right, 16), max(h-top-bottom, 16)
	box := g.Box
	if !g.OneD {
		bw, bh := box[1]-box[0], box[3]-box[2]
		if area := float64(aw) / float64(ah); area > bw/bh {
			cu := (box[0] + box[1]) / 2
			box[0], box[1] = cu-bh*area/2, cu+bh*area/2
		} else {
			cv := (box[2] + box[3]) / 2
			box[2], box[3] = cv-bw/area/2, cv+bw/area/2
		}
	}
	return Mapping{Box: box, Viewport: [4]int{left, top, aw, ah}, Framebuffer: [2]int{w, h}, Axes: g.Axes}
}
