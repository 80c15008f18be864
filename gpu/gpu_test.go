package gpu

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kramers-sim/kramers/host/rng"
	"github.com/kramers-sim/kramers/shaders"
)

// These tests need OpenGL 4.3. They run headless through EGL (plain
// `go test ./gpu/...` with DISPLAY unset, as on Mesa llvmpipe) or with a
// display (`xvfb-run -a go test ./gpu/...`). Without any GL they fail.

// newTestContext opens a context with the automatic platform order, failing
// the test with instructions when no GL is available.
func newTestContext(t *testing.T, opt Options) *Context {
	t.Helper()
	c, err := NewContext(opt)
	if err != nil {
		t.Fatalf("no OpenGL 4.3 context for the GPU tests (run under `xvfb-run -a`, or install libegl1-mesa / xvfb): %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	t.Logf("context: %s", c.Describe())
	return c
}

// unsetEnv unsets name for the duration of the test.
func unsetEnv(t *testing.T, name string) {
	t.Setenv(name, "")
	os.Unsetenv(name)
}

func TestContextRendererAndLimits(t *testing.T) {
	c := newTestContext(t, Options{})
	if c.Renderer() == "" || c.Version() == "" {
		t.Fatalf("empty GL_RENDERER %q or GL_VERSION %q", c.Renderer(), c.Version())
	}
	l := c.Limits()
	t.Logf("renderer %q, version %q, limits %+v", c.Renderer(), c.Version(), l)
	// Minimum values required by the OpenGL 4.3 core specification, table 23.75/23.70.
	if l.MaxShaderStorageBlockSize < 1<<24 {
		t.Errorf("GL_MAX_SHADER_STORAGE_BLOCK_SIZE = %d, below the 2^24 minimum", l.MaxShaderStorageBlockSize)
	}
	for i, n := range l.MaxComputeWorkGroupCount {
		if n < 65535 {
			t.Errorf("GL_MAX_COMPUTE_WORK_GROUP_COUNT[%d] = %d, below 65535", i, n)
		}
	}
	if l.MaxComputeWorkGroupInvocations < 1024 {
		t.Errorf("GL_MAX_COMPUTE_WORK_GROUP_INVOCATIONS = %d, below 1024", l.MaxComputeWorkGroupInvocations)
	}
}

// TestDoRunsOnOneThread calls Do from many goroutines, and nested, and checks
// every call ran on the same OS thread.
func TestDoRunsOnOneThread(t *testing.T) {
	c := newTestContext(t, Options{})
	var tid int
	if err := c.Do(func() error { tid = syscall.Gettid(); return nil }); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.Do(func() error {
				if got := syscall.Gettid(); got != tid {
					return fmt.Errorf("ran on thread %d, want %d", got, tid)
				}
				return c.Do(func() error { return nil }) // nested: must not deadlock
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if err := c.Do(func() error { panic("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panic in Do gave %v", err)
	}
}

// philoxRun is one block of counters for the philox test program.
type philoxRun struct {
	seed                uint64
	particle0, nPart    uint32
	iteration0, nBlocks uint32
	count               int
}

func (r philoxRun) counter(i int) [4]uint32 {
	u := uint32(i)
	rest := u / r.nPart
	return rng.Counter(r.particle0+u%r.nPart, r.iteration0+rest/r.nBlocks, rest%r.nBlocks)
}

const philoxLocalSize = 256

func compilePhilox(t *testing.T, c *Context) *Program {
	t.Helper()
	u, err := shaders.Assemble("philox_test.comp.glsl", map[string]string{"LOCAL_SIZE": strconv.Itoa(philoxLocalSize)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.CompileComputeUnit(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Delete() })
	return p
}

// runPhilox evaluates the counters of r on the GPU and returns words (4 per
// counter) and normals (4 per counter).
func runPhilox(t *testing.T, c *Context, p *Program, r philoxRun) ([]uint32, []float32) {
	t.Helper()
	wb, err := c.NewBuffer(16*r.count, StreamRead)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Delete()
	nb, err := c.NewBuffer(16*r.count, StreamRead)
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Delete()
	key := rng.Key(r.seed)
	for _, err := range []error{
		wb.BindBase(0), nb.BindBase(1),
		p.SetUvec2("uKey", key[0], key[1]),
		p.SetUint("uCount", uint32(r.count)),
		p.SetUint("uParticle0", r.particle0),
		p.SetUint("uNumParticles", r.nPart),
		p.SetUint("uNumBlocks", r.nBlocks),
		p.SetUint("uIteration0", r.iteration0),
		p.Dispatch(uint32((r.count+philoxLocalSize-1)/philoxLocalSize), 1, 1),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	words := make([]uint32, 4*r.count)
	normals := make([]float32, 4*r.count)
	if err := Download(wb, 0, words); err != nil {
		t.Fatal(err)
	}
	if err := Download(nb, 0, normals); err != nil {
		t.Fatal(err)
	}
	return words, normals
}

// TestPhiloxGPUMatchesGo compares 2^20 GPU Philox4x32-10 calls with host/rng
// bit for bit, and the GPU Box–Muller normals with rng.Normals.
func TestPhiloxGPUMatchesGo(t *testing.T) {
	c := newTestContext(t, Options{})
	p := compilePhilox(t, c)
	runs := []philoxRun{
		{seed: 0, particle0: 0, nPart: 1000, iteration0: 0, nBlocks: 3, count: 1 << 18},
		{seed: math.MaxUint64, particle0: 0xffffff00, nPart: 4096, iteration0: 0xfffffff0, nBlocks: 2, count: 1 << 18},
		{seed: 0x0123456789abcdef, particle0: 12345, nPart: 1 << 16, iteration0: 1 << 20, nBlocks: 1, count: 1 << 18},
		{seed: 0xa4093822299f31d0, particle0: 7, nPart: 77, iteration0: 1, nBlocks: 5, count: 1 << 18},
	}
	maxDiff, where := 0.0, ""
	for _, r := range runs {
		words, normals := runPhilox(t, c, p, r)
		bad := 0
		for i := 0; i < r.count; i++ {
			ctr := r.counter(i)
			want := rng.Philox4x32(ctr, rng.Key(r.seed))
			got := [4]uint32{words[4*i], words[4*i+1], words[4*i+2], words[4*i+3]}
			if got != want {
				if bad++; bad <= 5 {
					t.Errorf("seed %#x counter %08x: GPU %08x, Go %08x", r.seed, ctr, got, want)
				}
				continue
			}
			z := rng.Normals(want)
			for k := 0; k < 4; k++ {
				if d := math.Abs(float64(normals[4*i+k]) - z[k]); d > maxDiff || math.IsNaN(d) {
					maxDiff = d
					where = fmt.Sprintf("words %08x normal %d: GPU %.9g, Go %.9g", want, k, normals[4*i+k], z[k])
				}
			}
		}
		if bad > 0 {
			t.Errorf("seed %#x: %d of %d GPU Philox results differ from Go", r.seed, bad, r.count)
		}
	}
	t.Logf("max |GPU normal − Go normal| over %d normals = %.3g (%s)", 4<<20, maxDiff, where)
	if !(maxDiff <= 1e-6) {
		t.Errorf("max |GPU normal − Go normal| = %.3g > 1e-6 at %s", maxDiff, where)
	}
}

// TestGPUNormalsStatistics checks moments and tail counts of 2^26 GPU normals
// (2^24 counters in four dispatches, seed 2026), and that the first dispatch's
// normals match Go's for the same counters (within 1e-6, equal tail counts).
//
// Tolerances: each sample moment within 5 standard errors of its exact value,
// SE = sqrt(Var/N) with Var(z)=1, Var(z²)=2, Var(z³)=15, Var(z⁴)=96; the count
// beyond kσ (k = 4, 5) within 5·sqrt(Np(1−p)) + 1 of Np, p = erfc(k/√2).
func TestGPUNormalsStatistics(t *testing.T) {
	c := newTestContext(t, Options{})
	p := compilePhilox(t, c)
	const chunks, perChunk = 4, 1 << 22
	run := func(k int) philoxRun {
		return philoxRun{seed: 2026, particle0: 0, nPart: 1 << 16, iteration0: uint32(k) << 10, nBlocks: 2, count: perChunk}
	}
	var first []float32
	checkNormalSample(t, "GPU", func(yield func(float64)) {
		for k := 0; k < chunks; k++ {
			_, normals := runPhilox(t, c, p, run(k))
			for _, z := range normals {
				yield(float64(z))
			}
			if k == 0 {
				first = normals
			}
		}
	}, 4*chunks*perChunk)
	// The same counters in Go: identical tail counts, and the largest deviation.
	goNormals := make([]float32, 0, 4*perChunk)
	r := run(0)
	maxDiff, where := 0.0, ""
	for i := 0; i < r.count; i++ {
		w := rng.Philox4x32(r.counter(i), rng.Key(r.seed))
		for k, x := range rng.Normals(w) {
			goNormals = append(goNormals, float32(x))
			if d := math.Abs(float64(first[4*i+k]) - x); !(d <= maxDiff) {
				maxDiff = d
				where = fmt.Sprintf("words %08x normal %d: GPU %.9g, Go %.9g", w, k, first[4*i+k], x)
			}
		}
	}
	t.Logf("max |GPU normal − Go normal| over the first %d normals = %.3g (%s)", len(first), maxDiff, where)
	if !(maxDiff <= 1e-6) {
		t.Errorf("max |GPU normal − Go normal| = %.3g > 1e-6", maxDiff)
	}
	gpuTail, goTail := countTails(first), countTails(goNormals)
	if gpuTail != goTail {
		t.Errorf("tail counts beyond 4σ, 5σ of the first %d normals: GPU %v, Go %v for the same counters", len(first), gpuTail, goTail)
	} else {
		t.Logf("first %d normals: tail counts beyond 4σ, 5σ equal on GPU and in Go: %v", len(first), goTail)
	}
}

func countTails(z []float32) (tails [2]int) {
	for _, x := range z {
		if a := math.Abs(float64(x)); a > 4 {
			tails[0]++
			if a > 5 {
				tails[1]++
			}
		}
	}
	return tails
}

func checkNormalSample(t *testing.T, who string, each func(func(float64)), count int) {
	t.Helper()
	n := float64(count)
	var m [5]float64
	var tails [2]int
	each(func(x float64) {
		x2 := x * x
		m[1] += x
		m[2] += x2
		m[3] += x2 * x
		m[4] += x2 * x2
		if a := math.Abs(x); a > 4 {
			tails[0]++
			if a > 5 {
				tails[1]++
			}
		}
	})
	want := [5]float64{0, 0, 1, 0, 3}
	variance := [5]float64{0, 1, 2, 15, 96}
	for k := 1; k <= 4; k++ {
		got, se := m[k]/n, math.Sqrt(variance[k]/n)
		if math.Abs(got-want[k]) > 5*se {
			t.Errorf("%s E[z^%d] = %.6f, want %.0f ± %.2g (5 SE)", who, k, got, want[k], 5*se)
		} else {
			t.Logf("%s E[z^%d] = %+.6f (exact %.0f, SE %.1e)", who, k, got, want[k], se)
		}
	}
	for i, k := range []float64{4, 5} {
		pr := math.Erfc(k / math.Sqrt2)
		mu, tol := n*pr, 5*math.Sqrt(n*pr*(1-pr))+1
		if math.Abs(float64(tails[i])-mu) > tol {
			t.Errorf("%s count |z| > %gσ = %d, want %.1f ± %.1f", who, k, tails[i], mu, tol)
		} else {
			t.Logf("%s count |z| > %gσ = %d (expected %.1f ± %.1f)", who, k, tails[i], mu, tol)
		}
	}
}

// TestCompileErrorNamesLine plants an error in a virtual include and checks the
// message names the assembled line, its text and its origin.
func TestCompileErrorNamesLine(t *testing.T) {
	c := newTestContext(t, Options{})
	extra := map[string]string{
		"main.comp.glsl": "#version 430\nlayout(local_size_x = 1) in;\n#include \"philox.glsl\"\n#include \"broken.glsl\"\nvoid main() { broken(); }\n",
		"broken.glsl":    "// a generated landscape\nfloat broken() {\n    return undefined_symbol_xyz * 2.0;\n}\n",
	}
	u, err := shaders.Assemble("main.comp.glsl", nil, extra)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompileComputeUnit(u)
	if err == nil {
		t.Fatal("broken shader compiled")
	}
	msg := err.Error()
	t.Logf("compile error:\n%s", msg)
	line := 0
	for i, o := range u.Lines {
		if o.File == "broken.glsl" && o.Line == 3 {
			line = i + 1
		}
	}
	for _, want := range []string{fmt.Sprintf("line %d (broken.glsl:3)", line), "undefined_symbol_xyz * 2.0"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not contain %q", want)
		}
	}
	_, err = c.CompileCompute("#version 430\nlayout(local_size_x = 1) in;\nvoid main() {\n  int x = 1\n}\n")
	if err == nil || !(strings.Contains(err.Error(), "line 4: int x = 1") || strings.Contains(err.Error(), "line 5: }")) {
		t.Errorf("plain source error does not quote the line: %v", err)
	}
}

// smokeCompute runs 1024 Philox calls on c and compares them with Go.
func smokeCompute(t *testing.T, c *Context) {
	t.Helper()
	p := compilePhilox(t, c)
	r := philoxRun{seed: 99, nPart: 1024, nBlocks: 1, count: 1024}
	words, _ := runPhilox(t, c, p, r)
	for i := 0; i < r.count; i++ {
		want := rng.Philox4x32(r.counter(i), rng.Key(r.seed))
		if [4]uint32(words[4*i:4*i+4]) != want {
			t.Fatalf("counter %d: GPU %08x, Go %08x", i, words[4*i:4*i+4], want)
		}
	}
}

// TestEGLHeadless: with DISPLAY unset the automatic order picks EGL and starts
// no Xvfb.
func TestEGLHeadless(t *testing.T) {
	unsetEnv(t, "DISPLAY")
	unsetEnv(t, envGL)
	c := newTestContext(t, Options{})
	if c.Platform() != EGL {
		t.Errorf("platform %q with DISPLAY unset, want egl (%s)", c.Platform(), c.Describe())
	}
	if pid := c.XvfbPID(); pid != 0 {
		t.Errorf("EGL context started Xvfb pid %d", pid)
	}
	smokeCompute(t, c)
}

// TestXvfbFallback forces the private-Xvfb path and checks the server is gone
// after Close.
func TestXvfbFallback(t *testing.T) {
	unsetEnv(t, "DISPLAY")
	t.Setenv(envGL, "xvfb")
	c, err := NewContext(Options{})
	if err != nil {
		t.Fatalf("private Xvfb context: %v", err)
	}
	t.Logf("context: %s", c.Describe())
	pid := c.XvfbPID()
	if c.Platform() != Xvfb || pid <= 0 {
		t.Errorf("platform %q, Xvfb pid %d; want xvfb with a pid", c.Platform(), pid)
	}
	if os.Getenv("DISPLAY") != "" {
		t.Errorf("DISPLAY=%q leaked into the environment", os.Getenv("DISPLAY"))
	}
	if !pgrepHas(t, pid) {
		t.Errorf("pgrep does not list Xvfb pid %d while the context is open", pid)
	}
	smokeCompute(t, c)
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if pgrepHas(t, pid) {
		t.Errorf("Xvfb pid %d still running after Close", pid)
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("kill(%d, 0) after Close = %v, want ESRCH", pid, err)
	}
	if err := c.Do(func() error { return nil }); err != ErrClosed {
		t.Errorf("Do after Close = %v, want ErrClosed", err)
	}
}

// pgrepHas reports whether `pgrep -x Xvfb` lists pid.
func pgrepHas(t *testing.T, pid int) bool {
	t.Helper()
	out, err := exec.Command("pgrep", "-x", "Xvfb").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return false // no Xvfb at all
		}
		t.Fatalf("pgrep: %v", err)
	}
	for _, f := range strings.Fields(string(out)) {
		if f == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

// TestForcedGLFWWithoutDisplay must fail with a clear error, not a panic.
func TestForcedGLFWWithoutDisplay(t *testing.T) {
	unsetEnv(t, "DISPLAY")
	t.Setenv(envGL, "glfw")
	c, err := NewContext(Options{})
	if err == nil {
		c.Close()
		t.Fatal("glfw context without DISPLAY succeeded")
	}
	if !strings.Contains(err.Error(), "DISPLAY") {
		t.Errorf("error does not mention DISPLAY: %v", err)
	}
	if _, err := NewContext(Options{Platform: "vulkan"}); err == nil {
		t.Error("unknown platform accepted")
	}
	t.Setenv("PATH", t.TempDir()) // no Xvfb on PATH
	_, err = NewContext(Options{Platform: Xvfb})
	if err == nil || !strings.Contains(err.Error(), "apt-get install xvfb") {
		t.Errorf("missing Xvfb error = %v, want one naming the package", err)
	}
	_, err = NewContext(Options{Platform: EGL, Visible: true})
	if err == nil || !strings.Contains(err.Error(), "display") {
		t.Errorf("visible EGL error = %v", err)
	}
}

const helperEnv = "KRAMERS_TEST_XVFB_HELPER"

// TestHelperXvfbProcess is not a test on its own: run by TestXvfbKilledWithProcess
// as a child process (with $KRAMERS_TEST_XVFB_HELPER=1), it opens a private-Xvfb
// context, prints the server's pid and waits to be killed. Otherwise it
// returns at once.
func TestHelperXvfbProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	os.Unsetenv("DISPLAY")
	c, err := NewContext(Options{Platform: Xvfb})
	if err != nil {
		fmt.Printf("ERROR %v\n", err)
		os.Exit(3)
	}
	fmt.Printf("XVFBPID %d\n", c.XvfbPID())
	os.Stdout.Sync()
	time.Sleep(time.Minute)
	os.Exit(4)
}

// TestXvfbKilledWithProcess kills a process holding a private-Xvfb context with
// SIGTERM (handled: the handler kills Xvfb and re-raises), SIGINT, and SIGKILL
// (not catchable: Pdeathsig makes the kernel kill Xvfb), and checks that no
// Xvfb is left each time.
func TestXvfbKilledWithProcess(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGKILL} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperXvfbProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"=1")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		pid := 0
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "XVFBPID ") {
				pid, _ = strconv.Atoi(strings.TrimPrefix(line, "XVFBPID "))
				break
			}
			if strings.HasPrefix(line, "ERROR ") {
				break
			}
		}
		if pid <= 0 {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper did not report an Xvfb pid")
		}
		if !processAlive(pid) {
			t.Errorf("%v: Xvfb %d not running before the signal", sig, pid)
		}
		cmd.Process.Signal(sig)
		go io.Copy(io.Discard, out)
		werr := cmd.Wait()
		deadline := time.Now().Add(5 * time.Second)
		for processAlive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if processAlive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("%v: Xvfb %d survived its parent (parent: %v)", sig, pid, werr)
		} else {
			t.Logf("%v: parent ended (%v), Xvfb %d gone", sig, werr, pid)
		}
	}
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
