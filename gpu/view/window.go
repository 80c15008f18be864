package view

import (
	"errors"
	"sync"

	"github.com/go-gl/glfw/v3.3/glfw"
	"github.com/kramers-sim/kramers/gpu"
)

// Key is a command key of the live view.
type Key int

// The keys of `kramers view`.
const (
	KeyPause      Key = iota + 1 // space
	KeyStep                      // → (one frame's worth of iterations while paused)
	KeyFaster                    // + (more iterations per frame)
	KeySlower                    // − (fewer)
	KeyRestart                   // r (new seed)
	KeyScreenshot                // s
	KeyDensity                   // f
	KeyQuit                      // q or Esc
)

// Window is the shown GLFW window of a Context, with its key presses queued for the caller.
type Window struct {
	c    *gpu.Context
	win  *glfw.Window
	mu   sync.Mutex
	keys []Key
}

// OpenWindow attaches to the context's window (gpu.NewContext with Options.Visible): it queues
// key presses, turns vsync off (swap interval 0: frames are paced by the simulation, not by the
// display) and makes X errors from a destroyed window non-fatal.
func OpenWindow(c *gpu.Context) (*Window, error) {
	win := c.Window()
	if win == nil {
		return nil, errors.New("the GL context has no window (EGL); use headless frames instead")
	}
	w := &Window{c: c, win: win}
	err := c.Do(func() error {
		glfw.SwapInterval(0)
		win.SetKeyCallback(func(_ *glfw.Window, key glfw.Key, _ int, action glfw.Action, mods glfw.ModifierKey) {
			if action == glfw.Release {
				return
			}
			k := mapKey(key, mods, action)
			if k == 0 {
				return
			}
			w.mu.Lock()
			w.keys = append(w.keys, k)
			w.mu.Unlock()
		})
		installXErrorHandler()
		return nil
	})
	return w, err
}

func mapKey(key glfw.Key, mods glfw.ModifierKey, action glfw.Action) Key {
	switch key {
	case glfw.KeySpace:
		if action == glfw.Press {
			return KeyPause
		}
	case glfw.KeyRight:
		return KeyStep
	case glfw.KeyEqual, glfw.KeyKPAdd:
		return KeyFaster
	case glfw.KeyMinus, glfw.KeyKPSubtract:
		return KeySlower
	case glfw.KeyR:
		if action == glfw.Press {
			return KeyRestart
		}
	case glfw.KeyS:
		if action == glfw.Press {
			return KeyScreenshot
		}
	case glfw.KeyF:
		if action == glfw.Press {
			return KeyDensity
		}
	case glfw.KeyQ, glfw.KeyEscape:
		return KeyQuit
	}
	return 0
}

// maxWindowSide bounds a plausible framebuffer side in pixels (GL implementations cap textures at
// 16384 or 32768; a screen is far smaller).
const maxWindowSide = 1 << 15

// Poll processes window events and returns the keys pressed since the last call, whether the
// window was asked to close (or destroyed), and the framebuffer size.
func (w *Window) Poll() (keys []Key, closing bool, width, height int, err error) {
	err = w.c.Do(func() error {
		glfw.PollEvents()
		if windowGone(w.win) {
			closing = true
			return nil
		}
		closing = w.win.ShouldClose()
		width, height = w.win.GetFramebufferSize()
		// A window that the X server is destroying (a window manager's close, xdotool) can report
		// a garbage size, such as 1275143808×32544, before GLFW marks it gone: no framebuffer that
		// size exists, so the window is taken as closing rather than rendered at it.
		if width > maxWindowSide || height > maxWindowSide {
			closing, width, height = true, 0, 0
		}
		return nil
	})
	w.mu.Lock()
	keys, w.keys = w.keys, nil
	w.mu.Unlock()
	return
}

// SetTitle changes the window title.
func (w *Window) SetTitle(s string) error {
	return w.c.Do(func() error { w.win.SetTitle(s); return nil })
}
