package gpu

import (
	"errors"
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/shaders"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// DefaultMaxPoints is the most particles the renderer draws per frame; larger ensembles are
// drawn with a stride (every k-th particle), which the overlay states.
const DefaultMaxPoints = 2_000_000

// ViewOptions configure a Renderer.
type ViewOptions struct {
	// Box is the rectangle of view coordinates shown, as (u0, u1, v0, v1); the zero value
	// chooses one around the start minimum, the saddle and the target minimum. In 1-D the
	// view coordinates are (x, L(x)).
	Box [4]float64
	// MaxPoints caps the particles drawn per frame (0: DefaultMaxPoints).
	MaxPoints int
	// PointSize in pixels (0: from the number of points drawn).
	PointSize float32
	// Density starts in the density view (2-D and d > 2: a binned heat map instead of points;
	// 1-D: the histogram is always drawn and Density hides the points).
	Density bool
}

// Mapping says where view coordinates land in a rendered frame: the plot rectangle (the
// viewport, letterboxed to keep the landscape's aspect ratio in 2-D) shows Box.
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

// Particle colours (linear, before the additive blend scales them).
var (
	colorRunning  = [3]float32{0.30, 0.85, 1.00} // still in the start basin (never escaped)
	colorEscaped  = [3]float32{1.00, 0.55, 0.12} // escaped (the record holds its first passage)
	colorDiverged = [3]float32{1.00, 0.20, 0.85} // diverged (NaN, Inf or outside the box)
)

// Renderer draws the particles of a GPU Backend straight from its storage buffers, over the
// landscape evaluated per pixel from the same generated code, into an offscreen framebuffer
// (so the window, screenshots and headless frames are the same pixels). Its methods run GL
// through the backend's Context and may be called from any goroutine.
type Renderer struct {
	c   *Context
	b   *Backend
	p   *host.Problem
	opt ViewOptions

	dim    int
	view1D bool
	origin []float64 // projection: u = (θ − origin)·projU, v = (θ − origin)·projV
	projU  []float64
	projV  []float64
	axes   [2]string
	box    [4]float64 // u0, u1, v0, v1

	lossA, colorLo, lossStep, lossSpan float64
	markers                            [][2]float64 // a, b, target (view coordinates)

	points, bin, background, curve, bars, marks, overlay *Program
	bins                                                 *Buffer
	nx, ny                                               int
	vao                                                  uint32
	fbo, colorTex, overlayTex                            uint32
	fbW, fbH                                             int

	// Density selects the density view (see ViewOptions.Density).
	Density bool
	text    *overlayText
}

// NewRenderer compiles the draw programs for the problem loaded in b. The backend keeps
// stepping as usual; the renderer only reads its buffers.
func NewRenderer(b *Backend, opt ViewOptions) (*Renderer, error) {
	p := b.Problem()
	if p == nil {
		return nil, errors.New("renderer: the backend has no problem loaded (call Load first)")
	}
	r, err := layout(p, opt)
	if err != nil {
		return nil, err
	}
	r.c, r.b = b.Context(), b
	if r.view1D {
		r.nx, r.ny = 120, 1
	} else {
		r.nx = 160
		r.ny = max(8, min(400, int(math.Round(160*(r.box[3]-r.box[2])/(r.box[1]-r.box[0])))))
	}
	if err := r.compile(); err != nil {
		r.Delete()
		return nil, err
	}
	if r.bins, err = r.c.NewBuffer(4*(r.nx*r.ny+1), DynamicCopy); err != nil {
		r.Delete()
		return nil, err
	}
	if r.text, err = newOverlayText(); err != nil {
		r.Delete()
		return nil, err
	}
	if err := r.c.Do(func() error {
		gl.GenVertexArrays(1, &r.vao)
		return glError("create vertex array")
	}); err != nil {
		r.Delete()
		return nil, err
	}
	return r, nil
}

// layout fixes everything about a view that needs no GL: projection, colour scales, box.
func layout(p *host.Problem, opt ViewOptions) (*Renderer, error) {
	if opt.MaxPoints <= 0 {
		opt.MaxPoints = DefaultMaxPoints
	}
	r := &Renderer{p: p, opt: opt, dim: p.Dim, view1D: p.Dim == 1, Density: opt.Density}
	r.projection()
	r.scales()
	if opt.Box != ([4]float64{}) {
		if !(opt.Box[1] > opt.Box[0] && opt.Box[3] > opt.Box[2]) {
			return nil, fmt.Errorf("view box %v: need u0 < u1 and v0 < v1", opt.Box)
		}
		r.box = opt.Box
	} else {
		r.box = r.autoBox()
	}
	return r, nil
}

// Landmarks are the marked points in view coordinates; Target is nil when the analysis has no
// target minimum.
type Landmarks struct {
	Minimum []float64 `json:"minimum"`
	Saddle  []float64 `json:"saddle"`
	Target  []float64 `json:"target,omitempty"`
}

// ViewMapping returns, without GL, the mapping of a w×h frame of p's view and where the start
// minimum, the saddle and the target minimum are drawn (in view coordinates; Mapping.Pixel
// converts them to pixels). Tests and reports use it to find the basins in a picture.
func ViewMapping(p *host.Problem, opt ViewOptions, w, h int) (Mapping, Landmarks, error) {
	r, err := layout(p, opt)
	if err != nil {
		return Mapping{}, Landmarks{}, err
	}
	return r.Mapping(w, h), r.Landmarks(), nil
}

// Landmarks returns the marked points in view coordinates.
func (r *Renderer) Landmarks() Landmarks {
	an := r.p.Analysis
	pt := func(x []float64) []float64 {
		if x == nil {
			return nil
		}
		u, v := r.ViewPoint(x)
		return []float64{u, v}
	}
	return Landmarks{Minimum: pt(an.Minimum), Saddle: pt(an.Saddle), Target: pt(an.TargetMinimum)}
}

// projection fixes the view plane: identity in 2-D; for d > 2 the plane through the start
// minimum a spanned by the escape direction e and the eigenvector of H_a, taken in ascending
// eigenvalue order, with the largest part orthogonal to e (Gram–Schmidt).
func (r *Renderer) projection() {
	d := r.dim
	an := r.p.Analysis
	r.origin = make([]float64, d)
	r.projU = make([]float64, d)
	r.projV = make([]float64, d)
	switch {
	case d == 1:
		r.projU[0] = 1
		r.axes = [2]string{"x", "L(x)"}
	case d == 2:
		r.projU[0], r.projV[1] = 1, 1
		r.axes = [2]string{"x", "y"}
	default:
		copy(r.origin, an.Minimum)
		copy(r.projU, an.EscapeDirection)
		var es mat.EigenSym
		best, bestNorm := -1, 0.0
		var vecs mat.Dense
		if es.Factorize(mat.NewSymDense(d, append([]float64(nil), an.HessianMin...)), true) {
			es.VectorsTo(&vecs)
			for j := 0; j < d; j++ {
				w := orthogonalPart(mat.Col(nil, j, &vecs), r.projU)
				if n := norm2(w); n > bestNorm+1e-9 {
					best, bestNorm = j, n
				}
			}
		}
		if best >= 0 && bestNorm > 1e-6 {
			w := orthogonalPart(mat.Col(nil, best, &vecs), r.projU)
			for k := range w {
				r.projV[k] = w[k] / bestNorm
			}
		} else { // any unit vector orthogonal to e
			for k := 0; k < d; k++ {
				u := make([]float64, d)
				u[k] = 1
				w := orthogonalPart(u, r.projU)
				if n := norm2(w); n > 0.5 {
					for i := range w {
						r.projV[i] = w[i] / n
					}
					break
				}
			}
		}
		r.axes = [2]string{"e: escape direction (from a)", "v: H_a eigenvector, orthogonal to e"}
	}
}

func orthogonalPart(v, e []float64) []float64 {
	s := 0.0
	for i := range v {
		s += v[i] * e[i]
	}
	w := make([]float64, len(v))
	for i := range v {
		w[i] = v[i] - s*e[i]
	}
	return w
}

func norm2(v []float64) float64 { return floats.Norm(v, 2) }

// ViewPoint maps θ to view coordinates, as the shaders do.
func (r *Renderer) ViewPoint(x []float64) (u, v float64) {
	if r.view1D {
		return x[0], r.p.Eval.Loss(x)
	}
	for k := range x {
		d := x[k] - r.origin[k]
		u += d * r.projU[k]
		v += d * r.projV[k]
	}
	return u, v
}

func (r *Renderer) scales() {
	an := r.p.Analysis
	r.lossA = an.LossMinimum
	dl := math.Max(an.DeltaL, 1e-12)
	r.lossStep = dl / 6
	r.colorLo = r.lossA
	if t := an.TargetMinimum; t != nil {
		r.colorLo = math.Min(r.colorLo, r.p.Eval.Loss(t))
	}
	r.lossSpan = 3 * (an.LossSaddle - r.colorLo)
	if !(r.lossSpan > 0) {
		r.lossSpan = 2.5 * dl
	}
	r.markers = [][2]float64{}
	for _, pt := range [][]float64{an.Minimum, an.Saddle, an.TargetMinimum} {
		if pt == nil {
			continue
		}
		u, v := r.ViewPoint(pt)
		r.markers = append(r.markers, [2]float64{u, v})
	}
}

// autoBox frames the start minimum, the saddle, the target minimum and the escape surface.
func (r *Renderer) autoBox() [4]float64 {
	an := r.p.Analysis
	pts := [][]float64{an.Minimum, an.Saddle}
	if an.TargetMinimum != nil {
		pts = append(pts, an.TargetMinimum)
	}
	if e := r.p.Escape; e.Kind == host.EscapeHyperplane {
		q := make([]float64, r.dim)
		for i := range q {
			q[i] = e.Point[i] + e.Margin*e.Normal[i]
		}
		pts = append(pts, q)
	}
	if r.view1D {
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
			l := r.p.Eval.Loss([]float64{x0 + (x1-x0)*float64(i)/400})
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
		u, v := r.ViewPoint(q)
		u0, u1, v0, v1 = math.Min(u0, u), math.Max(u1, u), math.Min(v0, v), math.Max(v1, v)
	}
	eu, ev := u1-u0, v1-v0
	ext := math.Max(math.Max(eu, ev), 1e-3)
	eu, ev = math.Max(eu, 0.6*ext), math.Max(ev, 0.6*ext)
	cu, cv := (u0+u1)/2, (v0+v1)/2
	return [4]float64{cu - eu, cu + eu, cv - ev, cv + ev}
}

// Box returns the view box (u0, u1, v0, v1).
func (r *Renderer) Box() [4]float64 { return r.box }

// Axes names the two view coordinates.
func (r *Renderer) Axes() [2]string { return r.axes }

// drawSource is the generated code bound to draw_landscape.glsl: the landscape in float, the
// escape condition, and the projection constants.
func (r *Renderer) drawSource() string {
	opt := landscape.GLSLOptions{}
	var b strings.Builder
	b.WriteString(r.p.Landscape.GLSL(opt))
	view1D := 0
	if r.view1D {
		view1D = 1
	}
	fmt.Fprintf(&b, "#define VIEW_1D %d\n", view1D)
	b.WriteString(r.p.Escape.GLSL("escapeCondition", opt))
	arr := func(name string, v []float64) {
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = landscape.Literal(x, landscape.GLSLOptions{})
		}
		fmt.Fprintf(&b, "const float %s[LANDSCAPE_DIM] = float[](%s);\n", name, strings.Join(parts, ", "))
	}
	arr("PROJ_ORIGIN", r.origin)
	arr("PROJ_U", r.projU)
	arr("PROJ_V", r.projV)
	return b.String()
}

