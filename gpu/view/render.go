package view

import (
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
	"time"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/shaders"
)

// DefaultMaxPoints is the most particles the renderer draws per frame; larger ensembles are
// drawn with a stride (every k-th particle), which the overlay states.
const DefaultMaxPoints = 2_000_000

// Options configure a Renderer.
type Options struct {
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

// MappingOf returns, without GL, the mapping of a w×h frame of p's view and where the start
// minimum, the saddle and the target minimum are drawn (in view coordinates; Mapping.Pixel
// converts them to pixels).
func MappingOf(p *host.Problem, opt Options, w, h int) (Mapping, Landmarks, error) {
	g, err := NewGeometry(p, opt.Box)
	if err != nil {
		return Mapping{}, Landmarks{}, err
	}
	return g.Mapping(w, h), g.Marks, nil
}

// Particle colours (linear, before the additive blend scales them).
var (
	colorRunning  = [3]float32{0.30, 0.85, 1.00} // still in the start basin (never escaped)
	colorEscaped  = [3]float32{1.00, 0.55, 0.12} // escaped (the record holds its first passage)
	colorDiverged = [3]float32{1.00, 0.20, 0.85} // diverged (NaN, Inf or outside the box)
)

// Renderer draws the particles of a GPU Backend straight from its storage buffers over the
// landscape into an offscreen framebuffer (so the window, screenshots and headless frames are
// the same pixels). What does not change between frames is cached: the landscape background
// (colour map, contours, escape surface) is evaluated per pixel only when the plot's size
// changes, and the overlay text is rasterised again only where a line changed. Its methods run
// GL through the backend's Context and may be called from any goroutine.
type Renderer struct {
	c   *gpu.Context
	b   *gpu.Backend
	geo Geometry
	opt Options

	splat, bin, background, compose, resolve, curve, bars, marks, overlay *gpu.Program

	bins   *gpu.Buffer // density bins (nx·ny + 1: the largest count last)
	nx, ny int
	counts *gpu.Buffer // particle counts per cell of the plot rectangle, three planes
	grid   countGrid   // the cells the counts hold
	// maxCountBytes caps the counts buffer (0: GL_MAX_SHADER_STORAGE_BLOCK_SIZE).
	maxCountBytes int64

	vao                       uint32
	fbo, colorTex, overlayTex uint32
	fbW, fbH                  int
	bgFBO                     uint32
	bgTex                     [2]uint32 // finished background; landscape layer with the escape code
	bgKey                     [4]int    // plot rectangle the background was drawn for
	bgBuilds                  int
	text                      *overlayText
	times                     Times // of the last Render and Present

	// Density selects the density view (see Options.Density).
	Density bool
}

// Times are the wall times of the phases of one frame, each measured on the CPU up to a glFinish
// at its end, so it includes the GPU work the phase issued.
type Times struct {
	Background, Points, Overlay time.Duration
	// Present is Present (the copy to the window and the swap) plus any ReadImage of the frame.
	Present time.Duration
	// BackgroundCached is false when the frame evaluated the landscape per pixel (a new size).
	BackgroundCached bool
}

// NewRenderer compiles the draw programs for the problem loaded in b. The backend keeps
// stepping as usual; the renderer only reads its buffers.
func NewRenderer(b *gpu.Backend, opt Options) (*Renderer, error) {
	p := b.Problem()
	if p == nil {
		return nil, errors.New("renderer: the backend has no problem loaded (call Load first)")
	}
	if opt.MaxPoints <= 0 {
		opt.MaxPoints = DefaultMaxPoints
	}
	g, err := NewGeometry(p, opt.Box)
	if err != nil {
		return nil, err
	}
	r := &Renderer{c: b.Context(), b: b, geo: g, opt: opt, Density: opt.Density}
	r.nx, r.ny = 120, 1
	if !g.OneD {
		r.nx, r.ny = densityCells(g.Mapping(960, 720))
	}
	if err := r.compile(p); err != nil {
		r.Delete()
		return nil, err
	}
	// Three planes of cells and the largest count (draw_bin.comp.glsl), for the most cells any
	// frame size can ask for (densityCells).
	cells := r.nx * r.ny
	if !g.OneD {
		cells = densityColumns * densityMaxRows
	}
	if r.bins, err = r.c.NewBuffer(4*(3*cells+1), gpu.DynamicCopy); err != nil {
		r.Delete()
		return nil, err
	}
	if r.text, err = newOverlayText(); err != nil {
		r.Delete()
		return nil, err
	}
	r.text.legend = landmarkLegend(g, p.Escape)
	if err := r.c.Do(func() error {
		gl.GenVertexArrays(1, &r.vao)
		return gpu.GLError("create vertex array")
	}); err != nil {
		r.Delete()
		return nil, err
	}
	return r, nil
}

// Geometry returns the view's geometry (projection, box, landmarks, mapping).
func (r *Renderer) Geometry() Geometry { return r.geo }

// Landmarks returns the marked points in view coordinates.
func (r *Renderer) Landmarks() Landmarks { return r.geo.Marks }

// Mapping returns where the view box lands in a w×h frame (Geometry.Mapping).
func (r *Renderer) Mapping(w, h int) Mapping { return r.geo.Mapping(w, h) }

// Times returns the phase times of the last frame.
func (r *Renderer) Times() Times { return r.times }

// BackgroundBuilds counts how often the landscape was evaluated per pixel (once per plot size).
func (r *Renderer) BackgroundBuilds() int { return r.bgBuilds }

// drawSource is the generated code bound to draw_landscape.glsl: the landscape in float, the
// escape condition, the projection constants and the record constants.
func drawSource(p *host.Problem, g Geometry) string {
	opt := landscape.GLSLOptions{}
	var b strings.Builder
	b.WriteString(p.Landscape.GLSL(opt))
	view1D := 0
	if g.OneD {
		view1D = 1
	}
	fmt.Fprintf(&b, "#define VIEW_1D %d\n", view1D)
	b.WriteString(p.Escape.GLSL("escapeCondition", opt))
	arr := func(name string, v []float64) {
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = landscape.Literal(x, landscape.GLSLOptions{})
		}
		fmt.Fprintf(&b, "const float %s[LANDSCAPE_DIM] = float[](%s);\n", name, strings.Join(parts, ", "))
	}
	arr("PROJ_ORIGIN", g.Origin)
	arr("PROJ_U", g.U)
	arr("PROJ_V", g.V)
	b.WriteString(host.RecordGLSL())
	return b.String()
}

