package reproduce

import (
	"fmt"
	"math"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/plot"
)

// K10: basins with several exits (docs/theory.md §2). The default escape leaves through any exit;
// the basin's rate is the sum over its exits. On separable landscapes (2-D and 3-D, exits of
// different heights) the total and each exit's share are compared with the exact 1-D
// discrete-time values (5% + 3σ for the total, 3σ for each share, the tolerances); on a
// non-separable 2-D landscape with two exits, with Eyring–Kramers summed over the exits at
// ΔL/T ≥ 6 (15% + 3σ, the tolerance of K4, docs/theory.md §5).
func caseK10(r *runner) error {
	type spec struct {
		name, land string
		start      []float64
		temp       float64
		exact      string // the theory compared with
		relTol     float64
	}
	specs := []spec{
		{"separable 2-D", "(x^2-1)^2 + (y^2-1)^2 + 0.1*x", []float64{-1, -1}, 0.3, "discrete", 0.05},
		{"separable 3-D", "(x1^2-1)^2 + (x2^2-1)^2 + (x3^2-1)^2 + 0.1*x1 + 0.05*x2", []float64{-1, -1, -1}, 0.3, "discrete", 0.05},
		{"coupled 2-D", "(x^2-1)^2 + (y^2-1)^2 + 0.1*x + 0.2*x*y", []float64{-1, -1}, 0.134, "eyring_kramers", 0.15},
	}
	r.cur.Setup = "sgld at η = 0.005 from the lowest corner minimum of three landscapes with two or three exits of different " +
		"heights; default escape through any exit (docs/theory.md §2). Separable: total against the exact summed 1-D discrete " +
		"values within 5% + 3σ, and each exit's share of the escapes within 3σ (binomial). Coupled (x·y term, ΔL/T = 6.0 " +
		"for the lower exit): total and shares against Eyring–Kramers summed over the exits, within 15% + 3σ."
	var shares []plot.Points
	for si, s := range specs {
		cfg := r.base(s.land, host.SGLD, 0.005)
		cfg.Temp, cfg.Start = s.temp, s.start
		run, err := r.measure(fmt.Sprintf("%s sgld T=%g", s.name, s.temp), cfg, r.many)
		if err != nil {
			return err
		}
		res := run.pt.Result
		e := res.Measurement().Estimate
		th := res.Theory[s.exact]
		c := &Check{Name: fmt.Sprintf("K10 %s: total rate against %s", s.name, s.exact),
			Claim:     "a basin's escape rate is the sum over its exits (docs/theory.md §2)",
			Predicted: nan(), Measured: nan(), Sigma: nan(), Kind: Within, RelTol: F(s.relTol), NSigma: 3}
		if th.Rate != nil {
			c.Predicted = F(*th.Rate)
		}
		if e.Rate != nil {
			c.Measured, c.Sigma = F(*e.Rate), F(*e.Rate/math.Sqrt(float64(e.Escaped)))
		} else {
			c.Require, c.RequireWhy = boolp(false), "unresolved: "+e.Note
		}
		c.Note = fmt.Sprintf("%d exits; %s", len(res.Exits), th.Reason)
		r.check(c)
		// How close the path-based value (docs/theory.md §4.6, approximate) comes: reported, no mark.
		if pt := res.Theory["path"]; pt.Rate != nil && e.Rate != nil {
			r.check(&Check{Name: fmt.Sprintf("K10 %s: total rate against the path-based value", s.name),
				Claim:    "each exit reduced to its minimum-energy path (approximate: motion across the path neglected)",
				Measured: F(*e.Rate), Sigma: F(*e.Rate / math.Sqrt(float64(e.Escaped))), Predicted: F(*pt.Rate), Kind: NoMark,
				Note: fmt.Sprintf("measured/path = %.4f", *e.Rate / *pt.Rate)})
		}
		if len(res.Exits) < 2 {
			return fmt.Errorf("K10 %s: %d exits in the result, want at least 2", s.name, len(res.Exits))
		}
		sum := 0.0
		for _, ex := range res.Exits {
			if t := ex.Theory[s.exact]; t.Rate != nil {
				sum += *t.Rate
			}
		}
		pts := plot.Points{Name: s.name + ": measured share (95%)", ColourIndex: si}
		for i, ex := range res.Exits {
			ch := &Check{Name: fmt.Sprintf("K10 %s: share of exit %d (ΔL = %.4g)", s.name, i+1, ex.DeltaL),
				Claim:    "each exit takes its own rate's share of the escapes (competing risks)",
				Measured: F(ex.Share), Predicted: nan(), Sigma: nan(), Kind: Within, NSigma: 3, RelTol: F(s.relTol - 0.05)}
			if t := ex.Theory[s.exact]; t.Rate != nil && sum > 0 && e.Escaped > 0 {
				want := *t.Rate / sum
				ch.Predicted, ch.Sigma = F(want), F(math.Sqrt(want*(1-want)/float64(e.Escaped)))
				pts.X, pts.Y = append(pts.X, float64(i+1)), append(pts.Y, ex.Share/want)
				se := math.Sqrt(want*(1-want)/float64(e.Escaped)) / want
				pts.YLo, pts.YHi = append(pts.YLo, ex.Share/want-1.96*se), append(pts.YHi, ex.Share/want+1.96*se)
			}
			ch.Note = fmt.Sprintf("%d escapes through it", ex.Escapes)
			r.check(ch)
		}
		shares = append(shares, pts)
	}
	r.figure("shares", plot.Figure{Title: "K10: each exit's share of the escapes over theory's", XLabel: "exit (by ΔL, lowest first)",
		YLabel: "measured share / theory share", Points: shares, HLines: []plot.HLine{{Name: "theory (ratio 1)", Y: 1}}})
	return nil
}
