package validate

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/landscape"
	"github.com/kramers-sim/kramers/host/rng"
	"gonum.org/v1/gonum/mat"
)

// CPU is the reference Backend: float64 arithmetic, the same Philox words as the GPU, goroutines
// over blocks of particles, and code written to be read. It is the oracle for package gpu.
type CPU struct {
	p            *host.Problem
	first, count int
	pos          []float64 // count × dim, particle-major
	rec          []uint32
	// Workers is the number of goroutines (0: GOMAXPROCS).
	Workers int
}

// NewCPU returns an empty CPU backend.
func NewCPU() *CPU { return &CPU{} }

// OpenCPU is the host.BackendFactory of the CPU reference: a fresh NewCPU for any configuration.
func OpenCPU(host.Config) (host.Backend, error) { return NewCPU(), nil }

// Name implements host.Backend.
func (c *CPU) Name() string { return string(host.CPU) }

// Renderer implements host.Backend.
func (c *CPU) Renderer() string { return "cpu" }

// Supports implements host.Backend: the reference runs every model; it needs the host memory of
// the ensemble, and under sampling epoch each particle's permutation as Go ints (twice the GPU's
// 32-bit words, validate/data.go).
func (c *CPU) Supports(p *host.Problem, count int) error {
	return host.CheckHostMemory(p, count, 2*p.EpochBytes(), "")
}

// Load implements host.Backend.
func (c *CPU) Load(p *host.Problem, first, count int) error {
	if err := c.Supports(p, count); err != nil {
		return err
	}
	c.p, c.first, c.count = p, first, count
	d := p.Dim
	c.pos = make([]float64, count*d)
	c.rec = make([]uint32, count)
	for i := 0; i < count; i++ {
		copy(c.pos[i*d:(i+1)*d], p.Start)
		c.rec[i] = host.Running
	}
	return nil
}

// blockSize is the number of particles one goroutine advances in lockstep (stepper).
const blockSize = 256

// Advance implements host.Backend.
func (c *CPU) Advance(iter, n int) (host.ChunkCounts, error) {
	if c.p == nil {
		return host.ChunkCounts{}, fmt.Errorf("cpu backend: Advance before Load")
	}
	workers := c.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	blocks := (c.count + blockSize - 1) / blockSize
	next := make(chan int, blocks)
	for b := 0; b < blocks; b++ {
		next <- b
	}
	close(next)
	var mu sync.Mutex
	var total host.ChunkCounts
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newStepper(c.p)
			var local host.ChunkCounts
			for b := range next {
				s.advanceBlock(c, b*blockSize, min((b+1)*blockSize, c.count), iter, n, &local)
			}
			mu.Lock()
			total.Escaped += local.Escaped
			total.Diverged += local.Diverged
			total.Beyond += local.Beyond
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total, nil
}

// Records implements host.Backend.
func (c *CPU) Records() ([]uint32, error) { return append([]uint32(nil), c.rec...), nil }

// Positions implements host.Backend.
func (c *CPU) Positions() ([]float64, error) { return append([]float64(nil), c.pos...), nil }

// Restore implements host.Backend.
func (c *CPU) Restore(positions []float64, records []uint32) error {
	if len(positions) != len(c.pos) || len(records) != len(c.rec) {
		return fmt.Errorf("cpu backend: restore needs %d positions and %d records, got %d and %d",
			len(c.pos), len(c.rec), len(positions), len(records))
	}
	copy(c.pos, positions)
	copy(c.rec, records)
	return nil
}

// Close implements host.Backend.
func (c *CPU) Close() error { return nil }

