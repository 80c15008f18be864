package gpu_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Without X: the built binary, run with DISPLAY unset and a PATH that holds only the Go
// toolchain and an empty directory (so no Xvfb can be started), must reach a GL context by
// headless EGL, finish a run, and start no Xvfb child (checked in /proc while it runs).
func TestHeadlessRunWithoutX(t *testing.T) {
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "kramers")
	build := exec.Command("go", "build", "-o", bin, "github.com/kramers-sim/kramers/cmd/kramers")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build kramers: %v\n%s", err, out)
	}
	empty := filepath.Join(tmp, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DISPLAY", "WAYLAND_DISPLAY", "KRAMERS_GL", "PATH", "XAUTHORITY":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PATH="+filepath.Join(runtime.GOROOT(), "bin")+string(os.PathListSeparator)+empty)
	cmd := exec.Command(bin, "run", "--landscape", "doublewell(k=1)", "--noise", "sgld", "--lr", "0.01",
		"--temp", "0.1", "--particles", "4096", "--steps", "2000", "--json", "-")
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	xvfb := ""
	var err error
poll:
	for {
		select {
		case err = <-done:
			break poll
		case <-time.After(20 * time.Millisecond):
			if name := xvfbChild(cmd.Process.Pid); name != "" {
				xvfb = name
			}
		}
	}
	if err != nil {
		t.Fatalf("kramers run without X failed: %v\n%s", err, stderr.String())
	}
	if xvfb != "" {
		t.Fatalf("kramers started %s although DISPLAY was unset (EGL should have served)", xvfb)
	}
	var res struct {
		Renderer string `json:"renderer"`
		Backend  string `json:"backend"`
	}
	if err := json.Unmarshal([]byte(stdout.String()), &res); err != nil {
		t.Fatalf("decode the --json - output: %v\n%s", err, stdout.String())
	}
	if res.Backend != "gpu" || res.Renderer == "" {
		t.Fatalf("want a GPU result with a renderer, got backend %q renderer %q", res.Backend, res.Renderer)
	}
	t.Logf("headless renderer: %s", res.Renderer)
}

// xvfbChild returns "Xvfb (pid N)" when a child of pid runs Xvfb, else "".
func xvfbChild(pid int) string {
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		child, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		lp, rp := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if lp < 0 || rp < lp {
			continue
		}
		f := strings.Fields(s[rp+1:])
		if len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue
		}
		if comm := s[lp+1 : rp]; strings.HasPrefix(comm, "Xvfb") {
			return "Xvfb (pid " + strconv.Itoa(child) + ")"
		}
	}
	return ""
}
