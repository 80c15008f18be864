package minimum

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestCacheReusesMinimum: the second request for the same key comes from memory with no call to
// the model; a fresh cache on the same directory reads the file and checks it with exactly one
// loss and one gradient evaluation; both return the first training's numbers bit for bit. A
// different key (another start) trains again, and a stored entry whose loss no longer matches the
// model is retrained.
func TestCacheReusesMinimum(t *testing.T) {
	ls := dataLandscape(t, "iris", "mlp(h1=3,wd=0.01)")
	m := &counting{Model: ls.Evaluator()}
	dir := t.TempDir()
	key := Key{Model: "mlp(h1=3,wd=0.01)", Name: "mlp", Params: map[string]float64{"h1": 3, "wd": 0.01}, Dim: m.Dim(), Data: "iris", Start: ls.DefaultStart, Tol: DefaultTol}
	c := &Cache{Dir: dir}
	first, hit, err := c.Train(m, ls.DefaultStart, TrainOptions{}, key)
	if err != nil || hit {
		t.Fatalf("first: hit %v, %v", hit, err)
	}
	trained := m.calls()
	if trained < 20 {
		t.Fatalf("training made only %d calls", trained)
	}
	again, hit, err := c.Train(m, ls.DefaultStart, TrainOptions{}, key)
	if err != nil || !hit || m.calls() != trained || !floats.Same(again.Minimum, first.Minimum) {
		t.Fatalf("memory: hit %v, %d calls after %d, %v", hit, m.calls(), trained, err)
	}
	fresh := &counting{Model: ls.Evaluator()}
	disk, hit, err := (&Cache{Dir: dir}).Train(fresh, ls.DefaultStart, TrainOptions{}, key)
	if err != nil || !hit || fresh.loss.Load() != 1 || fresh.grad.Load() != 1 || fresh.hvp.Load() != 0 {
		t.Fatalf("disk: hit %v, calls loss %d grad %d hvp %d, %v", hit, fresh.loss.Load(), fresh.grad.Load(), fresh.hvp.Load(), err)
	}
	if !floats.Same(disk.Minimum, first.Minimum) || disk.Loss != first.Loss || disk.Iterations != first.Iterations {
		t.Errorf("disk entry differs: %+v vs %+v", disk, first)
	}
	other := key
	other.Start = make([]float64, len(key.Start))
	if other.Hash() == key.Hash() {
		t.Fatal("another start hashes alike")
	}
	path := filepath.Join(dir, key.Hash()+".json")
	var stored Training
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	stored.Loss *= 1.001
	b, _ = json.Marshal(stored)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	stale := &counting{Model: ls.Evaluator()}
	if _, hit, err := (&Cache{Dir: dir}).Train(stale, ls.DefaultStart, TrainOptions{}, key); err != nil || hit || stale.calls() < 20 {
		t.Errorf("stale entry: hit %v after %d calls, %v", hit, stale.calls(), err)
	}
}

// TestCacheReusesDescription: Describe through a cache describes a minimum once per process: the
// second call makes no call to the model and returns the same spectrum, marked cached.
func TestCacheReusesDescription(t *testing.T) {
	ls := dataLandscape(t, "iris", "mlp(h1=3,wd=0.01)")
	m := &counting{Model: ls.Evaluator()}
	c := &Cache{}
	key := Key{Model: "mlp(h1=3,wd=0.01)", Dim: m.Dim(), Start: ls.DefaultStart}
	first, err := Describe(m, ls.DefaultStart, TrainOptions{}, c, key)
	if err != nil || first.Cached {
		t.Fatalf("first: %v, cached %v", err, first != nil && first.Cached)
	}
	calls := m.calls()
	again, err := Describe(m, ls.DefaultStart, TrainOptions{}, c, key)
	if err != nil || !again.Cached || m.calls() != calls || !floats.Same(again.Spectrum.Eigenvalues, first.Spectrum.Eigenvalues) {
		t.Errorf("second: %v, cached %v, %d calls after %d", err, again != nil && again.Cached, m.calls(), calls)
	}
}
