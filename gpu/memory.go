package gpu

import (
	"errors"

	"github.com/go-gl/gl/v4.3-core/gl"
)

// ErrOutOfMemory is wrapped by errors of GL calls that raised GL_OUT_OF_MEMORY (OpenGL 4.3 core
// §2.3.1), such as a storage buffer larger than the GPU can allocate.
var ErrOutOfMemory = errors.New("GL_OUT_OF_MEMORY")

// Vendor extensions that report free GPU memory, in KiB.
const (
	gpuMemoryInfoCurrentAvailableNVX = 0x9049 // GL_NVX_gpu_memory_info
	textureFreeMemoryATI             = 0x87FC // GL_ATI_meminfo, first of four values
)

// AvailableMemory returns the free GPU memory in bytes where the driver reports it
// (GL_NVX_gpu_memory_info on NVIDIA, GL_ATI_meminfo on AMD), and ok = false elsewhere (Mesa's
// software and most open drivers), where only GL_OUT_OF_MEMORY at allocation tells.
func (c *Context) AvailableMemory() (bytes int64, ok bool) {
	_ = c.Do(func() error {
		var n int32
		gl.GetIntegerv(gl.NUM_EXTENSIONS, &n)
		has := map[string]bool{}
		for i := int32(0); i < n; i++ {
			has[gl.GoStr(gl.GetStringi(gl.EXTENSIONS, uint32(i)))] = true
		}
		var kib [4]int32
		switch {
		case has["GL_NVX_gpu_memory_info"]:
			gl.GetIntegerv(gpuMemoryInfoCurrentAvailableNVX, &kib[0])
		case has["GL_ATI_meminfo"]:
			gl.GetIntegerv(textureFreeMemoryATI, &kib[0])
		default:
			return nil
		}
		if gl.GetError() == gl.NO_ERROR && kib[0] > 0 {
			bytes, ok = int64(kib[0])*1024, true
		}
		return nil
	})
	return bytes, ok
}
