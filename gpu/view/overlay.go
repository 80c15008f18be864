package view

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// overlayText renders the overlay (info box, axis labels, legend, footer) into a transparent,
// premultiplied RGBA image the size of the frame, with Go Mono (golang.org/x/image/font/gofont,
// shipped with the module). Everything but the info lines (legend, footer, axes) is drawn again
// only when the frame's size, the mapping, the view mode, the footer or the number of info lines
// change; an info line is drawn again only when its own text changed, into its own band of rows
// (the static part copied back first), and only the changed rows are uploaded.
type overlayText struct {
	face   font.Face
	small  font.Face
	static *image.RGBA  // legend, footer and axes
	img    *image.RGBA  // static with the info lines
	key    string       // what static was drawn for
	lines  []string     // the info lines in img
	height int          // line height in pixels
	legend []legendItem // the landmarks' and contours' legend lines (landmarkLegend)
}

// legendItem is one line of the legend: a colour swatch and its text, or text in that colour.
type legendItem struct {
	c      color.RGBA
	swatch bool
	text   string
}

// landmarkLegend is the legend of g's landmarks, escape surface and contours: a trained minimum
// has no saddle and no target minimum, and its escape level is named by what --escape tests.
func landmarkLegend(g Geometry, escape *host.EscapeCondition) []legendItem {
	minimum := legendItem{color.RGBA{255, 255, 255, 255}, false, "o  start minimum a"}
	surface := legendItem{color.RGBA{255, 153, 51, 255}, false, "-- escape surface"}
	contours := legendItem{color.RGBA{242, 217, 140, 255}, false, g.ContourNote}
	if !g.Trained {
		items := []legendItem{minimum,
			{color.RGBA{255, 217, 77, 255}, false, "x  saddle b"},
			{color.RGBA{191, 191, 204, 255}, false, "<> target minimum"},
			surface}
		if !g.OneD {
			items = append(items, contours)
		}
		return items
	}
	minimum.text = "o  minimum a (trained; no saddle searched)"
	items := []legendItem{minimum}
	switch delta, radius := escapeLevels(escape); {
	case delta > 0:
		surface.text = fmt.Sprintf("-- escape: L = L(a) + %.3g in this plane", delta)
	case radius > 0:
		surface.text = fmt.Sprintf("-- escape: |θ − a| = %.3g (ball's projection)", radius)
	default:
		surface.text = "-- escape condition's edge in this plane"
	}
	return append(items, surface, contours)
}

func newOverlayText() (*overlayText, error) {
	f, err := opentype.Parse(gomono.TTF)
	if err != nil {
		return nil, fmt.Errorf("overlay font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 13, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("overlay font: %w", err)
	}
	small, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 11, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("overlay font: %w", err)
	}
	return &overlayText{face: face, small: small, height: 16}, nil
}

func (o *overlayText) invalidate() { o.key = "" }

// infoTop is the baseline of the first info line; line i is drawn in the band of rows
// [infoTop+i·height−13, infoTop+i·height+3), clipped to it.
const infoTop = 22

func (o *overlayText) band(i int) image.Rectangle {
	y := infoTop + i*o.height
	return image.Rect(0, y-13, o.img.Rect.Dx(), y+3).Intersect(o.img.Rect)
}

var (
	white = color.RGBA{235, 235, 240, 255}
	grey  = color.RGBA{170, 172, 180, 255}
)

// update brings the overlay image up to date for this frame and returns the rectangle of it
// that changed (empty when nothing did).
// histTop is the top of the 1-D histogram's scale as a share of the particles (histogramTop; 0:
// no histogram).
func (o *overlayText) update(w, h int, oneD bool, m Mapping, density bool, histTop float64, info []string, footer string) image.Rectangle {
	key := fmt.Sprintf("%d×%d|%v|%t|%t|%g|%d|%s", w, h, m, oneD, density, histTop, len(info), footer)
	if key != o.key || o.img == nil {
		o.key = key
		o.redraw(w, h, oneD, m, len(info), footer)
		if oneD && histTop > 0 {
			o.histogramScale(m, histTop)
		}
		copy(o.img.Pix, o.static.Pix)
		o.lines = append(o.lines[:0], info...)
		for i, line := range info {
			o.line(i, line)
		}
		return o.img.Rect
	}
	var changed image.Rectangle
	for i, line := range info {
		if line == o.lines[i] {
			continue
		}
		b := o.band(i)
		draw.Draw(o.img, b, o.static, b.Min, draw.Src)
		o.line(i, line)
		o.lines[i] = line
		changed = changed.Union(b)
	}
	return changed
}

// line draws info line i over img, clipped to its band.
func (o *overlayText) line(i int, s string) {
	dst := o.img.SubImage(o.band(i)).(*image.RGBA)
	d := font.Drawer{Dst: dst, Src: image.NewUniform(white), Face: o.face, Dot: fixed.P(12, infoTop+i*o.height)}
	d.DrawString(s)
}