// drawPrograms are the draw programs' files.
var drawPrograms = []string{"draw_fullscreen.vert.glsl", "draw_splat.comp.glsl", "draw_resolve.frag.glsl",
	"draw_bin.comp.glsl", "draw_background.frag.glsl", "draw_compose.frag.glsl", "draw_curve.vert.glsl",
	"draw_color.frag.glsl", "draw_bars.vert.glsl", "draw_markers.vert.glsl", "draw_markers.frag.glsl",
	"draw_overlay.frag.glsl"}

// DrawUnits assembles every draw program of p's view (double: float64 positions), for
// validation.
func DrawUnits(p *host.Problem, double bool) (map[string]*shaders.Unit, error) {
	g, err := NewGeometry(p, [4]float64{})
	if err != nil {
		return nil, err
	}
	return drawUnits(p, g, double)
}

func drawUnits(p *host.Problem, g Geometry, double bool) (map[string]*shaders.Unit, error) {
	posReal := "float"
	if double {
		posReal = "double"
	}
	defs := map[string]string{"REAL": "float", "POS_REAL": posReal}
	extra := map[string]string{"draw_landscape.glsl": drawSource(p, g)}
	out := map[string]*shaders.Unit{}
	for _, n := range drawPrograms {
		u, err := shaders.Assemble(n, defs, extra)
		if err != nil {
			return nil, err
		}
		out[n] = u
	}
	return out, nil
}

func (r *Renderer) compile(p *host.Problem) error {
	u, err := drawUnits(p, r.geo, r.b.Double())
	if err != nil {
		return fmt.Errorf("assemble draw programs: %w", err)
	}
	pair := func(vs, fs string) (*gpu.Program, error) {
		p, err := r.c.CompileRenderUnits(u[vs], u[fs])
		if err != nil {
			return nil, fmt.Errorf("compile %s + %s: %w", vs, fs, err)
		}
		return p, nil
	}
	comp := func(n string) (*gpu.Program, error) {
		p, err := r.c.CompileComputeUnit(u[n])
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", n, err)
		}
		return p, nil
	}
	if r.background, err = pair("draw_fullscreen.vert.glsl", "draw_background.frag.glsl"); err != nil {
		return err
	}
	if r.resolve, err = pair("draw_fullscreen.vert.glsl", "draw_resolve.frag.glsl"); err != nil {
		return err
	}
	if r.marks, err = pair("draw_markers.vert.glsl", "draw_markers.frag.glsl"); err != nil {
		return err
	}
	if r.overlay, err = pair("draw_fullscreen.vert.glsl", "draw_overlay.frag.glsl"); err != nil {
		return err
	}
	if r.geo.OneD {
		if r.curve, err = pair("draw_curve.vert.glsl", "draw_color.frag.glsl"); err != nil {
			return err
		}
		if r.bars, err = pair("draw_bars.vert.glsl", "draw_color.frag.glsl"); err != nil {
			return err
		}
	} else if r.compose, err = pair("draw_fullscreen.vert.glsl", "draw_compose.frag.glsl"); err != nil {
		return err
	}
	if r.splat, err = comp("draw_splat.comp.glsl"); err != nil {
		return err
	}
	if r.bin, err = comp("draw_bin.comp.glsl"); err != nil {
		return err
	}
	return nil
}

