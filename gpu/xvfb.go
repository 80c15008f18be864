package gpu

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// callerHandlesSignals is set by LeaveSignalsToCaller.
var callerHandlesSignals atomic.Bool

// LeaveSignalsToCaller tells the package that the program handles SIGINT and SIGTERM itself
// (kramers run finishes its chunk, reads the ensemble back and writes a checkpoint, which needs
// the GL context alive). A private Xvfb started afterwards then installs no signal handler of
// its own: it neither kills the server nor re-raises the signal, and the program must Close its
// contexts before it exits. The server still dies with the process (Pdeathsig), even on SIGKILL
// or os.Exit. Call it before NewContext.
func LeaveSignalsToCaller() { callerHandlesSignals.Store(true) }

// xvfbProc is a private X server started for one Context.
type xvfbProc struct {
	cmd     *exec.Cmd
	display string // ":N"
	sigs    chan os.Signal
	stop    chan struct{}
	once    sync.Once
}

// xvfbStartTimeout bounds the wait for Xvfb to report its display number.
const xvfbStartTimeout = 15 * time.Second

// startXvfb runs `Xvfb -displayfd 3 -nolisten tcp -screen 0 WxHx24` and reads
// the display number it picks from a pipe. The server runs in a process group of its
// own, so signals sent to kramers' group (a terminal's Ctrl-C) do not reach it. It is killed by kill, by a
// SIGINT/SIGTERM handler (which then re-raises the signal; none is installed
// after LeaveSignalsToCaller), and by the kernel
// (Pdeathsig) if the thread that started it exits, so none is left behind.
// It must be called on the context's locked OS thread.
func startXvfb(width, height int) (*xvfbProc, error) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, errors.New("Xvfb not found: install xvfb (apt-get install xvfb)")
	}
	if width < 1280 {
		width = 1280
	}
	if height < 1024 {
		height = 1024
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start Xvfb: %w", err)
	}
	defer r.Close()
	cmd := exec.Command(bin, "-displayfd", "3", "-nolisten", "tcp",
		"-screen", "0", fmt.Sprintf("%dx%dx24", width, height))
	cmd.ExtraFiles = []*os.File{w} // fd 3 in the child
	// Its own process group: a terminal's Ctrl-C goes to the foreground group, kramers', and
	// must reach kramers alone, which then finishes its frame or chunk on this server and
	// stops it (kill); in kramers' group the server died first and the X connection broke
	// (issue 21). Pdeathsig still ends it with the starting thread, even on SIGKILL.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	x := &xvfbProc{cmd: cmd, sigs: make(chan os.Signal, 1), stop: make(chan struct{})}
	// Install the handler before the process exists, so no window is left
	// where a signal would orphan it.
	if !callerHandlesSignals.Load() {
		signal.Notify(x.sigs, syscall.SIGINT, syscall.SIGTERM)
	}
	go x.watch()
	if err := cmd.Start(); err != nil {
		w.Close()
		x.kill()
		return nil, fmt.Errorf("start Xvfb: %w", err)
	}
	w.Close()

	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		ch <- result{line, err}
	}()
	select {
	case res := <-ch:
		n := strings.TrimSpace(res.line)
		if n == "" {
			x.kill()
			return nil, fmt.Errorf("Xvfb exited without reporting a display: %v %s", res.err, strings.TrimSpace(stderr.String()))
		}
		x.display = ":" + n
	case <-time.After(xvfbStartTimeout):
		x.kill()
		return nil, fmt.Errorf("Xvfb did not report a display within %v", xvfbStartTimeout)
	}
	return x, nil
}

// watch kills the server on SIGINT/SIGTERM and re-raises the signal with the
// default action restored for this handler, so the program still terminates.
func (x *xvfbProc) watch() {
	select {
	case sig := <-x.sigs:
		x.kill()
		if s, ok := sig.(syscall.Signal); ok {
			_ = syscall.Kill(os.Getpid(), s)
		}
	case <-x.stop:
	}
}

// kill stops the server, reaps it, and removes the signal handler. It is safe
// to call more than once.
func (x *xvfbProc) kill() {
	x.once.Do(func() {
		signal.Stop(x.sigs)
		close(x.stop)
		if x.cmd.Process != nil {
			_ = x.cmd.Process.Kill()
			_ = x.cmd.Wait()
		}
	})
}

func (x *xvfbProc) pid() int {
	if x == nil || x.cmd.Process == nil {
		return 0
	}
	return x.cmd.Process.Pid
}