// DrawUnits assembles every draw program of the renderer's problem (for validation).
func (r *Renderer) DrawUnits() (map[string]*shaders.Unit, error) {
	posReal := "float"
	if r.b.Double() {
		posReal = "double"
	}
	defs := map[string]string{"REAL": "float", "POS_REAL": posReal}
	extra := map[string]string{"draw_landscape.glsl": r.drawSource(), "records.glsl": host.RecordGLSL()}
	out := map[string]*shaders.Unit{}
	for _, n := range []string{"draw_fullscreen.vert.glsl", "draw_points.vert.glsl", "draw_points.frag.glsl",
		"draw_bin.comp.glsl", "draw_background.frag.glsl", "draw_curve.vert.glsl", "draw_color.frag.glsl",
		"draw_bars.vert.glsl", "draw_markers.vert.glsl", "draw_markers.frag.glsl", "draw_overlay.frag.glsl"} {
		u, err := shaders.Assemble(n, defs, extra)
		if err != nil {
			return nil, err
		}
		out[n] = u
	}
	return out, nil
}

func (r *Renderer) compile() error {
	u, err := r.DrawUnits()
	if err != nil {
		return fmt.Errorf("assemble draw programs: %w", err)
	}
	pair := func(vs, fs string) (*Program, error) {
		p, err := r.c.CompileRenderUnits(u[vs], u[fs])
		if err != nil {
			return nil, fmt.Errorf("compile %s + %s: %w", vs, fs, err)
		}
		return p, nil
	}
	if r.points, err = pair("draw_points.vert.glsl", "draw_points.frag.glsl"); err != nil {
		return err
	}
	if r.background, err = pair("draw_fullscreen.vert.glsl", "draw_background.frag.glsl"); err != nil {
		return err
	}
	if r.marks, err = pair("draw_markers.vert.glsl", "draw_markers.frag.glsl"); err != nil {
		return err
	}
	if r.overlay, err = pair("draw_fullscreen.vert.glsl", "draw_overlay.frag.glsl"); err != nil {
		return err
	}
	if r.view1D {
		if r.curve, err = pair("draw_curve.vert.glsl", "draw_color.frag.glsl"); err != nil {
			return err
		}
		if r.bars, err = pair("draw_bars.vert.glsl", "draw_color.frag.glsl"); err != nil {
			return err
		}
	}
	if r.bin, err = r.c.CompileComputeUnit(u["draw_bin.comp.glsl"]); err != nil {
		return fmt.Errorf("compile draw_bin.comp.glsl: %w", err)
	}
	return nil
}

