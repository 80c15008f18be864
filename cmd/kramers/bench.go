package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/data"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// benchCase is one fixed configuration of `kramers bench`. η, T and B keep the particles in their
// well for the length of the bench (escapes and divergences are reported and stay rare), so the
// number measured is the cost of a step, not of frozen particles.
type benchCase struct {
	id        int
	landscape string
	noise     host.NoiseModel
	lr        float64
	temp      float64
	batch     float64
	precision host.Precision
	particles int // GPU ensemble
	steps     int // GPU iterations
	what      string
	// The network cases (benchnet.go): finite data, true minibatch SGD with replacement (B =
	// batch rows per particle per step), an escape that the bench's particles do not reach, the
	// network's shape for the PyTorch loop, and the CPU reference's size where the cpuParticles ×
	// cpuSteps of the cheap cases would take minutes.
	data                   string
	dataOpts               data.Options
	escape                 string
	net                    *netShape
	cpuParticles, cpuSteps int
}

var benchCases = []benchCase{
	{id: 1, landscape: "doublewell(k=1)", noise: host.SGLD, lr: 0.01, temp: 0.1, particles: 1 << 20, steps: 1024,
		what: "1-D, one Philox call per four steps, the throughput headline"},
	{id: 2, landscape: "pwq", noise: host.SGDHessian, lr: 0.01, batch: 0.5, particles: 1 << 20, steps: 1024,
		what: "1-D piecewise quadratic, |H| noise"},
	{id: 3, landscape: "muller-brown", noise: host.SGLD, lr: 1e-4, temp: 10, particles: 1 << 18, steps: 1024,
		what: "2-D, four exponentials in ∇L"},
	{id: 4, landscape: "styblinski-tang(d=10)", noise: host.SGDHessian, lr: 0.005, batch: 1, particles: 1 << 17, steps: 512,
		what: "10-D separable, three Philox blocks per step"},
	{id: 5, landscape: "zhu2d", noise: host.SGDHessian, lr: 0.002, batch: 4, particles: 1 << 18, steps: 1024,
		what: "2-D, full 2×2 square root of |H| per step"},
	{id: 6, landscape: "doublewell(k=1)", noise: host.SGLD, lr: 0.01, temp: 0.1, precision: host.F64, particles: 1 << 20, steps: 512,
		what: "case 1 in double precision"},
	// The network cases (issue 22 item 7). η keeps every particle near the start's basin for the
	// bench's iterations; the escape radius(100) is one that none reaches, so every particle steps
	// for every iteration.
	{id: 7, landscape: "mlp(h1=3,wd=0.01)", data: "gen:mlp(n=200)", noise: host.Minibatch, batch: 8, lr: 0.05,
		escape: "radius(100)", net: &netShape{Widths: []int{3}, Act: "tanh", Loss: "mse", Bias: true, WD: 0.01},
		particles: 1 << 16, steps: 512, what: "network 2-3-1 tanh, squared error, 200 generated rows, d = 13, B = 8"},
	{id: 8, landscape: "mlp(h1=16,wd=0.001)", data: "breast-cancer", noise: host.Minibatch, batch: 32, lr: 0.01,
		escape: "radius(100)", net: &netShape{Widths: []int{16}, Act: "tanh", Loss: "mse", Bias: true, WD: 0.001},
		particles: 1 << 12, steps: 32, cpuParticles: 1 << 10, cpuSteps: 64, // llvmpipe: about 5·10³ particle-steps/s
		what: "network 30-16-1 tanh, squared error on the 0/1 label, Breast Cancer (569 rows, standardised), d = 513, B = 32"},
	{id: 9, landscape: "mlp(h1=12,loss=logistic,wd=0.001)", data: "fashion-mnist",
		dataOpts: data.Options{Classes: []int{0, 1}, Rows: 1000, Targets: data.Targets01}, noise: host.Minibatch, batch: 32, lr: 0.01,
		escape: "radius(100)", net: &netShape{Widths: []int{12}, Act: "tanh", Loss: "logistic", Bias: true, WD: 0.001},
		particles: 1 << 12, steps: 32, cpuParticles: 1 << 8, cpuSteps: 16,
		what: "network 784-12-1 tanh, logistic loss, Fashion-MNIST t-shirt against trouser (first 1000 rows, standardised), d = 9433, B = 32"},
}

// cpuParticles and cpuSteps cap the CPU reference's run of a case so that it stays short (a
// fraction of a second for case 1, a few seconds for the sgd-hessian cases in 2-D and 10-D).
const cpuParticles, cpuSteps = 1 << 14, 128

