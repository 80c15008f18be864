package host

import (
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/landscape"
)

// ringLandscape is issue 20's row 3: a ring (radius 1) tilted by angular terms; the start basin
// about a ≈ (0.983, −0.183) spans the ring angles from −94° (exit 2's saddle) to 132° (exit 1's),
// wider than half the ring, and both exits lead to the far minimum at 201°.
const ringLandscape = "5*(x^2+y^2-1)^2 + 0.3*(-x/sqrt(x^2+y^2) - (x^2-y^2)/(x^2+y^2) - 0.4*x*y/(x^2+y^2) + 0.5*(3*y*(x^2+y^2) - 4*y^3)/(x^2+y^2)^1.5)"

func ringProblem(t *testing.T) *Problem {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Start, cfg.Noise, cfg.Temp, cfg.LR = ringLandscape, []float64{0.98, -0.18}, SGLD, 0.25, 0.005
	p, err := Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The default exit surfaces of the ring hold at no point of the start basin: on the circles of
// radius 0.9, 1 and 1.1 (the ring's valley ± 1.2 of its transverse standard deviations at T = 0.25,
// sqrt(T/40) = 0.08), every ring angle whose gradient flow reaches a (checked point by point with
// the basin check, so the test does not assume where the saddles are) is not an escape; before
// the fix exit 2's half-space held at 128–131°. The escape region holds at the far minimum (201°),
// and the descent from each saddle is labelled with its own exit.
func TestRingSurfacesStayOutsideTheBasin(t *testing.T) {
	p := ringProblem(t)
	if p.Escape.Kind != EscapeExits || len(p.Escape.Surfaces) != 2 {
		t.Fatalf("escape %s", p.Escape.Text)
	}
	restricted := 0
	for _, s := range p.Escape.Surfaces {
		if s.Ball > 0 {
			restricted++
		}
	}
	if restricted == 0 || !strings.Contains(p.Escape.Text, "reaches back into the start basin") {
		t.Errorf("no surface restricted, or the text does not say why: %s", p.Escape.Text)
	}
	bc := landscape.NewBasinCheck(p.Landscape, p.Analysis.Minimum)
	// The unrestricted half-spaces, as before the check: they must hold somewhere in the basin
	// (else this test could not fail).
	whole := &EscapeCondition{Kind: EscapeExits}
	for _, s := range p.Escape.Surfaces {
		s.Ball = 0
		whole.Surfaces = append(whole.Surfaces, s)
	}
	inBasin, escaped, wholeEscaped := 0, 0, 0
	for _, r := range []float64{0.9, 1, 1.1} {
		for deg := 0.0; deg < 360; deg++ {
			x := []float64{r * math.Cos(deg*math.Pi/180), r * math.Sin(deg*math.Pi/180)}
			if !bc.FlowsToMinimum(x) {
				continue
			}
			inBasin++
			if whole.Holds(x) {
				wholeEscaped++
			}
			if p.Escape.Holds(x) {
				escaped++
				t.Errorf("the escape holds at r = %g, %g° (%v), which flows to a", r, deg, x)
			}
		}
	}
	if wholeEscaped == 0 {
		t.Error("the unrestricted half-spaces hold at no sampled basin point: the test cannot fail")
	}
	if inBasin < 3*150 { // the basin spans 226° of each circle: ≈ 226 points per circle
		t.Errorf("only %d sampled points flow to a; the basin check or the sampling is wrong", inBasin)
	}
	far := p.Analysis.Exits[0].FarMinimum
	if far == nil || !p.Escape.Holds(far) {
		t.Errorf("the escape does not hold at the far minimum %v", far)
	}
	for _, w := range p.EscapeWarnings {
		t.Errorf("unexpected warning: %s", w.Message)
	}
	t.Logf("%d of %d basin points escaped (%d with the unrestricted half-spaces); %s", escaped, inBasin, wholeEscaped, p.Escape.Text)
}

// A restricted surface is the same condition for HoldsBatch (the CPU reference's block test) and
// Holds, point by point, on a grid over the ring.
func TestRingHoldsBatchMatchesHolds(t *testing.T) {
	p := ringProblem(t)
	const size = 64
	holds, point := make([]bool, size), make([]float64, 2)
	x := make([]float64, 2*size)
	trueCount, n := 0, 0
	for row := 0; row < size; row++ {
		for j := 0; j < size; j++ {
			x[j], x[size+j] = -1.5+3*float64(j)/size, -1.5+3*float64(row)/size
		}
		p.Escape.HoldsBatch(x, size, size, holds, point)
		for j := 0; j < size; j++ {
			want := p.Escape.Holds([]float64{x[j], x[size+j]})
			if holds[j] != want {
				t.Fatalf("(%g, %g): HoldsBatch %v, Holds %v", x[j], x[size+j], holds[j], want)
			}
			n++
			if want {
				trueCount++
			}
		}
	}
	if trueCount == 0 || trueCount == n {
		t.Fatalf("%d of %d grid points escaped; the test needs both outcomes", trueCount, n)
	}
}

// A user's escape region that holds in the minimum's neighbourhood is warned about: on
// doublewell(k=1) from −1, radius(0.3) holds at points with L − L(a) below ΔL/2 that flow to a;
// x > 0.3 lies past the saddle at 0 and gets no warning.
func TestUserEscapeInsideTheWell(t *testing.T) {
	for _, c := range []struct {
		escape string
		warn   bool
	}{{"radius(0.3)", true}, {"x > 0.3", false}} {
		cfg := DefaultConfig()
		cfg.Landscape, cfg.Escape = "doublewell(k=1)", c.escape
		p, err := Prepare(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := false
		for _, w := range p.EscapeWarnings {
			got = got || strings.Contains(w.Message, "minimum neighbourhood")
		}
		if got != c.warn {
			t.Errorf("--escape %s: warning %v, want %v (%v)", c.escape, got, c.warn, p.EscapeWarnings)
		}
	}
}