// Delete releases the renderer's GL objects (not the backend's buffers).
func (r *Renderer) Delete() {
	for _, p := range []*gpu.Program{r.splat, r.bin, r.background, r.compose, r.resolve, r.curve, r.bars, r.marks, r.overlay} {
		if p != nil {
			p.Delete()
		}
	}
	for _, b := range []*gpu.Buffer{r.bins, r.counts} {
		if b != nil {
			b.Delete()
		}
	}
	_ = r.c.Do(func() error {
		r.freeTargets()
		r.freeLayers()
		if r.vao != 0 {
			gl.DeleteVertexArrays(1, &r.vao)
			r.vao = 0
		}
		return nil
	})
}

func (r *Renderer) freeTargets() {
	if r.fbo != 0 {
		gl.DeleteFramebuffers(1, &r.fbo)
		r.fbo = 0
	}
	for _, t := range []*uint32{&r.colorTex, &r.overlayTex} {
		if *t != 0 {
			gl.DeleteTextures(1, t)
			*t = 0
		}
	}
	r.fbW, r.fbH = 0, 0
}

func (r *Renderer) freeLayers() {
	if r.bgFBO != 0 {
		gl.DeleteFramebuffers(1, &r.bgFBO)
		r.bgFBO = 0
	}
	for i := range r.bgTex {
		if r.bgTex[i] != 0 {
			gl.DeleteTextures(1, &r.bgTex[i])
			r.bgTex[i] = 0
		}
	}
	r.bgKey = [4]int{}
}

func newTexture(w, h int) uint32 {
	var t uint32
	gl.GenTextures(1, &t)
	gl.BindTexture(gl.TEXTURE_2D, t)
	gl.TexStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, int32(w), int32(h))
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
	gl.BindTexture(gl.TEXTURE_2D, 0)
	return t
}

// ensureTargets (re)creates the offscreen framebuffer and the overlay texture at w×h.
func (r *Renderer) ensureTargets(w, h int) error {
	if r.fbo != 0 && r.fbW == w && r.fbH == h {
		return nil
	}
	r.freeTargets()
	r.colorTex = newTexture(w, h)
	gl.GenFramebuffers(1, &r.fbo)
	gl.BindFramebuffer(gl.FRAMEBUFFER, r.fbo)
	gl.FramebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, r.colorTex, 0)
	if st := gl.CheckFramebufferStatus(gl.FRAMEBUFFER); st != gl.FRAMEBUFFER_COMPLETE {
		gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
		return fmt.Errorf("offscreen framebuffer %d×%d incomplete (status 0x%x)", w, h, st)
	}
	gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
	r.overlayTex = newTexture(w, h)
	r.fbW, r.fbH = w, h
	r.text.invalidate()
	return gpu.GLError(fmt.Sprintf("create %d×%d render targets", w, h))
}

// countGrid is the grid the particles are counted on: one cell per pixel of the plot rectangle
// (scale 1), or, for a plot whose three planes of counters would exceed the storage block limit,
// cells of scale×scale pixels.
type countGrid struct {
	w, h, scale int
}

func newCountGrid(vw, vh int, maxBytes int64) countGrid {
	for k := 1; ; k++ {
		g := countGrid{(vw + k - 1) / k, (vh + k - 1) / k, k}
		if maxBytes <= 0 || int64(12*g.w*g.h) <= maxBytes || g.w*g.h == 1 {
			return g
		}
	}
}

