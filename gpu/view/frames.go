package view

import (
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"io"
	"os"
	"time"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
)

// FramesOptions configure RenderFrames.
type FramesOptions struct {
	Frames        int // frames to render (≥ 1); frame 0 shows iteration 0
	Every         int // iterations between frames (≥ 1)
	Width, Height int // frame size (default 800×600)
	View          Options
	// NoText leaves the overlay's info box out (axes and legend stay).
	NoText bool
	// Context to draw on; nil opens a headless one (EGL, or a hidden window on $DISPLAY, or a
	// private Xvfb) for the call and closes it afterwards.
	Context *gpu.Context
	// Each receives every frame as it is rendered (the image is reused afterwards: copy it to
	// keep it). With Each nil, RenderFrames returns all frames.
	Each func(frame, iteration int, img *image.RGBA) error
}

// RenderFrames runs p from its start and renders Frames pictures, Every iterations apart, into
// an offscreen framebuffer: no window is needed. It is the API behind `kramers view --headless`
// and the pictures of `kramers reproduce`.
func RenderFrames(p *host.Problem, opt FramesOptions) ([]*image.RGBA, error) {
	if opt.Frames < 1 || opt.Every < 1 {
		return nil, fmt.Errorf("render frames: need frames ≥ 1 and every ≥ 1, got %d and %d", opt.Frames, opt.Every)
	}
	if opt.Width <= 0 {
		opt.Width = 800
	}
	if opt.Height <= 0 {
		opt.Height = 600
	}
	ctx := opt.Context
	if ctx == nil {
		var err error
		if ctx, err = gpu.NewContext(gpu.Options{Width: opt.Width, Height: opt.Height, Title: "kramers frames"}); err != nil {
			return nil, err
		}
		defer ctx.Close()
	}
	s, err := NewSession(ctx, p, opt.View)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []*image.RGBA
	for f := 0; f < opt.Frames; f++ {
		t0 := time.Now()
		if f > 0 {
			if err := s.Step(opt.Every); err != nil {
				return out, err
			}
		}
		if err := s.RefreshEstimate(true); err != nil {
			return out, err
		}
		var info []string
		if !opt.NoText {
			info = s.Info("(headless)", opt.Every)
		}
		if err := s.Renderer.Render(opt.Width, opt.Height, info, ""); err != nil {
			return out, err
		}
		img, err := s.Renderer.ReadImage()
		if err != nil {
			return out, err
		}
		s.EndFrame(time.Since(t0))
		if opt.Each != nil {
			if err := opt.Each(f, s.Iteration, img); err != nil {
				return out, err
			}
		} else {
			out = append(out, img)
		}
	}
	return out, nil
}

// SavePNG writes img as a PNG file.
func SavePNG(path string, img image.Image) error {
	return saveEncoded(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// saveEncoded creates the file path and writes it with encode.
func saveEncoded(path string, encode func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := encode(f); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}

// GIFFrame quantises img to the Plan 9 palette (image/color/palette) with Floyd–Steinberg
// dithering, for an animated GIF.
func GIFFrame(img image.Image) *image.Paletted {
	pm := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.FloydSteinberg.Draw(pm, img.Bounds(), img, img.Bounds().Min)
	return pm
}

// SaveGIF writes the paletted frames as an endlessly looping animated GIF, delay in 1/100 s.
func SaveGIF(path string, frames []*image.Paletted, delay int) error {
	g := &gif.GIF{}
	for _, f := range frames {
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, delay)
	}
	return saveEncoded(path, func(w io.Writer) error { return gif.EncodeAll(w, g) })
}

// Picture renders p after the given number of iterations (from its start) as one w×h image
// with the full overlay: the call behind the one-picture-per-landscape figures of a report.
// It opens and closes its own headless context (see FramesOptions.Context).
func Picture(p *host.Problem, iterations, w, h int) (*image.RGBA, error) {
	if iterations < 1 {
		iterations = 1
	}
	frames, err := RenderFrames(p, FramesOptions{Frames: 2, Every: iterations, Width: w, Height: h})
	if err != nil {
		return nil, err
	}
	return frames[len(frames)-1], nil
}