// Delete releases the renderer's GL objects (not the backend's buffers).
func (r *Renderer) Delete() {
	for _, p := range []*Program{r.points, r.bin, r.background, r.curve, r.bars, r.marks, r.overlay} {
		if p != nil {
			p.Delete()
		}
	}
	if r.bins != nil {
		r.bins.Delete()
	}
	_ = r.c.Do(func() error {
		r.freeTargets()
		if r.vao != 0 {
			gl.DeleteVertexArrays(1, &r.vao)
			r.vao = 0
		}
		if r.overlayTex != 0 {
			gl.DeleteTextures(1, &r.overlayTex)
			r.overlayTex = 0
		}
		return nil
	})
}

func (r *Renderer) freeTargets() {
	if r.fbo != 0 {
		gl.DeleteFramebuffers(1, &r.fbo)
		r.fbo = 0
	}
	if r.colorTex != 0 {
		gl.DeleteTextures(1, &r.colorTex)
		r.colorTex = 0
	}
	r.fbW, r.fbH = 0, 0
}

// ensureTargets (re)creates the offscreen framebuffer and the overlay texture at w×h.
func (r *Renderer) ensureTargets(w, h int) error {
	if r.fbo != 0 && r.fbW == w && r.fbH == h {
		return nil
	}
	r.freeTargets()
	gl.GenTextures(1, &r.colorTex)
	gl.BindTexture(gl.TEXTURE_2D, r.colorTex)
	gl.TexStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, int32(w), int32(h))
	gl.GenFramebuffers(1, &r.fbo)
	gl.BindFramebuffer(gl.FRAMEBUFFER, r.fbo)
	gl.FramebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, r.colorTex, 0)
	if st := gl.CheckFramebufferStatus(gl.FRAMEBUFFER); st != gl.FRAMEBUFFER_COMPLETE {
		gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
		return fmt.Errorf("offscreen framebuffer %d×%d incomplete (status 0x%x)", w, h, st)
	}
	gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
	if r.overlayTex != 0 {
		gl.DeleteTextures(1, &r.overlayTex)
	}
	gl.GenTextures(1, &r.overlayTex)
	gl.BindTexture(gl.TEXTURE_2D, r.overlayTex)
	gl.TexStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, int32(w), int32(h))
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
	gl.BindTexture(gl.TEXTURE_2D, 0)
	r.fbW, r.fbH = w, h
	r.text.invalidate()
	return glError(fmt.Sprintf("create %d×%d render targets", w, h))
}