// stepper advances one block of particles at a time, all of them through the same iteration
// before the next (structure of arrays): the landscape program then runs once per iteration for
// the block (landscape.Batch) instead of once per particle. Per particle, the arithmetic is the
// plain Euler–Maruyama step of docs/theory.md §1 in float64, in the order the shader uses.
//
// Only the running particles of a block take part: slot j (0 ≤ j < m) holds block particle
// local[j]; a particle that stops (divergence, or escape when absorbing) trades slots with the
// last running one. Coordinate k of slot j is x[k·blockSize+j], and so for g, noise and draw.
type stepper struct {
	p       *host.Problem
	eval    *landscape.Batch
	key     [2]uint32
	d       int
	local   []int     // CPU index of the particle in each slot
	x       []float64 // positions, d rows
	g       []float64 // gradients, d rows
	h       []float64 // Hessian diagonals (d rows) or Hessians (d·d rows)
	loss    []float64 // losses, one row
	noise   []float64 // ξ, d rows
	draw    []float64 // the normals of each slot's current draw, 4·ceil(d/4) rows
	point   []float64 // one particle's coordinates, for the escape condition
	grad1   []float64 // one particle's gradient (sgd-cov)
	escaped []bool    // whether the escape condition holds, per slot
	// one particle's Hessian and its eigendecomposition, for the sgd-hessian square root
	hp   []float64     // the Hessian's entries
	sym  *mat.SymDense // a view of hp
	eig  mat.EigenSym
	vals []float64 // its eigenvalues
	vecs mat.Dense // its eigenvectors
	// finite data (data.go): the rows of each slot's minibatch, B per slot, and the index scratch
	mb *minibatch
}

func newStepper(p *host.Problem) *stepper {
	d := p.Dim
	rows := func(r int) []float64 { return make([]float64, r*blockSize) }
	s := &stepper{p: p, vals: make([]float64, d), eval: p.Eval.Batch(blockSize), key: rng.Key(p.Config.Seed), d: d,
		local: make([]int, blockSize), x: rows(d), g: rows(d), loss: rows(1),
		noise: rows(d), draw: rows(4 * ((d + 3) / 4)), point: make([]float64, d), grad1: make([]float64, d), escaped: make([]bool, blockSize)}
	// The d×d buffers only for the models that take a matrix square root each step: a block's
	// Hessians are d²·blockSize numbers, 540 MB at d = 513.
	switch model := p.Noise.Model; {
	case model == host.SGDHessian && p.Landscape.DiagonalHessian:
		s.h = rows(d)
	case model == host.SGDHessian:
		s.h = rows(d * d)
	}
	if model := p.Noise.Model; model == host.SGDHessian || model == host.SGDCov {
		s.hp = make([]float64, d*d)
		s.sym = mat.NewSymDense(d, s.hp)
	}
	return s
}

// at is the index of row k, slot j of a structure-of-arrays buffer.
func at(k, j int) int { return k*blockSize + j }

// row is row k of a structure-of-arrays buffer, its first m slots.
func row(buf []float64, k, m int) []float64 { return buf[at(k, 0):at(k, m)] }