// ensureLayers (re)creates what has the plot rectangle's size: the cached background textures
// and the per-pixel particle counts. It reports whether the background must be drawn.
func (r *Renderer) ensureLayers(m Mapping, glY int) (stale bool, err error) {
	vw, vh := m.Viewport[2], m.Viewport[3]
	limit := r.maxCountBytes
	if limit <= 0 {
		limit = r.c.Limits().MaxShaderStorageBlockSize
	}
	if g := newCountGrid(vw, vh, limit); r.counts == nil || r.grid != g {
		if r.counts != nil {
			r.counts.Delete()
			r.counts = nil
		}
		if r.counts, err = r.c.NewBuffer(12*g.w*g.h, gpu.DynamicCopy); err != nil {
			return false, err
		}
		r.grid = g
	}
	key := [4]int{vw, vh, m.Viewport[0], glY}
	if r.bgFBO != 0 && r.bgKey == key {
		return false, nil
	}
	r.freeLayers()
	gl.GenFramebuffers(1, &r.bgFBO)
	gl.BindFramebuffer(gl.FRAMEBUFFER, r.bgFBO)
	for i := range r.bgTex {
		r.bgTex[i] = newTexture(vw, vh)
		gl.FramebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0+uint32(i), gl.TEXTURE_2D, r.bgTex[i], 0)
	}
	bufs := []uint32{gl.COLOR_ATTACHMENT0, gl.COLOR_ATTACHMENT1}
	gl.DrawBuffers(2, &bufs[0])
	if st := gl.CheckFramebufferStatus(gl.FRAMEBUFFER); st != gl.FRAMEBUFFER_COMPLETE {
		gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
		return false, fmt.Errorf("background framebuffer %d×%d incomplete (status 0x%x)", vw, vh, st)
	}
	gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
	r.bgKey = key
	return true, gpu.GLError(fmt.Sprintf("create %d×%d background layers", vw, vh))
}

// drawBackground evaluates the landscape per pixel into the cached layers (the expensive part
// of the old per-frame background).
func (r *Renderer) drawBackground(m Mapping, glY int) {
	vw, vh := m.Viewport[2], m.Viewport[3]
	gl.BindFramebuffer(gl.FRAMEBUFFER, r.bgFBO)
	gl.Viewport(0, 0, int32(vw), int32(vh))
	gl.Disable(gl.BLEND)
	bg := r.background
	setVec4(bg, "uBox", boxUniform(m))
	setVec4(bg, "uViewport", [4]float32{0, 0, float32(vw), float32(vh)})
	bg.SetVec2("uDashOrigin", float32(m.Viewport[0]), float32(glY))
	if !r.geo.OneD {
		cs := r.geo.Colours
		bg.SetFloat("uLossMin", float32(cs.LossMin))
		bg.SetFloat("uColorLo", float32(cs.Lo))
		bg.SetFloat("uLossStep", float32(cs.Step))
		bg.SetFloat("uLossSpan", float32(cs.Span))
		bg.SetFloat("uMarkLevel", float32(cs.Mark))
	}
	gl.UseProgram(bg.ID())
	gl.DrawArrays(gl.TRIANGLES, 0, 3)
	r.bgBuilds++
}

// boxUniform is uBox of the draw programs: the mapping's box as (u0, v0, u1, v1).
func boxUniform(m Mapping) [4]float32 {
	b := m.Box
	return [4]float32{float32(b[0]), float32(b[2]), float32(b[1]), float32(b[3])}
}

// The density view's bins: densityColumns across the plot, and rows of the same height in
// view units, within 8..densityMaxRows.
const (
	densityColumns = 160
	densityMaxRows = 400
)

// densityCells returns the columns and rows of the density bins for the box of mapping m.
func densityCells(m Mapping) (nx, ny int) {
	b := m.Box
	rows := int(math.Round(densityColumns * (b[3] - b[2]) / (b[1] - b[0])))
	return densityColumns, max(8, min(densityMaxRows, rows))
}

// histogramHeight is the height of the 1-D histogram's scale, as a share of the view box: the
// automatic 1-D box (Geometry.autoBox) leaves its lowest 0.45/1.53 ≈ 29% below the curve's
// minimum for the bars.
const histogramHeight = 0.28