// PanelWidth is the width of the text panel left of the plot.
const PanelWidth = 330

// Mapping returns where the view box lands in a w×h frame: in 2-D and d > 2 the largest
// rectangle of the box's aspect ratio (equal scales on both axes) inside the plot area,
// centred; in 1-D the whole plot area. The plot area leaves the text panel on the left and
// margins for the axis labels.
func (r *Renderer) Mapping(w, h int) Mapping {
	left, right, top, bottom := PanelWidth+58, 14, 10, 40
	if w < 2*PanelWidth { // too narrow for the side panel: the text goes over the plot
		left = 58
	}
	aw, ah := max(w-left-right, 16), max(h-top-bottom, 16)
	vw, vh := aw, ah
	if !r.view1D {
		aspect := (r.box[1] - r.box[0]) / (r.box[3] - r.box[2])
		if float64(aw)/float64(ah) > aspect {
			vw = int(math.Round(float64(ah) * aspect))
		} else {
			vh = int(math.Round(float64(aw) / aspect))
		}
	}
	x0 := left + (aw-vw)/2
	y0 := top + (ah-vh)/2
	return Mapping{Box: r.box, Viewport: [4]int{x0, y0, vw, vh}, Framebuffer: [2]int{w, h}, Axes: r.axes}
}

// drawn returns the stride and the number of particles drawn per frame.
func (r *Renderer) drawn() (stride, n int) {
	_, counts, _ := r.buffers()
	total := 0
	for _, c := range counts {
		total += c
	}
	stride = max(1, (total+r.opt.MaxPoints-1)/r.opt.MaxPoints)
	for _, c := range counts {
		n += (c + stride - 1) / stride
	}
	return stride, n
}

