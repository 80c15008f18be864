package host

import (
	"errors"

	"github.com/kramers-sim/kramers/host/data"
	"github.com/kramers-sim/kramers/host/landscape"
)

// DataInfo is what the result records of a finite-data run (docs/theory.md §8): everything that
// defines which rows a step sees, beside the Model's landscape, B and seed.
type DataInfo struct {
	Spec     string   `json:"spec"`   // the --data name, path or generator spec
	SHA256   string   `json:"sha256"` // of the contents after the options (host/data: the canonical CSV text)
	N        int      `json:"n"`      // rows, all of them used (after --classes and --rows)
	Columns  []string `json:"columns"`
	Sampling string   `json:"sampling,omitempty"` // minibatch and sgd-cov: with, without or epoch
	// Batch is B; Factor is the finite-population factor f of Σ = (f/B)·C ((N−B)/(N−1) without
	// replacement, 1 with it), for sgd-cov and the theory of both data models.
	Batch  float64 `json:"batch,omitempty"`
	Factor float64 `json:"factor,omitempty"`
	// Options are the data options applied, resolved (standardize and targets always written); nil
	// for a file or generator read without options.
	Options *data.Options `json:"options,omitempty"`
}

// OpenData is OpenDataWith without data options.
func OpenData(dataSpec, spec string, dim int, params map[string]float64) (*landscape.Landscape, *DataInfo, error) {
	return OpenDataWith(dataSpec, data.Options{}, spec, dim, params)
}

// OpenDataWith loads the data set dataSpec (a name, a CSV or idx file or a generator) with the
// options opts and parses spec as a per-sample loss over its columns (docs/theory.md §8); the
// DataInfo has no sampling, B or factor. Errors caused by the input are *InputError, on --data,
// the data option at fault, or --landscape.
func OpenDataWith(dataSpec string, opts data.Options, spec string, dim int, params map[string]float64) (*landscape.Landscape, *DataInfo, error) {
	d, err := data.OpenWith(dataSpec, opts)
	if err != nil {
		flag := "data"
		var de *data.Error
		if errors.As(err, &de) && de.Flag != "" {
			flag = de.Flag
		}
		return nil, nil, &InputError{Flag: flag, Msg: err.Error()}
	}
	ls, err := landscape.ParseData(spec, dim, params, d.Columns, d.Values)
	if err != nil {
		return nil, nil, landscapeErr(spec, err)
	}
	info := &DataInfo{Spec: dataSpec, SHA256: d.SHA256, N: d.N, Columns: d.Columns}
	if !d.Options.IsZero() {
		info.Options = &d.Options
	}
	return ls, info, nil
}

// CheckBatchRows refuses a batch of more than the n rows of the data under a sampling law that
// draws distinct rows (without, epoch): an *InputError on --batch.
func CheckBatchRows(batch float64, n int, sampling string) error {
	if sampling != SampleWith && batch > float64(n) {
		return inputErr("batch", "B = %v exceeds the N = %d rows of the data, which sampling %s cannot exceed; give --batch ≤ %d or --sampling with", batch, n, sampling, n)
	}
	return nil
}

// openData loads cfg.Data and parses the landscape as a per-sample loss over it.
func openData(cfg *Config) (*landscape.Landscape, *DataInfo, error) {
	ls, info, err := OpenDataWith(cfg.Data, cfg.DataOptions, cfg.Landscape, cfg.Dim, cfg.Params)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Noise.IsData() {
		if cfg.Sampling == "" {
			cfg.Sampling = SampleWithout
		}
		info.Sampling, info.Batch = cfg.Sampling, cfg.Batch
		if err := CheckBatchRows(cfg.Batch, info.N, cfg.Sampling); err != nil {
			return nil, nil, err
		}
		info.Factor = batchFactor(info.N, cfg.Batch, cfg.Sampling)
	}
	return ls, info, nil
}

// SampleCovariance is C(θ) = (1/N)·Σ_μ ∇ℓ_μ∇ℓ_μᵀ − ∇L∇Lᵀ of a data landscape at x, row-major d×d,
// from the N per-sample gradients (docs/theory.md §8). It computes the mean first and the
// centred second moment (1/N)·Σ_μ (∇ℓ_μ − ∇L)(∇ℓ_μ − ∇L)ᵀ, the same matrix without the
// cancellation of the raw form.
func SampleCovariance(ev *landscape.Evaluator, x []float64) []float64 {
	return GradientCovariance(ev, x, nil)
}

// GradientCovariance is SampleCovariance that also writes the full-data gradient ∇L(x), the mean it
// computes on the way, into grad (when not nil): one pass over the rows' gradients serves both the
// drift and the noise of sgd-cov. The mean is summed in row order and divided by N, as the
// Evaluator's Gradient does, so the two are equal bit for bit.
func GradientCovariance(ev *landscape.Evaluator, x, grad []float64) []float64 {
	n, d := ev.Rows(), ev.Dim()
	if n == 0 {
		panic("host: SampleCovariance needs a data landscape")
	}
	g := make([]float64, n*d)
	ev.SampleGradients(x, g)
	mean := make([]float64, d)
	for r := 0; r < n; r++ {
		for k := 0; k < d; k++ {
			mean[k] += g[r*d+k]
		}
	}
	for k := range mean {
		mean[k] /= float64(n)
	}
	if grad != nil {
		copy(grad, mean)
	}
	c := make([]float64, d*d)
	for r := 0; r < n; r++ {
		for a := 0; a < d; a++ {
			da := g[r*d+a] - mean[a]
			for b := 0; b < d; b++ {
				c[a*d+b] += da * (g[r*d+b] - mean[b])
			}
		}
	}
	for i := range c {
		c[i] /= float64(n)
	}
	return c
}

// Covariance is Σ(θ) = (f/B)·C(θ), the covariance of one step's minibatch gradient noise
// (docs/theory.md §8), for the data noise models.
func (p *Problem) Covariance(x []float64) []float64 {
	c := SampleCovariance(p.Eval, x)
	s := p.Data.Factor / p.Data.Batch
	for i := range c {
		c[i] *= s
	}
	return c
}

// dataDiffusion is eᵀD(x)e with D = (η/2)·Σ(x), the diffusion matrix of the data noise models.
func (p *Problem) dataDiffusion(x, e []float64) float64 {
	s := p.Covariance(x)
	q := 0.0
	for i := range e {
		for j := range e {
			q += e[i] * s[i*p.Dim+j] * e[j]
		}
	}
	return p.Config.LR / 2 * q
}