// benchRow is one (case, backend) measurement: medians over the repeats.
type benchRow struct {
	Case             int              `json:"case"`
	Landscape        string           `json:"landscape"`
	Data             string           `json:"data,omitempty"`
	Dim              int              `json:"dim"`
	Batch            int              `json:"batch,omitempty"`
	Noise            string           `json:"noise"`
	Precision        host.Precision   `json:"precision"`
	Backend          host.BackendKind `json:"backend"`
	Renderer         string           `json:"renderer"`
	Particles        int              `json:"particles"`
	Steps            int              `json:"steps"`
	Repeats          int              `json:"repeats"`
	StepsPerSecond   float64          `json:"particle_steps_per_second"` // median
	MinPerSecond     float64          `json:"particle_steps_per_second_min"`
	MaxPerSecond     float64          `json:"particle_steps_per_second_max"`
	HostShare        float64          `json:"host_share"` // median fraction of stepping time outside Advance
	Escaped          int              `json:"escaped"`    // in the last repeat
	Diverged         int              `json:"diverged"`
	BytesPerParticle int              `json:"bytes_per_particle"`
	PeakRSSBytes     int64            `json:"peak_rss_bytes"` // VmHWM of this process after the case
	LoadAverage      string           `json:"load_average"`   // /proc/loadavg before the case
	// Refused is why the backend refused the case (a network beyond the GPU's size), or "".
	Refused string `json:"refused,omitempty"`
}

// benchReport is the --json output.
type benchReport struct {
	Started   string     `json:"started"`
	GoVersion string     `json:"go_version"`
	CPUs      int        `json:"cpus"`
	CPUModel  string     `json:"cpu_model"`
	LoadStart string     `json:"load_average_start"`
	LoadEnd   string     `json:"load_average_end"`
	Rows      []benchRow `json:"rows"`
	Scan      []scanRow  `json:"scan,omitempty"`
}

type scanRow struct {
	Particles      int     `json:"particles"`
	Steps          int     `json:"steps"`
	StepsPerSecond float64 `json:"particle_steps_per_second"`
	HostShare      float64 `json:"host_share"`
}

// benchRequest is a parsed kramers bench.
type benchRequest struct {
	cases                    []benchCase
	backends                 []host.BackendKind
	particles, steps, repeat int
	scan                     bool
	scanMax                  int
	plotOut, jsonOut         string
	writeData                string // --write-data DIR: write the network cases' rows, measure nothing
}

func cmdBench(args []string) error {
	req, err := parseBench(args)
	if err != nil {
		return err
	}
	if req.writeData != "" {
		return writeNetData(req.writeData, req.cases)
	}
	out := stdout
	if req.jsonOut == "-" {
		out = stderr
	}
	rep := benchReport{Started: time.Now().Format(time.RFC3339), GoVersion: runtime.Version(),
		CPUs: runtime.NumCPU(), CPUModel: cpuModel(), LoadStart: loadAverage()}
	fmt.Fprintf(out, "kramers bench: %s, %d CPUs (%s), load average %s\n", rep.GoVersion, rep.CPUs, rep.CPUModel, rep.LoadStart)
	if rep.Rows, err = measureBenchCases(out, req); err != nil {
		return err
	}
	if req.scan {
		if rep.Scan, err = benchScan(out, req); err != nil {
			return err
		}
	}
	rep.LoadEnd = loadAverage()
	fmt.Fprintf(out, "load average at the end %s\n", rep.LoadEnd)
	return writeJSON(req.jsonOut, rep)
}

