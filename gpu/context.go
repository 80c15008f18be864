package gpu

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// Platform names a way of obtaining an OpenGL context.
type Platform string

// The platforms, in the order Auto tries them (see NewContext).
const (
	Auto  Platform = ""     // choose automatically
	GLFW  Platform = "glfw" // GLFW window (hidden unless Options.Visible) on $DISPLAY
	EGL   Platform = "egl"  // headless EGL, no display, no window
	Xvfb  Platform = "xvfb" // GLFW window on a private Xvfb server
	envGL          = "KRAMERS_GL"
)

// Options configure NewContext. The zero value asks for a headless compute
// context chosen automatically.
type Options struct {
	// Platform forces one platform; Auto defers to $KRAMERS_GL and then to the
	// automatic order.
	Platform Platform
	// Visible asks for a shown window (for the renderer); it needs GLFW, on
	// $DISPLAY or a private Xvfb.
	Visible bool
	// Width and Height of the window in pixels (default 800×600).
	Width, Height int
	// Title of the window (default "kramers").
	Title string
}

// Context owns one OpenGL 4.3 core context and the OS thread it is current
// on. All GL work runs on that thread through Do; every method of Context,
// Program and Buffer goes through Do itself and may be called from any
// goroutine.
type Context struct {
	opt      Options
	platform Platform
	detail   string // how the platform was reached, for Describe
	renderer string
	version  string
	limits   Limits

	calls chan func()
	exit  chan struct{} // closed when the GL goroutine has finished
	gid   uint64        // id of the GL goroutine

	mu       sync.Mutex
	closed   bool
	closeErr error

	win  *glfw.Window
	egl  *eglState
	xvfb *xvfbProc
}

// glfwBusy guards GLFW, a process-wide library: one GLFW Context at a time.
var glfwBusy sync.Mutex
var glfwInUse bool

// NewContext creates an OpenGL 4.3 core context on a new dedicated goroutine
// locked to its OS thread.
//
// Platform selection: Options.Platform if set, else $KRAMERS_GL (glfw, egl or
// xvfb) if set, else automatically:
//
//  1. $DISPLAY set: GLFW with a hidden (or, with Visible, shown) window;
//  2. otherwise, and if GLFW failed, unless Visible: headless EGL through
//     libEGL.so.1 opened at run time, first EGL_EXT_platform_device (NVIDIA's
//     headless path), then EGL_MESA_platform_surfaceless (Mesa);
//  3. otherwise a private Xvfb (killed again by Close, on every error path and
//     on SIGINT/SIGTERM) with a GLFW window on it;
//  4. otherwise an error saying which package to install.
//
// A forced platform is tried alone and its own error is returned.
func NewContext(opt Options) (*Context, error) {
	if opt.Width <= 0 {
		opt.Width = 800
	}
	if opt.Height <= 0 {
		opt.Height = 600
	}
	if opt.Title == "" {
		opt.Title = "kramers"
	}
	p := opt.Platform
	if p == Auto {
		p = Platform(strings.ToLower(strings.TrimSpace(os.Getenv(envGL))))
	}
	switch p {
	case Auto, GLFW, EGL, Xvfb:
	default:
		return nil, fmt.Errorf("unknown GL platform %q (from Options.Platform or $%s): use glfw, egl or xvfb", p, envGL)
	}
	if p == EGL && opt.Visible {
		return nil, errors.New("a visible window needs a display: EGL is headless; use glfw or xvfb")
	}
	c := &Context{opt: opt, calls: make(chan func()), exit: make(chan struct{})}
	ready := make(chan error, 1)
	go c.loop(p, ready)
	if err := <-ready; err != nil {
		<-c.exit
		return nil, err
	}
	return c, nil
}

// loop is the GL goroutine: it locks its OS thread, creates the context, then
// runs submitted functions until Close. It never unlocks the thread, so the
// thread exits with the goroutine (which also kills a private Xvfb through
// Pdeathsig, should anything else have failed).
func (c *Context) loop(p Platform, ready chan<- error) {
	runtime.LockOSThread()
	defer close(c.exit)
	c.gid = goid()
	if err := c.create(p); err != nil {
		c.teardown()
		ready <- err
		return
	}
	ready <- nil
	for f := range c.calls {
		f()
	}
	c.mu.Lock()
	c.closeErr = c.teardown()
	c.mu.Unlock()
}

