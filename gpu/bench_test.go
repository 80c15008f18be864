package gpu_test

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStepDoubleWell times Advance on case 1 of kramers bench (doublewell, sgld, f32).
// It reports particle-steps per wall second and per CPU second (the latter is steadier on a
// loaded machine: llvmpipe's threads live in this process).
func BenchmarkStepDoubleWell(b *testing.B) {
	n := 1 << 18
	if s := os.Getenv("KRAMERS_BENCH_PARTICLES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	cfg := host.DefaultConfig()
	cfg.Landscape, cfg.Noise, cfg.LR, cfg.Temp = "doublewell(k=1)", host.SGLD, 0.01, 0.1
	cfg.Particles, cfg.Steps = n, 1<<20
	p, err := host.Prepare(cfg)
	if err != nil {
		b.Fatal(err)
	}
	be, err := gpu.NewBackend(false)
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	if err := be.Load(p, 0, n); err != nil {
		b.Fatal(err)
	}
	const steps = 200
	if _, err := be.Advance(0, 10); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	c0, t0 := cpuTime(), time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := be.Advance(10+i*steps, steps); err != nil {
			b.Fatal(err)
		}
	}
	wall, cpu := time.Since(t0), cpuTime()-c0
	ps := float64(n) * steps * float64(b.N)
	b.ReportMetric(ps/wall.Seconds(), "psteps/s")
	b.ReportMetric(ps/cpu.Seconds(), "psteps/cpu-s")
}