// parseBench parses the arguments of kramers bench.
func parseBench(args []string) (benchRequest, error) {
	var req benchRequest
	fs := newFlagSet("bench")
	fs.StringVar(&req.jsonOut, "json", "", "write the measurements as JSON to `FILE` (- for stdout)")
	casesFlag := fs.String("cases", "1,2,3,4,5,6,7,8,9", "comma-separated case numbers (1–9; 7–9 are networks on data)")
	fs.IntVar(&req.particles, "particles", 0, "GPU particles for every case (0: each case's default)")
	fs.IntVar(&req.steps, "steps", 0, "GPU iterations for every case (0: each case's default)")
	fs.IntVar(&req.repeat, "repeat", 5, "runs per case and backend; the median is reported")
	backends := fs.String("backends", "gpu,cpu", "backends to measure: gpu, cpu or both")
	fs.BoolVar(&req.scan, "scan", false, "also measure case 1 on the GPU at 2^14 … 2^26 particles")
	fs.IntVar(&req.scanMax, "scan-max", 26, "largest power of two of the --scan")
	fs.StringVar(&req.plotOut, "plot", "", "with --scan: write throughput against particle count as a PNG to `FILE`")
	fs.StringVar(&req.writeData, "write-data", "", "write the rows and shape of the network cases among --cases to `DIR` (caseN.csv, caseN.json) for bench/torch/ensemble_sgd.py, and measure nothing")
	if err := parseFlags(fs, args); err != nil {
		return req, err
	}
	if req.repeat < 1 {
		return req, usageError{fmt.Errorf("--repeat must be at least 1, got %d", req.repeat)}
	}
	for _, s := range strings.Split(*casesFlag, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || id < 1 || id > len(benchCases) {
			return req, usageError{fmt.Errorf("--cases: %q is not a case number 1–%d", s, len(benchCases))}
		}
		req.cases = append(req.cases, benchCases[id-1])
	}
	for _, s := range strings.Split(*backends, ",") {
		b := host.BackendKind(strings.TrimSpace(s))
		if !b.Valid() {
			return req, usageError{fmt.Errorf("--backends: unknown backend %q; use gpu, cpu or gpu,cpu", b)}
		}
		req.backends = append(req.backends, b)
	}
	return req, nil
}

// measureBenchCases measures every requested case on every requested backend and prints a row for each.
func measureBenchCases(out io.Writer, req benchRequest) ([]benchRow, error) {
	fmt.Fprintf(out, "medians of %d runs; particle-steps/s counts every particle for every iteration (start-up and compilation excluded)\n", req.repeat)
	fmt.Fprintf(out, "%-4s %-22s %-11s %-4s %-4s %10s %6s %12s %21s %6s %5s %9s %s\n", "case", "landscape", "noise", "prec", "be",
		"particles", "steps", "psteps/s", "(min … max)", "host%", "B/p", "peak RSS", "load / renderer")
	var rows []benchRow
	for _, c := range req.cases {
		for _, be := range req.backends {
			row, err := benchOne(c, be, req.particles, req.steps, req.repeat)
			if refused := c.backendRefused(err); refused != "" {
				// A network this backend does not take (the GPU's d limit): said in its row, and
				// the bench goes on with the next backend and case.
				row.Refused = refused
				rows = append(rows, row)
				fmt.Fprintf(out, "%-4d %-22s %-11s %-4s %-4s refused: %s\n", row.Case, row.Landscape, row.Noise, row.Precision, row.Backend, refused)
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("bench case %d on %s: %w", c.id, be, err)
			}
			rows = append(rows, row)
			fmt.Fprintf(out, "%-4d %-22s %-11s %-4s %-4s %10d %6d %12.4g %10.3g … %-8.3g %6.2f %5d %8.0fM %s / %s\n",
				row.Case, row.Landscape, row.Noise, row.Precision, row.Backend, row.Particles, row.Steps,
				row.StepsPerSecond, row.MinPerSecond, row.MaxPerSecond, 100*row.HostShare, row.BytesPerParticle,
				float64(row.PeakRSSBytes)/(1<<20), row.LoadAverage, row.Renderer)
			if row.Escaped+row.Diverged > row.Particles/100 {
				fmt.Fprintf(out, "     note: %d escaped and %d diverged of %d: the case no longer measures a confined ensemble\n",
					row.Escaped, row.Diverged, row.Particles)
			}
		}
	}
	return rows, nil
}

// benchScan measures case 1 on the GPU at 2^14, 2^16, … 2^scanMax particles, and plots it with --plot.
func benchScan(out io.Writer, req benchRequest) ([]scanRow, error) {
	fmt.Fprintf(out, "scan: case 1 on the GPU, throughput against particle count (median of %d)\n", req.repeat)
	var scan []scanRow
	for e := 14; e <= req.scanMax; e += 2 {
		n := 1 << e
		// 2²⁸ particle-steps per point, at least 128 iterations: llvmpipe pays 40–60 ns
		// per particle per dispatch besides the iterations (the chunk rule of host/run.go), so
		// a run of a few dispatches needs enough iterations to amortise it.
		s := max(128, (1<<28)/n)
		row, err := benchOne(benchCases[0], "gpu", n, s, req.repeat)
		if err != nil {
			return nil, fmt.Errorf("bench scan at %d particles: %w", n, err)
		}
		scan = append(scan, scanRow{Particles: n, Steps: s, StepsPerSecond: row.StepsPerSecond, HostShare: row.HostShare})
		fmt.Fprintf(out, "  2^%-2d = %10d particles × %6d steps: %.4g particle-steps/s, host share %.2f%%, load %s\n",
			e, n, s, row.StepsPerSecond, 100*row.HostShare, row.LoadAverage)
	}
	if req.plotOut != "" {
		if err := plotScan(scan, req.plotOut); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "plot: %s\n", req.plotOut)
	}
	return scan, nil
}