func (r *Renderer) buffers() (pos []*Buffer, counts []int, rec []*Buffer) {
	pos, rec, counts = r.b.PositionBuffers()
	return
}

// Sampling describes the subsample: every stride-th particle, n points per frame.
func (r *Renderer) Sampling() (stride, n int) { return r.drawn() }

// Render draws one w×h frame into the offscreen framebuffer, with the overlay text lines
// info (top left) and footer (bottom left).
func (r *Renderer) Render(w, h int, info []string, footer string) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("render: frame size %d×%d", w, h)
	}
	m := r.Mapping(w, h)
	stride, drawn := r.drawn()
	pos, counts, rec := r.buffers()
	return r.c.Do(func() error {
		if err := r.ensureTargets(w, h); err != nil {
			return err
		}
		density := r.view1D || r.Density
		if density {
			if err := r.binParticles(pos, rec, counts, stride); err != nil {
				return err
			}
		}
		gl.BindFramebuffer(gl.FRAMEBUFFER, r.fbo)
		gl.BindVertexArray(r.vao)
		gl.Viewport(0, 0, int32(w), int32(h))
		gl.Disable(gl.DEPTH_TEST)
		gl.Disable(gl.BLEND)
		gl.ClearColor(0.085, 0.09, 0.11, 1)
		gl.Clear(gl.COLOR_BUFFER_BIT)
		vp := m.Viewport
		glY := h - vp[1] - vp[3]
		gl.Viewport(int32(vp[0]), int32(glY), int32(vp[2]), int32(vp[3]))
		box := [4]float32{float32(r.box[0]), float32(r.box[2]), float32(r.box[1]), float32(r.box[3])}
		if err := r.bins.BindBase(3); err != nil {
			return err
		}
		// Background.
		bg := r.background
		setVec4(bg, "uBox", box)
		setVec4(bg, "uViewport", [4]float32{float32(vp[0]), float32(glY), float32(vp[2]), float32(vp[3])})
		if !r.view1D {
			bg.SetFloat("uLossMin", float32(r.lossA))
			bg.SetFloat("uColorLo", float32(r.colorLo))
			bg.SetFloat("uLossStep", float32(r.lossStep))
			bg.SetFloat("uLossSpan", float32(r.lossSpan))
			bg.SetInt("uDensity", b2i(r.Density))
			bg.SetUint("uNX", uint32(r.nx))
			bg.SetUint("uNY", uint32(r.ny))
		}
		gl.UseProgram(bg.id)
		gl.DrawArrays(gl.TRIANGLES, 0, 3)
		gl.Enable(gl.BLEND)
		if r.view1D {
			gl.BlendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
			r.bars.SetUint("uNX", uint32(r.nx))
			r.bars.SetFloat("uHeight", 0.3)
			r.bars.SetVec4("uColor", 0.30, 0.85, 1.0, 0.30)
			gl.UseProgram(r.bars.id)
			gl.DrawArrays(gl.TRIANGLES, 0, int32(6*r.nx))
			setVec4(r.curve, "uBox", box)
			r.curve.SetInt("uSamples", 1024)
			r.curve.SetVec4("uColor", 0.92, 0.92, 0.95, 0.9)
			gl.UseProgram(r.curve.id)
			for _, off := range [][2]float32{{0, 0}, {0, 2 / float32(vp[3])}} {
				r.curve.SetVec2("uOffset", off[0], off[1])
				gl.DrawArrays(gl.LINE_STRIP, 0, 1024)
			}
		}
		// Particles, pulled from the simulation's buffers.
		if !(r.Density && !r.view1D) && !(r.view1D && r.Density) {
			gl.BlendFunc(gl.ONE, gl.ONE)
			gl.Enable(gl.PROGRAM_POINT_SIZE)
			pp := r.points
			setVec4(pp, "uBox", box)
			size := r.opt.PointSize
			if size <= 0 {
				switch {
				case drawn <= 20000:
					size = 3
				case drawn <= 500000:
					size = 2
				default:
					size = 1
				}
			}
			alpha := math.Min(0.8, math.Max(0.08, 0.3*math.Sqrt(20000/float64(max(drawn, 1)))))
			pp.SetFloat("uPointSize", size)
			pp.SetFloat("uAlpha", float32(alpha))
			pp.SetUint("uStride", uint32(stride))
			pp.SetVec3("uColorRunning", colorRunning[0], colorRunning[1], colorRunning[2])
			pp.SetVec3("uColorEscaped", colorEscaped[0], colorEscaped[1], colorEscaped[2])
			pp.SetVec3("uColorDiverged", colorDiverged[0], colorDiverged[1], colorDiverged[2])
			gl.UseProgram(pp.id)
			for i := range pos {
				gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, 0, pos[i].ID())
				gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, 1, rec[i].ID())
				pp.SetUint("uCount", uint32(counts[i]))
				gl.DrawArrays(gl.POINTS, 0, int32((counts[i]+stride-1)/stride))
			}
		}
		// Markers: start minimum (ring), saddle (cross), target minimum (diamond).
		gl.BlendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
		mk := r.marks
		setVec4(mk, "uBox", box)
		var mpos []float32
		for _, q := range r.markers {
			mpos = append(mpos, float32(q[0]), float32(q[1]))
		}
		cols := []float32{1, 1, 1, 0.95, 1, 0.85, 0.3, 0.95, 0.75, 0.75, 0.8, 0.85}
		shapes := []int32{0, 1, 2}
		if l, err := mk.location("uMarkers[0]"); err == nil && len(mpos) > 0 {
			gl.ProgramUniform2fv(mk.id, l, int32(len(r.markers)), &mpos[0])
		}
		if l, err := mk.location("uMarkerColors[0]"); err == nil {
			gl.ProgramUniform4fv(mk.id, l, int32(len(r.markers)), &cols[0])
		}
		if l, err := mk.location("uMarkerShapes[0]"); err == nil {
			gl.ProgramUniform1iv(mk.id, l, int32(len(r.markers)), &shapes[0])
		}
		mk.SetFloat("uMarkerSize", 17)
		gl.UseProgram(mk.id)
		gl.DrawArrays(gl.POINTS, 0, int32(len(r.markers)))
		// Overlay text.
		gl.Viewport(0, 0, int32(w), int32(h))
		if img := r.text.image(w, h, r, m, info, footer); img != nil {
			gl.BindTexture(gl.TEXTURE_2D, r.overlayTex)
			gl.PixelStorei(gl.UNPACK_ALIGNMENT, 4)
			gl.TexSubImage2D(gl.TEXTURE_2D, 0, 0, 0, int32(w), int32(h), gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(img.Pix))
		}
		gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA) // the overlay image is premultiplied
		gl.ActiveTexture(gl.TEXTURE0)
		gl.BindTexture(gl.TEXTURE_2D, r.overlayTex)
		r.overlay.SetInt("uText", 0)
		gl.UseProgram(r.overlay.id)
		gl.DrawArrays(gl.TRIANGLES, 0, 3)
		gl.Disable(gl.BLEND)
		gl.BindVertexArray(0)
		gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
		return glError("render frame")
	})
}

