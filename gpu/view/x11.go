//go:build linux

package view

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>

// kr_x_errors counts X protocol errors that hit the view's handler (a destroyed window makes
// the next swap or query fail with BadWindow or BadDrawable). Xlib's default handler would
// exit(1) instead, so a window closed by XDestroyWindow (xdotool windowclose, a crashed
// window manager) could not end the program cleanly.
static int kr_x_errors;

static int kr_x_error_handler(Display *d, XErrorEvent *e) {
	(void)d; (void)e;
	kr_x_errors++;
	return 0;
}

// kr_x_window_gone installs the handler (GLFW resets handlers to the default after its own
// grabs) and reports whether the window no longer exists or an X error happened.
static int kr_x_window_gone(void *dpy, unsigned long win) {
	Display *d = (Display *)dpy;
	XSetErrorHandler(kr_x_error_handler);
	XWindowAttributes a;
	int ok = XGetWindowAttributes(d, (Window)win, &a);
	XSync(d, False);
	return !ok || kr_x_errors > 0;
}

static void kr_x_install(void) { XSetErrorHandler(kr_x_error_handler); }
*/
import "C"

import (
	"unsafe"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// windowGone reports whether the X window of win was destroyed behind GLFW's back. It runs on
// the GL thread.
func windowGone(win *glfw.Window) (gone bool) {
	defer func() {
		if recover() != nil { // not an X11 window (GLFW built for another platform)
			gone = false
		}
	}()
	dpy := unsafe.Pointer(glfw.GetX11Display())
	if dpy == nil {
		return false
	}
	return C.kr_x_window_gone(dpy, C.ulong(win.GetX11Window())) != 0
}

// installXErrorHandler makes X errors non-fatal (see windowGone).
func installXErrorHandler() { C.kr_x_install() }