func (c *Context) create(p Platform) error {
	display := os.Getenv("DISPLAY") != ""
	switch p {
	case GLFW:
		if !display {
			return errors.New("GL platform glfw needs $DISPLAY, which is unset: set DISPLAY, run under xvfb-run, or use KRAMERS_GL=egl or xvfb")
		}
		return c.createGLFW("")
	case EGL:
		return c.createEGL()
	case Xvfb:
		return c.createXvfb()
	}
	// Automatic order.
	var errs []string
	if display {
		err := c.createGLFW("")
		if err == nil {
			return nil
		}
		errs = append(errs, "glfw: "+err.Error())
	}
	if !c.opt.Visible {
		err := c.createEGL()
		if err == nil {
			return nil
		}
		errs = append(errs, "egl: "+err.Error())
	}
	err := c.createXvfb()
	if err == nil {
		return nil
	}
	errs = append(errs, "xvfb: "+err.Error())
	return fmt.Errorf("no OpenGL 4.3 context: no display and no EGL: install xvfb (apt-get install xvfb) or libegl1, or set DISPLAY (tried %s)", strings.Join(errs, "; "))
}

func (c *Context) createEGL() error {
	s, err := openEGL()
	if err != nil {
		return err
	}
	c.egl = s
	err = gl.InitWithProcAddrFunc(eglProcAddr)
	if err != nil {
		err = fmt.Errorf("load OpenGL functions through EGL: %w", err)
	} else {
		c.platform, c.detail = EGL, "egl "+s.how
		err = c.afterInit()
	}
	if err != nil {
		s.close()
		c.egl = nil
	}
	return err
}

func (c *Context) createXvfb() error {
	x, err := startXvfb(c.opt.Width, c.opt.Height)
	if err != nil {
		return err
	}
	c.xvfb = x
	if err := c.createGLFW(x.display); err != nil {
		x.kill()
		c.xvfb = nil
		return fmt.Errorf("GLFW on private Xvfb %s: %w", x.display, err)
	}
	c.platform, c.detail = Xvfb, "glfw on private Xvfb "+x.display
	return nil
}

// createGLFW opens a GLFW window with a 4.3 core context. A non-empty display
// is put in $DISPLAY only while GLFW connects, then the old value is restored.
// go-gl/glfw panics on some GLFW errors; they are turned into errors here.
func (c *Context) createGLFW(display string) (err error) {
	glfwBusy.Lock()
	busy := glfwInUse
	if !busy {
		glfwInUse = true
	}
	glfwBusy.Unlock()
	if busy {
		return errors.New("GLFW already hosts another kramers Context in this process; close it first or use EGL")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("GLFW: %v", r)
		}
		if err != nil && c.win != nil {
			func() {
				defer func() { _ = recover() }()
				c.win.Destroy()
				glfw.Terminate()
			}()
			c.win = nil
		}
		if err != nil {
			glfwBusy.Lock()
			glfwInUse = false
			glfwBusy.Unlock()
		}
	}()
	if display != "" {
		old, had := os.LookupEnv("DISPLAY")
		os.Setenv("DISPLAY", display)
		defer func() {
			if had {
				os.Setenv("DISPLAY", old)
			} else {
				os.Unsetenv("DISPLAY")
			}
		}()
	} else if os.Getenv("DISPLAY") == "" {
		// glfw.Init succeeds without a display in some builds and the next
		// call fails obscurely: refuse early.
		return errors.New("$DISPLAY is unset")
	}
	if err := glfw.Init(); err != nil {
		return fmt.Errorf("glfw.Init on display %q: %w", os.Getenv("DISPLAY"), err)
	}
	glfw.DefaultWindowHints()
	glfw.WindowHint(glfw.ContextVersionMajor, 4)
	glfw.WindowHint(glfw.ContextVersionMinor, 3)
	glfw.WindowHint(glfw.OpenGLProfile, glfw.OpenGLCoreProfile)
	glfw.WindowHint(glfw.OpenGLForwardCompatible, glfw.True)
	if c.opt.Visible {
		glfw.WindowHint(glfw.Visible, glfw.True)
	} else {
		glfw.WindowHint(glfw.Visible, glfw.False)
	}
	win, err := glfw.CreateWindow(c.opt.Width, c.opt.Height, c.opt.Title, nil, nil)
	if err != nil || win == nil {
		glfw.Terminate()
		return fmt.Errorf("create OpenGL 4.3 core window on display %q: %v", os.Getenv("DISPLAY"), err)
	}
	c.win = win
	win.MakeContextCurrent()
	if err := gl.Init(); err != nil {
		return fmt.Errorf("load OpenGL functions: %w", err)
	}
	c.platform, c.detail = GLFW, "glfw on "+os.Getenv("DISPLAY")
	return c.afterInit()
}

