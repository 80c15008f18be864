package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestParseRunRequest parses `kramers run` arguments in-process, as a table, and resolves them
// with host.ResolveRun: what each runs, or the flag its refusal names. The built binary's tests
// (badinput_test.go, checkpoint_cli_test.go) check the messages and exit codes end to end.
func TestParseRunRequest(t *testing.T) {
	dir := t.TempDir()
	noEnv := func(string) string { return "" }
	slurm := func(k string) string {
		return map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"}[k]
	}
	dw := []string{"--landscape", "doublewell(k=1)", "--particles", "1000", "--steps", "100"}
	for _, tc := range []struct {
		name    string
		args    []string
		getenv  func(string) string
		check   func(runRequest, host.RunPlan) bool
		errFlag string // the flag a refusal names; "-" for a usage error without one
	}{
		{"defaults", dw, noEnv, func(r runRequest, p host.RunPlan) bool {
			return p.Method.Name == "brute" && p.Config.Steps == 100 && p.Config.Particles == 1000 && r.jsonOut == "" && !r.quiet
		}, ""},
		{"outputs", append(slices.Clone(dw), "--json", "-", "--quiet", "--hazard-plot", filepath.Join(dir, "h.png")), noEnv,
			func(r runRequest, p host.RunPlan) bool {
				return r.jsonOut == "-" && r.quiet && r.hazardPlot == filepath.Join(dir, "h.png")
			}, ""},
		{"noise by synonym and case", append(slices.Clone(dw), "--noise", "SGLD", "--temp", "0.1"), noEnv,
			func(r runRequest, p host.RunPlan) bool { return p.Config.Noise == host.SGLD && p.Config.Temp == 0.1 }, ""},
		{"shard i/n", append(slices.Clone(dw), "--shard", "2/4"), noEnv,
			func(r runRequest, p host.RunPlan) bool { return p.Config.First == 500 && p.Config.Count == 250 }, ""},
		{"shard auto from Slurm", append(slices.Clone(dw), "--shard", "auto"), slurm,
			func(r runRequest, p host.RunPlan) bool { return p.Config.First == 750 && p.Config.Count == 250 }, ""},
		{"shard auto without a job", append(slices.Clone(dw), "--shard", "auto"), noEnv, nil, "shard"},
		{"--shards without --shard", append(slices.Clone(dw), "--shards", "4"), noEnv, nil, "shards"},
		{"--shards 0", append(slices.Clone(dw), "--shard", "auto", "--shards", "0"), slurm, nil, "shards"},
		{"ffs interfaces", append(slices.Clone(dw), "--method", "ffs", "--interfaces", "-0.5, -0.2,0", "--target-error", "0.2"), noEnv,
			func(r runRequest, p host.RunPlan) bool {
				return p.Method.Name == "ffs" && slices.Equal(r.ffs.Interfaces, []float64{-0.5, -0.2, 0}) && r.ffs.TargetError == 0.2
			}, ""},
		{"interfaces not numbers", append(slices.Clone(dw), "--method", "ffs", "--interfaces", "a,b"), noEnv, nil, "interfaces"},
		{"interfaces under brute", append(slices.Clone(dw), "--interfaces", "0,1"), noEnv, nil, "interfaces"},
		{"ffs with --burn-in", append(slices.Clone(dw), "--method", "ffs", "--burn-in", "0.5"), noEnv, nil, "method"},
		{"unknown method", append(slices.Clone(dw), "--method", "metropolis"), noEnv, nil, "method"},
		{"--every without a file", append(slices.Clone(dw), "--every", "30s"), noEnv, nil, "every"},
		{"--extrapolate with --every", append(slices.Clone(dw), "--extrapolate", "--checkpoint", filepath.Join(dir, "c"), "--every", "1s"), noEnv, nil, "extrapolate"},
		{"--batch under sgld", append(slices.Clone(dw), "--noise", "sgld", "--batch", "0.1"), noEnv, nil, "-"},
		{"hazard plot into a missing directory", append(slices.Clone(dw), "--hazard-plot", filepath.Join(dir, "no", "h.png")), noEnv, nil, "hazard-plot"},
		{"resume a missing file", append(slices.Clone(dw), "--resume", filepath.Join(dir, "none.ckpt")), noEnv, nil, "resume"},
		{"a repeated flag", append(slices.Clone(dw), "--lr", "0.1", "--lr", "0.2"), noEnv, nil, "-"},
	} {
		req, err := parseRun(tc.args, tc.getenv)
		var plan host.RunPlan
		if err == nil {
			plan, err = host.ResolveRun(req.RunRequest)
		}
		var ie *host.InputError
		var ue usageError
		switch {
		case tc.errFlag == "-":
			if !errors.As(err, &ue) {
				t.Errorf("%s: error %v, want a usage error", tc.name, err)
			}
		case tc.errFlag != "":
			if !errors.As(err, &ie) || ie.Flag != tc.errFlag {
				t.Errorf("%s: error %v, want an input error naming --%s", tc.name, err, tc.errFlag)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.check(req, plan):
			t.Errorf("%s: request %+v, plan %+v", tc.name, req, plan)
		}
	}
}

// TestRunExtrapolateInProcess runs `kramers run --extrapolate` in-process on the CPU reference:
// the runs at η/2 and η/4 (host.ExtrapolateRun) keep B/η, double the steps each time, and their
// estimates and the fit land in the JSON. The sizes are small; the fit's accuracy is
// host/extrapolate_test.go's.
func TestRunExtrapolateInProcess(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.json")
	args := []string{"run", "--landscape", "doublewell(k=1)", "--backend", "cpu", "--noise", "sgld", "--temp", "0.25", "--lr", "0.04",
		"--particles", "2000", "--steps", "400", "--extrapolate", "--json", out, "--quiet", "--theory", "none"}
	old := stdout
	stdout = &discard{}
	defer func() { stdout = old }()
	if code := mainCode(args); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Extrapolation struct {
			LR        []float64 `json:"lr"`
			Estimates []struct {
				Particles int `json:"particles"`
			} `json:"finer_estimates"`
		} `json:"extrapolation"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	x := res.Extrapolation
	if !slices.Equal(x.LR, []float64{0.04, 0.02, 0.01}) || len(x.Estimates) != 2 || x.Estimates[1].Particles != 2000 {
		t.Errorf("extrapolation lr %v, %d finer estimates %+v", x.LR, len(x.Estimates), x.Estimates)
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }
