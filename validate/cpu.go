package validate

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/kramers-sim/kramers/host"
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

// Name implements host.Backend.
func (c *CPU) Name() string { return "cpu" }

// Renderer implements host.Backend.
func (c *CPU) Renderer() string { return "cpu" }

// Load implements host.Backend.
func (c *CPU) Load(p *host.Problem, first, count int) error {
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

// blockSize is the number of particles one goroutine takes at a time.
const blockSize = 1024

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
				lo, hi := b*blockSize, min((b+1)*blockSize, c.count)
				for i := lo; i < hi; i++ {
					c.advanceParticle(s, i, iter, n, &local)
				}
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

// advanceParticle runs iterations [iter, iter+n) of local particle i.
func (c *CPU) advanceParticle(s *stepper, i, iter, n int, counts *host.ChunkCounts) {
	p := c.p
	d := p.Dim
	x := c.pos[i*d : (i+1)*d]
	global := uint32(c.first + i)
	for it := iter; it < iter+n; it++ {
		r := c.rec[i]
		if host.Diverged(r) || (p.Config.Absorb && r != host.Running) {
			break // frozen
		}
		s.step(x, global, uint32(it))
		if s.diverged(x) {
			c.rec[i] = host.DivergedFlag | uint32(it+1)
			counts.Diverged++
			break
		}
		if r == host.Running && p.Escape.Holds(x) {
			c.rec[i] = uint32(it + 1)
			counts.Escaped++
		}
	}
	if !host.Diverged(c.rec[i]) && p.Basin.Holds(x) {
		counts.Beyond++
	}
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

// stepper holds one goroutine's scratch space for the reference step.
type stepper struct {
	p       *host.Problem
	seed    uint64
	g, h, z []float64
	noise   []float64
	sqrtH   *mat.Dense
	eig     mat.EigenSym
}

func newStepper(p *host.Problem) *stepper {
	d := p.Dim
	return &stepper{p: p, seed: p.Config.Seed, g: make([]float64, d), h: make([]float64, d*d),
		z: make([]float64, 4*((d+3)/4)), noise: make([]float64, d), sqrtH: mat.NewDense(d, d, nil)}
}

// normals fills s.z[:d] with the standard normals of (particle, iteration): coordinate i takes
// word i mod 4 of Philox block ⌊i/4⌋ (theory.md §6). Box–Muller pairs that no coordinate uses
// are not computed (their values would be the same; skipping them only saves time).
func (s *stepper) normals(particle, iteration uint32) {
	d := s.p.Dim
	key := rng.Key(s.seed)
	for b := 0; 4*b < d; b++ {
		w := rng.Philox4x32(rng.Counter(particle, iteration, uint32(b)), key)
		s.z[4*b], s.z[4*b+1] = rng.NormalPair(w[0], w[1])
		if 4*b+2 < d {
			s.z[4*b+2], s.z[4*b+3] = rng.NormalPair(w[2], w[3])
		}
	}
}

// step is one Euler–Maruyama iteration of theory.md §1 with the noise of host.Noise; every D(θ)
// is evaluated at the current point (Itô).
func (s *stepper) step(x []float64, particle, iteration uint32) {
	p := s.p
	d := p.Dim
	eta := p.Config.LR
	nz := p.Noise
	s.normals(particle, iteration)
	p.Eval.Gradient(x, s.g)
	switch nz.Model {
	case host.SGLD:
		for i := 0; i < d; i++ {
			s.noise[i] = nz.Amplitude * s.z[i]
		}
	case host.SGDHessian:
		s.hessianNoise(x)
	case host.SGDHessianMin:
		matVec(nz.Matrix, s.z, s.noise, d, 1)
	case host.SGDLoss:
		matVec(nz.Matrix, s.z, s.noise, d, math.Sqrt(math.Max(p.Eval.Loss(x), 0)))
	}
	for i := 0; i < d; i++ {
		x[i] = x[i] - eta*s.g[i] + s.noise[i]
	}
}

// hessianNoise sets s.noise = Amplitude·(|H(x)| + εI)^{1/2} z. The reference takes the square root
// by gonum's symmetric eigendecomposition, an implementation independent of the GPU's closed
// form (2-D) and Jacobi rotations (d ≤ 8), so the cross-check tests both.
func (s *stepper) hessianNoise(x []float64) {
	p := s.p
	d := p.Dim
	nz := p.Noise
	if p.Landscape.DiagonalHessian {
		p.Eval.HessianDiagonal(x, s.h[:d])
		for i := 0; i < d; i++ {
			s.noise[i] = nz.Amplitude * math.Sqrt(math.Abs(s.h[i])+nz.Floor) * s.z[i]
		}
		return
	}
	p.Eval.Hessian(x, s.h)
	if !s.eig.Factorize(mat.NewSymDense(d, s.h), true) {
		for i := range s.noise {
			s.noise[i] = math.NaN() // reported as divergence
		}
		return
	}
	vals := s.eig.Values(nil)
	var v mat.Dense
	s.eig.VectorsTo(&v)
	for i := 0; i < d; i++ {
		sum := 0.0
		for j := 0; j < d; j++ {
			m := 0.0
			for k := 0; k < d; k++ {
				m += v.At(i, k) * math.Sqrt(math.Abs(vals[k])+nz.Floor) * v.At(j, k)
			}
			sum += m * s.z[j]
		}
		s.noise[i] = nz.Amplitude * sum
	}
}

// diverged: a coordinate is NaN or ±Inf, or outside the box of half-width Bound around a.
func (s *stepper) diverged(x []float64) bool {
	a := s.p.Analysis.Minimum
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v-a[i]) > s.p.Bound {
			return true
		}
	}
	return false
}

// matVec sets out = c·M·z for the row-major d×d matrix M.
func matVec(m, z, out []float64, d int, c float64) {
	for i := 0; i < d; i++ {
		sum := 0.0
		for j := 0; j < d; j++ {
			sum += m[i*d+j] * z[j]
		}
		out[i] = c * sum
	}
}
