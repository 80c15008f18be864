package cluster

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kramers-sim/kramers/host"
)

// Shard environment variables read by `--shard auto`.
const (
	EnvSlurmTaskID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmTaskMin   = "SLURM_ARRAY_TASK_MIN"
	EnvJobIndex       = "JOB_COMPLETION_INDEX" // Kubernetes Indexed Job
	EnvShards         = "KRAMERS_SHARDS"       // shard count for JOB_COMPLETION_INDEX
)

// ShardRange returns the particles [first, first+count) of shard i of n in an ensemble of
// particles: [⌊i·N/n⌋, ⌊(i+1)·N/n⌋). The shards of one ensemble tile it without gaps.
func ShardRange(particles, i, n int) (first, count int) {
	lo := int(int64(i) * int64(particles) / int64(n))
	hi := int(int64(i+1) * int64(particles) / int64(n))
	return lo, hi - lo
}

// ParseShard reads --shard: "i/n" (0 ≤ i < n), or "auto", which takes i and n from a Slurm job
// array (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a Kubernetes
// Indexed Job (JOB_COMPLETION_INDEX, with n from shards or $KRAMERS_SHARDS). shards > 0 (--shards)
// overrides the count from the environment. getenv is os.Getenv outside tests.
func ParseShard(spec string, shards int, getenv func(string) string) (i, n int, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "auto" {
		return autoShard(shards, getenv)
	}
	a, b, ok := strings.Cut(spec, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, inputErr("shard", "%q is not of the form i/n; write for example --shard 0/4 (the first of four shards) or --shard auto", spec)
	}
	if n < 1 || i < 0 || i >= n {
		return 0, 0, inputErr("shard", "%q needs 0 ≤ i < n; shards are numbered 0 to n−1, e.g. --shard 3/4", spec)
	}
	if shards > 0 && shards != n {
		return 0, 0, inputErr("shards", "%d disagrees with --shard %s; drop --shards or make them equal", shards, spec)
	}
	return i, n, nil
}

func autoShard(shards int, getenv func(string) string) (int, int, error) {
	envInt := func(name string) (int, bool, error) {
		s := strings.TrimSpace(getenv(name))
		if s == "" {
			return 0, false, nil
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			return 0, true, inputErr("shard", "auto: $%s=%q is not an integer; fix the environment or give --shard i/n", name, s)
		}
		return v, true, nil
	}
	var i, n int
	if id, ok, err := envInt(EnvSlurmTaskID); err != nil {
		return 0, 0, err
	} else if ok {
		lo, _, err := envInt(EnvSlurmTaskMin)
		if err != nil {
			return 0, 0, err
		}
		i = id - lo
		cnt, ok, err := envInt(EnvSlurmTaskCount)
		if err != nil {
			return 0, 0, err
		}
		if ok {
			n = cnt
		}
	} else if idx, ok, err := envInt(EnvJobIndex); err != nil {
		return 0, 0, err
	} else if ok {
		i = idx
		cnt, ok, err := envInt(EnvShards)
		if err != nil {
			return 0, 0, err
		}
		if ok {
			n = cnt
		}
	} else {
		return 0, 0, inputErr("shard", "auto found neither $%s nor $%s; run inside a Slurm array or an Indexed Job, or give --shard i/n", EnvSlurmTaskID, EnvJobIndex)
	}
	if shards > 0 {
		n = shards
	}
	if n < 1 {
		return 0, 0, inputErr("shards", "--shard auto does not know the number of shards; give --shards n or set $%s (or $%s under Slurm)", EnvShards, EnvSlurmTaskCount)
	}
	if i < 0 || i >= n {
		return 0, 0, inputErr("shard", "auto: shard index %d is outside 0…%d; make the array indices run from 0 (or set $%s) and the count match", i, n-1, EnvSlurmTaskMin)
	}
	return i, n, nil
}

func inputErr(flag, format string, args ...any) error {
	return &host.InputError{Flag: flag, Msg: fmt.Sprintf(format, args...)}
}