// benchOne runs case c on one backend repeat times, each on a fresh backend (compilation and
// upload are outside the timed stepping phase), and returns the medians.
func benchOne(c benchCase, backend host.BackendKind, particles, steps, repeat int) (benchRow, error) {
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR = c.landscape, c.noise, c.lr
	if c.temp > 0 {
		cfg.Temp = c.temp
	}
	if c.batch > 0 {
		cfg.Batch = c.batch
	}
	if c.precision != "" {
		cfg.Precision = c.precision
	}
	cfg.Backend = backend
	cfg.Seed = 20260101
	cfg.Particles, cfg.Steps = c.particles, c.steps
	if particles > 0 {
		cfg.Particles = particles
	}
	if steps > 0 {
		cfg.Steps = steps
	}
	if c.data != "" {
		cfg.Data, cfg.DataOptions, cfg.Sampling, cfg.Escape = c.data, c.dataOpts, host.SampleWith, c.escape
		cfg.Theory = "none" // a network has no theory value (docs/theory.md §8); the bench times the steps
	}
	if backend == host.CPU {
		cp, cs := cpuParticles, cpuSteps
		if c.cpuParticles > 0 {
			cp, cs = c.cpuParticles, c.cpuSteps
		}
		cfg.Particles, cfg.Steps = min(cfg.Particles, cp), min(cfg.Steps, cs)
	}
	row := benchRow{Case: c.id, Landscape: c.landscape, Data: c.data, Batch: int(c.batch), Noise: string(c.noise), Precision: cfg.Precision,
		Backend: backend, Particles: cfg.Particles, Steps: cfg.Steps, Repeats: repeat, LoadAverage: loadAverage()}
	p, err := host.Prepare(cfg)
	if err != nil {
		return row, c.refusedNetwork(err)
	}
	if err := c.checkNetDim(p); err != nil {
		return row, err
	}
	row.Dim = p.Dim
	row.BytesPerParticle = host.ParticleBytes(p.Dim, 8) // the CPU reference: float64 positions
	if backend == host.GPU && cfg.Precision != host.F64 {
		row.BytesPerParticle = host.ParticleBytes(p.Dim, 4)
	}
	var rates, shares []float64
	for r := 0; r < repeat; r++ {
		b, err := openBackend(cfg)
		if err != nil {
			return row, err
		}
		res, err := host.Execute(context.Background(), p, b, host.RunOptions{})
		b.Close()
		if err != nil {
			return row, err
		}
		rates = append(rates, res.ParticleStepsPerSecond)
		shares = append(shares, res.HostShare)
		row.Renderer, row.Escaped, row.Diverged = res.Renderer, res.Estimate.Escaped, res.Diverged
	}
	row.StepsPerSecond, row.HostShare = median(rates), median(shares)
	row.MinPerSecond, row.MaxPerSecond = slicesMin(rates), slicesMax(rates)
	row.PeakRSSBytes = peakRSS()
	return row, nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func slicesMin(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func slicesMax(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// loadAverage is the first three fields of /proc/loadavg ("?" where there is none).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// peakRSS is the process's peak resident set (VmHWM of /proc/self/status), in bytes. llvmpipe
// keeps GL buffers in host memory, so on it this includes the ensemble.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
		}
	}
	return runtime.GOARCH
}

// plotScan draws throughput against particle count on log–log axes.
func plotScan(rows []scanRow, path string) error {
	pl := plot.New()
	pl.Title.Text = "kramers: case 1 (doublewell, sgld, f32) on the GPU backend"
	pl.X.Label.Text = "particles"
	pl.Y.Label.Text = "particle-steps per second"
	// Log in the particle count; linear in the rate, from zero, so that the ratio of two points is
	// the ratio of their heights (a log axis over less than a decade has no labelled ticks).
	pl.X.Scale = plot.LogScale{}
	pl.X.Tick.Marker = plot.LogTicks{}
	pl.Y.Min = 0
	pts := make(plotter.XYs, len(rows))
	for i, r := range rows {
		pts[i].X, pts[i].Y = float64(r.Particles), r.StepsPerSecond
	}
	line, points, err := plotter.NewLinePoints(pts)
	if err != nil {
		return err
	}
	pl.Add(line, points, plotter.NewGrid())
	if err := pl.Save(6*vg.Inch, 4*vg.Inch, path); err != nil {
		return fmt.Errorf("write plot %s: %w", path, err)
	}
	return nil
}
