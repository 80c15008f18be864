package minimum

import (
	"time"
)

// Description is a trained minimum a described: L(a), ‖∇L(a)‖, the Hessian spectrum and whether
// a is strict, and the gradient covariance C beside H for a data loss (docs/theory.md §9).
type Description struct {
	Dim        int         `json:"dim"`
	Training   *Training   `json:"training"`
	Cached     bool        `json:"cached"` // the minimum came from the cache, not this run's training
	Spectrum   *Spectrum   `json:"spectrum"`
	Covariance *Covariance `json:"covariance,omitempty"`
	Seconds    float64     `json:"describe_seconds"` // spectrum and covariance
}

// Describe trains m from start (through the cache c when it is not nil, under key) and describes
// the minimum. A *NotConvergedError comes back with the training it stopped at.
func Describe(m Model, start []float64, opt TrainOptions, c *Cache, key Key) (*Description, error) {
	if c != nil {
		return c.describe(m, start, opt, key)
	}
	t, err := Train(m, start, opt)
	if err != nil {
		return nil, err
	}
	return DescribeAt(m, t, false)
}

// DescribeAt describes the minimum that training t reached.
func DescribeAt(m Model, t *Training, cached bool) (*Description, error) {
	began := time.Now()
	s, err := NewSpectrum(m, t.Minimum)
	if err != nil {
		return nil, err
	}
	cov, err := NewCovariance(m, t.Minimum, s)
	if err != nil {
		return nil, err
	}
	return &Description{Dim: m.Dim(), Training: t, Cached: cached, Spectrum: s, Covariance: cov,
		Seconds: time.Since(began).Seconds()}, nil
}
