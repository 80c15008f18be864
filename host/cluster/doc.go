// Package cluster reads job environments: which shard of an ensemble this process is. ParseShard
// reads --shard, either "i/n" or "auto", which takes i and n from a Slurm job array
// (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job
// (JOB_COMPLETION_INDEX with KRAMERS_SHARDS). What a shard is — its particle range
// (host.ShardRange, host.ApplyShard) and how shards merge (host.Merge) — is the domain's. The
// deployment files are in deploy/. It imports host and the standard library only.
package cluster
