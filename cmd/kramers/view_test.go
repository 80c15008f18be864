package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The window tests run the built binary on the test's X display (`make test` runs everything
// under xvfb-run), drive it with synthetic key events (xdotool) and read its pixels with
// ImageMagick's import. The view reports its iteration, counts and pixel mapping in --status.

var (
	viewBuildOnce sync.Once
	viewBinPath   string
	viewBuildErr  error
)

// kramersBinary builds ./cmd/kramers once per test run.
func viewBinary(t *testing.T) string {
	t.Helper()
	viewBuildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kramers-view-test")
		if err != nil {
			viewBuildErr = err
			return
		}
		viewBinPath = filepath.Join(dir, "kramers")
		out, err := exec.Command("go", "build", "-o", viewBinPath, ".").CombinedOutput()
		if err != nil {
			viewBuildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if viewBuildErr != nil {
		t.Fatal(viewBuildErr)
	}
	return viewBinPath
}

func viewNeedTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install it (make deps: xdotool, imagemagick, xvfb)", tool)
		}
	}
}

func viewNeedDisplay(t *testing.T) string {
	t.Helper()
	d := os.Getenv("DISPLAY")
	if d == "" {
		t.Fatal("the window tests need an X display: run under xvfb-run -a (make test does)")
	}
	return d
}

// viewArgs is a small Müller–Brown SGLD run: T = 20 puts ΔL/T ≈ 5.3, τ ≈ 0.79 (≈ 3900
// iterations at η = 2e-4), so escapes show within seconds on llvmpipe.
func viewArgs(status string, extra ...string) []string {
	return append([]string{"view", "--landscape", "muller-brown", "--noise", "sgld", "--temp", "20", "--lr", "0.0002",
		"--particles", "2048", "--iters", "500", "--width", "800", "--height", "600", "--status", status}, extra...)
}

type viewProc struct {
	cmd    *exec.Cmd
	out    *viewBuffer
	done   chan struct{}
	err    error
	status string
}

type viewBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *viewBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *viewBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func viewStart(t *testing.T, env []string, args []string) *viewProc {
	t.Helper()
	bin := viewBinary(t)
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	// A process group of its own, as a shell gives a foreground job: a signal to the whole group
	// (a terminal's Ctrl-C) then reaches the view and its children, but not the test.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &viewBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	v := &viewProc{cmd: cmd, out: out, done: make(chan struct{})}
	for i, a := range args {
		if a == "--status" {
			v.status = args[i+1]
		}
	}
	go func() { v.err = cmd.Wait(); close(v.done) }()
	t.Cleanup(func() {
		select {
		case <-v.done:
		default:
			cmd.Process.Kill()
			<-v.done
		}
		if t.Failed() {
			t.Logf("kramers view output:\n%s", out.String())
		}
	})
	return v
}

// exitCode waits for the process and returns its exit status.
func (v *viewProc) exitCode(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-v.done:
	case <-time.After(within):
		t.Fatalf("kramers view still running after %v", within)
	}
	var ee *exec.ExitError
	if errors.As(v.err, &ee) {
		return ee.ExitCode()
	}
	if v.err != nil {
		t.Fatal(v.err)
	}
	return 0
}

