package gpu

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// overlayText renders the overlay (info box, axis labels, legend, footer) into a transparent,
// premultiplied RGBA image the size of the frame, with Go Mono (golang.org/x/image/font/gofont,
// shipped with the module). The image is redrawn only when its text or size changes.
type overlayText struct {
	face   font.Face
	small  font.Face
	img    *image.RGBA
	key    string
	height int // line height in pixels
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

// image returns the overlay for this frame, or nil when the last one still applies.
func (o *overlayText) image(w, h int, r *Renderer, m Mapping, info []string, footer string) *image.RGBA {
	key := fmt.Sprintf("%d×%d|%v|%t|%s|%s", w, h, m, r.Density, strings.Join(info, "\n"), footer)
	if key == o.key && o.img != nil {
		return nil
	}
	o.key = key
	if o.img == nil || o.img.Rect.Dx() != w || o.img.Rect.Dy() != h {
		o.img = image.NewRGBA(image.Rect(0, 0, w, h))
	} else {
		clear(o.img.Pix)
	}
	img := o.img
	white := color.RGBA{235, 235, 240, 255}
	grey := color.RGBA{170, 172, 180, 255}
	shade := color.RGBA{0, 0, 0, 165} // premultiplied black at 65%
	vp := m.Viewport

	// The text panel, left of the plot: info lines, the legend, then the footer (keys).
	y := 22
	for _, line := range info {
		o.text(o.face, 12, y, line, white)
		y += o.height
	}
	y += 10
	type item struct {
		c      color.RGBA
		swatch bool
		text   string
	}
	items := []item{
		{rgb(colorRunning), true, "never escaped (start basin)"},
		{rgb(colorEscaped), true, "escaped (first passage seen)"},
		{rgb(colorDiverged), true, "diverged"},
		{color.RGBA{255, 255, 255, 255}, false, "o  start minimum a"},
		{color.RGBA{255, 217, 77, 255}, false, "x  saddle b"},
		{color.RGBA{191, 191, 204, 255}, false, "<> target minimum"},
		{color.RGBA{255, 153, 51, 255}, false, "-- escape surface"},
	}
	if !r.view1D {
		items = append(items, item{color.RGBA{242, 217, 140, 255}, false, "contours every ΔL/6; bright: L(b)"})
	} else {
		items = append(items, item{color.RGBA{77, 217, 255, 255}, false, "bars: live histogram of x"})
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
	_ = shade
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
	return img
}

func rgb(c [3]float32) color.RGBA {
	return color.RGBA{uint8(255 * c[0]), uint8(255 * c[1]), uint8(255 * c[2]), 255}
}

// text draws s with its baseline at y.
func (o *overlayText) text(face font.Face, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: o.img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
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
			if image.Pt(X, Y).In(o.img.Rect) {
				o.img.SetRGBA(X, Y, px)
			}
		}
	}
}