// histogramTop is the top of the 1-D histogram's scale: the smallest of 1, 2, 5 × 10^k at or
// above the share of the drawn particles in the fullest bin, so that the scale's labels change
// only when the bars outgrow them.
func histogramTop(fullest, drawn int) float64 {
	share := float64(fullest) / float64(max(drawn, 1))
	if share <= 0 {
		return 0.01
	}
	e := math.Pow(10, math.Floor(math.Log10(share)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*e >= share*(1-1e-12) {
			return f * e
		}
	}
	return 10 * e
}

// drawn returns the stride and the number of particles drawn per frame.
func (r *Renderer) drawn() (stride, n int) {
	_, _, counts := r.b.PositionBuffers()
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

// Sampling describes the subsample: every stride-th particle, n points per frame.
func (r *Renderer) Sampling() (stride, n int) { return r.drawn() }

// pointSize is the sprite size in pixels: the option, or from the number of points drawn.
func (r *Renderer) pointSize(drawn int) float32 {
	if r.opt.PointSize > 0 {
		return r.opt.PointSize
	}
	switch {
	case drawn <= 20000:
		return 3
	case drawn <= 500000:
		return 2
	default:
		return 1
	}
}

// Render draws one w×h frame into the offscreen framebuffer, with the overlay text lines
// info (top left) and footer (bottom left). Times() then holds its phases.
func (r *Renderer) Render(w, h int, info []string, footer string) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("render: frame size %d×%d", w, h)
	}
	f := frame{m: r.geo.Mapping(w, h)}
	f.stride, f.drawn = r.drawn()
	f.pos, f.rec, f.counts = r.b.PositionBuffers()
	f.box = boxUniform(f.m)
	vp := f.m.Viewport
	f.glY = h - vp[1] - vp[3]
	var tm Times
	err := r.c.Do(func() error {
		t := time.Now()
		lap := func(d *time.Duration) {
			gl.Finish()
			now := time.Now()
			*d += now.Sub(t)
			t = now
		}
		if err := r.ensureTargets(w, h); err != nil {
			return err
		}
		stale, err := r.ensureLayers(f.m, f.glY)
		if err != nil {
			return err
		}
		tm.BackgroundCached = !stale
		gl.BindVertexArray(r.vao)
		gl.Disable(gl.DEPTH_TEST)
		if stale {
			r.drawBackground(f.m, f.glY)
		}
		lap(&tm.Background)
		if r.geo.OneD || r.Density {
			if f.histTop, err = r.binFrame(f); err != nil {
				return err
			}
			lap(&tm.Points)
		}
		if err := r.drawPlot(f); err != nil {
			return err
		}
		lap(&tm.Background)
		// Particles: counted per pixel by the splat pass, coloured by the resolve pass.
		if !r.Density {
			if err := r.drawPoints(f.box, f.pos, f.rec, f.counts, f.stride, f.drawn, vp, f.glY); err != nil {
				return err
			}
			lap(&tm.Points)
		}
		// Markers: start minimum (ring), saddle (cross), target minimum (diamond).
		gl.BindFramebuffer(gl.FRAMEBUFFER, r.fbo)
		gl.Viewport(int32(vp[0]), int32(f.glY), int32(vp[2]), int32(vp[3]))
		gl.Enable(gl.BLEND)
		gl.BlendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
		r.drawMarkers(f.box)
		r.drawOverlay(w, h, f, info, footer)
		gl.Disable(gl.BLEND)
		gl.BindVertexArray(0)
		gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
		err = gpu.GLError("render frame")
		lap(&tm.Overlay)
		return err
	})
	r.times = tm
	return err
}

// frame is what the phases of one Render share.
type frame struct {
	m             Mapping
	box           [4]float32 // boxUniform(m)
	glY           int        // the plot rectangle's bottom row, GL orientation
	stride, drawn int
	pos, rec      []*gpu.Buffer
	counts        []int
	histTop       float64 // the 1-D histogram's scale (histogramTop); 0 in 2-D
}

// binFrame fills the bins of the density view (2-D) or the histogram (1-D) and returns, in 1-D,
// the top of the histogram's scale, from the fullest bin read back.
func (r *Renderer) binFrame(f frame) (histTop float64, err error) {
	if !r.geo.OneD {
		r.nx, r.ny = densityCells(f.m)
	}
	if err := r.binParticles(f.box, f.pos, f.rec, f.counts, f.stride); err != nil {
		return 0, err
	}
	if !r.geo.OneD {
		return 0, nil
	}
	fullest := make([]uint32, 1)
	if err := gpu.Download(r.bins, 4*3*r.nx*r.ny, fullest); err != nil {
		return 0, err
	}
	return histogramTop(int(fullest[0]), f.drawn), nil
}

