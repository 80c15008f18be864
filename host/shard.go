package host

import "fmt"

// ShardRange returns the particles [first, first+count) of shard i of n in an ensemble of
// particles: [⌊i·N/n⌋, ⌊(i+1)·N/n⌋). The shards of one ensemble tile it without gaps.
func ShardRange(particles, i, n int) (first, count int) {
	lo := int(int64(i) * int64(particles) / int64(n))
	hi := int(int64(i+1) * int64(particles) / int64(n))
	return lo, hi - lo
}

// ApplyShard sets cfg.First and cfg.Count to shard i of n of cfg.Particles. It stays in the
// domain beside ShardRange and Merge: which particles a shard is decides which global Philox
// indices it draws and how Merge tiles the ensemble; where i and n come from (a flag, a Slurm
// array, a Kubernetes Indexed Job) is host/cluster's.
func ApplyShard(cfg *Config, i, n int) error {
	if n > cfg.Particles {
		return inputErr("shard", "%d shards of %d particles would leave shards empty; use at most %d shards or more --particles", n, cfg.Particles, cfg.Particles)
	}
	cfg.First, cfg.Count = ShardRange(cfg.Particles, i, n)
	if n == 1 {
		cfg.First, cfg.Count = 0, 0
	}
	return nil
}

// ShardLabel describes the particle range of cfg, e.g. "particles [250, 500) of 1000".
func ShardLabel(cfg Config) string {
	first, count := cfg.Span()
	return fmt.Sprintf("particles [%d, %d) of %d", first, first+count, cfg.Particles)
}