// advanceBlock runs iterations [iter, iter+n) of the particles lo..hi−1 of c.
func (s *stepper) advanceBlock(c *CPU, lo, hi, iter, n int, counts *host.ChunkCounts) {
	p, d := s.p, s.d
	absorb := p.Config.Absorb
	m := 0
	for i := lo; i < hi; i++ {
		r := c.rec[i]
		if host.Frozen(r, absorb) {
			continue
		}
		s.local[m] = i
		for k := 0; k < d; k++ {
			s.x[at(k, m)] = c.pos[i*d+k]
		}
		m++
	}
	for it := iter; it < iter+n && m > 0; it++ {
		if p.Config.Noise == host.Minibatch {
			s.minibatchStep(c, m, uint32(it))
		} else {
			group := rng.DrawIteration(uint32(it), d)
			if it == iter || group == uint32(it) {
				s.drawNormals(c, m, group)
			}
			s.step(m, int(uint32(it)-group))
		}
		if p.Escape.CheckedAfter(it) {
			p.Escape.HoldsBatch(s.x, blockSize, m, s.escaped, s.point)
		} else {
			clear(s.escaped[:m]) // not a check iteration (a loss condition's period m, host/escapecheck.go)
		}
		// From the last slot down, so that a stopped slot is refilled by one already checked.
		for j := m - 1; j >= 0; j-- {
			i := s.local[j]
			switch {
			case s.diverged(j):
				// Before its escape a divergence; after it (non-absorbing runs) the first
				// passage stays and the particle is frozen (host/backend.go).
				if c.rec[i] == host.Running {
					c.rec[i] = host.DivergedFlag | uint32(it+1)
				} else {
					c.rec[i] |= host.LateDivergedFlag
				}
				counts.Diverged++
				s.stop(c, j, &m)
			case s.escaped[j] && c.rec[i] == host.Running:
				c.rec[i] = uint32(it + 1)
				counts.Escaped++
				if absorb {
					s.stop(c, j, &m)
				}
			}
		}
	}
	for j := 0; j < m; j++ {
		s.store(c, j)
	}
	for i := lo; i < hi; i++ {
		if !host.Diverged(c.rec[i]) && !host.LateDiverged(c.rec[i]) && p.Basin.Holds(c.pos[i*d:(i+1)*d]) {
			counts.Beyond++
		}
	}
}

// store writes slot j's position back to c.
func (s *stepper) store(c *CPU, j int) {
	i := s.local[j]
	for k := 0; k < s.d; k++ {
		c.pos[i*s.d+k] = s.x[at(k, j)]
	}
}

// stop stores slot j and gives its place to the last running slot.
func (s *stepper) stop(c *CPU, j int, m *int) {
	s.store(c, j)
	last := *m - 1
	s.local[j] = s.local[last]
	for k := 0; k < s.d; k++ {
		s.x[at(k, j)] = s.x[at(k, last)]
	}
	for k := 0; k < len(s.draw)/blockSize; k++ {
		s.draw[at(k, j)] = s.draw[at(k, last)]
	}
	*m = last
}

// drawNormals makes the draw at iteration group for the m running slots, by the layout of
// host/rng ("Draws"): normal k of a draw is word k mod 4 of Philox block ⌊k/4⌋, and the steps of
// the group take normals (t − group)·d onwards. Box–Muller pairs that no step uses are not
// computed (their values would be the same; skipping them only saves time).
func (s *stepper) drawNormals(c *CPU, m int, group uint32) {
	used := s.d * rng.StepsPerDraw(s.d) // normals of the draw that some step takes
	for j := 0; j < m; j++ {
		particle := uint32(c.first + s.local[j])
		for b := 0; 4*b < used; b++ {
			w := rng.Philox4x32(rng.Counter(particle, group, uint32(b)), s.key)
			s.draw[at(4*b, j)], s.draw[at(4*b+1, j)] = rng.NormalPair(w[0], w[1])
			if 4*b+2 < used {
				s.draw[at(4*b+2, j)], s.draw[at(4*b+3, j)] = rng.NormalPair(w[2], w[3])
			}
		}
	}
}

// step is one Euler–Maruyama iteration of docs/theory.md §1 for the m running slots, with the noise of
// host.Noise; every D(θ) is evaluated at the current point (Itô). The normals are those of the
// current draw starting at row slot·d.
func (s *stepper) step(m, slot int) {
	p, d := s.p, s.d
	eta := p.Config.LR
	nz := p.Noise
	z := s.draw[at(slot*d, 0):]
	if nz.Model != host.SGDCov { // sgd-cov's covariance pass yields the gradient too
		s.eval.Gradient(s.x, m, s.g)
	}
	switch nz.Model {
	case host.SGLD:
		for k := 0; k < d; k++ {
			xi, zk := row(s.noise, k, m), row(z, k, m)
			for j := range xi {
				xi[j] = nz.Amplitude * zk[j]
			}
		}
	case host.SGDHessian:
		s.hessianNoise(m, z)
	case host.SGDCov:
		s.covarianceNoise(m, z)
	case host.SGDHessianMin:
		for j := 0; j < m; j++ {
			matVec(nz.Matrix, z, s.noise, d, j, 1)
		}
	case host.SGDLoss:
		s.eval.Loss(s.x, m, s.loss)
		for j := 0; j < m; j++ {
			matVec(nz.Matrix, z, s.noise, d, j, math.Sqrt(math.Max(s.loss[j], 0)))
		}
	}
	for k := 0; k < d; k++ {
		x, g, xi := row(s.x, k, m), row(s.g, k, m), row(s.noise, k, m)
		for j := range x {
			x[j] = x[j] - eta*g[j] + xi[j]
		}
	}
}

