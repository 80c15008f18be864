package plot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/jsonnum"
	"github.com/kramers-sim/kramers/host/sweep"
	"gonum.org/v1/plot/vg"
)

// grid returns n×n points filling [x0, x1] × [y0, y1].
func grid(n int, x0, x1, y0, y1 float64) (xs, ys []float64) {
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			xs = append(xs, x0+(x1-x0)*float64(i)/float64(n-1))
			ys = append(ys, y0+(y1-y0)*float64(j)/float64(n-1))
		}
	}
	return xs, ys
}

// TestLegendAvoidsData: data filling the top-left send the legend to the first empty corner
// (top-right); data in every corner send it beside the panel, and the PNG grows by its width.
func TestLegendAvoidsData(t *testing.T) {
	xs, ys := grid(6, 0, 0.35, 0.65, 1)
	xs, ys = append(xs, 1), append(ys, 0) // the data range reaches the bottom-right corner
	f := Figure{Title: "top-left full", XLabel: "x", YLabel: "y",
		Points: []Points{{Name: "measured", X: xs, Y: ys}},
		Lines:  []Line{{Name: "theory: a (exact-continuous)", X: []float64{0, 0.3}, Y: []float64{0.8, 0.8}, ColourIndex: 1}}}
	counts, err := f.CornerCounts(Width, Height)
	if err != nil {
		t.Fatal(err)
	}
	place, _ := f.LegendPlacement(Width, Height)
	if counts[LegendTopLeft] == 0 || place != LegendTopRight || counts[place] != 0 {
		t.Fatalf("corner counts %v, legend at %s; want top-left occupied and the legend top-right", counts, place)
	}

	// A line alone through the top-right corner (no markers there) keeps the legend out of it too.
	f.Lines = append(f.Lines, Line{Name: "theory: b (asymptotic)", X: []float64{0.5, 1}, Y: []float64{0.5, 1}, ColourIndex: 2})
	if place, _ := f.LegendPlacement(Width, Height); place != LegendBottomLeft {
		t.Fatalf("legend at %s with the top-left filled, a line into the top-right and a point bottom-right; want bottom-left", place)
	}

	// Data in every corner: beside the panel.
	all := Figure{Title: "full", XLabel: "x", YLabel: "y"}
	gx, gy := grid(12, 0, 1, 0, 1)
	all.Points = []Points{{Name: "everywhere", X: gx, Y: gy}}
	all.Lines = []Line{{Name: "a theory line with a long label (exact-discrete)", X: []float64{0, 1}, Y: []float64{0, 1}}}
	if place, _ := all.LegendPlacement(Width, Height); place != LegendOutside {
		t.Fatalf("legend at %s with data in every corner, want outside", place)
	}
	path := filepath.Join(t.TempDir(), "full.png")
	if err := Save(path, Width, Height, all); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	cfg, err := png.DecodeConfig(fh)
	if err != nil {
		t.Fatal(err)
	}
	if px := int(math.Ceil(float64(Width) / vg.Inch.Points() * 110)); cfg.Width <= px+20 {
		t.Fatalf("PNG width %d px: the panel (%d px) was not widened for the legend beside it", cfg.Width, px)
	}
}

func point(v, x, tau float64, theory map[string]float64, kinds map[string]string, axes map[string]float64) sweep.Point {
	return sweep.Point{Value: v, X: x, Tau: jsonnum.Number(tau), TauLo: jsonnum.Number(tau * 0.9), TauHi: jsonnum.Number(tau * 1.1),
		LnTau: jsonnum.Number(math.Log(tau)), SigmaLogTau: 0.05, Resolved: true, Theory: theory, TheoryKinds: kinds, XByAxis: axes}
}

