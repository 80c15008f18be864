package minimum

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// cacheVersion changes when training changes what it returns: older entries are then not found.
const cacheVersion = 1

// Key identifies a trained minimum: the model with its resolved parameters, the data's content
// hash and the start, and the tolerance trained to. Two runs with equal keys train the same loss
// from the same point to the same tolerance, so the second may reuse the first's minimum.
type Key struct {
	Model  string             `json:"model"` // the spec as given
	Name   string             `json:"name"`  // catalogue or model name
	Params map[string]float64 `json:"params"`
	Dim    int                `json:"dim"`
	Data   string             `json:"data"` // SHA-256 of the data contents ("" without data)
	Start  []float64          `json:"start"`
	Tol    float64            `json:"tol"`
}

// Hash is the hex SHA-256 of the key's JSON (encoding/json sorts map keys and writes floats in
// their shortest exact form, so equal keys hash alike).
func (k Key) Hash() string {
	b, _ := json.Marshal(struct {
		Version int `json:"version"`
		Key
	}{cacheVersion, k})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Cache keeps trained minima in memory for the life of the process and on disk as
// <dir>/<Key.Hash()>.json, dir being Dir or, with UserDir, DefaultCacheDir() at the time of use.
// Without either it keeps them in memory only. Safe for concurrent use.
type Cache struct {
	Dir     string
	UserDir bool
	mu      sync.Mutex
	memo    map[string]*Training
	// described holds the descriptions made in this process, by key: a sweep's points describe one
	// minimum once.
	described map[string]*Description
}

// describe is Describe through the cache: a description made before in this process is returned
// again (marked Cached, with no call to m); else the minimum comes from Train and is described.
func (c *Cache) describe(m Model, start []float64, opt TrainOptions, key Key) (*Description, error) {
	h := key.Hash()
	c.mu.Lock()
	desc, ok := c.described[h]
	c.mu.Unlock()
	if ok {
		again := *desc
		again.Cached = true
		return &again, nil
	}
	t, hit, err := c.Train(m, start, opt, key)
	if err != nil {
		return nil, err
	}
	if desc, err = DescribeAt(m, t, hit); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.described == nil {
		c.described = map[string]*Description{}
	}
	c.described[h] = desc
	return desc, nil
}

func (c *Cache) dir() string {
	if c.UserDir {
		return DefaultCacheDir()
	}
	return c.Dir
}

// DefaultCacheDir is os.UserCacheDir()/kramers/minima ($XDG_CACHE_HOME/kramers/minima, usually
// ~/.cache/kramers/minima), or "" where the system has no user cache directory.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "kramers", "minima")
}

// Shared is the process's cache, on disk under DefaultCacheDir.
var Shared = &Cache{UserDir: true}

// Train returns the minimum for key: from memory, else from disk if the stored point still has
// the stored loss and a gradient within its threshold (one loss and one gradient evaluation),
// else by training (and then stores it). hit says whether training was skipped.
func (c *Cache) Train(m Model, start []float64, opt TrainOptions, key Key) (*Training, bool, error) {
	h := key.Hash()
	c.mu.Lock()
	t, ok := c.memo[h]
	c.mu.Unlock()
	if ok {
		return t, true, nil
	}
	if t := c.load(m, h); t != nil {
		c.remember(h, t)
		return t, true, nil
	}
	t, err := Train(m, start, opt)
	if err != nil {
		return t, false, err
	}
	c.remember(h, t)
	c.store(h, t)
	return t, false, nil
}

func (c *Cache) remember(h string, t *Training) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.memo == nil {
		c.memo = map[string]*Training{}
	}
	c.memo[h] = t
}

// load reads Dir/h.json and checks it against m; nil when absent, unreadable or stale.
func (c *Cache) load(m Model, h string) *Training {
	dir := c.dir()
	if dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, h+".json"))
	if err != nil {
		return nil
	}
	var t Training
	if json.Unmarshal(b, &t) != nil || len(t.Minimum) != m.Dim() {
		return nil
	}
	stored := t.Loss
	check := t
	check.measure(m)
	// The same code gives the same loss bit for bit; 10⁻¹² relative allows a change of summation
	// order, and the gradient must still meet the threshold the entry was trained to.
	if !(math.Abs(check.Loss-stored) <= 1e-12*math.Max(1, math.Abs(stored))) || !(check.GradientMax <= check.Threshold) {
		return nil
	}
	return &check
}

// store writes the entry atomically (a temporary file renamed into place); a cache that cannot be
// written is only slower, so errors are dropped.
func (c *Cache) store(h string, t *Training) {
	dir := c.dir()
	if dir == "" || os.MkdirAll(dir, 0o755) != nil {
		return
	}
	b, err := json.Marshal(t)
	if err != nil {
		return
	}
	f, err := os.CreateTemp(dir, h+".*.tmp")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr != nil || cerr != nil || os.Rename(f.Name(), filepath.Join(dir, h+".json")) != nil {
		os.Remove(f.Name())
	}
}