// drawPlot clears the frame and draws the plot's background: the cached layer copied into the
// plot rectangle, or in the 2-D density view composed with the bins; in 1-D then the histogram
// and the curve.
func (r *Renderer) drawPlot(f frame) error {
	vp, glY := f.m.Viewport, f.glY
	gl.BindFramebuffer(gl.FRAMEBUFFER, r.fbo)
	gl.Viewport(0, 0, int32(f.m.Framebuffer[0]), int32(f.m.Framebuffer[1]))
	gl.Disable(gl.BLEND)
	gl.ClearColor(0.085, 0.09, 0.11, 1)
	gl.Clear(gl.COLOR_BUFFER_BIT)
	gl.Viewport(int32(vp[0]), int32(glY), int32(vp[2]), int32(vp[3]))
	if r.Density && !r.geo.OneD {
		cp := r.compose
		gl.ActiveTexture(gl.TEXTURE0)
		gl.BindTexture(gl.TEXTURE_2D, r.bgTex[1])
		cp.SetInt("uLayer", 0)
		cp.SetVec2("uOrigin", float32(vp[0]), float32(glY))
		cp.SetVec2("uSize", float32(vp[2]), float32(vp[3]))
		cp.SetUint("uNX", uint32(r.nx))
		cp.SetUint("uNY", uint32(r.ny))
		if err := r.bins.BindBase(3); err != nil {
			return err
		}
		gl.UseProgram(cp.ID())
		gl.DrawArrays(gl.TRIANGLES, 0, 3)
	} else {
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, r.bgFBO)
		gl.ReadBuffer(gl.COLOR_ATTACHMENT0)
		gl.BlitFramebuffer(0, 0, int32(vp[2]), int32(vp[3]), int32(vp[0]), int32(glY), int32(vp[0]+vp[2]), int32(glY+vp[3]), gl.COLOR_BUFFER_BIT, gl.NEAREST)
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, 0)
	}
	gl.Enable(gl.BLEND)
	if !r.geo.OneD {
		return nil
	}
	gl.BlendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
	if err := r.bins.BindBase(3); err != nil {
		return err
	}
	r.drawBars(f.histTop, f.drawn)
	setVec4(r.curve, "uBox", f.box)
	r.curve.SetInt("uSamples", 1024)
	r.curve.SetVec4("uColor", 0.92, 0.92, 0.95, 0.9)
	gl.UseProgram(r.curve.ID())
	for _, off := range [][2]float32{{0, 0}, {0, 2 / float32(vp[3])}} {
		r.curve.SetVec2("uOffset", off[0], off[1])
		gl.DrawArrays(gl.LINE_STRIP, 0, 1024)
	}
	return nil
}

// drawOverlay draws the overlay text over the frame: only the lines that changed are
// rasterised and uploaded again.
func (r *Renderer) drawOverlay(w, h int, f frame, info []string, footer string) {
	gl.Viewport(0, 0, int32(w), int32(h))
	if rect := r.text.update(w, h, r.geo.OneD, f.m, r.Density, f.histTop, info, footer); !rect.Empty() {
		img := r.text.img
		gl.BindTexture(gl.TEXTURE_2D, r.overlayTex)
		gl.PixelStorei(gl.UNPACK_ALIGNMENT, 4)
		gl.PixelStorei(gl.UNPACK_ROW_LENGTH, int32(w))
		gl.TexSubImage2D(gl.TEXTURE_2D, 0, int32(rect.Min.X), int32(rect.Min.Y), int32(rect.Dx()), int32(rect.Dy()),
			gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(&img.Pix[img.PixOffset(rect.Min.X, rect.Min.Y)]))
		gl.PixelStorei(gl.UNPACK_ROW_LENGTH, 0)
	}
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA) // the overlay image is premultiplied
	gl.ActiveTexture(gl.TEXTURE0)
	gl.BindTexture(gl.TEXTURE_2D, r.overlayTex)
	r.overlay.SetInt("uText", 0)
	gl.UseProgram(r.overlay.ID())
	// The text lies left of, below and right of the plot, unless the frame is too narrow for
	// the panel: then it covers the plot and the whole frame is drawn.
	gl.Enable(gl.SCISSOR_TEST)
	for _, sc := range overlayRegions(f.m) {
		gl.Scissor(int32(sc[0]), int32(sc[1]), int32(sc[2]), int32(sc[3]))
		gl.DrawArrays(gl.TRIANGLES, 0, 3)
	}
	gl.Disable(gl.SCISSOR_TEST)
}

// overlayRegions are the rectangles (x, y, width, height in GL pixels, origin bottom left) of
// the frame where the overlay can have text: left of the plot, below it and right of it when the panel is
// beside the plot (Geometry.Mapping), the whole frame when it is not.
func overlayRegions(m Mapping) [][4]int {
	w, h := m.Framebuffer[0], m.Framebuffer[1]
	vp := m.Viewport
	if w < 2*PanelWidth {
		return [][4]int{{0, 0, w, h}}
	}
	below := h - vp[1] - vp[3] // rows under the plot
	right := vp[0] + vp[2]     // the first column right of the plot
	return [][4]int{{0, 0, vp[0], h}, {vp[0], 0, w - vp[0], below}, {right, 0, w - right, h}}
}

