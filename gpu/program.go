package gpu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/kramers-sim/kramers/shaders"
)

// Program is a linked GL program (compute, or vertex+fragment).
type Program struct {
	c       *Context
	id      uint32
	name    string
	locs    map[string]int32
	compute bool
}

// ID returns the GL program name.
func (p *Program) ID() uint32 { return p.id }

// CompileCompute compiles and links a compute program from src. A compile
// error quotes the failing line of src.
func (c *Context) CompileCompute(src string) (*Program, error) {
	return c.compileCompute(&shaders.Unit{Name: "compute shader", Text: src})
}

// CompileComputeUnit is CompileCompute for an assembled source: errors also
// name the original file and line (from the unit's line map).
func (c *Context) CompileComputeUnit(u *shaders.Unit) (*Program, error) {
	return c.compileCompute(u)
}

func (c *Context) compileCompute(u *shaders.Unit) (*Program, error) {
	p := &Program{c: c, name: u.Name, locs: map[string]int32{}, compute: true}
	err := c.Do(func() error {
		sh, err := compileShader(gl.COMPUTE_SHADER, u)
		if err != nil {
			return err
		}
		defer gl.DeleteShader(sh)
		p.id, err = link(u.Name, sh)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// CompileRender compiles and links a vertex+fragment program.
func (c *Context) CompileRender(vs, fs string) (*Program, error) {
	return c.CompileRenderUnits(&shaders.Unit{Name: "vertex shader", Text: vs}, &shaders.Unit{Name: "fragment shader", Text: fs})
}

// CompileRenderUnits is CompileRender for assembled sources.
func (c *Context) CompileRenderUnits(vs, fs *shaders.Unit) (*Program, error) {
	p := &Program{c: c, name: vs.Name + "+" + fs.Name, locs: map[string]int32{}}
	err := c.Do(func() error {
		v, err := compileShader(gl.VERTEX_SHADER, vs)
		if err != nil {
			return err
		}
		defer gl.DeleteShader(v)
		f, err := compileShader(gl.FRAGMENT_SHADER, fs)
		if err != nil {
			return err
		}
		defer gl.DeleteShader(f)
		p.id, err = link(p.name, v, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// logLineRE finds the source line number in a driver's info-log line. Forms:
// Mesa "0:12(5): error", NVIDIA "0(12) : error", AMD/glslang "ERROR: 0:12:".
var logLineRE = regexp.MustCompile(`\b\d+[:(](\d+)[):(]`)

// explainLog appends, under each info-log line that names a source line, that
// line's text and (for assembled units) its original file:line.
func explainLog(log string, u *shaders.Unit) string {
	var b strings.Builder
	seen := map[int]bool{}
	for _, l := range strings.Split(strings.TrimRight(log, "\x00\n "), "\n") {
		b.WriteString("  " + l + "\n")
		m := logLineRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if seen[n] {
			continue
		}
		seen[n] = true
		text := u.Line(n)
		if o, ok := u.Origin(n); ok {
			fmt.Fprintf(&b, "    line %d (%s): %s\n", n, o, strings.TrimSpace(text))
		} else if text != "" {
			fmt.Fprintf(&b, "    line %d: %s\n", n, strings.TrimSpace(text))
		}
	}
	return b.String()
}

func infoLog(get func(uint32, int32, *int32, *uint8), id uint32, n int32) string {
	if n <= 0 {
		return ""
	}
	buf := make([]uint8, n+1)
	get(id, n, nil, &buf[0])
	return strings.TrimRight(string(buf), "\x00")
}

func compileShader(kind uint32, u *shaders.Unit) (uint32, error) {
	sh := gl.CreateShader(kind)
	csrc, free := gl.Strs(u.Text + "\x00")
	length := int32(len(u.Text))
	gl.ShaderSource(sh, 1, csrc, &length)
	free()
	gl.CompileShader(sh)
	var ok, n int32
	gl.GetShaderiv(sh, gl.COMPILE_STATUS, &ok)
	if ok == gl.FALSE {
		gl.GetShaderiv(sh, gl.INFO_LOG_LENGTH, &n)
		log := infoLog(gl.GetShaderInfoLog, sh, n)
		gl.DeleteShader(sh)
		return 0, fmt.Errorf("compile %s:\n%s", u.Name, explainLog(log, u))
	}
	return sh, nil
}

func link(name string, shs ...uint32) (uint32, error) {
	prog := gl.CreateProgram()
	for _, s := range shs {
		gl.AttachShader(prog, s)
	}
	gl.LinkProgram(prog)
	for _, s := range shs {
		gl.DetachShader(prog, s)
	}
	var ok, n int32
	gl.GetProgramiv(prog, gl.LINK_STATUS, &ok)
	if ok == gl.FALSE {
		gl.GetProgramiv(prog, gl.INFO_LOG_LENGTH, &n)
		log := infoLog(gl.GetProgramInfoLog, prog, n)
		gl.DeleteProgram(prog)
		return 0, fmt.Errorf("link %s: %s", name, strings.TrimSpace(log))
	}
	return prog, nil
}

// location looks a uniform up once; inside Do.
func (p *Program) location(name string) (int32, error) {
	if l, ok := p.locs[name]; ok {
		return l, nil
	}
	l := gl.GetUniformLocation(p.id, gl.Str(name+"\x00"))
	if l < 0 {
		return -1, fmt.Errorf("program %s has no active uniform %q (unused uniforms are removed by the compiler)", p.name, name)
	}
	p.locs[name] = l
	return l, nil
}

func (p *Program) set(name string, f func(loc int32)) error {
	return p.c.Do(func() error {
		l, err := p.location(name)
		if err != nil {
			return err
		}
		f(l)
		return nil
	})
}

// SetInt sets an int uniform.
func (p *Program) SetInt(name string, v int32) error {
	return p.set(name, func(l int32) { gl.ProgramUniform1i(p.id, l, v) })
}

// SetUint sets a uint uniform.
func (p *Program) SetUint(name string, v uint32) error {
	return p.set(name, func(l int32) { gl.ProgramUniform1ui(p.id, l, v) })
}

// SetUvec2 sets a uvec2 uniform.
func (p *Program) SetUvec2(name string, x, y uint32) error {
	return p.set(name, func(l int32) { gl.ProgramUniform2ui(p.id, l, x, y) })
}

// SetFloat sets a float uniform.
func (p *Program) SetFloat(name string, v float32) error {
	return p.set(name, func(l int32) { gl.ProgramUniform1f(p.id, l, v) })
}

// SetVec2 sets a vec2 uniform.
func (p *Program) SetVec2(name string, x, y float32) error {
	return p.set(name, func(l int32) { gl.ProgramUniform2f(p.id, l, x, y) })
}

// SetVec3 sets a vec3 uniform.
func (p *Program) SetVec3(name string, x, y, z float32) error {
	return p.set(name, func(l int32) { gl.ProgramUniform3f(p.id, l, x, y, z) })
}

// SetVec4 sets a vec4 uniform.
func (p *Program) SetVec4(name string, x, y, z, w float32) error {
	return p.set(name, func(l int32) { gl.ProgramUniform4f(p.id, l, x, y, z, w) })
}

// SetFloats sets a float array uniform (or one vecN when len matches).
func (p *Program) SetFloats(name string, v []float32) error {
	if len(v) == 0 {
		return nil
	}
	return p.set(name, func(l int32) { gl.ProgramUniform1fv(p.id, l, int32(len(v)), &v[0]) })
}

// SetMat4 sets a mat4 uniform from 16 column-major floats.
func (p *Program) SetMat4(name string, m [16]float32) error {
	return p.set(name, func(l int32) { gl.ProgramUniformMatrix4fv(p.id, l, 1, false, &m[0]) })
}

// Use makes p the current program (for drawing).
func (p *Program) Use() error {
	return p.c.Do(func() error { gl.UseProgram(p.id); return nil })
}

// Dispatch runs the compute program over groupsX×groupsY×groupsZ work groups,
// then issues a memory barrier so later shader storage accesses, buffer
// read-backs and draws see its writes. It checks the counts against Limits.
func (p *Program) Dispatch(groupsX, groupsY, groupsZ uint32) error {
	if !p.compute {
		return fmt.Errorf("dispatch %s: not a compute program", p.name)
	}
	lim := p.c.limits.MaxComputeWorkGroupCount
	for i, g := range [3]uint32{groupsX, groupsY, groupsZ} {
		if g == 0 || (lim[i] > 0 && int64(g) > int64(lim[i])) {
			return fmt.Errorf("dispatch %s: work group count %d in dimension %d outside 1..%d", p.name, g, i, lim[i])
		}
	}
	return p.c.Do(func() error {
		gl.UseProgram(p.id)
		gl.DispatchCompute(groupsX, groupsY, groupsZ)
		gl.MemoryBarrier(gl.SHADER_STORAGE_BARRIER_BIT | gl.BUFFER_UPDATE_BARRIER_BIT |
			gl.VERTEX_ATTRIB_ARRAY_BARRIER_BIT | gl.COMMAND_BARRIER_BIT)
		return glError("dispatch " + p.name)
	})
}

// Delete frees the program.
func (p *Program) Delete() error {
	return p.c.Do(func() error {
		if p.id != 0 {
			gl.DeleteProgram(p.id)
			p.id = 0
		}
		return nil
	})
}

// GLError returns the pending GL errors, if any, as one error that names what was being done
// and wraps ErrOutOfMemory when the driver ran out. Code that makes GL calls of its own inside
// Do (the live view, package gpu/view) checks them with it.
func GLError(what string) error { return glError(what) }

// glError returns the pending GL errors, if any, as one error.
func glError(what string) error {
	var codes []string
	oom := false
	for i := 0; i < 8; i++ {
		e := gl.GetError()
		if e == gl.NO_ERROR {
			break
		}
		oom = oom || e == gl.OUT_OF_MEMORY
		codes = append(codes, fmt.Sprintf("0x%04x", e))
	}
	if len(codes) == 0 {
		return nil
	}
	if oom {
		return fmt.Errorf("%s: GL error %s: %w", what, strings.Join(codes, ", "), ErrOutOfMemory)
	}
	return fmt.Errorf("%s: GL error %s", what, strings.Join(codes, ", "))
}