// binParticles fills the density bins (every stride-th particle) with the bin program.
func (r *Renderer) binParticles(pos, rec []*Buffer, counts []int, stride int) error {
	if err := r.bins.Zero(); err != nil {
		return err
	}
	bp := r.bin
	box := [4]float32{float32(r.box[0]), float32(r.box[2]), float32(r.box[1]), float32(r.box[3])}
	setVec4(bp, "uBox", box)
	bp.SetUint("uStride", uint32(stride))
	bp.SetUint("uNX", uint32(r.nx))
	bp.SetUint("uNY", uint32(r.ny))
	if err := r.bins.BindBase(3); err != nil {
		return err
	}
	maxGroups := int(r.c.Limits().MaxComputeWorkGroupCount[0])
	if maxGroups <= 0 {
		maxGroups = 65535
	}
	for i := range pos {
		n := (counts[i] + stride - 1) / stride
		groups := (n + 63) / 64
		if groups == 0 {
			continue
		}
		if groups > maxGroups {
			// Too many for one dispatch: widen the stride of this batch instead.
			groups = maxGroups
			bp.SetUint("uStride", uint32((counts[i]+64*maxGroups-1)/(64*maxGroups)))
		}
		gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, 0, pos[i].ID())
		gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, 1, rec[i].ID())
		bp.SetUint("uCount", uint32(counts[i]))
		if err := bp.Dispatch(uint32(groups), 1, 1); err != nil {
			return err
		}
		bp.SetUint("uStride", uint32(stride))
	}
	return nil
}

