package host

import (
	"context"
	"testing"
)

// nullBackend advances nothing: the loop's own cost per chunk is what remains.
type nullBackend struct{}

func (nullBackend) Name() string                          { return "null" }
func (nullBackend) Renderer() string                      { return "none" }
func (nullBackend) Supports(*Problem, int) error          { return nil }
func (nullBackend) Load(*Problem, int, int) error         { return nil }
func (nullBackend) Advance(int, int) (ChunkCounts, error) { return ChunkCounts{}, nil }
func (nullBackend) Records() ([]uint32, error)            { return nil, nil }
func (nullBackend) Positions() ([]float64, error)         { return nil, nil }
func (nullBackend) Restore([]float64, []uint32) error     { return nil }
func (nullBackend) Close() error                          { return nil }

// BenchmarkLoopPerChunk is the host loop's cost per chunk (bookkeeping, progress, basin
// record) with a backend that does no work: the fixed cost that the chunk length amortises.
func BenchmarkLoopPerChunk(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.Particles, cfg.Steps, cfg.Chunk = "doublewell(k=1)", 1<<20, 1<<20, 1
	p, err := Prepare(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	chunks := 0
	for i := 0; i < b.N; i++ {
		p.Config.Steps = 1024
		st, err := Loop(context.Background(), p, nullBackend{}, RunOptions{})
		if err != nil {
			b.Fatal(err)
		}
		chunks += st.Chunks
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(chunks), "ns/chunk")
}
