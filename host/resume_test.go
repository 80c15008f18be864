package host

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestResolveRun is the resume, shard and method policy of `kramers run` as a table: what each
// request runs, or the flag its refusal names.
func TestResolveRun(t *testing.T) {
	base := DefaultConfig()
	base.Landscape, base.Particles, base.Steps = "doublewell(k=1)", 1000, 100
	written := base
	if err := written.Validate(); err != nil {
		t.Fatal(err)
	}
	ck := &Checkpoint{CheckpointHeader: CheckpointHeader{Version: Version, Config: written, ConfigHash: written.Hash(), Iteration: 50, Count: 1000}}
	otherLR := base
	otherLR.LR = base.LR / 2
	longer := DefaultConfig() // only --steps given: the rest of the flags' configuration is ignored
	longer.Steps = 300
	cpu := DefaultConfig()
	cpu.Backend, cpu.Theory = CPU, "none"
	ffsState := &written // the configuration of a forward-flux-sampling state
	given := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		req     RunRequest
		check   func(RunPlan) bool
		errFlag string // the flag a refusal names ("" when it runs)
	}{
		{"fresh", RunRequest{Config: base, Given: given("landscape"), Method: "brute"},
			func(p RunPlan) bool { return p.Config.Steps == 100 && p.Resume == nil && p.Method.Name == "brute" }, ""},
		{"unknown method", RunRequest{Config: base, Method: "walk"}, nil, "method"},
		{"negative --every", RunRequest{Config: base, Method: "brute", Every: -time.Second}, nil, "every"},
		{"--every without a file", RunRequest{Config: base, Method: "brute", Every: time.Second}, nil, "every"},
		{"shard 1/4", RunRequest{Config: base, Method: "brute", Given: given("shard"), ShardIndex: 1, ShardCount: 4},
			func(p RunPlan) bool { return p.Config.First == 250 && p.Config.Count == 250 }, ""},
		{"more shards than particles", RunRequest{Config: base, Method: "brute", Given: given("shard"), ShardIndex: 0, ShardCount: 2000}, nil, "shard"},
		{"ffs with shards", RunRequest{Config: base, Method: "ffs", Given: given("shard"), ShardIndex: 0, ShardCount: 2}, nil, "method"},
		{"--order under brute", RunRequest{Config: base, Method: "brute", Given: given("order")}, nil, "order"},
		{"--extrapolate with --checkpoint", RunRequest{Config: base, Method: "brute", Extrapolate: true, Given: given("checkpoint"), Checkpoint: "c"}, nil, "extrapolate"},
		{"invalid configuration", RunRequest{Config: Config{}, Method: "brute"}, nil, "landscape"},
		{"resume, only --steps", RunRequest{Config: longer, Method: "brute", Given: given("resume", "steps"), Resume: ck, ResumePath: "r.ckpt"},
			func(p RunPlan) bool {
				return p.Config.Steps == 300 && p.Config.Landscape == base.Landscape && p.Checkpoint == "r.ckpt" && p.Resume == ck
			}, ""},
		{"resume, new execution", RunRequest{Config: cpu, Method: "brute", Given: given("resume", "backend", "theory"), Resume: ck, ResumePath: "r.ckpt", Checkpoint: "new.ckpt"},
			func(p RunPlan) bool {
				return p.Config.Backend == CPU && p.Config.Theory == "none" && p.Checkpoint == "new.ckpt"
			}, ""},
		{"resume, model restated", RunRequest{Config: base, Method: "brute", Given: given("resume", "landscape", "particles", "steps"), Resume: ck, ResumePath: "r.ckpt"},
			func(p RunPlan) bool { return p.Config.Steps == 100 }, ""},
		{"resume, another model", RunRequest{Config: otherLR, Method: "brute", Given: given("resume", "lr"), Resume: ck, ResumePath: "r.ckpt"}, nil, "resume"},
		{"resume, fewer steps than done", RunRequest{Config: func() Config { c := base; c.Steps = 10; return c }(), Method: "brute", Given: given("resume", "steps"), Resume: ck, ResumePath: "r.ckpt"}, nil, "steps"},
		{"ffs resume", RunRequest{Config: cpu, Method: "brute", Given: given("resume", "backend"), ResumeFFS: ffsState, ResumePath: "s.json"},
			func(p RunPlan) bool {
				return p.Method.Name == "ffs" && p.Config.Backend == CPU && p.Config.Theory == written.Theory && p.Checkpoint == "s.json" && p.Resume == nil
			}, ""},
		{"ffs resume, a model flag", RunRequest{Config: base, Given: given("resume", "lr", "backend"), ResumeFFS: ffsState, ResumePath: "s.json"}, nil, "lr"},
	} {
		plan, err := ResolveRun(tc.req)
		var ie *InputError
		switch {
		case tc.errFlag != "":
			if !errors.As(err, &ie) || ie.Flag != tc.errFlag {
				t.Errorf("%s: error %v, want an input error naming --%s", tc.name, err, tc.errFlag)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.check(plan):
			t.Errorf("%s: plan %+v", tc.name, plan)
		}
	}
}

// TestResolveRunMessages keeps the wording of two refusals users meet (docs/architecture.md, the
// CLI contract: each names the fix).
func TestResolveRunMessages(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape = "doublewell"
	_, err := ResolveRun(RunRequest{Config: cfg, Method: "brute", Every: time.Second})
	if err == nil || !strings.Contains(err.Error(), "add --checkpoint run.ckpt") {
		t.Errorf("--every without --checkpoint: %v", err)
	}
	_, err = ResolveRun(RunRequest{Config: cfg, Method: "brute", Extrapolate: true, Given: map[string]bool{"shard": true}, ShardCount: 2})
	if err == nil || !strings.Contains(err.Error(), "cannot be combined with --shard") {
		t.Errorf("--extrapolate with --shard: %v", err)
	}
}