// redraw draws the static part for n info lines.
func (o *overlayText) redraw(w, h int, oneD bool, m Mapping, n int, footer string) {
	if o.static == nil || o.static.Rect.Dx() != w || o.static.Rect.Dy() != h {
		o.static = image.NewRGBA(image.Rect(0, 0, w, h))
		o.img = image.NewRGBA(image.Rect(0, 0, w, h))
	} else {
		clear(o.static.Pix)
	}
	img := o.static
	vp := m.Viewport

	// The text panel, left of the plot: the info lines (drawn by update), the legend, then the
	// footer (keys).
	y := infoTop + n*o.height + 10
	items := []legendItem{
		{rgb(colorRunning), true, "never escaped (start basin)"},
		{rgb(colorEscaped), true, "escaped (first passage seen)"},
		{rgb(colorDiverged), true, "diverged"},
	}
	items = append(items, o.legend...)
	if oneD {
		items = append(items, legendItem{color.RGBA{77, 217, 255, 255}, false, "bars: histogram of x, stacked by status;"},
			legendItem{color.RGBA{77, 217, 255, 255}, false, "  share of particles per bin, scale right"})
	}
	for _, it := range items {
		x := 12
		if it.swatch {
			draw.Draw(img, image.Rect(x, y-8, x+8, y), image.NewUniform(it.c), image.Point{}, draw.Src)
			x += 14
		}
		o.text(o.small, x, y, it.text, it.c)
		y += 14
	}
	if footer != "" {
		fy := h - 8 - 14*(strings.Count(footer, "\n"))
		for _, line := range strings.Split(footer, "\n") {
			o.text(o.small, 12, fy, line, grey)
			fy += 14
		}
	}
	// Axes: tick values at the ends of each axis, and the names.
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	bottom := vp[1] + vp[3]
	o.text(o.small, vp[0], bottom+13, num(m.Box[0]), grey)
	s := num(m.Box[1])
	o.text(o.small, vp[0]+vp[2]-font.MeasureString(o.small, s).Ceil(), bottom+13, s, grey)
	name := m.Axes[0] + " →"
	o.text(o.small, vp[0]+vp[2]/2-font.MeasureString(o.small, name).Ceil()/2, bottom+13, name, grey)
	s = num(m.Box[3])
	o.text(o.small, vp[0]-font.MeasureString(o.small, s).Ceil()-4, vp[1]+9, s, grey)
	s = num(m.Box[2])
	o.text(o.small, vp[0]-font.MeasureString(o.small, s).Ceil()-4, bottom, s, grey)
	o.vertical(o.small, vp[0]-18, vp[1]+vp[3]/2, m.Axes[1]+" →", grey)
}

// histogramScale draws the 1-D histogram's scale right of the plot: a vertical line from the
// bottom of the plot to histogramHeight of it, with ticks at 0, half the top and the top,
// labelled as shares of the particles in percent.
func (o *overlayText) histogramScale(m Mapping, top float64) {
	vp := m.Viewport
	x := vp[0] + vp[2] + 3
	bottom := vp[1] + vp[3] - 1
	height := int(math.Round(histogramHeight * float64(vp[3])))
	line := image.NewUniform(grey)
	draw.Draw(o.static, image.Rect(x, bottom-height, x+1, bottom+1), line, image.Point{}, draw.Src)
	for _, f := range []float64{0, 0.5, 1} {
		y := bottom - int(math.Round(f*float64(height)))
		draw.Draw(o.static, image.Rect(x, y, x+5, y+1), line, image.Point{}, draw.Src)
		label := strconv.FormatFloat(100*f*top, 'g', 3, 64) + "%"
		o.text(o.small, x+7, y+4, label, grey)
	}
}

func rgb(c [3]float32) color.RGBA {
	return color.RGBA{uint8(255 * c[0]), uint8(255 * c[1]), uint8(255 * c[2]), 255}
}

// text draws s into the static part with its baseline at y.
func (o *overlayText) text(face font.Face, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: o.static, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// vertical draws s rotated by 90° (reading upwards), centred at (x, yc).
func (o *overlayText) vertical(face font.Face, x, yc int, s string, c color.RGBA) {
	tw := font.MeasureString(face, s).Ceil()
	tmp := image.NewRGBA(image.Rect(0, 0, tw+2, 14))
	d := font.Drawer{Dst: tmp, Src: image.NewUniform(c), Face: face, Dot: fixed.P(1, 11)}
	d.DrawString(s)
	y0 := yc + tw/2
	for ty := 0; ty < 14; ty++ {
		for tx := 0; tx < tw+2; tx++ {
			px := tmp.RGBAAt(tx, ty)
			if px.A == 0 {
				continue
			}
			X, Y := x+ty, y0-tx
			if image.Pt(X, Y).In(o.static.Rect) {
				o.static.SetRGBA(X, Y, px)
			}
		}
	}
}
