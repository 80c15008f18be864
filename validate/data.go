package validate

import (
	"math"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/rng"
)

// The finite-data steps of docs/theory.md §8 in the reference: real minibatch SGD and its
// Gaussian model sgd-cov. Both run in the lockstep structure of stepper.

// minibatch is a stepper's state for --noise minibatch: the rows of each slot's batch and the
// scratch of host/rng's index draws.
type minibatch struct {
	b, n    int
	rows    []int // slot j's rows at rows[j·b:(j+1)·b]
	scratch []int // the identity 0…n−1 (sampling without)
	perms   map[uint32]*epochPerm
}

// epochPerm is a particle's permutation of its current epoch (sampling epoch).
type epochPerm struct {
	epoch uint32
	perm  []int
}

func newMinibatch(p *host.Problem) *minibatch {
	b, n := int(p.Config.Batch), p.Data.N
	mb := &minibatch{b: b, n: n, rows: make([]int, blockSize*b), scratch: make([]int, n), perms: map[uint32]*epochPerm{}}
	for i := range mb.scratch {
		mb.scratch[i] = i
	}
	return mb
}

// BatchRows returns the rows that particle takes at iteration in a run of p: host/rng's
// BatchIndices with the run's key and sampling (a fresh computation, for tests and tools).
func BatchRows(p *host.Problem, particle, iteration uint32) []int {
	mb := newMinibatch(p)
	dst := make([]int, mb.b)
	mb.indices(rng.Key(p.Config.Seed), p.Config.Sampling, particle, iteration, dst)
	return dst
}

// indices writes particle's rows at iteration into dst.
func (mb *minibatch) indices(key [2]uint32, sampling string, particle, iteration uint32, dst []int) {
	var perm []int
	if sampling == rng.Epoch {
		e := rng.EpochOf(iteration, mb.n, mb.b)
		ep := mb.perms[particle]
		if ep == nil {
			ep = &epochPerm{epoch: e, perm: make([]int, mb.n)}
			mb.perms[particle] = ep
			rng.EpochPermutation(key, particle, e, ep.perm)
		} else if ep.epoch != e {
			ep.epoch = e
			rng.EpochPermutation(key, particle, e, ep.perm)
		}
		perm = ep.perm
	}
	rng.BatchIndices(key, sampling, particle, iteration, mb.n, dst, mb.scratch, perm)
}

// minibatchStep is one step of real SGD for the m running slots:
// θ ← θ − η·(1/B)·Σ_{μ∈batch} ∇ℓ_μ(θ), the batch drawn by host/rng (BatchIndices).
func (s *stepper) minibatchStep(c *CPU, m int, it uint32) {
	p, d := s.p, s.d
	if s.mb == nil {
		s.mb = newMinibatch(p)
	}
	mb := s.mb
	for j := 0; j < m; j++ {
		mb.indices(s.key, p.Config.Sampling, uint32(c.first+s.local[j]), it, mb.rows[j*mb.b:(j+1)*mb.b])
	}
	s.eval.MeanSampleGradient(s.x, m, mb.b, mb.rows, s.g)
	eta := p.Config.LR
	for k := 0; k < d; k++ {
		x, g := row(s.x, k, m), row(s.g, k, m)
		for j := range x {
			x[j] -= eta * g[j]
		}
	}
}

// covarianceNoise sets noise = Amplitude·C(θ)^{1/2} z for the m running slots (sgd-cov), and the
// gradients g to ∇L(θ), the mean that the covariance computes anyway (host.GradientCovariance,
// equal bit for bit to the Evaluator's gradient), with
// C(θ) the per-sample gradient covariance over all N rows and Amplitude
// = η·sqrt(f/B), so that Cov ξ = η²Σ(θ). The square root is V·sqrt(max(Λ, 0))·Vᵀ from gonum's
// symmetric eigendecomposition (C is positive semi-definite; round-off may make an eigenvalue
// slightly negative).
func (s *stepper) covarianceNoise(m int, z []float64) {
	p, d := s.p, s.d
	sqrt := func(l float64) float64 { return math.Sqrt(math.Max(l, 0)) } // C is PSD up to round-off
	for j := 0; j < m; j++ {
		for k := 0; k < d; k++ {
			s.point[k] = s.x[at(k, j)]
		}
		copy(s.hp, host.GradientCovariance(p.Eval, s.point, s.grad1))
		for k := 0; k < d; k++ {
			s.g[at(k, j)] = s.grad1[k]
		}
		s.matrixFunctionNoise(j, z, sqrt)
	}
}
