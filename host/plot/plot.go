package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/store"
	"github.com/kramers-sim/kramers/host/sweep"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
	"gonum.org/v1/plot/vg/vgimg"
)

// Points is a measured series: markers at (X, Y) with error bars from YLo to YHi (absolute
// values; nil for none). Non-finite points are left out.
type Points struct {
	Name         string
	X, Y         []float64
	YLo, YHi     []float64
	Unresolved   []bool // drawn as open markers at the upper end of their interval when true
	Connect      bool   // join the markers with a thin line
	ColourIndex  int
	MarkerLegend string
	// Dodge shifts the markers and their error bars by this much along x (data units), so that
	// series measured at the same x stay apart; lines and fits are not shifted.
	Dodge float64
}

// Line is a theory curve: a line without markers.
type Line struct {
	Name        string
	X, Y        []float64
	ColourIndex int
	Dashes      int // 0 solid, 1 dashed, 2 dotted, 3 dash-dot
}

// Figure is one panel.
type Figure struct {
	Title, XLabel, YLabel string
	Points                []Points
	Lines                 []Line
	// HLines are horizontal reference lines (e.g. a ratio of 1, a tolerance band).
	HLines []HLine
}

// HLine is a horizontal reference line.
type HLine struct {
	Name   string
	Y      float64
	Dashes int
	Grey   bool
}

var palette = []color.Color{
	color.RGBA{R: 0x1f, G: 0x4e, B: 0x9c, A: 255}, // blue
	color.RGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 255}, // red
	color.RGBA{R: 0x1e, G: 0x88, B: 0x4a, A: 255}, // green
	color.RGBA{R: 0x8e, G: 0x44, B: 0xad, A: 255}, // purple
	color.RGBA{R: 0xd3, G: 0x84, B: 0x00, A: 255}, // orange
	color.RGBA{R: 0x11, G: 0x11, B: 0x11, A: 255}, // black
	color.RGBA{R: 0x16, G: 0xa0, B: 0xb0, A: 255}, // teal
}

// Colour returns the i-th colour of the figure palette.
func Colour(i int) color.Color { return palette[((i%len(palette))+len(palette))%len(palette)] }

var dashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(1.5), vg.Points(2.5)}, {vg.Points(7), vg.Points(3), vg.Points(1.5), vg.Points(3)}}

var shapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Plot builds the gonum plot of f with its legend placed for a panel of the default size
// (Width × Height, LegendPlacement); SaveGrid places it for the panel it draws.
func (f Figure) Plot() (*gplot.Plot, error) {
	p, marks, err := f.build()
	if err != nil {
		return nil, err
	}
	place := placeLegend(p, marks, panelCanvas(Width, Height))
	if place == LegendOutside {
		place = LegendTopLeft // a bare plot has no room beside it
	}
	place.apply(&p.Legend)
	return p, nil
}

// build makes the gonum plot of f and returns, beside it, what it draws in data coordinates
// (markers, error bars, lines), for the legend placement.
func (f Figure) build() (*gplot.Plot, []mark, error) {
	b := &builder{p: newPlot(f), xmin: math.Inf(1), xmax: math.Inf(-1)}
	for _, l := range f.Lines {
		if err := b.addLine(l); err != nil {
			return nil, nil, err
		}
	}
	for k, s := range f.Points {
		if err := b.addPoints(k, s); err != nil {
			return nil, nil, err
		}
	}
	for _, h := range f.HLines {
		b.addHLine(h)
	}
	return b.p, b.marks, nil
}

// newPlot is an empty gonum plot with f's title, axis labels, fonts and grid.
func newPlot(f Figure) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.Y.Label.TextStyle.Font.Size = vg.Points(10)
	p.Legend.TextStyle.Font.Size = vg.Points(8.5)
	p.Add(plotter.NewGrid())
	return p
}

// builder is a plot being built: the plot, what it draws (for the legend placement) and the x
// range of the lines and points (for the horizontal lines).
type builder struct {
	p          *gplot.Plot
	marks      []mark
	xmin, xmax float64
}

// spanX widens the x range to xy's.
func (b *builder) spanX(xy plotter.XYs) {
	for _, v := range xy {
		b.xmin, b.xmax = math.Min(b.xmin, v.X), math.Max(b.xmax, v.X)
	}
}

// addLine draws l through its finite points, with a legend entry.
func (b *builder) addLine(l Line) error {
	var xy plotter.XYs
	for i := range l.X {
		if finite(l.X[i]) && finite(l.Y[i]) {
			xy = append(xy, plotter.XY{X: l.X[i], Y: l.Y[i]})
		}
	}
	if len(xy) == 0 {
		return nil
	}
	ln, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("line %s: %w", l.Name, err)
	}
	b.marks = append(b.marks, mark{xy: xy, line: true})
	ln.Color = Colour(l.ColourIndex)
	ln.Width = vg.Points(1.6)
	ln.Dashes = dashes[l.Dashes%len(dashes)]
	b.p.Add(ln)
	b.p.Legend.Add(l.Name, ln)
	b.spanX(xy)
	return nil
}

// pointsXY splits the finite points of s into the resolved ones with their error bars and the
// unresolved ones drawn at their upper bound (open), each moved by s.Dodge along x.
func pointsXY(s Points) (xy plotter.XYs, yerr plotter.YErrors, open plotter.XYs) {
	for i := range s.X {
		if !finite(s.X[i]) {
			continue
		}
		x := s.X[i] + s.Dodge
		if s.Unresolved != nil && s.Unresolved[i] {
			if s.YHi != nil && finite(s.YHi[i]) {
				open = append(open, plotter.XY{X: x, Y: s.YHi[i]})
			}
			continue
		}
		if !finite(s.Y[i]) {
			continue
		}
		xy = append(xy, plotter.XY{X: x, Y: s.Y[i]})
		lo, hi := 0.0, 0.0
		if s.YLo != nil && finite(s.YLo[i]) {
			lo = s.Y[i] - s.YLo[i]
		}
		if s.YHi != nil && finite(s.YHi[i]) {
			hi = s.YHi[i] - s.Y[i]
		}
		yerr = append(yerr, struct{ Low, High float64 }{lo, hi})
	}
	return xy, yerr, open
}

// addPoints draws series k: its resolved points with error bars (and a thin line through them
// when s.Connect), and its unresolved points as open triangles at their 95% bounds.
func (b *builder) addPoints(k int, s Points) error {
	xy, yerr, open := pointsXY(s)
	col := Colour(s.ColourIndex)
	if len(xy) > 0 {
		if err := b.addResolved(k, s, col, xy, yerr); err != nil {
			return err
		}
	}
	if len(open) > 0 {
		sc, err := plotter.NewScatter(open)
		if err == nil {
			sc.GlyphStyle.Color = col
			sc.GlyphStyle.Radius = vg.Points(3.5)
			sc.GlyphStyle.Shape = draw.TriangleGlyph{}
			b.p.Add(sc)
			b.marks = append(b.marks, mark{xy: open})
			b.p.Legend.Add(s.Name+" (unresolved: 95% bound)", sc)
		}
	}
	return nil
}

// addResolved draws the resolved points xy of series k with their error bars yerr in colour col.
func (b *builder) addResolved(k int, s Points, col color.Color, xy plotter.XYs, yerr plotter.YErrors) error {
	if s.Connect {
		if ln, err := plotter.NewLine(xy); err == nil {
			ln.Color = col
			ln.Width = vg.Points(0.6)
			b.p.Add(ln)
		}
	}
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return fmt.Errorf("points %s: %w", s.Name, err)
	}
	b.marks = append(b.marks, mark{xy: xy, line: s.Connect})
	for i, v := range xy {
		b.marks = append(b.marks, mark{xy: plotter.XYs{{X: v.X, Y: v.Y - yerr[i].Low}, {X: v.X, Y: v.Y + yerr[i].High}}, line: true})
	}
	sc.GlyphStyle.Color = col
	sc.GlyphStyle.Radius = vg.Points(3)
	sc.GlyphStyle.Shape = shapes[k%len(shapes)]
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{xy, yerr})
	if err != nil {
		return fmt.Errorf("error bars %s: %w", s.Name, err)
	}
	eb.LineStyle.Color = col
	eb.LineStyle.Width = vg.Points(1)
	b.p.Add(eb, sc)
	b.p.Legend.Add(s.Name, sc)
	b.spanX(xy)
	return nil
}

