package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badInputs is the table of docs/guide.md "## Bad input and what it says": each row runs the binary
// and must exit with status 2 and print exactly this one line on stderr.
var badInputs = []struct {
	args []string
	want string
}{
	{[]string{"run", "--backend", "cpu"}, "kramers: --landscape: missing; name a catalogue landscape such as 'doublewell(k=1)' or type an expression in x"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--lr", "-0.1"}, "kramers: --lr: the learning rate η must be a positive finite number, got -0.1; give for example --lr 0.01"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--lr", "0"}, "kramers: --lr: the learning rate η must be a positive finite number, got 0; give for example --lr 0.01"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--lr", "abc"}, "kramers: --lr: \"abc\" is not valid (not understood); give a number such as 0.01"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "sgd-hessian", "--batch", "0"}, "kramers: --batch: the batch size B must be a positive finite number for sgd-hessian, got 0; give for example --batch 1"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "sgd-hessian", "--batch", "-4"}, "kramers: --batch: the batch size B must be a positive finite number for sgd-hessian, got -4; give for example --batch 1"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--temp", "0"}, "kramers: --temp: the temperature T must be a positive finite number for sgld, got 0; give for example --temp 0.1"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--temp", "-1"}, "kramers: --temp: the temperature T must be a positive finite number for sgld, got -1; give for example --temp 0.1"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "adam"}, "kramers: --noise: unknown noise model \"adam\" (the models: sgld, sgd-hessian, sgd-hessian-min, sgd-loss; with --data also minibatch, sgd-cov)"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--particles", "0"}, "kramers: --particles: need at least one particle, got 0; give for example --particles 65536"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--steps", "0"}, "kramers: --steps: need at least one step, got 0; give for example --steps 1000"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--steps", "1073741823"}, "kramers: --steps: at most 1073741822 steps per run (first-passage records hold 30-bit steps); give a smaller --steps"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--steps", "1e20"}, "kramers: --steps: \"1e20\" is out of range: at most 1073741822 steps per run; give a smaller count"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--particles", "-1e30"}, "kramers: --particles: \"-1e30\" is out of range: a count is not negative; give at most 2147483647 particles per ensemble"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--backend", "tpu"}, "kramers: --backend: unknown backend \"tpu\"; use gpu or cpu"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--precision", "f16"}, "kramers: --precision: unknown precision \"f16\"; use f32 or f64"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "sgd-hessian", "--floor", "-1"}, "kramers: --floor: the isotropic floor ε must be ≥ 0, got -1; give 0 (none) or a small positive number such as 0.001"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--margin", "-1"}, "kramers: --margin: the escape margin must be ≥ 0, got -1; give 0 (automatic) or a positive distance"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--chunk", "-1"}, "kramers: --chunk: iterations per chunk must be ≥ 0, got -1; give 0 (adaptive) or a positive count such as 100"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--bound", "-1"}, "kramers: --bound: the divergence box half-width must be ≥ 0, got -1; give 0 (automatic) or a positive distance"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--start", "1,2"}, "kramers: --start: has 2 coordinates but the landscape is 1-dimensional; give 1 comma-separated numbers, or one for every coordinate"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--start", "1,x"}, "kramers: --start: coordinate 2 (\"x\") is not a finite number; write comma-separated numbers such as -1,0.5"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--dim", "3"}, "kramers: --dim: doublewell(k=1) is 1-dimensional but --dim 3 was given; drop --dim or give --dim 1"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--dim", "-1"}, "kramers: --dim: must lie in 0…128 (0: from the landscape), got -1; drop --dim or give the landscape's dimension"},
	{[]string{"run", "--landscape", "sum(xi^2 in xi)", "--dim", "200", "--start", "1"}, "kramers: --dim: must lie in 0…128 (0: from the landscape), got 200; drop --dim or give the landscape's dimension"},
	{[]string{"run", "--landscape", "(x^2-1)^2+(y^2-1)^2", "--start", "1,1,1"}, "kramers: --start: has 3 coordinates but the landscape is 2-dimensional; give 2 comma-separated numbers, or one for every coordinate"},
	{[]string{"run", "--landscape", "-exp(-x^2)", "--start", "0.1"}, "kramers: --escape: no barrier encloses the basin of the minimum [0]: the search for a saddle ended at [27.2971284039538], where the loss is flat (0 negative Hessian eigenvalues, not 1); give --escape with the region that counts as escaped, such as 'radius(1)' (both sides) or 'x > 1' (--target is for d > 1)"},
	{[]string{"run", "--landscape", "x^4/4-x^2/2"}, "kramers: --start: an expression landscape needs a start guess: add --start with 1 comma-separated numbers"},
	{[]string{"run", "--landscape", "x^2", "--start", "0"}, "kramers: --escape: no local maximum of the loss on either side of the minimum 0: there is no barrier to escape over; give --escape with the region that counts as escaped, such as 'radius(1)' (both sides) or 'x > 1'"},
	{[]string{"run", "--landscape", "x^2*y", "--start", "0,0"}, "kramers: --start: no escape problem from the basin of [0 0] (the point [0 0] reached from start [0 0] is not a strict minimum: the smallest Hessian eigenvalue is 0 and gradient flow from points beside it does not come back (the Hessian must be positive definite)); start inside a basin that a barrier encloses (inspect it with kramers analyze)"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--escape", "x<0"}, "kramers: --escape: the escape condition x<0 already holds at the start [-1]; choose a condition outside the start basin"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--escape", "x>>1"}, "kramers: --escape: \"x>>1\": column 3: expected a number, name or \"(\", found \">\"; write a condition such as 'x > 0.5', 'loss - loss_a > 0.1', 'dist > 1' or radius(0.8)"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--escape", "radius(-1)"}, "kramers: --escape: radius(-1) needs one positive number, as in radius(0.8)"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--noise", "sgd-loss"}, "kramers: --landscape: sgd-loss needs L(a) > 0 but L(a) = 0; add an offset such as l0=0.1 to the catalogue landscape (or a constant to the expression)"},
	{[]string{"run", "--landscape", "nosuch(k=1)"}, "kramers: --landscape: \"nosuch(k=1)\": column 9: unexpected character '='; name a catalogue landscape (kramers analyze --landscape list) or write an expression in x, x,y or x1..xd"},
	{[]string{"run", "--landscape", "doublewell(k=-1)"}, "kramers: --landscape: \"doublewell(k=-1)\": doublewell: parameter k must be positive, got -1; name a catalogue landscape (kramers analyze --landscape list) or write an expression in x, x,y or x1..xd"},
	{[]string{"run", "--landscape", "x^^2", "--start", "0"}, "kramers: --landscape: \"x^^2\": column 3: expected a number, name or \"(\", found \"^\"; name a catalogue landscape (kramers analyze --landscape list) or write an expression in x, x,y or x1..xd"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--frobnicate", "3"}, "kramers: --frobnicate: no such flag for kramers run; run 'kramers run -h' for the flags"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--seed", "-3"}, "kramers: --seed: \"-3\" is not valid (not understood); give a whole number ≥ 0 such as 1"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "extra"}, "kramers: run: unexpected argument \"extra\"; flags start with -- and take their value after a space or ="},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--every", "30s"}, "kramers: --every: needs --checkpoint FILE to say where to write; add --checkpoint run.ckpt"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--every", "-1s", "--checkpoint", "c.ckpt"}, "kramers: --every: -1s is negative; give an interval such as 30s (or 0 for checkpoints only at the end and on interrupt)"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--every", "soon", "--checkpoint", "c.ckpt"}, "kramers: --every: \"soon\" is not valid (not understood); give a duration such as 30s or 10m"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--shard", "4/4"}, "kramers: --shard: \"4/4\" needs 0 ≤ i < n; shards are numbered 0 to n−1, e.g. --shard 3/4"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--shard", "1of4"}, "kramers: --shard: \"1of4\" is not of the form i/n; write for example --shard 0/4 (the first of four shards) or --shard auto"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--shard", "auto"}, "kramers: --shard: auto found neither $SLURM_ARRAY_TASK_ID nor $JOB_COMPLETION_INDEX; run inside a Slurm array or an Indexed Job, or give --shard i/n"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--shard", "auto", "--shards", "0"}, "kramers: --shards: 0 shards make no ensemble; give a count ≥ 1"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--particles", "3", "--shard", "0/4"}, "kramers: --shard: 4 shards of 3 particles would leave shards empty; use at most 3 shards or more --particles"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--shards", "4"}, "kramers: --shards: only counts with --shard auto; add --shard auto, or give --shard i/n"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--resume", "nonexistent.ckpt"}, "kramers: --resume: cannot read nonexistent.ckpt: no such file or directory; give a file written by kramers run --checkpoint"},
	{[]string{"run", "--resume", "garbage.ckpt"}, "kramers: --resume: garbage.ckpt: not a kramers checkpoint (no KRAMERS magic at the start); give a file written by kramers run --checkpoint"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--json", "nodir/out.json"}, "kramers: --json: directory nodir does not exist; create it or choose another path"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--checkpoint", "nodir/c.ckpt"}, "kramers: --checkpoint: directory nodir does not exist; create it or choose another path"},
	{[]string{"run", "--landscape", "styblinski-tang(d=10,k=1)", "--particles", "2147483647"}, "kramers: --particles: 2147483647 particles in 10 dimensions need about*"},
	{[]string{"run", "--landscape", "styblinski-tang(d=10,k=1)", "--backend", "gpu", "--particles", "2147483647"}, "kramers: --particles: 2147483647 particles in 10 dimensions need about*"},
	{[]string{"run", "--landscape", "x^2-y^2", "--start", "0.1,0.1"}, "kramers: --start: no escape problem from the basin of [0.1 0.1] (no minimum found from start [0.1 0.1]: the loss seems unbounded below there); start inside a basin that a barrier encloses (inspect it with kramers analyze)"},
	{[]string{"run", "--landscape", "x^4/4 - x^5/5", "--start", "0"}, "kramers: --start: the minimum a = [0] that --start flows to is degenerate (H_a = 0, not a strict minimum): the default escape and the saddle-crossing theory need a positive definite H_a; give --escape with the escape region, such as 'x > 1.2', to study its escape (the exact 1-D chain applies)"},
	{[]string{"run", "--landscape", "x^4 + y^4 - x^2*y^2/4 - x^5/5", "--start", "0,0"}, "kramers: --escape: the minimum a = [0 0] that --start flows to is not strict (smallest Hessian eigenvalue 0): the default exit surfaces and the saddle-crossing theory need a positive definite H_a (weight decay, wd > 0, makes a network's minimum strict), and no --escape was given. A pilot of 256 particles × 200 iterations at the minimum measured L − L(a) = *"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--escape", "dsit > 1"}, "kramers: --escape: \"dsit > 1\": did you mean dist? column 1: unknown name dsit: variables are x, y or x1..xd; functions are *"},
	{[]string{"run", "--landscape", "x^4/4 - x^5/5", "--start", "0", "--escape", "x > 1.2", "--noise", "sgd-hessian-min"}, "kramers: --noise: sgd-hessian-min noise is built on H(a)^{1/2}, which is singular at the degenerate minimum a = [0] (smallest eigenvalue 0): there is no noise along its flat direction; use sgld or sgd-hessian"},
	{[]string{"run", "--landscape", "(x^2+y^2)*exp(-(x^2+y^2))", "--start", "0.1,0.1"}, "kramers: --start: no escape problem from the basin of [0.1 0.1] (no other minimum found near the minimum [0 0]: give a target point in the basin to escape to); start inside a basin that a barrier encloses (inspect it with kramers analyze)"},
	{[]string{"run", "--landscape", "zhu2d(sx=30)", "--target", "1"}, "kramers: --target: has 1 coordinates but the landscape is 2-dimensional; give 2 comma-separated numbers"},
	{[]string{"run", "--landscape", "doublewell(k=1)", "--particles", "2147483648"}, "kramers: --particles: at most 2147483647 particles per ensemble (the Philox counter word is 32 bits); run further ensembles with other --seed values"},
	{[]string{"merge"}, "kramers: merge: no shard results given; run kramers merge shard-0.json shard-1.json … [--json merged.json]"},
	{[]string{"merge", "nonexistent.json"}, "kramers: merge: cannot read nonexistent.json (no such file or directory); give the --json files of kramers run --shard i/n"},
	{[]string{"analyze", "--data", "iris", "--landscape", "mlp(h1=2,wd=0.01)", "--train", "--gtol", "0"}, "kramers: --gtol: the relative gradient tolerance must be in (0, 1), such as 1e-8; got 0"},
	{[]string{"analyze", "--data", "iris", "--landscape", "mlp(h1=2,wd=0.01)", "--gtol", "1e-6"}, "kramers: --gtol: applies only to a trained minimum; add --train (automatic for data landscapes above d = 64) or drop --gtol"},
	{[]string{"merge", "garbage.ckpt"}, "kramers: merge: garbage.ckpt is not a kramers run result (invalid character 'o' in literal null (expecting 'u')); give the --json files of kramers run --shard i/n"},
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/garbage.ckpt", []byte("not a checkpoint\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dump := os.Getenv("KRAMERS_DUMP_BADINPUT") != ""
	for _, row := range badInputs {
		args := row.args
		if args[0] == "run" && !contains(args, "--backend") && !contains(args, "--resume") {
			args = append(append([]string{}, args...), "--backend", "cpu")
		}
		args = append(append([]string{}, args...), quietFor(args)...)
		code, out, errOut := runBin(t, dir, nil, args...)
		msg := strings.TrimSpace(errOut)
		if dump {
			fmt.Printf("ROW\t%s\t%d\t%s\n", strings.Join(row.args, " "), code, msg)
			continue
		}
		if code != exitUsage {
			t.Errorf("kramers %s: exit %d, want 2 (stderr %q)", strings.Join(args, " "), code, msg)
		}
		want, prefix := strings.CutSuffix(row.want, "*") // machine-dependent tail
		if strings.Count(msg, "\n") != 0 || (!prefix && msg != want) || (prefix && !strings.HasPrefix(msg, want)) {
			t.Errorf("kramers %s:\n got %q\nwant %q", strings.Join(args, " "), msg, row.want)
		}
		if strings.Contains(msg, "panic") || strings.Contains(out+errOut, "goroutine ") {
			t.Errorf("kramers %s panicked:\n%s", strings.Join(args, " "), errOut)
		}
	}
}

