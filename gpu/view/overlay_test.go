package view

import (
	"image"
	"testing"
)

// TestOverlayIncremental: updating only the lines that changed gives the same image as drawing
// everything afresh, and reports the rows of the changed lines as the rectangle to upload.
func TestOverlayIncremental(t *testing.T) {
	g, _ := geometryOf(t, "muller-brown", [4]float64{})
	m := g.Mapping(960, 720)
	a := []string{"muller-brown", "iteration 100 · t = 0.02", "running", "escaped 0 (0.0%) · diverged 0", "frame 20.1 ms"}
	b := []string{"muller-brown", "iteration 150 · t = 0.03", "running", "escaped 0 (0.0%) · diverged 0", "frame 19.7 ms (51/s)"}
	inc, err := newOverlayText()
	if err != nil {
		t.Fatal(err)
	}
	if r := inc.update(960, 720, false, m, false, 0, a, "keys"); r != image.Rect(0, 0, 960, 720) {
		t.Errorf("first update: changed %v, want the whole frame", r)
	}
	if r := inc.update(960, 720, false, m, false, 0, a, "keys"); !r.Empty() {
		t.Errorf("same text: changed %v, want nothing", r)
	}
	r := inc.update(960, 720, false, m, false, 0, b, "keys")
	if want := inc.band(1).Union(inc.band(4)); r != want {
		t.Errorf("lines 1 and 4 changed: rectangle %v, want %v", r, want)
	}
	fresh, err := newOverlayText()
	if err != nil {
		t.Fatal(err)
	}
	fresh.update(960, 720, false, m, false, 0, b, "keys")
	diff := 0
	for i := range fresh.img.Pix {
		if fresh.img.Pix[i] != inc.img.Pix[i] {
			diff++
		}
	}
	if diff != 0 {
		t.Errorf("incremental overlay differs from a fresh one in %d bytes", diff)
	}
	// A new line count or footer redraws everything.
	if r := inc.update(960, 720, false, m, false, 0, b[:4], "keys"); r != inc.img.Rect {
		t.Errorf("fewer lines: changed %v, want the whole frame", r)
	}
}
