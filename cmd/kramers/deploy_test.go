package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runScript runs a shell script with the binary and a small CPU configuration in its environment.
func runScript(t *testing.T, shell, script string, env ...string) {
	t.Helper()
	cmd := exec.Command(shell, "-c", script)
	cmd.Env = append(os.Environ(), append([]string{"KRAMERS=" + kramersBin(t)}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}

// TestSlurmArrayScript runs the Slurm array script as four array tasks (SLURM_ARRAY_TASK_ID set
// as Slurm would), once more for a requeued task, then the merge script, and compares the merged
// result with the unsharded run.
func TestSlurmArrayScript(t *testing.T) {
	dir := t.TempDir()
	repo, _ := filepath.Abs("../..")
	flags := "--landscape doublewell(k=1) --lr 0.05 --temp 0.3 --burn-in 5"
	env := []string{"OUT=" + dir, "BACKEND=cpu", "PARTICLES=2000", "STEPS=2000", "RUN_FLAGS=" + flags,
		"SLURM_ARRAY_TASK_COUNT=4", "SLURM_ARRAY_TASK_MIN=0"}
	array := filepath.Join(repo, "deploy/slurm/kramers-array.sbatch")
	for _, id := range []string{"0", "1", "2", "3", "2"} { // the second 2: a requeued task resumes
		runScript(t, "bash", "bash "+array, append(env, "SLURM_ARRAY_TASK_ID="+id)...)
	}
	runScript(t, "bash", "bash "+filepath.Join(repo, "deploy/slurm/kramers-merge.sbatch"), env...)
	mustRun(t, dir, nil, append(append([]string{"run"}, strings.Fields(flags)...), "--backend", "cpu", "--particles", "2000", "--steps", "2000",
		"--json", "full.json", "--quiet")...)
	a, b := readJSON(t, filepath.Join(dir, "full.json")), readJSON(t, filepath.Join(dir, "merged.json"))
	sameFields(t, "slurm merged vs unsharded", a, b, "escaped", "exposure_time", "rate", "rate_ci95", "histogram", "survival", "particles")
	t.Logf("slurm: escaped %v, rate %v", b["escaped"], b["rate"])
}

// TestKubernetesIndexedJob runs the shell of the Indexed Job manifest for each completion index
// and then the merge Job's shell.
func TestKubernetesIndexedJob(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../../deploy/k8s/kramers-indexed-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	scripts := blockScalars(string(data))
	if len(scripts) != 2 {
		t.Fatalf("found %d args scripts in the manifest, want 2 (shard and merge)", len(scripts))
	}
	env := []string{"OUT=" + dir, "BACKEND=cpu", "PARTICLES=400", "STEPS=300", "KRAMERS_SHARDS=4"}
	for _, i := range []string{"0", "1", "2", "3"} {
		runScript(t, "sh", scripts[0], append(env, "JOB_COMPLETION_INDEX="+i)...)
	}
	runScript(t, "sh", scripts[1], env...)
	m := readJSON(t, filepath.Join(dir, "merged.json"))
	if m["particles"] != 400.0 || m["partial"] != false {
		t.Errorf("merged: particles %v partial %v", m["particles"], m["partial"])
	}
	t.Logf("indexed job: escaped %v of %v", m["escaped"], m["particles"])
}

// blockScalars returns the `- |` block scalars under `args:` in a YAML file, dedented.
func blockScalars(yaml string) []string {
	var out []string
	lines := strings.Split(yaml, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "- |" || i == 0 || strings.TrimSpace(lines[i-1]) != "args:" {
			continue
		}
		indent := -1
		var b strings.Builder
		for i++; i < len(lines); i++ {
			l := lines[i]
			n := len(l) - len(strings.TrimLeft(l, " "))
			if strings.TrimSpace(l) != "" {
				if indent < 0 {
					indent = n
				}
				if n < indent {
					break
				}
			}
			if len(l) >= indent {
				b.WriteString(l[indent:])
			}
			b.WriteString("\n")
		}
		out = append(out, b.String())
		i--
	}
	return out
}