// addHLine draws h across the x range of what is drawn so far (0 to 1 when nothing is), 3% beyond
// each end.
func (b *builder) addHLine(h HLine) {
	if !finite(b.xmin) {
		b.xmin, b.xmax = 0, 1
	}
	pad := 0.03 * (b.xmax - b.xmin)
	ln, err := plotter.NewLine(plotter.XYs{{X: b.xmin - pad, Y: h.Y}, {X: b.xmax + pad, Y: h.Y}})
	if err != nil {
		return
	}
	ln.Color = color.Gray{Y: 0x80}
	if !h.Grey {
		ln.Color = Colour(5)
	}
	ln.Dashes = dashes[h.Dashes%len(dashes)]
	ln.Width = vg.Points(1)
	b.p.Add(ln)
	b.marks = append(b.marks, mark{xy: ln.XYs, line: true})
	if h.Name != "" {
		b.p.Legend.Add(h.Name, ln)
	}
}

// Save writes the figures side by side into one PNG, each panel w×h points (plus the width of a
// legend placed beside a panel, LegendOutside).
func Save(path string, w, h vg.Length, figs ...Figure) error {
	return SaveGrid(path, w, h, len(figs), figs...)
}

// SaveGrid writes the figures into one PNG, cols panels of w×h points a row, row after row. Each
// legend goes into the corner of its panel that holds no data (LegendPlacement); where every
// corner holds some, it goes beside the panel on the right, and every column is widened by the
// widest such legend.
func SaveGrid(path string, w, h vg.Length, cols int, figs ...Figure) error {
	if len(figs) == 0 {
		return fmt.Errorf("plot %s: no figure", path)
	}
	cols = max(1, min(cols, len(figs)))
	rows := (len(figs) + cols - 1) / cols
	plots := make([]*gplot.Plot, len(figs))
	places := make([]LegendPlace, len(figs))
	var extra vg.Length
	for i, f := range figs {
		p, marks, err := f.build()
		if err != nil {
			return err
		}
		plots[i], places[i] = p, placeLegend(p, marks, panelCanvas(w, h))
		if places[i] == LegendOutside {
			extra = max(extra, legendSize(p).X+2*legendGap)
		}
	}
	img := vgimg.NewWith(vgimg.UseWH((w+extra)*vg.Length(cols), h*vg.Length(rows)), vgimg.UseDPI(110))
	dc := draw.New(img)
	tiles := panelTiles(cols, rows)
	for i, p := range plots {
		tc := tiles.At(dc, i%cols, i/cols)
		if places[i] != LegendOutside {
			places[i].apply(&p.Legend)
			p.Draw(tc)
			continue
		}
		leg := p.Legend
		p.Legend = gplot.NewLegend() // drawn beside the panel instead
		pc := draw.Crop(tc, 0, -extra, 0, 0)
		p.Draw(pc)
		data := p.DataCanvas(pc)
		lc := draw.Canvas{Canvas: tc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: tc.Max.X - extra + legendGap, Y: data.Min.Y}, Max: vg.Point{X: tc.Max.X, Y: data.Max.Y}}}
		LegendTopLeft.apply(&leg)
		leg.XOffs, leg.YOffs = 0, 0
		leg.Draw(lc)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return store.WriteFileAtomic(path, buf.Bytes())
}

