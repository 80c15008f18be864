package host

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host/landscape"
	"gonum.org/v1/gonum/floats"
)

// EscapeKind says which family an escape condition belongs to (docs/theory.md §2).
type EscapeKind string

// The escape conditions.
const (
	EscapeHyperplane EscapeKind = "hyperplane" // (θ − b)·e > m
	EscapeRadius     EscapeKind = "radius"     // |θ − a| > r (Ibayashi & Imaizumi's protocol)
	EscapeExpression EscapeKind = "expression" // any boolean expression in the coordinates
)

// EscapeCondition decides when a particle has escaped. Both backends evaluate it with the same
// arithmetic: Holds here, the GLSL of GLSL on the GPU.
type EscapeCondition struct {
	Kind   EscapeKind `json:"kind"`
	Text   string     `json:"text"`
	Point  []float64  `json:"point,omitempty"`  // b (hyperplane) or a (radius)
	Normal []float64  `json:"normal,omitempty"` // e (hyperplane)
	Margin float64    `json:"margin,omitempty"` // m (hyperplane)
	// Ball > 0 restricts a default hyperplane to |θ − b| < Ball (docs/theory.md §2, verifySurfaces).
	Ball   float64 `json:"ball,omitempty"`
	Radius float64 `json:"radius,omitempty"`
	// Surfaces are the exits of an EscapeExits condition (host/exits.go).
	Surfaces []ExitSurface `json:"exits,omitempty"`
	// CheckPeriod m > 1: the condition is checked only after the iterations whose count is a
	// multiple of m, counted from the run's iteration 0 (CheckedAfter); 0: after every iteration.
	// CheckNote says why (host/escapecheck.go, docs/theory.md §2).
	CheckPeriod int    `json:"check_period,omitempty"`
	CheckNote   string `json:"check_note,omitempty"`
	expr        *landscape.Condition
	exprFn      func([]float64) bool
}

// hyperplane is the default condition: crossed the saddle hyperplane by margin m.
func hyperplane(an *landscape.Analysis, m float64) *EscapeCondition {
	c := &EscapeCondition{Kind: EscapeHyperplane, Point: an.Saddle, Normal: an.EscapeDirection, Margin: m}
	c.Text = fmt.Sprintf("(θ − b)·e > %.6g with b = %s, e = %s", m, fmtVec(an.Saddle), fmtVec(an.EscapeDirection))
	return c
}

// escapeHint is the example of --escape added to a parser message that shows none.
const escapeHint = "write a condition such as 'x > 0.5', 'loss - loss_a > 0.1', 'dist > 1' or radius(0.8)"

var radiusRE = regexp.MustCompile(`^\s*radius\s*\(\s*([^)]*)\)\s*$`)

// newEscape builds the condition of --escape, or the default hyperplane with the automatic margin:
// three diffusion lengths sqrt(2·D_b/|λ_b|) past the saddle (docs/theory.md §2: absorbing at b itself
// halves τ), capped at half the distance from the saddle to the minimum so that it stays near the
// barrier on landscapes whose next well is close.
func newEscape(cfg Config, ls *landscape.Landscape, p *Problem) (*EscapeCondition, error) {
	an := p.Analysis
	src := strings.TrimSpace(cfg.Escape)
	switch {
	case (src == "" || src == "exits") && len(an.Exits) > 1 && cfg.Target == nil:
		// Several exits and no target: escape through any of them (docs/theory.md §2).
		return exitsCondition(p, cfg.Margin), nil
	case src == "" || src == "saddle":
		m := cfg.Margin
		if m == 0 {
			lb := math.Abs(an.HessianSaddleEigenvalues[0])
			m = 3 * math.Sqrt(2*p.SaddleDiffusion()/lb)
			m = farCap(math.Min(m, 0.5*norm(sub(an.Saddle, an.Minimum))), an.Saddle, an.EscapeDirection, an.TargetMinimum)
		}
		c := hyperplane(an, m)
		surface := []ExitSurface{{Point: c.Point, Normal: c.Normal, Margin: m}}
		notes := p.verifySurfaces(surface, [][]float64{an.HessianSaddle})
		if c.Ball = surface[0].Ball; c.Ball > 0 || notes[0] != "" {
			c.Text = fmt.Sprintf("(θ − b)·e > %.6g%s with b = %s, e = %s%s", m, ballText(c.Ball), fmtVec(an.Saddle), fmtVec(an.EscapeDirection), notes[0])
		}
		return c, nil
	case radiusRE.MatchString(src):
		arg := radiusRE.FindStringSubmatch(src)[1]
		r, err := strconv.ParseFloat(strings.TrimSpace(arg), 64)
		if err != nil || !(r > 0) || math.IsInf(r, 0) {
			return nil, inputErr("escape", "radius(%s) needs one positive number, as in radius(0.8)", arg)
		}
		return &EscapeCondition{Kind: EscapeRadius, Point: an.Minimum, Radius: r,
			Text: fmt.Sprintf("|θ − a| > %g with a = %s", r, fmtVec(an.Minimum))}, nil
	default:
		c, err := landscape.ParseConditionAt(src, ls.Dim, p.reference())
		if err != nil {
			// The parser's message names the problem; unless it already shows valid input, the
			// condition is quoted and an example added.
			var le *landscape.Error
			if errors.As(err, &le) && le.Example {
				return nil, &InputError{Flag: "escape", Msg: err.Error()}
			}
			return nil, &InputError{Flag: "escape", Msg: fmt.Sprintf("%q: %s%v", cfg.Escape, suggestReferenceName(err), err), Hint: escapeHint}
		}
		return &EscapeCondition{Kind: EscapeExpression, Text: src, expr: c, exprFn: c.Func()}, nil
	}
}

