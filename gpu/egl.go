package gpu

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

// The EGL types and constants used here, from the Khronos headers (EGL/egl.h,
// EGL/eglext.h); declared locally so the build needs no EGL headers and the
// binary no libEGL: the library is opened at run time with dlopen.
typedef void *EGLDisplay;
typedef void *EGLConfig;
typedef void *EGLContext;
typedef void *EGLSurface;
typedef void *EGLDeviceEXT;
typedef int32_t EGLint;
typedef unsigned int EGLBoolean;
typedef unsigned int EGLenum;

#define KR_EGL_NONE 0x3038
#define KR_EGL_SUCCESS 0x3000
#define KR_EGL_EXTENSIONS 0x3055
#define KR_EGL_RENDERABLE_TYPE 0x3040
#define KR_EGL_OPENGL_BIT 0x0008
#define KR_EGL_OPENGL_API 0x30A2
#define KR_EGL_CONTEXT_MAJOR_VERSION 0x3098
#define KR_EGL_CONTEXT_MINOR_VERSION 0x30FB
#define KR_EGL_CONTEXT_OPENGL_PROFILE_MASK 0x30FD
#define KR_EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT 0x0001
#define KR_EGL_PLATFORM_DEVICE_EXT 0x313F
#define KR_EGL_PLATFORM_SURFACELESS_MESA 0x31DD

typedef void *(*kr_getproc_t)(const char *);
typedef EGLint (*kr_geterror_t)(void);
typedef EGLBoolean (*kr_initialize_t)(EGLDisplay, EGLint *, EGLint *);
typedef EGLBoolean (*kr_terminate_t)(EGLDisplay);
typedef const char *(*kr_querystring_t)(EGLDisplay, EGLint);
typedef EGLBoolean (*kr_bindapi_t)(EGLenum);
typedef EGLBoolean (*kr_chooseconfig_t)(EGLDisplay, const EGLint *, EGLConfig *, EGLint, EGLint *);
typedef EGLContext (*kr_createcontext_t)(EGLDisplay, EGLConfig, EGLContext, const EGLint *);
typedef EGLBoolean (*kr_destroycontext_t)(EGLDisplay, EGLContext);
typedef EGLBoolean (*kr_makecurrent_t)(EGLDisplay, EGLSurface, EGLSurface, EGLContext);
typedef EGLBoolean (*kr_releasethread_t)(void);
typedef EGLBoolean (*kr_querydevices_t)(EGLint, EGLDeviceEXT *, EGLint *);
typedef EGLDisplay (*kr_getplatformdisplay_t)(EGLenum, void *, const EGLint *);

static void *kr_lib;
static kr_getproc_t kr_getproc;
static kr_geterror_t kr_geterror;
static kr_initialize_t kr_initialize;
static kr_terminate_t kr_terminate;
static kr_querystring_t kr_querystring;
static kr_bindapi_t kr_bindapi;
static kr_chooseconfig_t kr_chooseconfig;
static kr_createcontext_t kr_createcontext;
static kr_destroycontext_t kr_destroycontext;
static kr_makecurrent_t kr_makecurrent;
static kr_releasethread_t kr_releasethread;

// kr_egl_load opens libEGL.so.1 once; it returns NULL or an error text.
static const char *kr_egl_load(void) {
	if (kr_lib) return NULL;
	void *lib = dlopen("libEGL.so.1", RTLD_NOW | RTLD_GLOBAL);
	if (!lib) return dlerror();
#define KR_SYM(var, type, name) var = (type)dlsym(lib, name); if (!var) return "libEGL.so.1 lacks " name;
	KR_SYM(kr_getproc, kr_getproc_t, "eglGetProcAddress")
	KR_SYM(kr_geterror, kr_geterror_t, "eglGetError")
	KR_SYM(kr_initialize, kr_initialize_t, "eglInitialize")
	KR_SYM(kr_terminate, kr_terminate_t, "eglTerminate")
	KR_SYM(kr_querystring, kr_querystring_t, "eglQueryString")
	KR_SYM(kr_bindapi, kr_bindapi_t, "eglBindAPI")
	KR_SYM(kr_chooseconfig, kr_chooseconfig_t, "eglChooseConfig")
	KR_SYM(kr_createcontext, kr_createcontext_t, "eglCreateContext")
	KR_SYM(kr_destroycontext, kr_destroycontext_t, "eglDestroyContext")
	KR_SYM(kr_makecurrent, kr_makecurrent_t, "eglMakeCurrent")
	KR_SYM(kr_releasethread, kr_releasethread_t, "eglReleaseThread")
#undef KR_SYM
	kr_lib = lib;
	return NULL;
}

