package plot

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/sweep"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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
	// LegendBottomRight puts the legend in the bottom-right corner, for figures that rise to a
	// plateau (the hazard); the default top-left suits figures that rise to the right.
	LegendBottomRight bool
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

// Plot builds the gonum plot of f.
func (f Figure) Plot() (*gplot.Plot, error) {
	p := gplot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.Y.Label.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Top = !f.LegendBottomRight
	p.Legend.Left = !f.LegendBottomRight // most figures here rise to the right: the top-left corner is empty
	p.Legend.TextStyle.Font.Size = vg.Points(8.5)
	p.Add(plotter.NewGrid())
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, l := range f.Lines {
		var xy plotter.XYs
		for i := range l.X {
			if finite(l.X[i]) && finite(l.Y[i]) {
				xy = append(xy, plotter.XY{X: l.X[i], Y: l.Y[i]})
			}
		}
		if len(xy) == 0 {
			continue
		}
		ln, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("line %s: %w", l.Name, err)
		}
		ln.Color = Colour(l.ColourIndex)
		ln.Width = vg.Points(1.6)
		ln.Dashes = dashes[l.Dashes%len(dashes)]
		p.Add(ln)
		p.Legend.Add(l.Name, ln)
		for _, v := range xy {
			xmin, xmax = math.Min(xmin, v.X), math.Max(xmax, v.X)
		}
	}
	for k, s := range f.Points {
		var xy plotter.XYs
		var yerr plotter.YErrors
		var open plotter.XYs
		for i := range s.X {
			if !finite(s.X[i]) {
				continue
			}
			if s.Unresolved != nil && s.Unresolved[i] {
				if s.YHi != nil && finite(s.YHi[i]) {
					open = append(open, plotter.XY{X: s.X[i], Y: s.YHi[i]})
				}
				continue
			}
			if !finite(s.Y[i]) {
				continue
			}
			xy = append(xy, plotter.XY{X: s.X[i], Y: s.Y[i]})
			lo, hi := 0.0, 0.0
			if s.YLo != nil && finite(s.YLo[i]) {
				lo = s.Y[i] - s.YLo[i]
			}
			if s.YHi != nil && finite(s.YHi[i]) {
				hi = s.YHi[i] - s.Y[i]
			}
			yerr = append(yerr, struct{ Low, High float64 }{lo, hi})
		}
		col := Colour(s.ColourIndex)
		if len(xy) > 0 {
			if s.Connect {
				ln, err := plotter.NewLine(xy)
				if err == nil {
					ln.Color = col
					ln.Width = vg.Points(0.6)
					p.Add(ln)
				}
			}
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, fmt.Errorf("points %s: %w", s.Name, err)
			}
			sc.GlyphStyle.Color = col
			sc.GlyphStyle.Radius = vg.Points(3)
			sc.GlyphStyle.Shape = shapes[k%len(shapes)]
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYer
				plotter.YErrorer
			}{xy, yerr})
			if err != nil {
				return nil, fmt.Errorf("error bars %s: %w", s.Name, err)
			}
			eb.LineStyle.Color = col
			eb.LineStyle.Width = vg.Points(1)
			p.Add(eb, sc)
			p.Legend.Add(s.Name, sc)
			for _, v := range xy {
				xmin, xmax = math.Min(xmin, v.X), math.Max(xmax, v.X)
			}
		}
		if len(open) > 0 {
			sc, err := plotter.NewScatter(open)
			if err == nil {
				sc.GlyphStyle.Color = col
				sc.GlyphStyle.Radius = vg.Points(3.5)
				sc.GlyphStyle.Shape = draw.TriangleGlyph{}
				p.Add(sc)
				p.Legend.Add(s.Name+" (unresolved: 95% bound)", sc)
			}
		}
	}
	for _, h := range f.HLines {
		if !finite(xmin) {
			xmin, xmax = 0, 1
		}
		pad := 0.03 * (xmax - xmin)
		ln, err := plotter.NewLine(plotter.XYs{{X: xmin - pad, Y: h.Y}, {X: xmax + pad, Y: h.Y}})
		if err != nil {
			continue
		}
		ln.Color = color.Gray{Y: 0x80}
		if !h.Grey {
			ln.Color = Colour(5)
		}
		ln.Dashes = dashes[h.Dashes%len(dashes)]
		ln.Width = vg.Points(1)
		p.Add(ln)
		if h.Name != "" {
			p.Legend.Add(h.Name, ln)
		}
	}
	return p, nil
}