// drawPoints splats the drawn particles into the per-pixel counts and adds their colours to the
// frame.
func (r *Renderer) drawPoints(box [4]float32, pos, rec []*gpu.Buffer, counts []int, stride, drawn int, vp [4]int, glY int) error {
	if err := r.counts.Zero(); err != nil {
		return err
	}
	if err := r.counts.BindBase(4); err != nil {
		return err
	}
	sp := r.splat
	g := r.grid
	setVec4(sp, "uBox", box)
	sp.SetUint("uStride", uint32(stride))
	sp.SetVec2("uPlot", float32(vp[2]), float32(vp[3]))
	sp.SetFloat("uScale", float32(g.scale))
	sp.SetUvec2("uSize", uint32(g.w), uint32(g.h))
	sp.SetFloat("uPointSize", max(1, r.pointSize(drawn)/float32(g.scale)))
	if err := r.dispatchPoints(sp, pos, rec, counts, stride); err != nil {
		return err
	}
	gl.BindFramebuffer(gl.FRAMEBUFFER, r.fbo)
	gl.Viewport(int32(vp[0]), int32(glY), int32(vp[2]), int32(vp[3]))
	gl.Enable(gl.BLEND)
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA) // the resolve pass writes premultiplied colour
	rp := r.resolve
	alpha, dense := particleOpacity(drawn)
	rp.SetVec2("uOrigin", float32(vp[0]), float32(glY))
	rp.SetUvec2("uSize", uint32(g.w), uint32(g.h))
	rp.SetUint("uScale", uint32(g.scale))
	rp.SetFloat("uAlpha", float32(alpha))
	rp.SetFloat("uDense", float32(dense))
	rp.SetVec3("uColorRunning", colorRunning[0], colorRunning[1], colorRunning[2])
	rp.SetVec3("uColorEscaped", colorEscaped[0], colorEscaped[1], colorEscaped[2])
	rp.SetVec3("uColorDiverged", colorDiverged[0], colorDiverged[1], colorDiverged[2])
	gl.UseProgram(rp.ID())
	gl.DrawArrays(gl.TRIANGLES, 0, 3)
	return nil
}

// particleOpacity returns the opacity of one particle's sprite and the particles per pixel at
// which a pixel is opaque (draw_resolve.frag.glsl), from the number of points drawn: one
// particle of 2·10⁴ shows at α = 0.3, and α falls as 1/√drawn (within [0.08, 0.8]) so that a
// larger ensemble's cloud reads as its density rather than as a solid blot; a pixel turns
// opaque at 6/α particles, on a log scale between (at α = 0.17, 65536 particles, 36 of them).
// The numbers were chosen by eye on the two pictures of README.md and docs/guide.md.
func particleOpacity(drawn int) (alpha, dense float64) {
	alpha = math.Min(0.8, math.Max(0.08, 0.3*math.Sqrt(20000/float64(max(drawn, 1)))))
	return alpha, 6 / alpha
}

// dispatchPoints runs a per-point compute program (splat or bin) over every batch, one point
// per invocation, in as many dispatches as the work-group limit needs.
func (r *Renderer) dispatchPoints(cp *gpu.Program, pos, rec []*gpu.Buffer, counts []int, stride int) error {
	maxGroups := int(r.c.Limits().MaxComputeWorkGroupCount[0])
	if maxGroups <= 0 {
		maxGroups = 65535
	}
	for i := range pos {
		n := (counts[i] + stride - 1) / stride
		gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, 0, pos[i].ID())
		gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, 1, rec[i].ID())
		cp.SetUint("uCount", uint32(counts[i]))
		for first := 0; first < n; first += 64 * maxGroups {
			cp.SetUint("uFirst", uint32(first))
			if err := cp.Dispatch(uint32(min(maxGroups, (n-first+63)/64)), 1, 1); err != nil {
				return err
			}
		}
	}
	return nil
}

// binParticles fills the density bins (every stride-th particle) with the bin program.
func (r *Renderer) binParticles(box [4]float32, pos, rec []*gpu.Buffer, counts []int, stride int) error {
	if err := r.bins.Zero(); err != nil {
		return err
	}
	bp := r.bin
	setVec4(bp, "uBox", box)
	bp.SetUint("uStride", uint32(stride))
	bp.SetUint("uNX", uint32(r.nx))
	bp.SetUint("uNY", uint32(r.ny))
	if err := r.bins.BindBase(3); err != nil {
		return err
	}
	return r.dispatchPoints(bp, pos, rec, counts, stride)
}

// drawBars draws the 1-D histogram (bins filled by binParticles) as stacked bars: the never
// escaped particles from the bottom in their colour, the escaped ones on top in theirs; a bin
// holding the share top of the drawn particles reaches histogramHeight of the box.
func (r *Renderer) drawBars(top float64, drawn int) {
	b := r.bars
	b.SetUint("uNX", uint32(r.nx))
	b.SetFloat("uHeight", histogramHeight)
	b.SetFloat("uTop", float32(top))
	b.SetFloat("uTotal", float32(drawn))
	gl.UseProgram(b.ID())
	for part, c := range [][3]float32{colorRunning, colorEscaped} {
		b.SetUint("uPart", uint32(part))
		b.SetVec4("uColor", c[0], c[1], c[2], 0.45)
		gl.DrawArrays(gl.TRIANGLES, 0, int32(6*r.nx))
	}
}

func (r *Renderer) drawMarkers(box [4]float32) {
	mk := r.marks
	setVec4(mk, "uBox", box)
	var mpos []float32
	n := 0
	for _, q := range [][]float64{r.geo.Marks.Minimum, r.geo.Marks.Saddle, r.geo.Marks.Target} {
		if q != nil {
			mpos = append(mpos, float32(q[0]), float32(q[1]))
			n++
		}
	}
	if n == 0 {
		return
	}
	cols := []float32{1, 1, 1, 0.95, 1, 0.85, 0.3, 0.95, 0.75, 0.75, 0.8, 0.85}
	shapes := []int32{0, 1, 2}
	loc := func(name string) int32 { return gl.GetUniformLocation(mk.ID(), gl.Str(name+"\x00")) }
	if l := loc("uMarkers[0]"); l >= 0 {
		gl.ProgramUniform2fv(mk.ID(), l, int32(n), &mpos[0])
	}
	if l := loc("uMarkerColors[0]"); l >= 0 {
		gl.ProgramUniform4fv(mk.ID(), l, int32(n), &cols[0])
	}
	if l := loc("uMarkerShapes[0]"); l >= 0 {
		gl.ProgramUniform1iv(mk.ID(), l, int32(n), &shapes[0])
	}
	mk.SetFloat("uMarkerSize", 17)
	gl.Enable(gl.PROGRAM_POINT_SIZE)
	gl.UseProgram(mk.ID())
	gl.DrawArrays(gl.POINTS, 0, int32(n))
}

// ReadImage reads the last rendered frame back (row 0 at the top, opaque). Its time counts as
// the frame's present phase (the frame leaves the GPU).
func (r *Renderer) ReadImage() (*image.RGBA, error) {
	var img *image.RGBA
	t0 := time.Now()
	defer func() { r.times.Present += time.Since(t0) }()
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
		return gpu.GLError("read frame")
	})
	return img, err
}

// Present copies the last frame to the window's back buffer and swaps (windowed contexts);
// Times().Present holds its duration, up to a glFinish after the swap.
func (r *Renderer) Present() error {
	win := r.c.Window()
	if win == nil {
		return errors.New("present: the context has no window")
	}
	t0 := time.Now()
	err := r.c.Do(func() error {
		if windowGone(win) {
			return ErrWindowGone
		}
		fw, fh := win.GetFramebufferSize()
		if fw <= 0 || fh <= 0 || fw > maxWindowSide || fh > maxWindowSide {
			return nil // minimised, or being destroyed (Window.Poll)
		}
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, r.fbo)
		gl.BindFramebuffer(gl.DRAW_FRAMEBUFFER, 0)
		gl.Viewport(0, 0, int32(fw), int32(fh))
		gl.ClearColor(0.085, 0.09, 0.11, 1)
		gl.Clear(gl.COLOR_BUFFER_BIT)
		gl.BlitFramebuffer(0, 0, int32(r.fbW), int32(r.fbH), 0, int32(fh-r.fbH), int32(r.fbW), int32(fh), gl.COLOR_BUFFER_BIT, gl.NEAREST)
		gl.BindFramebuffer(gl.FRAMEBUFFER, 0)
		win.SwapBuffers()
		gl.Finish()
		if err := gpu.GLError("present frame"); err != nil {
			if windowGone(win) {
				return ErrWindowGone
			}
			return err
		}
		return nil
	})
	r.times.Present = time.Since(t0)
	return err
}

// ErrWindowGone is returned by Present when the window was destroyed behind GLFW's back
// (for example by xdotool windowclose): the caller should treat it as a close request.
var ErrWindowGone = errors.New("the window was destroyed")

func setVec4(p *gpu.Program, name string, v [4]float32) {
	p.SetVec4(name, v[0], v[1], v[2], v[3])
}