// ReadImage reads the last rendered frame back (row 0 at the top, opaque).
func (r *Renderer) ReadImage() (*image.RGBA, error) {
	var img *image.RGBA
	err := r.c.Do(func() error {
		if r.fbo == 0 {
			return errors.New("read frame: nothing rendered yet")
		}
		w, h := r.fbW, r.fbH
		buf := make([]byte, 4*w*h)
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, r.fbo)
		gl.PixelStorei(gl.PACK_ALIGNMENT, 4)
		gl.ReadPixels(0, 0, int32(w), int32(h), gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(buf))
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, 0)
		img = image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			copy(img.Pix[y*img.Stride:y*img.Stride+4*w], buf[(h-1-y)*4*w:(h-y)*4*w])
		}
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 255
		}
		return glError("read frame")
	})
	return img, err
}

// Present copies the last frame to the window's back buffer and swaps (windowed contexts).
func (r *Renderer) Present() error {
	win := r.c.Window()
	if win == nil {
		return errors.New("present: the context has no window")
	}
	return r.c.Do(func() error {
		if windowGone(win) {
			return ErrWindowGone
		}
		fw, fh := win.GetFramebufferSize()
		if fw <= 0 || fh <= 0 {
			return nil
		}
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, r.fbo)
		gl.BindFramebuffer(gl.DRAW_FRAMEBUFFER, 0)
		gl.Viewport(0, 0, int32(fw), int32(fh))
		gl.ClearColor(0.085, 0.09, 0.11, 1)
		gl.Clear(gl.COLOR_BUFFER_BIT)
		gl.BlitFramebuffer(0, 0, int32(r.fbW), int32(r.fbH), 0, int32(fh-r.fbH), int32(r.fbW), int32(fh), gl.COLOR_BUFFER_BIT, gl.NEAREST)
		gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
		win.SwapBuffers()
		if err := glError("present frame"); err != nil {
			if windowGone(win) {
				return ErrWindowGone
			}
			return err
		}
		return nil
	})
}

// ErrWindowGone is returned by Present when the window was destroyed behind GLFW's back
// (for example by xdotool windowclose): the caller should treat it as a close request.
var ErrWindowGone = errors.New("the window was destroyed")

func setVec4(p *Program, name string, v [4]float32) {
	p.SetVec4(name, v[0], v[1], v[2], v[3])
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