static int kr_has_ext(const char *list, const char *name) {
	if (!list) return 0;
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
	}
	return 0;
}

// kr_egl_try_display initialises dpy and creates and makes current a GL 4.3
// core context without a surface. On success it returns 1 and sets *ctx.
static int kr_egl_try_display(EGLDisplay dpy, EGLContext *ctx, char *err, size_t errlen) {
	EGLint major = 0, minor = 0;
	if (!dpy) { snprintf(err, errlen, "no EGL display (error 0x%x)", kr_geterror()); return 0; }
	if (!kr_initialize(dpy, &major, &minor)) {
		snprintf(err, errlen, "eglInitialize failed (error 0x%x)", kr_geterror()); return 0;
	}
	const char *exts = kr_querystring(dpy, KR_EGL_EXTENSIONS);
	if (!kr_has_ext(exts, "EGL_KHR_surfaceless_context")) {
		snprintf(err, errlen, "EGL %d.%d display lacks EGL_KHR_surfaceless_context", major, minor);
		kr_terminate(dpy); return 0;
	}
	if (!kr_bindapi(KR_EGL_OPENGL_API)) {
		snprintf(err, errlen, "eglBindAPI(EGL_OPENGL_API) failed (error 0x%x)", kr_geterror());
		kr_terminate(dpy); return 0;
	}
	EGLint cfgAttr[] = {KR_EGL_RENDERABLE_TYPE, KR_EGL_OPENGL_BIT, KR_EGL_NONE};
	EGLConfig cfg = NULL;
	EGLint n = 0;
	if (!kr_chooseconfig(dpy, cfgAttr, &cfg, 1, &n) || n < 1) {
		cfg = NULL; // EGL_NO_CONFIG_KHR, valid with EGL_KHR_no_config_context
		if (!kr_has_ext(exts, "EGL_KHR_no_config_context")) {
			snprintf(err, errlen, "no EGL config supports desktop OpenGL");
			kr_terminate(dpy); return 0;
		}
	}
	EGLint ctxAttr[] = {
		KR_EGL_CONTEXT_MAJOR_VERSION, 4, KR_EGL_CONTEXT_MINOR_VERSION, 3,
		KR_EGL_CONTEXT_OPENGL_PROFILE_MASK, KR_EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
		KR_EGL_NONE};
	EGLContext c = kr_createcontext(dpy, cfg, NULL, ctxAttr);
	if (!c) {
		snprintf(err, errlen, "eglCreateContext(OpenGL 4.3 core) failed (error 0x%x)", kr_geterror());
		kr_terminate(dpy); return 0;
	}
	if (!kr_makecurrent(dpy, NULL, NULL, c)) {
		snprintf(err, errlen, "eglMakeCurrent without a surface failed (error 0x%x)", kr_geterror());
		kr_destroycontext(dpy, c); kr_terminate(dpy); return 0;
	}
	*ctx = c;
	return 1;
}