func quietFor(args []string) []string {
	if args[0] == "run" {
		return []string{"--quiet"}
	}
	return nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestInputAdvice (issue 20 item 6, the trial's smaller findings): what the bad-input rows advise
// works. One --start number stands for every coordinate; in 1-D a landscape without a barrier runs
// with the --escape its message asks for; and a run whose particles all escape within the well's
// relaxation says that the escape surface lies inside the noise's spread, not "run longer".
func TestInputAdvice(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runBin(t, dir, nil, "analyze", "--landscape", "(x^2-1)^2+(y^2-1)^2", "--start", "-1")
	if code != 0 || !strings.Contains(out, "minimum a = [-1 -1]") {
		t.Errorf("analyze --start -1 in 2-D: exit %d, %s%s", code, out, errOut)
	}
	code, _, errOut = runBin(t, dir, nil, "run", "--backend", "cpu", "--landscape", "-exp(-x^2)", "--start", "0.1", "--escape", "radius(1)",
		"--noise", "sgld", "--temp", "0.2", "--lr", "0.05", "--particles", "1000", "--steps", "2000", "--json", "flat.json", "--quiet")
	if code != 0 {
		t.Errorf("-exp(-x^2) with the advised --escape radius(1): exit %d, %s", code, errOut)
	} else if m := readJSON(t, filepath.Join(dir, "flat.json")); m["escaped_total"].(float64) == 0 {
		t.Errorf("-exp(-x^2) --escape radius(1): no escape in 100 time units at T = 0.2 over a barrier of 0.63")
	}
	// doublewell(k=1): H_a = 8, relaxation time 0.125; T = 0.3 spreads particles by sqrt(T/H_a) ≈ 0.19 ≫ 0.01.
	code, _, errOut = runBin(t, dir, nil, "run", "--backend", "cpu", "--landscape", "doublewell(k=1)", "--escape", "radius(0.01)",
		"--noise", "sgld", "--temp", "0.3", "--lr", "0.01", "--particles", "1000", "--steps", "1000", "--json", "r.json", "--quiet")
	if code != 0 {
		t.Fatalf("radius(0.01): exit %d, %s", code, errOut)
	}
	m := readJSON(t, filepath.Join(dir, "r.json"))
	note, _ := m["note"].(string)
	if m["resolved"] != false || !strings.Contains(note, "inside the noise's own spread") || strings.Contains(note, "run more particles") {
		t.Errorf("radius(0.01): resolved %v, note %q; want the escape surface inside the noise's spread named as the cause", m["resolved"], note)
	}
}
