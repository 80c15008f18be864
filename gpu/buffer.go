package gpu

import (
	"fmt"
	"time"
	"unsafe"

	"github.com/go-gl/gl/v4.3-core/gl"
)

// Usage is a glBufferData usage hint.
type Usage uint32

// Usage hints (OpenGL 4.3 core §6.2).
const (
	DynamicCopy Usage = gl.DYNAMIC_COPY // written and read by the GPU (ensemble state)
	DynamicRead Usage = gl.DYNAMIC_READ // written by the GPU, read back often
	DynamicDraw Usage = gl.DYNAMIC_DRAW // written by the host often
	StaticDraw  Usage = gl.STATIC_DRAW  // written by the host once
	StreamRead  Usage = gl.STREAM_READ  // written by the GPU, read back once
)

// Buffer is a GL buffer object used as a shader storage buffer.
type Buffer struct {
	c    *Context
	id   uint32
	size int
}

// Scalar is an element type that Upload and Download move.
type Scalar interface {
	~float32 | ~float64 | ~uint32 | ~int32
}

// NewBuffer allocates size bytes (zero-filled) of GPU storage.
func (c *Context) NewBuffer(size int, usage Usage) (*Buffer, error) {
	if size <= 0 {
		return nil, fmt.Errorf("new buffer: size %d bytes must be positive", size)
	}
	b := &Buffer{c: c, size: size}
	err := c.Do(func() error {
		gl.GenBuffers(1, &b.id)
		gl.BindBuffer(gl.SHADER_STORAGE_BUFFER, b.id)
		gl.BufferData(gl.SHADER_STORAGE_BUFFER, size, nil, uint32(usage))
		var zero uint32
		gl.ClearBufferData(gl.SHADER_STORAGE_BUFFER, gl.R32UI, gl.RED_INTEGER, gl.UNSIGNED_INT, unsafe.Pointer(&zero))
		gl.BindBuffer(gl.SHADER_STORAGE_BUFFER, 0)
		if err := glError(fmt.Sprintf("new buffer of %d bytes", size)); err != nil {
			gl.DeleteBuffers(1, &b.id)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// NewBufferFrom allocates a buffer holding data.
func NewBufferFrom[T Scalar](c *Context, data []T, usage Usage) (*Buffer, error) {
	var t T
	b, err := c.NewBuffer(len(data)*int(unsafe.Sizeof(t)), usage)
	if err != nil {
		return nil, err
	}
	if err := Upload(b, 0, data); err != nil {
		b.Delete()
		return nil, err
	}
	return b, nil
}

// ID returns the GL buffer name.
func (b *Buffer) ID() uint32 { return b.id }

// Size returns the size in bytes.
func (b *Buffer) Size() int { return b.size }

// BindBase binds b to shader storage binding point index
// (layout(std430, binding = index) in GLSL).
func (b *Buffer) BindBase(index uint32) error {
	return b.c.Do(func() error {
		gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, index, b.id)
		return glError(fmt.Sprintf("bind buffer to storage binding %d", index))
	})
}

// CopyFrom copies the first size bytes of src into b, on the GPU (glCopyBufferSubData).
func (b *Buffer) CopyFrom(src *Buffer, size int) error {
	return b.c.Do(func() error {
		gl.BindBuffer(gl.COPY_READ_BUFFER, src.id)
		gl.BindBuffer(gl.COPY_WRITE_BUFFER, b.id)
		gl.CopyBufferSubData(gl.COPY_READ_BUFFER, gl.COPY_WRITE_BUFFER, 0, 0, size)
		gl.BindBuffer(gl.COPY_READ_BUFFER, 0)
		gl.BindBuffer(gl.COPY_WRITE_BUFFER, 0)
		return glError("copy buffer")
	})
}

// Zero fills the buffer with zero bytes.
func (b *Buffer) Zero() error {
	return b.c.Do(func() error {
		var zero uint32
		gl.BindBuffer(gl.COPY_WRITE_BUFFER, b.id)
		gl.ClearBufferData(gl.COPY_WRITE_BUFFER, gl.R32UI, gl.RED_INTEGER, gl.UNSIGNED_INT, unsafe.Pointer(&zero))
		gl.BindBuffer(gl.COPY_WRITE_BUFFER, 0)
		return glError("zero buffer")
	})
}

// Delete frees the buffer.
func (b *Buffer) Delete() error {
	return b.c.Do(func() error {
		if b.id != 0 {
			gl.DeleteBuffers(1, &b.id)
			b.id = 0
		}
		return nil
	})
}

func span[T Scalar](b *Buffer, offset int, n int) (int, error) {
	var t T
	bytes := n * int(unsafe.Sizeof(t))
	if offset < 0 || offset+bytes > b.size {
		return 0, fmt.Errorf("buffer range [%d, %d) outside its %d bytes", offset, offset+bytes, b.size)
	}
	return bytes, nil
}

// Upload copies data into b starting at byte offset.
func Upload[T Scalar](b *Buffer, offset int, data []T) error {
	bytes, err := span[T](b, offset, len(data))
	if err != nil || bytes == 0 {
		return err
	}
	return b.c.Do(func() error {
		gl.BindBuffer(gl.COPY_WRITE_BUFFER, b.id)
		gl.BufferSubData(gl.COPY_WRITE_BUFFER, offset, bytes, unsafe.Pointer(&data[0]))
		gl.BindBuffer(gl.COPY_WRITE_BUFFER, 0)
		return glError("upload to buffer")
	})
}

// Download copies len(out) elements from b starting at byte offset into out.
func Download[T Scalar](b *Buffer, offset int, out []T) error {
	bytes, err := span[T](b, offset, len(out))
	if err != nil || bytes == 0 {
		return err
	}
	return b.c.Do(func() error {
		gl.BindBuffer(gl.COPY_READ_BUFFER, b.id)
		gl.GetBufferSubData(gl.COPY_READ_BUFFER, offset, bytes, unsafe.Pointer(&out[0]))
		gl.BindBuffer(gl.COPY_READ_BUFFER, 0)
		return glError("download from buffer")
	})
}

// Finish blocks until the GPU has finished all submitted work.
func (c *Context) Finish() error {
	return c.Do(func() error { gl.Finish(); return glError("finish") })
}

// TimeGPU runs f (on the GL thread) inside a GL_TIME_ELAPSED query and returns
// the GPU time of the commands it issued.
func (c *Context) TimeGPU(f func() error) (time.Duration, error) {
	var ns uint64
	err := c.Do(func() error {
		var q uint32
		gl.GenQueries(1, &q)
		defer gl.DeleteQueries(1, &q)
		gl.BeginQuery(gl.TIME_ELAPSED, q)
		ferr := f()
		gl.EndQuery(gl.TIME_ELAPSED)
		gl.GetQueryObjectui64v(q, gl.QUERY_RESULT, &ns)
		if ferr != nil {
			return ferr
		}
		return glError("timer query")
	})
	return time.Duration(ns), err
}