// Save writes the figures side by side into one PNG of width w·len(figs) and height h (points).
func Save(path string, w, h vg.Length, figs ...Figure) error {
	return SaveGrid(path, w, h, len(figs), figs...)
}

// SaveGrid writes the figures into one PNG, cols panels of w×h points a row, row after row.
func SaveGrid(path string, w, h vg.Length, cols int, figs ...Figure) error {
	if len(figs) == 0 {
		return fmt.Errorf("plot %s: no figure", path)
	}
	cols = max(1, min(cols, len(figs)))
	rows := (len(figs) + cols - 1) / cols
	img := vgimg.NewWith(vgimg.UseWH(w*vg.Length(cols), h*vg.Length(rows)), vgimg.UseDPI(110))
	dc := draw.New(img)
	tiles := draw.Tiles{Cols: cols, Rows: rows, PadX: vg.Points(12), PadY: vg.Points(12), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	for i, f := range figs {
		p, err := f.Plot()
		if err != nil {
			return err
		}
		p.Draw(tiles.At(dc, i%cols, i/cols))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(out); err != nil {
		out.Close()
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return out.Close()
}

// Default panel size.
const (
	Width  = 5.2 * vg.Inch
	Height = 4 * vg.Inch
)

// LogTauLabel is the y label of every ln τ̂ plot.
const LogTauLabel = "ln τ̂ (τ in units of continuous time, t = iterations·η)"

// SweepFigure is the figure of a sweep: ln τ̂ with Garwood error bars against the sweep axis,
// and one line per applicable theory.
func SweepFigure(r *sweep.Result, title string) Figure {
	f := Figure{Title: title, XLabel: r.Axis.Label, YLabel: LogTauLabel}
	f.Points = append(f.Points, MeasuredPoints("measured τ̂ (95% CI)", r.Points, 0))
	for i, n := range r.TheoryNames() {
		f.Lines = append(f.Lines, TheoryLine("theory: "+n, n, r.Points, i+1, i))
	}
	if fit := r.Fit; finite(fit.Slope) {
		var x, y []float64
		for _, pt := range r.Points {
			x, y = append(x, pt.X), append(y, fit.Intercept+fit.Slope*pt.X)
		}
		f.Lines = append(f.Lines, Line{Name: fmt.Sprintf("weighted fit, slope %.4g, R² %.4f", fit.Slope, fit.R2), X: x, Y: y, ColourIndex: 5, Dashes: 2})
	}
	return f
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

// TheoryLine is ln τ of the theory named key at every point that has it.
func TheoryLine(name, key string, pts []sweep.Point, colour, dash int) Line {
	l := Line{Name: name, ColourIndex: colour, Dashes: dash}
	for _, pt := range pts {
		if v, ok := pt.Theory[key]; ok {
			l.X = append(l.X, pt.X)
			l.Y = append(l.Y, math.Log(v))
		}
	}
	return l
}

// HazardFigure shows the hazard against time of one run (docs/theory.md §3): per-bin escape rates
// with their Garwood intervals, the reported quasi-stationary rate after the burn-in as a
// horizontal line, the burn-in t0 as a vertical line, and every theory rate as a horizontal line.
// A plateau after t0 is what makes the reported rate the quasi-stationary one.
func HazardFigure(r *host.Result, title string) Figure {
	qs := r.BurnIn
	f := Figure{Title: title, XLabel: "time t = iterations·η", YLabel: "hazard (escapes per survivor per unit time)", LegendBottomRight: true}
	pts := Points{Name: "hazard per bin (95% CI)", ColourIndex: 0}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, h := range qs.Hazard {
		if h.Escapes == 0 {
			continue
		}
		pts.X = append(pts.X, h.Time)
		pts.Y = append(pts.Y, h.Hazard)
		pts.YLo = append(pts.YLo, h.HazardCI95[0])
		pts.YHi = append(pts.YHi, h.HazardCI95[1])
		lo, hi = math.Min(lo, h.HazardCI95[0]), math.Max(hi, h.HazardCI95[1])
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
