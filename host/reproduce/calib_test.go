package reproduce

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

func th(t *testing.T, spec string, noise host.NoiseModel, lr, batch, temp float64, start []float64) {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Batch, cfg.Temp, cfg.Start = spec, noise, lr, batch, temp, start
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Log(spec, err)
		return
	}
	s := fmt.Sprintf("%s %s lr=%g B=%g T=%g dl=%.4g La=%.3g Lb=%.3g a=%v margin=%.3g:", spec, noise, lr, batch, temp, p.Analysis.DeltaL, p.Analysis.LossMinimum, p.Analysis.LossSaddle, p.Analysis.Minimum, p.Escape.Margin)
	for k, v := range host.Predictions(p) {
		if v.Tau != nil {
			s += fmt.Sprintf(" %s=%.4g", k, *v.Tau)
		} else {
			s += " " + k + "=nil(" + v.Reason + ")"
		}
	}
	t.Log(s)
}

func TestCalibTheory(t *testing.T) {
	pwq := "pwq(ha=4,hb=2,a=-1,b=0)"
	for _, T := range []float64{0.12, 0.15, 0.2} {
		th(t, pwq, host.SGLD, 0.01, 1, T, nil)
	}
	for _, c := range []float64{0.1} {
		for _, T := range []float64{0.05, 0.06, 0.08} {
			th(t, fmt.Sprintf("tilted(c=%g)", c), host.SGLD, 0.01, 1, T, nil)
		}
	}
	for _, bo := range []float64{4, 6, 8, 10, 12, 13, 14} {
		th(t, pwq, host.SGDHessian, 0.005, bo*0.005, 0, nil)
	}
	for _, k := range []float64{0.5, 0.6, 0.75, 1, 1.25, 1.5, 2} {
		th(t, fmt.Sprintf("pwq(ha=4,hb=2,a=-1,b=0,k=%g)", k), host.SGDHessian, 0.005, 8*0.005, 0, nil)
	}
	for _, k := range []float64{0.5, 1, 2, 4} {
		th(t, fmt.Sprintf("pwq(ha=4,hb=2,a=-1,b=0,k=%g)", k), host.SGLD, 0.005, 1, 0.1667, nil)
	}
	th(t, "(x^2-1)^2 + (1 + x^2)*y^2", host.SGLD, 0.01, 1, 1.0/6, []float64{-1, 0})
	th(t, "zhu2d", host.SGDHessian, 0.002, 0.05, 0, nil)
	for _, r := range []float64{2, 3, 4, 6, 8, 10} {
		l0 := 2.0 / 3 / (r - 1)
		th(t, fmt.Sprintf("pwq(ha=4,hb=2,a=-1,b=0,l0=%g)", l0), host.SGDLoss, 0.005, 6*0.005, 0, nil)
	}
	for _, bo := range []float64{3, 4.5, 5, 6, 7.5} {
		th(t, "twowell", host.SGDHessian, 0.005, bo*0.005, 0, nil)
		th(t, "twowell", host.SGDHessian, 0.005, bo*0.005, 0, []float64{1.0607})
	}
	th(t, "twowell", host.SGLD, 0.005, 1, 0.1, nil)
	th(t, "twowell", host.SGLD, 0.005, 1, 0.1, []float64{1.0607})
}

func TestCalibSpeed(t *testing.T) {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Temp = "pwq(ha=4,hb=2,a=-1,b=0)", host.SGLD, 0.01, 0.15
	cfg.Particles, cfg.Steps, cfg.Backend = 20000, 2000, "cpu"
	p, _ := host.Prepare(cfg)
	t0 := time.Now()
	r, err := host.Execute(context.Background(), p, validate.NewCPU(), host.RunOptions{})
	t.Log(err, r.Estimate.Escaped, *r.Estimate.Tau, time.Since(t0), r.ParticleStepsPerSecond)
}