func (c *Context) afterInit() error {
	c.renderer = gl.GoStr(gl.GetString(gl.RENDERER))
	c.version = gl.GoStr(gl.GetString(gl.VERSION))
	var major, minor int32
	gl.GetIntegerv(gl.MAJOR_VERSION, &major)
	gl.GetIntegerv(gl.MINOR_VERSION, &minor)
	if major < 4 || (major == 4 && minor < 3) {
		return fmt.Errorf("OpenGL %d.%d (%s) is too old: compute shaders need 4.3", major, minor, c.renderer)
	}
	c.limits = queryLimits()
	return nil
}

// teardown releases everything create made, in reverse order; it runs on the
// GL thread.
func (c *Context) teardown() error {
	if c.win != nil {
		func() {
			defer func() { _ = recover() }()
			c.win.Destroy()
			glfw.Terminate()
		}()
		c.win = nil
		glfwBusy.Lock()
		glfwInUse = false
		glfwBusy.Unlock()
	}
	if c.egl != nil {
		c.egl.close()
		c.egl = nil
	}
	if c.xvfb != nil {
		c.xvfb.kill()
	}
	return nil
}

// goid returns the id of the calling goroutine, parsed from its stack header
// "goroutine N [...". It is used only to let Do run nested calls directly.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

// ErrClosed is returned by Do after Close.
var ErrClosed = errors.New("gpu: context is closed")

// Do runs f on the context's OS thread, with the context current, and returns
// its error (a panic in f becomes an error). Called from f itself (directly
// or through another method), it runs the nested function at once.
func (c *Context) Do(f func() error) (err error) {
	if goid() == c.gid {
		return f()
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	done := make(chan error, 1)
	call := func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic on the GL thread: %v", r)
			}
		}()
		done <- f()
	}
	// Send while holding mu so Close cannot close the channel under us.
	c.calls <- call
	c.mu.Unlock()
	return <-done
}

// Close destroys the context, its window and any private Xvfb, and ends the
// GL thread. Buffers and programs of c are invalid afterwards. Close is
// idempotent.
func (c *Context) Close() error {
	if goid() == c.gid {
		return errors.New("gpu: Close called from the GL thread (inside Do)")
	}
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.calls)
	}
	c.mu.Unlock()
	<-c.exit
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// Renderer returns GL_RENDERER, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
func (c *Context) Renderer() string { return c.renderer }

// Version returns GL_VERSION, e.g. "4.5 (Core Profile) Mesa 22.3.6".
func (c *Context) Version() string { return c.version }

// Platform returns the platform that produced the context (GLFW, EGL or Xvfb).
func (c *Context) Platform() Platform { return c.platform }

// Describe returns a one-line description: platform, renderer and version.
func (c *Context) Describe() string {
	return fmt.Sprintf("%s: %s, OpenGL %s", c.detail, c.renderer, c.version)
}

// Window returns the GLFW window hosting the context, or nil for EGL. Call
// its methods inside Do.
func (c *Context) Window() *glfw.Window { return c.win }

// XvfbPID returns the process id of the private Xvfb server, or 0 if none.
func (c *Context) XvfbPID() int { return c.xvfb.pid() }

// XvfbDisplay returns the display (":N") of the private Xvfb server, or "" if none.
func (c *Context) XvfbDisplay() string {
	if c.xvfb == nil {
		return ""
	}
	return c.xvfb.display
}