// waitStatus polls --status until cond holds.
func (v *viewProc) waitStatus(t *testing.T, within time.Duration, what string, cond func(viewStatus) bool) viewStatus {
	t.Helper()
	deadline := time.Now().Add(within)
	var st viewStatus
	for time.Now().Before(deadline) {
		select {
		case <-v.done:
			t.Fatalf("kramers view exited (%v) while waiting for %s", v.err, what)
		default:
		}
		data, err := os.ReadFile(v.status)
		if err == nil && json.Unmarshal(data, &st) == nil && cond(st) {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s; last status %+v", within, what, st)
	return st
}

func viewXdotool(t *testing.T, display string, args ...string) string {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// findWindow returns the X id of the view's window, searched by its title.
func viewFindWindow(t *testing.T, display, title string) string {
	t.Helper()
	ids := strings.Fields(viewXdotool(t, display, "search", "--name", title))
	if len(ids) == 0 {
		t.Fatalf("no window named %q", title)
	}
	return ids[len(ids)-1]
}

// key focuses the window and types the keys through XTEST.
func viewKey(t *testing.T, display, win string, keys ...string) {
	t.Helper()
	viewXdotool(t, display, "windowfocus", "--sync", win)
	viewXdotool(t, display, append([]string{"key", "--delay", "30"}, keys...)...)
}

// screenshot grabs the window with ImageMagick's import.
func viewScreenshot(t *testing.T, display, win, path string) *image.RGBA {
	t.Helper()
	cmd := exec.Command("import", "-window", win, "png:"+path)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import -window %s: %v\n%s", win, err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

// patchCounts counts, within radius r of (cx, cy), cyan pixels (never-escaped particles, which
// keep their hue however dense) and orange ones (escaped particles: R > G > B by 40 each).
func viewPatchCounts(img *image.RGBA, cx, cy float64, r int) (cyan, orange int) {
	for y := int(cy) - r; y <= int(cy)+r; y++ {
		for x := int(cx) - r; x <= int(cx)+r; x++ {
			if !image.Pt(x, y).In(img.Rect) {
				continue
			}
			c := img.RGBAAt(x, y)
			R, G, B := int(c.R), int(c.G), int(c.B)
			if B > 200 && G > 170 && R < B-80 {
				cyan++
			}
			if R > 170 && R > G+40 && G > B+40 {
				orange++
			}
		}
	}
	return
}

func viewPixelOf(st viewStatus, pt []float64) (float64, float64) {
	return st.Mapping.Pixel(pt[0], pt[1])
}

// TestViewWindow drives a real window: paused at iteration 0 the particles sit on the start
// minimum; space runs and pauses (the iteration stops); → steps one frame; +/− change the
// iterations per frame; escaped particles reach the other basin; s saves a screenshot; f
// toggles the density view; resizing keeps the aspect ratio; r restarts with a new seed; q quits
// with status 0.
func TestViewWindow(t *testing.T) {
	display := viewNeedDisplay(t)
	viewNeedTools(t, "xdotool", "import")
	dir := t.TempDir()
	status := filepath.Join(dir, "status.json")
	v := viewStart(t, os.Environ(), viewArgs(status, "--paused", "--shots", dir))
	st := v.waitStatus(t, 30*time.Second, "the first frame", func(s viewStatus) bool { return s.Frames >= 1 })
	win := viewFindWindow(t, display, st.Title)

	// Iteration 0: one dense cyan spot on the start minimum, nothing orange in the target basin,
	// and the overlay text in the panel.
	img := viewScreenshot(t, display, win, filepath.Join(dir, "t0.png"))
	if b := img.Bounds(); b.Dx() != st.Mapping.Framebuffer[0] || b.Dy() != st.Mapping.Framebuffer[1] {
		t.Fatalf("screenshot %v, framebuffer %v", b, st.Mapping.Framebuffer)
	}
	ax, ay := viewPixelOf(st, st.Landmarks.Minimum)
	bx, by := viewPixelOf(st, st.Landmarks.Target)
	if cyan, _ := viewPatchCounts(img, ax, ay, 3); cyan == 0 {
		t.Errorf("iteration 0: no particles drawn at the start minimum (pixel %.0f, %.0f)", ax, ay)
	}
	if _, o := viewPatchCounts(img, bx, by, 25); o != 0 {
		t.Errorf("iteration 0: %d orange pixels at the target minimum", o)
	}
	text := 0
	for y := 0; y < 150; y++ {
		for x := 0; x < 300; x++ {
			if c := img.RGBAAt(x, y); c.R > 180 && c.G > 180 && c.B > 180 {
				text++
			}
		}
	}
	if text < 200 {
		t.Errorf("overlay: %d bright pixels in the text panel, want text", text)
	}
	time.Sleep(500 * time.Millisecond)
	if st := v.waitStatus(t, 5*time.Second, "status", func(viewStatus) bool { return true }); st.Iteration != 0 || !st.Paused {
		t.Fatalf("started paused, yet iteration %d (paused %t)", st.Iteration, st.Paused)
	}

	// Run until most particles had time to escape, then pause.
	viewKey(t, display, win, "space")
	v.waitStatus(t, 40*time.Second, "iteration ≥ 6000", func(s viewStatus) bool { return s.Iteration >= 6000 && !s.Paused })
	viewKey(t, display, win, "space")
	p1 := v.waitStatus(t, 5*time.Second, "pause", func(s viewStatus) bool { return s.Paused })
	time.Sleep(time.Second)
	p2 := v.waitStatus(t, 5*time.Second, "status", func(viewStatus) bool { return true })
	if p2.Iteration != p1.Iteration {
		t.Errorf("paused, yet the iteration moved from %d to %d", p1.Iteration, p2.Iteration)
	}
	t.Logf("paused at iteration %d: %d escaped, %.3g particle-steps/s", p2.Iteration, p2.Escaped, p2.StepsPerSec)
	if p2.Escaped == 0 {
		t.Errorf("no escapes after %d iterations (τ ≈ 3900 iterations)", p2.Iteration)
	}
	viewKey(t, display, win, "Right")
	v.waitStatus(t, 5*time.Second, "one step of 500 iterations", func(s viewStatus) bool { return s.Iteration == p2.Iteration+500 })

	// The other basin holds escaped particles now.
	time.Sleep(400 * time.Millisecond)
	img = viewScreenshot(t, display, win, filepath.Join(dir, "t1.png"))
	if _, o := viewPatchCounts(img, bx, by, 30); o < 10 {
		t.Errorf("after %d iterations: %d orange pixels near the target minimum (%.0f, %.0f); want ≥ 10", p2.Iteration, o, bx, by)
	}

	viewKey(t, display, win, "plus")
	v.waitStatus(t, 5*time.Second, "1000 iterations per frame", func(s viewStatus) bool { return s.ItersPerFrame == 1000 })
	viewKey(t, display, win, "minus", "minus")
	v.waitStatus(t, 5*time.Second, "250 iterations per frame", func(s viewStatus) bool { return s.ItersPerFrame == 250 })
	viewKey(t, display, win, "f")
	v.waitStatus(t, 5*time.Second, "density view", func(s viewStatus) bool { return s.Density })
	viewKey(t, display, win, "s")
	st = v.waitStatus(t, 10*time.Second, "a screenshot", func(s viewStatus) bool { return len(s.Screenshots) == 1 })
	if fi, err := os.Stat(st.Screenshots[0]); err != nil || fi.Size() == 0 {
		t.Errorf("screenshot %s: %v", st.Screenshots[0], err)
	}
	// Resizing keeps the landscape's aspect ratio: equal scales on both axes.
	viewXdotool(t, display, "windowsize", win, "700", "520")
	st = v.waitStatus(t, 10*time.Second, "the resized framebuffer", func(s viewStatus) bool {
		return s.Mapping.Framebuffer == [2]int{700, 520}
	})
	b, vp := st.Mapping.Box, st.Mapping.Viewport
	sx, sy := float64(vp[2])/(b[1]-b[0]), float64(vp[3])/(b[3]-b[2])
	if math.Abs(sx/sy-1) > 0.01 {
		t.Errorf("after resizing to 700×520: %.1f px per unit in x, %.1f in y; want equal", sx, sy)
	}
	viewKey(t, display, win, "r")
	v.waitStatus(t, 5*time.Second, "restart with seed 2", func(s viewStatus) bool { return s.Seed == 2 && s.Iteration == 0 })
	viewKey(t, display, win, "q")
	if code := v.exitCode(t, 15*time.Second); code != 0 {
		t.Errorf("q: exit status %d, want 0", code)
	}
}

// TestViewAutoIterations: without --iters the iterations per frame follow the frame-time target
// (iterations_auto), and --status reports the frame budget per phase, which adds up to no more
// than the frame; + fixes the iterations and − halves them.
func TestViewAutoIterations(t *testing.T) {
	display := viewNeedDisplay(t)
	viewNeedTools(t, "xdotool")
	status := filepath.Join(t.TempDir(), "status.json")
	args := []string{"view", "--landscape", "muller-brown", "--noise", "sgld", "--temp", "20", "--lr", "0.0002",
		"--particles", "20000", "--width", "800", "--height", "600", "--status", status}
	v := viewStart(t, os.Environ(), args)
	st := v.waitStatus(t, 30*time.Second, "a measured frame budget", func(s viewStatus) bool {
		return s.Frames >= 10 && s.FrameBudget.Frames >= 2 && s.FrameBudget.Simulate > 0
	})
	b := st.FrameBudget
	t.Logf("frame budget (ms): %+v; %d iterations per frame", b, st.ItersPerFrame)
	if !st.ItersAuto || st.ItersPerFrame < 1 {
		t.Errorf("without --iters: iterations_auto %t, %d iterations per frame", st.ItersAuto, st.ItersPerFrame)
	}
	phases := b.Simulate + b.Background + b.Points + b.Overlay + b.Present + b.Estimate
	if !(b.Points > 0 && b.Overlay > 0 && b.Present > 0 && b.Frame > 0) || phases > 1.05*b.Frame+1 || math.Abs(b.FPS*b.Frame-1000) > 1 {
		t.Errorf("frame budget %+v: want positive phases adding up to at most the frame (sum %.2f ms) and fps = 1000/frame", b, phases)
	}
	win := viewFindWindow(t, display, st.Title)
	viewKey(t, display, win, "plus")
	fixed := v.waitStatus(t, 5*time.Second, "fixed iterations", func(s viewStatus) bool { return !s.ItersAuto })
	viewKey(t, display, win, "minus")
	v.waitStatus(t, 5*time.Second, "half the iterations", func(s viewStatus) bool {
		return !s.ItersAuto && 2*s.ItersPerFrame == fixed.ItersPerFrame
	})
	viewKey(t, display, win, "q")
	if code := v.exitCode(t, 15*time.Second); code != 0 {
		t.Errorf("q: exit status %d, want 0", code)
	}
}

// TestViewWindowClosed destroys the window behind the program's back (xdotool windowclose):
// it must notice and exit 0.
func TestViewWindowClosed(t *testing.T) {
	display := viewNeedDisplay(t)
	viewNeedTools(t, "xdotool")
	status := filepath.Join(t.TempDir(), "status.json")
	v := viewStart(t, os.Environ(), viewArgs(status))
	st := v.waitStatus(t, 30*time.Second, "the first frame", func(s viewStatus) bool { return s.Frames >= 2 })
	win := viewFindWindow(t, display, st.Title)
	viewXdotool(t, display, "windowclose", win)
	if code := v.exitCode(t, 15*time.Second); code != 0 {
		t.Errorf("window closed: exit status %d, want 0", code)
	}
}

// TestViewSIGINT: SIGINT closes the window and exits with 130 (128 + SIGINT, the shell's
// convention and the status of an interrupted `kramers run`).
func TestViewSIGINT(t *testing.T) {
	viewNeedDisplay(t)
	status := filepath.Join(t.TempDir(), "status.json")
	v := viewStart(t, os.Environ(), viewArgs(status))
	v.waitStatus(t, 30*time.Second, "the first frame", func(s viewStatus) bool { return s.Frames >= 2 })
	if err := v.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := v.exitCode(t, 15*time.Second); code != 130 {
		t.Errorf("SIGINT: exit status %d, want 130", code)
	}
}

// TestViewPrivateXvfb runs the view without DISPLAY: it starts its own Xvfb for the window.
// After q (exit 0) and after SIGINT to the view's whole process group, as a terminal's Ctrl-C
// sends it (exit 130), that server must be gone. The server runs in a group of its own, so the
// group's SIGINT reaches the view alone; in the view's group it died first and the view exited
// 1 with "X connection broken" (issue 21).
func TestViewPrivateXvfb(t *testing.T) {
	viewNeedTools(t, "xdotool", "Xvfb")
	env := viewEnvWithout("DISPLAY")
	for _, how := range []string{"q", "Ctrl-C"} {
		status := filepath.Join(t.TempDir(), "status.json")
		v := viewStart(t, env, viewArgs(status))
		st := v.waitStatus(t, 30*time.Second, "the first frame", func(s viewStatus) bool { return s.Frames >= 2 })
		if st.XvfbPID == 0 || st.Display == "" {
			t.Fatalf("%s: no private Xvfb reported (platform %s)", how, st.Platform)
		}
		if got := viewXvfbChild(t, v.cmd.Process.Pid); got != st.XvfbPID {
			t.Errorf("%s: Xvfb %d is not a child of the view (child Xvfb: %d)", how, st.XvfbPID, got)
		}
		viewCheckOwnGroup(t, v.cmd.Process.Pid, st.XvfbPID)
		want := 0
		if how == "q" {
			win := viewFindWindow(t, st.Display, st.Title)
			viewXdotool(t, st.Display, "windowfocus", "--sync", win)
			// The server goes away with the view, possibly before xdotool disconnects: its
			// "connection broken" is expected, the exit status below is the check.
			cmd := exec.Command("xdotool", "key", "q")
			cmd.Env = append(os.Environ(), "DISPLAY="+st.Display)
			_ = cmd.Run()
		} else {
			want = 130
			if err := syscall.Kill(-v.cmd.Process.Pid, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
		}
		if code := v.exitCode(t, 15*time.Second); code != want {
			t.Errorf("%s: exit status %d, want %d", how, code, want)
		}
		if viewAlive(st.XvfbPID) {
			syscall.Kill(st.XvfbPID, syscall.SIGKILL)
			t.Errorf("%s: the private Xvfb (pid %d) survived the view", how, st.XvfbPID)
		}
	}
}

// TestViewHeadlessCtrlC: `view --headless` on a private Xvfb (no DISPLAY, KRAMERS_GL=xvfb, as on
// a machine without EGL) gets SIGINT on its whole process group after its first frame. It must
// finish the frame in hand, write the GIF and view.json of the frames so far, marked partial,
// exit 130, and leave no Xvfb behind.
func TestViewHeadlessCtrlC(t *testing.T) {
	viewNeedTools(t, "Xvfb")
	out := t.TempDir()
	env := append(viewEnvWithout("DISPLAY", "KRAMERS_GL"), "KRAMERS_GL=xvfb")
	v := viewStart(t, env, []string{"view", "--landscape", "doublewell", "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
		"--particles", "4096", "--headless", "--frames", "100000", "--frame-every", "20", "--width", "320", "--height", "240", "--out", out})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(v.out.String(), "frame 1 iteration") {
		if time.Now().After(deadline) {
			t.Fatal("no second frame within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	xvfb := viewXvfbChild(t, v.cmd.Process.Pid)
	if xvfb == 0 {
		t.Fatal("no private Xvfb among the view's children")
	}
	viewCheckOwnGroup(t, v.cmd.Process.Pid, xvfb)
	if err := syscall.Kill(-v.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := v.exitCode(t, 30*time.Second); code != 130 {
		t.Errorf("Ctrl-C: exit status %d, want 130", code)
	}
	if viewAlive(xvfb) {
		syscall.Kill(xvfb, syscall.SIGKILL)
		t.Errorf("the private Xvfb (pid %d) survived the view", xvfb)
	}
	var meta struct {
		Frames  int  `json:"frames"`
		Partial bool `json:"partial"`
	}
	data, err := os.ReadFile(filepath.Join(out, "view.json"))
	if err != nil || json.Unmarshal(data, &meta) != nil {
		t.Fatalf("view.json after Ctrl-C: %v %s", err, data)
	}
	pngs, _ := filepath.Glob(filepath.Join(out, "frame_*.png"))
	if !meta.Partial || meta.Frames < 2 || meta.Frames != len(pngs) {
		t.Errorf("view.json says partial=%t frames=%d; %d PNGs written (want partial, ≥ 2 frames, one PNG each)", meta.Partial, meta.Frames, len(pngs))
	}
	if _, err := os.Stat(filepath.Join(out, "view.gif")); err != nil {
		t.Errorf("no GIF of the frames so far: %v", err)
	}
}

// viewEnvWithout is the test's environment less the named variables.
func viewEnvWithout(names ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		keep := true
		for _, n := range names {
			keep = keep && !strings.HasPrefix(e, n+"=")
		}
		if keep {
			env = append(env, e)
		}
	}
	return env
}

// viewXvfbChild returns the pid of an Xvfb child of pid, or 0.
func viewXvfbChild(t *testing.T, pid int) int {
	t.Helper()
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(pid), "-x", "Xvfb").Output()
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
}

// viewCheckOwnGroup fails unless the Xvfb runs in a process group other than the view's.
func viewCheckOwnGroup(t *testing.T, viewPID, xvfbPID int) {
	t.Helper()
	vg, err1 := syscall.Getpgid(viewPID)
	xg, err2 := syscall.Getpgid(xvfbPID)
	if err1 != nil || err2 != nil || vg == xg {
		t.Errorf("the private Xvfb (pid %d, group %d) shares the view's process group %d (%v %v)", xvfbPID, xg, vg, err1, err2)
	}
}

// alive reports whether pid is a running (not zombie) process.
func viewAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(data))
	return len(f) > 2 && f[2] != "Z"
}

// TestViewHeadlessNoGIF: with --no-gif the headless view writes the PNG frames and view.json,
// no view.gif, and its closing line names only what it wrote (the trial saw "wrote … view.gif").
func TestViewHeadlessNoGIF(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runBin(t, dir, nil, "view", "--landscape", "doublewell", "--noise", "sgld", "--temp", "0.15", "--lr", "0.01",
		"--particles", "1024", "--headless", "--frames", "2", "--frame-every", "5", "--width", "320", "--height", "240", "--out", "v", "--no-gif")
	if code != 0 {
		t.Fatalf("view --no-gif exited %d: %s", code, errOut)
	}
	if !strings.Contains(out, "wrote 2 frames, view.json to v") || strings.Contains(out, "view.gif") {
		t.Errorf("closing line: %q, want \"wrote 2 frames, view.json to v\" and no view.gif", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "v", "view.gif")); !os.IsNotExist(err) {
		t.Errorf("view.gif written with --no-gif (stat: %v)", err)
	}
	for _, f := range []string{"frame_0000.png", "frame_0001.png", "view.json"} {
		if _, err := os.Stat(filepath.Join(dir, "v", f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
