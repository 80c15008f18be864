// Package gpu is the OpenGL 4.3 core plumbing of kramers: contexts (hidden
// window, visible window, headless), compute and render programs with readable
// compile errors, shader storage buffers, dispatch with barriers, limits,
// timer queries and read-back — and the GPU Backend of host.Backend. The live
// view (window, renderer, overlay, headless frames) is package gpu/view, built
// on this one.
//
// # Threading
//
// An OpenGL context is current on one OS thread. NewContext starts a goroutine
// that calls runtime.LockOSThread, creates the context there and then serves
// Context.Do. Every method of Context, Program and Buffer (and the generic
// Upload/Download helpers) goes through Do, so they may be called from any
// goroutine — tests, the run loop, the CLI. Code inside Do may call them too:
// nested calls run directly on the GL thread.
//
// # Platforms
//
// NewContext picks, unless Options.Platform or $KRAMERS_GL (glfw, egl, xvfb)
// forces one:
//
//  1. $DISPLAY set: GLFW (github.com/go-gl/glfw/v3.3) with a hidden window
//     (shown with Options.Visible) and a 4.3 core forward-compatible context.
//  2. Otherwise (or if 1 failed), for headless use: EGL without any window.
//     libEGL.so.1 is opened with dlopen at run time, so binaries build and
//     start without it. EGL_EXT_platform_device is tried first (each device;
//     the NVIDIA headless path, also offered by Mesa), then
//     EGL_MESA_platform_surfaceless; eglBindAPI(EGL_OPENGL_API), a 4.3 core
//     context, made current with no surface (EGL_KHR_surfaceless_context),
//     and GL entry points loaded through eglGetProcAddress.
//  3. Otherwise a private Xvfb (`Xvfb -displayfd 3 -nolisten tcp -screen 0
//     1280x1024x24`) and GLFW on it. $DISPLAY is set only while GLFW connects.
//     The server is killed by Close, on every error path, by a SIGINT/SIGTERM
//     handler (which then re-raises the signal; a program that handles the
//     signals itself calls LeaveSignalsToCaller first), and by the kernel through
//     Pdeathsig if the GL thread dies (even on SIGKILL).
//  4. Otherwise an error that names what to install.
//
// GLFW is process-wide: at most one GLFW-backed Context (paths 1 and 3) may be
// open at a time; EGL contexts have no such limit.
//
// Constants and limits follow the OpenGL 4.3 core specification and the EGL
// 1.5 specification with the extensions named above (Khronos registry).
package gpu