// TestSweepFiguresCompare: a comparison of sgd-hessian (natural axis 1/k) and sgld (ln k) gives two
// lettered panels, each with both series and theory lines labelled with their kinds, and each
// series' fit on its own axis.
func TestSweepFiguresCompare(t *testing.T) {
	kinds := map[string]string{"discrete": "exact-discrete", "quadrature": "exact-continuous", "xie": "asymptotic", "eyring_kramers": "asymptotic"}
	axis1, _ := sweep.NewAxis("", "k", host.SGDHessian)
	axis2, _ := sweep.NewAxis("", "k", host.SGLD)
	mk := func(label string, noise host.NoiseModel, ax sweep.Axis, asym string, tau func(k float64) float64) *sweep.Result {
		r := &sweep.Result{Name: "k", Label: label, Noise: noise, Axis: ax, TheoryKinds: map[string]string{}}
		for _, k := range []float64{0.5, 1, 2} {
			th := map[string]float64{"discrete": tau(k), "quadrature": tau(k) * 1.05, asym: tau(k) * 0.95}
			x := map[string]float64{"1/k": 1 / k, "logk": math.Log(k)}
			r.Points = append(r.Points, point(k, x[ax.Name], tau(k), th, kinds, x))
		}
		for n := range r.Points[0].Theory {
			r.TheoryKinds[n] = kinds[n]
		}
		return r
	}
	sgd := mk("noise=sgd-hessian", host.SGDHessian, axis1, "xie", func(k float64) float64 { return math.Exp(3 / k) })
	sgld := mk("noise=sgld", host.SGLD, axis2, "eyring_kramers", func(k float64) float64 { return 40 / k })
	fit := sweep.FitLine([]float64{1, 2}, []float64{1, 2}, nil)
	s := &sweep.Set{Vary: "k", Compare: "noise", Series: []*sweep.Result{sgd, sgld}, Panels: []sweep.Panel{
		{Axis: axis1, Fits: map[string]sweep.LineFit{sgd.Label: fit, sgld.Label: fit}},
		{Axis: axis2, Fits: map[string]sweep.LineFit{sgd.Label: fit, sgld.Label: fit}}}}
	figs := SweepFigures(s, "pwq")
	if len(figs) != 2 || !strings.HasPrefix(figs[0].Title, "(a) ") || !strings.HasPrefix(figs[1].Title, "(b) ") ||
		figs[0].XLabel != axis1.Label || figs[1].XLabel != axis2.Label {
		t.Fatalf("panels: %+v", figs)
	}
	for i, f := range figs {
		if len(f.Points) != 2 {
			t.Errorf("panel %d has %d series", i, len(f.Points))
		}
		fits := 0
		for _, l := range f.Lines {
			switch {
			case strings.Contains(l.Name, "weighted fit"):
				fits++
				if !strings.HasPrefix(l.Name, []string{sgd.Label, sgld.Label}[i]) {
					t.Errorf("panel %d draws the fit %q off its natural axis", i, l.Name)
				}
			case !strings.Contains(l.Name, "theory: "):
				t.Errorf("line %q", l.Name)
			default:
				kind := ""
				for n, k := range kinds {
					if strings.Contains(l.Name, "theory: "+n+" ") {
						kind = k
					}
				}
				if kind == "" || !strings.HasSuffix(l.Name, "("+kind+")") {
					t.Errorf("theory line %q is not labelled with its kind", l.Name)
				}
			}
		}
		if fits != 1 {
			t.Errorf("panel %d: %d fits", i, fits)
		}
		// The points of each series are placed on the panel's axis.
		if x := f.Points[1-i].X[0]; x != map[int]float64{0: 2, 1: math.Log(0.5)}[i] {
			t.Errorf("panel %d: first x of the other series %g", i, x)
		}
		// Both series are measured at the same x: their markers are dodged apart, symmetrically,
		// by less than a third of the gap between neighbouring x.
		d0, d1 := f.Points[0].Dodge, f.Points[1].Dodge
		if !(d0 < 0 && d1 > 0 && math.Abs(d0+d1) < 1e-12 && d1-d0 < 0.5/3) {
			t.Errorf("panel %d: dodges %g, %g", i, d0, d1)
		}
	}
	if err := Save(filepath.Join(t.TempDir(), "sweep.png"), Width, Height, figs...); err != nil {
		t.Fatal(err)
	}

	// One series: every theory, named "theory: NAME (KIND)".
	single := &sweep.Set{Vary: "k", Series: []*sweep.Result{sgd}, Panels: []sweep.Panel{{Axis: axis1, Fits: map[string]sweep.LineFit{"": fit}}}}
	sgd.Label = ""
	f := SweepFigures(single, "pwq")[0]
	want := map[string]bool{"theory: discrete (exact-discrete)": true, "theory: quadrature (exact-continuous)": true, "theory: xie (asymptotic)": true}
	for _, l := range f.Lines {
		delete(want, l.Name)
	}
	if f.Title != "pwq" || len(want) != 0 {
		t.Errorf("single series: title %q, missing %v", f.Title, want)
	}
	// A name that already says its kind is kept.
	if l := TheoryLine("exact quadrature (exact-continuous)", "quadrature", sgd.Points, 1, 0); l.Name != "exact quadrature (exact-continuous)" {
		t.Errorf("TheoryLine relabelled %q", l.Name)
	}
}