// kr_egl_open tries EGL_EXT_platform_device (each device in turn), then
// EGL_MESA_platform_surfaceless. It returns 1 on success with *dpy and *ctx
// current on the calling thread, and writes the platform used to *how.
static int kr_egl_open(EGLDisplay *dpy, EGLContext *ctx, int *how, char *err, size_t errlen) {
	const char *e = kr_egl_load();
	if (e) { snprintf(err, errlen, "cannot load libEGL.so.1: %s", e); return 0; }
	const char *client = kr_querystring(NULL, KR_EGL_EXTENSIONS);
	kr_getplatformdisplay_t getPlatformDisplay = (kr_getplatformdisplay_t)kr_getproc("eglGetPlatformDisplayEXT");
	if (!getPlatformDisplay || !kr_has_ext(client, "EGL_EXT_platform_base")) {
		snprintf(err, errlen, "EGL lacks EGL_EXT_platform_base (client extensions: %s)", client ? client : "none");
		return 0;
	}
	char last[256] = "";
	const char *force = getenv("KRAMERS_EGL_PLATFORM");
	int allowDevice = !(force && strcmp(force, "surfaceless") == 0);
	if (allowDevice && kr_has_ext(client, "EGL_EXT_platform_device")) {
		kr_querydevices_t queryDevices = (kr_querydevices_t)kr_getproc("eglQueryDevicesEXT");
		EGLDeviceEXT devs[16];
		EGLint ndev = 0;
		if (queryDevices && queryDevices(16, devs, &ndev)) {
			for (EGLint i = 0; i < ndev; i++) {
				EGLDisplay d = getPlatformDisplay(KR_EGL_PLATFORM_DEVICE_EXT, devs[i], NULL);
				if (kr_egl_try_display(d, ctx, last, sizeof last)) { *dpy = d; *how = 1; return 1; }
			}
		}
	}
	if (kr_has_ext(client, "EGL_MESA_platform_surfaceless")) {
		EGLDisplay d = getPlatformDisplay(KR_EGL_PLATFORM_SURFACELESS_MESA, NULL, NULL);
		if (kr_egl_try_display(d, ctx, last, sizeof last)) { *dpy = d; *how = 2; return 1; }
	}
	snprintf(err, errlen, "no EGL device or surfaceless display gave an OpenGL 4.3 core context%s%s",
		last[0] ? ": " : "", last);
	return 0;
}

static void kr_egl_close(EGLDisplay dpy, EGLContext ctx) {
	if (!kr_lib) return;
	kr_makecurrent(dpy, NULL, NULL, NULL);
	kr_destroycontext(dpy, ctx);
	kr_terminate(dpy);
	kr_releasethread();
}

static void *kr_egl_getproc(const char *name) { return kr_getproc ? kr_getproc(name) : NULL; }
*/
import "C"

import (
	"errors"
	"sync"
	"unsafe"
)

// eglMu serialises EGL set-up and tear-down (the loader state is global).
var eglMu sync.Mutex

// eglState is a headless EGL context current on the context's thread.
type eglState struct {
	dpy, ctx unsafe.Pointer
	how      string // "device" or "surfaceless"
}

// openEGL creates a surfaceless OpenGL 4.3 core context through libEGL, loaded
// at run time, and makes it current on the calling (locked) thread.
func openEGL() (*eglState, error) {
	eglMu.Lock()
	defer eglMu.Unlock()
	var dpy, ctx unsafe.Pointer
	var how C.int
	buf := make([]byte, 512)
	cerr := (*C.char)(unsafe.Pointer(&buf[0]))
	if C.kr_egl_open((*C.EGLDisplay)(unsafe.Pointer(&dpy)), (*C.EGLContext)(unsafe.Pointer(&ctx)), &how, cerr, C.size_t(len(buf))) == 0 {
		return nil, errors.New(C.GoString(cerr))
	}
	s := &eglState{dpy: dpy, ctx: ctx, how: "surfaceless"}
	if how == 1 {
		s.how = "device"
	}
	return s, nil
}

// procAddr returns the address of a GL function for gl.InitWithProcAddrFunc.
func eglProcAddr(name string) unsafe.Pointer {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return C.kr_egl_getproc(cname)
}

func (s *eglState) close() {
	eglMu.Lock()
	defer eglMu.Unlock()
	C.kr_egl_close(C.EGLDisplay(s.dpy), C.EGLContext(s.ctx))
}
