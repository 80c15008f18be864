package reproduce

import (
	"fmt"
	"path/filepath"

	"github.com/kramers-sim/kramers/host"
)

// PictureFunc renders the ensemble of p after the given number of iterations into a PNG at path.
// cmd wires it to the headless renderer of package gpu (host must not import gpu).
type PictureFunc func(p *host.Problem, iterations int, path string) error

// picture is one view of a case's landscape for the report: where the particles are after a
// fraction of an escape time (chosen from the measured or theoretical τ of the case).
type picture struct {
	caseID     string
	file       string
	caption    string
	landscape  string
	noise      host.NoiseModel
	lr, batch  float64
	temp       float64
	start      []float64
	absorb     bool
	particles  int
	iterations int
}

var pictures = []picture{
	{caseID: "K1", file: "view-K1-pwq-sgld.png", caption: "pwq under sgld (T = 0.15, η = 0.01) after t = 100 (τ ≈ 190)",
		landscape: "pwq(ha=4,hb=2,a=-1,b=0)", noise: host.SGLD, lr: 0.01, temp: 0.15, particles: 20000, iterations: 10000},
	{caseID: "K2", file: "view-K2-pwq-sgd.png", caption: "pwq under sgd-hessian (B/η = 8, η = 0.01) after t = 60 (τ ≈ 130)",
		landscape: "pwq(ha=4,hb=2,a=-1,b=0)", noise: host.SGDHessian, lr: 0.01, batch: 0.08, particles: 20000, iterations: 6000},
	{caseID: "K5", file: "view-K5-zhu2d-sgd.png", caption: "zhu2d under sgd-hessian (B = 0.3, η = 0.001) after 350 iterations",
		landscape: "zhu2d", noise: host.SGDHessian, lr: 0.001, batch: 0.3, particles: 30000, iterations: 350},
	{caseID: "K8", file: "view-K8-twowell-sgd.png", caption: "twowell under sgd-hessian (B/η = 4, η = 0.01), non-absorbing, after t = 20: the flat minimum collects the particles",
		landscape: "twowell", noise: host.SGDHessian, lr: 0.01, batch: 0.04, particles: 20000, iterations: 2000},
}

// addPictures renders one picture per selected case that has one, and lists it among the case's
// figures. A failing picture is a note, not a failed check: the numbers do not depend on it.
func (r *runner) addPictures() {
	if r.opt.Picture == nil || r.opt.Out == "" {
		return
	}
	for _, pc := range pictures {
		var cs *Case
		for _, c := range r.rep.Cases {
			if c.ID == pc.caseID && c.Status != StatusNotRun {
				cs = c
			}
		}
		if cs == nil || r.ctx.Err() != nil {
			continue
		}
		cfg := r.base(pc.landscape, pc.noise, pc.lr)
		cfg.Batch, cfg.Temp, cfg.Start, cfg.Particles, cfg.Steps = pc.batch, pc.temp, pc.start, pc.particles, pc.iterations
		if cfg.Batch == 0 {
			cfg.Batch = 1
		}
		if cfg.Temp == 0 {
			cfg.Temp = 0.1
		}
		cfg.Absorb = pc.absorb
		p, err := host.Prepare(cfg)
		if err == nil {
			err = r.opt.Picture(p, pc.iterations, filepath.Join(r.opt.Out, pc.file))
		}
		if err != nil {
			cs.Notes = append(cs.Notes, fmt.Sprintf("picture %s not drawn: %v", pc.file, err))
			continue
		}
		cs.Notes = append(cs.Notes, "Picture: "+pc.caption+" (cyan: never escaped; orange: escaped).")
		cs.Figures = append(cs.Figures, pc.file)
		r.logf("  picture %s", pc.file)
	}
}
