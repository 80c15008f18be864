package gpu

import "github.com/kramers-sim/kramers/host"

// Double reports whether the position buffers hold float64 (true) or float32 values; the
// renderer reads them directly in its vertex shader (see PositionBuffers).
func (b *Backend) Double() bool { return b.double }

// Problem returns the problem last loaded (nil before Load).
func (b *Backend) Problem() *host.Problem { return b.p }

// Span returns the global index of the first loaded particle and the number loaded.
func (b *Backend) Span() (first, count int) { return b.first, b.count }
