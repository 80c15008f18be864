package view

import (
	"testing"
	"time"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
)

func TestZZPoints(t *testing.T) {
	c := newTestContext(t, gpu.Options{})
	for _, n := range []int{100000, 1000000} {
		p := viewProblem(t, "muller-brown", func(cfg *host.Config) {
			cfg.Noise, cfg.Temp, cfg.LR, cfg.Particles = host.SGLD, 20, 2e-4, n
		})
		s, err := NewSession(c, p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Step(300)
		r := s.Renderer
		r.Render(960, 720, []string{"x"}, "")
		m := r.Mapping(960, 720)
		vp := m.Viewport
		glY := 720 - vp[1] - vp[3]
		pos, rec, counts := r.b.PositionBuffers()
		stride, drawn := r.drawn()
		var tc, ts, tr, tov time.Duration
		const F = 20
		for f := 0; f < F; f++ {
			c.Do(func() error {
				gl.Finish()
				t0 := time.Now()
				r.counts.Zero()
				gl.Finish()
				t1 := time.Now()
				r.counts.BindBase(4)
				sp := r.splat
				setVec4(sp, "uBox", r.boxUniform())
				sp.SetUint("uStride", uint32(stride))
				sp.SetUvec2("uSize", uint32(vp[2]), uint32(vp[3]))
				sp.SetFloat("uPointSize", r.pointSize(drawn))
				r.dispatchPoints(sp, pos, rec, counts, stride)
				gl.Finish()
				t2 := time.Now()
				gl.BindVertexArray(r.vao)
				gl.BindFramebuffer(gl.FRAMEBUFFER, r.fbo)
				gl.Viewport(int32(vp[0]), int32(glY), int32(vp[2]), int32(vp[3]))
				gl.Enable(gl.BLEND)
				gl.BlendFunc(gl.ONE, gl.ONE)
				gl.UseProgram(r.resolve.ID())
				gl.DrawArrays(gl.TRIANGLES, 0, 3)
				gl.Finish()
				t3 := time.Now()
				gl.Viewport(0, 0, 960, 720)
				gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA)
				gl.BindTexture(gl.TEXTURE_2D, r.overlayTex)
				gl.UseProgram(r.overlay.ID())
				gl.DrawArrays(gl.TRIANGLES, 0, 3)
				gl.Finish()
				t4 := time.Now()
				tc += t1.Sub(t0)
				ts += t2.Sub(t1)
				tr += t3.Sub(t2)
				tov += t4.Sub(t3)
				return nil
			})
		}
		t.Logf("n=%d: clear %.2f splat %.2f resolve %.2f overlay-pass %.2f ms", n, ms(tc)/F, ms(ts)/F, ms(tr)/F, ms(tov)/F)
		s.Close()
	}
}
