package gpu

import "github.com/go-gl/gl/v4.3-core/gl"

// Limits are implementation limits relevant to compute work (OpenGL 4.3 core
// specification, table 23.75 "Implementation dependent compute shader limits"
// and table 23.70 for storage blocks).
type Limits struct {
	MaxShaderStorageBlockSize      int64    // GL_MAX_SHADER_STORAGE_BLOCK_SIZE, bytes
	MaxShaderStorageBufferBindings int32    // GL_MAX_SHADER_STORAGE_BUFFER_BINDINGS
	MaxComputeWorkGroupCount       [3]int32 // GL_MAX_COMPUTE_WORK_GROUP_COUNT
	MaxComputeWorkGroupSize        [3]int32 // GL_MAX_COMPUTE_WORK_GROUP_SIZE
	MaxComputeWorkGroupInvocations int32    // GL_MAX_COMPUTE_WORK_GROUP_INVOCATIONS
	MaxComputeSharedMemorySize     int32    // GL_MAX_COMPUTE_SHARED_MEMORY_SIZE, bytes
}

func queryLimits() Limits {
	var l Limits
	gl.GetInteger64v(gl.MAX_SHADER_STORAGE_BLOCK_SIZE, &l.MaxShaderStorageBlockSize)
	gl.GetIntegerv(gl.MAX_SHADER_STORAGE_BUFFER_BINDINGS, &l.MaxShaderStorageBufferBindings)
	for i := uint32(0); i < 3; i++ {
		gl.GetIntegeri_v(gl.MAX_COMPUTE_WORK_GROUP_COUNT, i, &l.MaxComputeWorkGroupCount[i])
		gl.GetIntegeri_v(gl.MAX_COMPUTE_WORK_GROUP_SIZE, i, &l.MaxComputeWorkGroupSize[i])
	}
	gl.GetIntegerv(gl.MAX_COMPUTE_WORK_GROUP_INVOCATIONS, &l.MaxComputeWorkGroupInvocations)
	gl.GetIntegerv(gl.MAX_COMPUTE_SHARED_MEMORY_SIZE, &l.MaxComputeSharedMemorySize)
	return l
}

// Limits returns the limits queried when the context was created.
func (c *Context) Limits() Limits { return c.limits }