func panelTiles(cols, rows int) draw.Tiles {
	return draw.Tiles{Cols: cols, Rows: rows, PadX: vg.Points(12), PadY: vg.Points(12), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
}

// panelCanvas is the canvas of one w×h panel of a grid (its tile), for measuring; it draws
// nowhere.
func panelCanvas(w, h vg.Length) draw.Canvas {
	c := draw.Canvas{Canvas: &recorder.Canvas{}, Rectangle: vg.Rectangle{Max: vg.Point{X: w, Y: h}}}
	return panelTiles(1, 1).At(c, 0, 0)
}

// LegendPlace is where a panel's legend goes.
type LegendPlace int

// The legend places: a corner of the data area, or beside the panel on the right.
const (
	LegendTopLeft LegendPlace = iota
	LegendTopRight
	LegendBottomRight
	LegendBottomLeft
	LegendOutside
)

func (l LegendPlace) String() string {
	return [...]string{"top-left", "top-right", "bottom-right", "bottom-left", "outside-right"}[l]
}

// legendGap is the space between the legend and the axes (inside) or the panel (outside).
const legendGap = vg.Length(5)

func (l LegendPlace) apply(leg *gplot.Legend) {
	leg.Top = l == LegendTopLeft || l == LegendTopRight || l == LegendOutside
	leg.Left = l == LegendTopLeft || l == LegendBottomLeft || l == LegendOutside
	leg.XOffs, leg.YOffs = legendGap, -legendGap
	if !leg.Left {
		leg.XOffs = -legendGap
	}
	if !leg.Top {
		leg.YOffs = legendGap
	}
}

// legendSize is the width and height of p's legend.
func legendSize(p *gplot.Plot) vg.Point {
	return p.Legend.Rectangle(draw.Canvas{Canvas: &recorder.Canvas{}}).Size()
}

// mark is something a figure draws, in data coordinates: markers at the points, or a polyline.
type mark struct {
	xy   plotter.XYs
	line bool
}

// LegendPlacement is where SaveGrid puts the legend of f drawn in a w×h panel: the first corner,
// in the order top-left, top-right, bottom-right, bottom-left, whose legend-sized box (plus a
// margin for the markers) holds no marker, error bar or stretch of a line; LegendOutside (beside
// the panel, on the right) when every corner holds some, or when the legend would fill more than
// 60% of the width or 90% of the height of the data area.
func (f Figure) LegendPlacement(w, h vg.Length) (LegendPlace, error) {
	p, marks, err := f.build()
	if err != nil {
		return 0, err
	}
	return placeLegend(p, marks, panelCanvas(w, h)), nil
}

// CornerCounts is the number of data marks (markers, and samples every 0.5% of the data area along
// error bars and lines) in each corner box of the legend's size, in LegendPlace order, for a w×h
// panel.
func (f Figure) CornerCounts(w, h vg.Length) ([4]int, error) {
	p, marks, err := f.build()
	if err != nil {
		return [4]int{}, err
	}
	counts, _ := cornerCounts(p, marks, panelCanvas(w, h))
	return counts, nil
}

func placeLegend(p *gplot.Plot, marks []mark, c draw.Canvas) LegendPlace {
	counts, fits := cornerCounts(p, marks, c)
	if !fits {
		return LegendOutside
	}
	for i, n := range counts {
		if n == 0 {
			return LegendPlace(i)
		}
	}
	return LegendOutside
}

// cornerCounts counts the marks in each corner box; fits is false when the legend is too large
// for any corner.
func cornerCounts(p *gplot.Plot, marks []mark, c draw.Canvas) (counts [4]int, fits bool) {
	data := p.DataCanvas(c) // also settles the axis ranges
	size := legendSize(p)
	dw, dh := float64(data.Size().X), float64(data.Size().Y)
	if size.X == 0 || dw <= 0 || dh <= 0 {
		return counts, true
	}
	// The legend is drawn from the edge of the axes, legendGap inside; a marker reaches 3.5 points
	// beyond its centre.
	const markerReach = 4
	bw := (float64(size.X+2*legendGap) + markerReach) / dw
	bh := (float64(size.Y+2*legendGap) + markerReach) / dh
	if bw > 0.6 || bh > 0.9 {
		return counts, false
	}
	in := func(u, v float64) {
		if !finite(u) || !finite(v) {
			return
		}
		left, right, top, bottom := u < bw, u > 1-bw, v > 1-bh, v < bh
		if top && left {
			counts[LegendTopLeft]++
		}
		if top && right {
			counts[LegendTopRight]++
		}
		if bottom && right {
			counts[LegendBottomRight]++
		}
		if bottom && left {
			counts[LegendBottomLeft]++
		}
	}
	for _, m := range marks {
		for i, pt := range m.xy {
			u, v := p.X.Norm(pt.X), p.Y.Norm(pt.Y)
			in(u, v)
			if !m.line || i == 0 {
				continue
			}
			u0, v0 := p.X.Norm(m.xy[i-1].X), p.Y.Norm(m.xy[i-1].Y)
			if !finite(u0) || !finite(v0) {
				continue
			}
			n := min(int(math.Ceil(math.Hypot(u-u0, v-v0)/0.005)), 100_000)
			for k := 1; k < n; k++ {
				t := float64(k) / float64(n)
				in(u0+t*(u-u0), v0+t*(v-v0))
			}
		}
	}
	return counts, true
}

// Default panel size.
const (
	Width  = 5.2 * vg.Inch
	Height = 4 * vg.Inch
)

// LogTauLabel is the y label of every ln τ̂ plot.
const LogTauLabel = "ln τ̂ (τ in units of continuous time, t = iterations·η)"

// SweepFigures are the panels of a sweep, one per axis of s.Panels: ln τ̂ with Garwood error bars
// against the axis, a line per applicable theory labelled with its kind, and the weighted fit.
// Every series is drawn in every panel whose axis applies to its noise model, so that with
// --compare noise=sgd-hessian,sgld the panel against 1/k (where SGD's exponential law is straight)
// stands beside the panel against ln k (where SGLD's power law is straight, slope −1). With one
// panel its title is title; with several each is lettered and says what a straight line means.
func SweepFigures(s *sweep.Set, title string) []Figure {
	multi := len(s.Series) > 1
	var figs []Figure
	for pi, panel := range s.Panels {
		f := Figure{Title: title, XLabel: panel.Axis.Label, YLabel: LogTauLabel}
		if len(s.Panels) > 1 {
			f.Title = fmt.Sprintf("(%c) %s\nagainst %s: %s", 'a'+pi, title, panel.Axis.Label, panel.Axis.Reading)
		}
		for si, r := range s.Series {
			fit, ok := panel.Fits[r.Label]
			if !ok {
				continue // the axis does not apply to this noise model
			}
			pts := make([]sweep.Point, 0, len(r.Points))
			for _, pt := range r.Points {
				if x, ok := pt.XByAxis[panel.Axis.Name]; ok {
					pt.X = x
				}
				pts = append(pts, pt)
			}
			prefix, colour, fitColour := "", 0, 5
			if multi {
				prefix, colour, fitColour = r.Label+": ", si, si
			}
			mp := MeasuredPoints(prefix+"measured τ̂ (95% CI)", pts, colour)
			if multi {
				mp.Dodge = dodge(s, panel.Axis.Name, si)
			}
			f.Points = append(f.Points, mp)
			names := r.TheoryNames()
			if multi {
				names = fewTheories(r)
			}
			for j, n := range names {
				if multi {
					f.Lines = append(f.Lines, TheoryLine(prefix+"theory: "+n, n, pts, si, []int{1, 3, 0}[j%3]))
				} else {
					f.Lines = append(f.Lines, TheoryLine("theory: "+n, n, pts, j+1, j))
				}
			}
			// With several panels a series' fit is drawn on its own natural axis only (the table and
			// the JSON hold its fit on every axis).
			if finite(fit.Slope) && (len(s.Panels) == 1 || r.Axis.Name == panel.Axis.Name) {
				var x, y []float64
				for _, pt := range pts {
					x, y = append(x, pt.X), append(y, fit.Intercept+fit.Slope*pt.X)
				}
				f.Lines = append(f.Lines, Line{Name: fmt.Sprintf("%sweighted fit, slope %.4g, R² %.4f", prefix, fit.Slope, fit.R2), X: x, Y: y, ColourIndex: fitColour, Dashes: 2})
			}
		}
		figs = append(figs, f)
	}
	return figs
}

// dodge is the x shift of series si's markers on a panel: series spread symmetrically about the
// true x over 3% of the panel's x range (at most a third of the smallest gap between distinct x),
// so that markers measured at the same x do not hide one another.
func dodge(s *sweep.Set, axis string, si int) float64 {
	var xs []float64
	for _, r := range s.Series {
		for _, pt := range r.Points {
			x := pt.X
			if v, ok := pt.XByAxis[axis]; ok {
				x = v
			}
			if finite(x) {
				xs = append(xs, x)
			}
		}
	}
	if len(xs) < 2 || len(s.Series) < 2 {
		return 0
	}
	sort.Float64s(xs)
	span, gap := xs[len(xs)-1]-xs[0], math.Inf(1)
	for i := 1; i < len(xs); i++ {
		if d := xs[i] - xs[i-1]; d > 0 {
			gap = math.Min(gap, d)
		}
	}
	width := math.Min(0.03*span, gap/3)
	if !(width > 0) || math.IsInf(width, 0) {
		return 0
	}
	n := float64(len(s.Series))
	return width * (float64(si)/(n-1) - 0.5)
}

// fewTheories are the theory lines of a series drawn beside other series: the preferred exact
// value (host.TheoryPreference: the discrete chain's, else the quadrature) and every asymptotic
// formula, so that a panel with several series keeps a legible legend.
func fewTheories(r *sweep.Result) []string {
	have := map[string]bool{}
	for _, n := range r.TheoryNames() {
		have[n] = true
	}
	var out []string
	exact := false
	for _, n := range host.TheoryPreference {
		if !have[n] {
			continue
		}
		delete(have, n)
		if strings.HasPrefix(r.TheoryKinds[n], "exact") {
			if exact {
				continue
			}
			exact = true
		}
		out = append(out, n)
	}
	for _, n := range r.TheoryNames() {
		if have[n] {
			out = append(out, n)
		}
	}
	return out
}

// MeasuredPoints turns sweep points into a series of ln τ̂ with ln of the Garwood interval.
func MeasuredPoints(name string, pts []sweep.Point, colour int) Points {
	s := Points{Name: name, ColourIndex: colour}
	for _, pt := range pts {
		s.X = append(s.X, pt.X)
		s.Y = append(s.Y, pt.LogTau())
		s.YLo = append(s.YLo, math.Log(float64(pt.TauLo)))
		s.YHi = append(s.YHi, math.Log(float64(pt.TauHi)))
		s.Unresolved = append(s.Unresolved, !pt.Resolved)
	}
	// An unresolved point's τ is only bounded below: show ln of the lower end of the τ interval.
	for i := range s.Unresolved {
		if s.Unresolved[i] {
			s.YHi[i] = s.YLo[i]
		}
	}
	return s
}

// TheoryLine is ln τ of the theory named key at every point that has it. The name gets the
// theory's kind appended, "theory: quadrature (exact-continuous)", unless it already says it.
func TheoryLine(name, key string, pts []sweep.Point, colour, dash int) Line {
	l := Line{Name: name, ColourIndex: colour, Dashes: dash}
	kind := ""
	for _, pt := range pts {
		if v, ok := pt.Theory[key]; ok {
			l.X = append(l.X, pt.X)
			l.Y = append(l.Y, math.Log(v))
			if kind == "" {
				kind = pt.TheoryKinds[key]
			}
		}
	}
	if kind != "" && !strings.Contains(name, kind) {
		l.Name += " (" + kind + ")"
	}
	return l
}

// HazardFigure shows the hazard against time of one run (docs/theory.md §3): per-bin escape rates
// with their Garwood intervals, the reported quasi-stationary rate after the burn-in as a
// horizontal line, the burn-in t0 as a vertical line, and every theory rate as a horizontal line.
// A plateau after t0 is what makes the reported rate the quasi-stationary one.
func HazardFigure(r *host.Result, title string) Figure {
	qs := r.BurnIn
	f := Figure{Title: title, XLabel: "time t = iterations·η", YLabel: "hazard (escapes per survivor per unit time)"}
	pts := Points{Name: "hazard per bin (95% CI)", ColourIndex: 0}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, h := range qs.Hazard {
		if h.Escapes == 0 {
			continue
		}
		ciLo, ciHi := float64(h.HazardCI95[0]), float64(h.HazardCI95[1])
		pts.X = append(pts.X, float64(h.Time))
		pts.Y = append(pts.Y, float64(h.Hazard))
		pts.YLo = append(pts.YLo, ciLo)
		pts.YHi = append(pts.YHi, ciHi)
		lo, hi = math.Min(lo, ciLo), math.Max(hi, ciHi)
	}
	f.Points = append(f.Points, pts)
	if e := r.Estimate; e.Resolved && e.Rate != nil {
		f.HLines = append(f.HLines, HLine{Name: fmt.Sprintf("quasi-stationary rate %.4g (after t0)", *e.Rate), Y: *e.Rate})
	}
	if w := qs.Window; w.Rate != nil {
		f.HLines = append(f.HLines, HLine{Name: fmt.Sprintf("whole-window estimate %.4g", *w.Rate), Y: *w.Rate, Dashes: 2, Grey: true})
	}
	if finite(lo) && finite(hi) && hi > lo {
		f.Lines = append(f.Lines, Line{Name: fmt.Sprintf("burn-in t0 = %.4g (%s)", qs.BurnInTime, qs.BurnInRule),
			X: []float64{qs.BurnInTime, qs.BurnInTime}, Y: []float64{math.Max(lo, 0), hi}, ColourIndex: 5, Dashes: 1})
	}
	names := make([]string, 0, len(r.Theory))
	for k, t := range r.Theory {
		if t.Rate != nil {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for i, k := range names {
		t := r.Theory[k]
		f.Lines = append(f.Lines, Line{Name: fmt.Sprintf("theory %s (%s) %.4g", k, t.Kind, *t.Rate),
			X: []float64{0, float64(r.Steps) * r.LR}, Y: []float64{*t.Rate, *t.Rate}, ColourIndex: i + 1, Dashes: i%3 + 1})
	}
	return f
}