// UsesLoss reports whether the condition uses loss (L(θ), on a data landscape a mean over N rows).
func (c *EscapeCondition) UsesLoss() bool { return c.expr != nil && c.expr.UsesLoss() }

// Holds evaluates the condition at x in float64.
func (c *EscapeCondition) Holds(x []float64) bool {
	switch c.Kind {
	case EscapeExpression:
		return c.exprFn(x)
	case EscapeExits:
		return c.Which(x) >= 0
	}
	return c.holdsAt(x, 1, 0)
}

// HoldsBatch sets holds[j] = Holds(point j) for the first m points of x, stored as structure of
// arrays (coordinate k of point j at x[k·stride+j]); point is scratch of length d. The CPU
// reference checks a block of particles with one call.
func (c *EscapeCondition) HoldsBatch(x []float64, stride, m int, holds []bool, point []float64) {
	if c.Kind == EscapeHyperplane || c.Kind == EscapeRadius {
		for j := 0; j < m; j++ {
			holds[j] = c.holdsAt(x, stride, j)
		}
		return
	}
	for j := 0; j < m; j++ {
		for k := range point {
			point[k] = x[k*stride+j]
		}
		holds[j] = c.Holds(point)
	}
}

// holdsAt is the hyperplane or radius test at point j of x (coordinate k at x[k·stride+j]).
func (c *EscapeCondition) holdsAt(x []float64, stride, j int) bool {
	s, r2 := 0.0, 0.0
	for k, b := range c.Point {
		d := x[k*stride+j] - b
		if c.Kind == EscapeHyperplane {
			s += d * c.Normal[k]
		}
		r2 += d * d
	}
	if c.Kind == EscapeHyperplane {
		return s > c.Margin && (c.Ball == 0 || r2 < c.Ball*c.Ball)
	}
	s = r2
	return s > c.Radius*c.Radius
}

// GLSL emits `bool name(REAL x[LANDSCAPE_DIM])`, the same arithmetic as Holds.
func (c *EscapeCondition) GLSL(name string, opt landscape.GLSLOptions) string {
	lit := func(v float64) string { return landscape.Literal(v, opt) }
	var b strings.Builder
	switch c.Kind {
	case EscapeHyperplane, EscapeRadius:
		fmt.Fprintf(&b, "bool %s(REAL x[LANDSCAPE_DIM]) {\n\tREAL s = REAL(0);\n", name)
		ball := c.Kind == EscapeHyperplane && c.Ball > 0
		if ball {
			b.WriteString("\tREAL r2 = REAL(0);\n")
		}
		for i := range c.Point {
			if c.Kind == EscapeHyperplane {
				fmt.Fprintf(&b, "\ts += (x[%d] - %s) * %s;\n", i, lit(c.Point[i]), lit(c.Normal[i]))
				if ball {
					fmt.Fprintf(&b, "\t{ REAL d = x[%d] - %s; r2 += d * d; }\n", i, lit(c.Point[i]))
				}
			} else {
				fmt.Fprintf(&b, "\t{ REAL d = x[%d] - %s; s += d * d; }\n", i, lit(c.Point[i]))
			}
		}
		if ball {
			fmt.Fprintf(&b, "\treturn s > %s && r2 < %s;\n}\n", lit(c.Margin), lit(c.Ball*c.Ball))
		} else if c.Kind == EscapeHyperplane {
			fmt.Fprintf(&b, "\treturn s > %s;\n}\n", lit(c.Margin))
		} else {
			fmt.Fprintf(&b, "\treturn s > %s;\n}\n", lit(c.Radius*c.Radius))
		}
		return b.String()
	case EscapeExits:
		return c.exitsGLSL(name, opt)
	default:
		return c.expr.GLSL(name, opt)
	}
}

func fmtVec(v []float64) string { return landscape.FormatPoint(v, 6) }

func sub(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

func norm(v []float64) float64 { return floats.Norm(v, 2) }
