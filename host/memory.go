package host

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// HostCopies is how many copies of the ensemble (float64 positions and uint32 records) the host
// may hold at once: the CPU ensemble or the GPU's upload staging, a read-back, and an encoded
// checkpoint.
const HostCopies = 3

// CheckHostMemory refuses, before anything is allocated, count particles of p whose host copies
// (HostCopies, plus extraPerParticle bytes each: the CPU's epoch permutations) cannot fit in the
// memory this machine has available (/proc/meminfo MemAvailable); a Go allocation failure would
// otherwise end the program without a message. gpuNote is appended to the message (the GPU
// memory the same ensemble takes), or "".
//
// Counted: per particle the host copies of its parameters and record, its gradient (the CPU
// reference's step buffers; d float64) and extraPerParticle; once, the data's rows as float64
// (the landscape's copy). A network of d = 10⁴ takes 0.3 MB per particle.
func CheckHostMemory(p *Problem, count, extraPerParticle int, gpuNote string) error {
	perParticle := float64(ParticleBytes(p.Dim, 8))*HostCopies + float64(8*p.Dim) + float64(extraPerParticle)
	need := float64(count)*perParticle + float64(p.DataBytes(8))
	avail, ok := MemAvailable()
	if !ok || need <= float64(avail) {
		return nil
	}
	data := ""
	if p.Data != nil {
		data = fmt.Sprintf(" (with the gradients and the data, %s)", BytesText(float64(p.DataBytes(8))))
	}
	return inputErr("particles", "%d particles in %d dimensions need about %s of host memory%s%s but %s is available; lower --particles or split the run with --shard i/n over several jobs",
		count, p.Dim, BytesText(need), data, gpuNote, BytesText(float64(avail)))
}

// MemAvailable is /proc/meminfo's MemAvailable in bytes (ok false where it cannot be read).
func MemAvailable() (int64, bool) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			if f := strings.Fields(rest); len(f) >= 1 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb * 1024, true
				}
			}
		}
	}
	return 0, false
}

// BytesText writes a byte count in KiB, MiB or GiB.
func BytesText(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", b/(1<<10))
}