// hessianNoise sets noise = Amplitude·(|H(x)| + εI)^{1/2} z for the m running slots. The reference
// takes the square root by gonum's symmetric eigendecomposition, an implementation independent of
// the GPU's closed form (2-D) and Jacobi rotations (d ≤ 8), so the cross-check tests both.
func (s *stepper) hessianNoise(m int, z []float64) {
	p, d := s.p, s.d
	nz := p.Noise
	if p.Landscape.DiagonalHessian {
		s.eval.HessianDiagonal(s.x, m, s.h)
		for k := 0; k < d; k++ {
			for j := 0; j < m; j++ {
				s.noise[at(k, j)] = nz.Amplitude * math.Sqrt(math.Abs(s.h[at(k, j)])+nz.Floor) * z[at(k, j)]
			}
		}
		return
	}
	s.eval.Hessian(s.x, m, s.h)
	sqrtAbs := func(l float64) float64 { return math.Sqrt(math.Abs(l) + nz.Floor) } // |H| + εI
	for j := 0; j < m; j++ {
		for e := range s.hp {
			s.hp[e] = s.h[at(e, j)]
		}
		s.matrixFunctionNoise(j, z, sqrtAbs)
	}
}

// matrixFunctionNoise sets slot j's noise to Amplitude·V·f(Λ)·Vᵀ z for the symmetric matrix in
// s.hp (= V Λ Vᵀ, gonum's symmetric eigendecomposition): the square roots of sgd-hessian's
// |H| + εI and of sgd-cov's covariance. A failed factorisation gives NaN noise, which the step
// reports as a divergence.
func (s *stepper) matrixFunctionNoise(j int, z []float64, f func(float64) float64) {
	d := s.d
	if !s.eig.Factorize(s.sym, true) {
		for k := 0; k < d; k++ {
			s.noise[at(k, j)] = math.NaN()
		}
		return
	}
	vals := s.eig.Values(s.vals)
	s.eig.VectorsTo(&s.vecs)
	v := &s.vecs
	for a := 0; a < d; a++ {
		sum := 0.0
		for b := 0; b < d; b++ {
			sq := 0.0
			for k := 0; k < d; k++ {
				sq += v.At(a, k) * f(vals[k]) * v.At(b, k)
			}
			sum += sq * z[at(b, j)]
		}
		s.noise[at(a, j)] = s.p.Noise.Amplitude * sum
	}
}

// diverged: a coordinate of slot j is NaN or ±Inf, or outside the box of half-width Bound around
// a. One comparison covers the three: |v − a| ≤ Bound is false for NaN, and for ±Inf as Bound is
// finite.
func (s *stepper) diverged(j int) bool {
	a := s.p.Analysis.Minimum
	for k := 0; k < s.d; k++ {
		if !(math.Abs(s.x[at(k, j)]-a[k]) <= s.p.Bound) {
			return true
		}
	}
	return false
}

// matVec sets noise = c·M·z at slot j, for the row-major d×d matrix M.
func matVec(mtx, z, noise []float64, d, j int, c float64) {
	for a := 0; a < d; a++ {
		sum := 0.0
		for b := 0; b < d; b++ {
			sum += mtx[a*d+b] * z[at(b, j)]
		}
		noise[at(a, j)] = c * sum
	}
}
