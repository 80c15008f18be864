package host

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestWarningJSON: a Warning is its message in JSON, and a string reads back as kind WarnOther.
func TestWarningJSON(t *testing.T) {
	ws := []Warning{{Kind: WarnDiverged, Message: "3 of 4 diverged"}, {Kind: WarnFewEscapes, Message: "only 12"}}
	b, err := json.Marshal(ws)
	if err != nil || string(b) != `["3 of 4 diverged","only 12"]` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var back []Warning
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	want := []Warning{{Kind: WarnOther, Message: "3 of 4 diverged"}, {Kind: WarnOther, Message: "only 12"}}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("unmarshal: %+v", back)
	}
	if err := json.Unmarshal([]byte(`[1]`), &back); err == nil {
		t.Error("a number read as a warning")
	}
}

// recordsBackend hands Summarise a fixed set of records.
type recordsBackend struct{ recs []uint32 }

func (b *recordsBackend) Name() string                          { return string(CPU) }
func (b *recordsBackend) Renderer() string                      { return "cpu" }
func (b *recordsBackend) Supports(*Problem, int) error          { return nil }
func (b *recordsBackend) Load(*Problem, int, int) error         { return nil }
func (b *recordsBackend) Advance(int, int) (ChunkCounts, error) { return ChunkCounts{}, nil }
func (b *recordsBackend) Records() ([]uint32, error)            { return b.recs, nil }
func (b *recordsBackend) Positions() ([]float64, error)         { return nil, nil }
func (b *recordsBackend) Restore([]float64, []uint32) error     { return nil }
func (b *recordsBackend) Close() error                          { return nil }

// TestMergeWarningsByKind: shards of an unstable step (η·λ_max = 40) with diverged particles merge
// into one divergence warning with the counts added and the step-size hint, an unresolved
// estimate with the step-size reason, and the same warnings whether the shards come as values
// (typed) or read back from JSON (kind WarnOther).
func TestMergeWarningsByKind(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Landscape, cfg.LR, cfg.Backend, cfg.Particles, cfg.Steps = "doublewell(k=50)", 0.1, CPU, 8, 200
	var shards []*Result
	for i, recs := range [][]uint32{
		{DivergedFlag | 3, 17, Running, DivergedFlag | 5},
		{Running, DivergedFlag | 1, 40, Running},
	} {
		c := cfg
		if err := ApplyShard(&c, i, 2); err != nil {
			t.Fatal(err)
		}
		p, err := Prepare(c)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Summarise(p, &recordsBackend{recs}, LoopStats{Iterations: cfg.Steps})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Warnings) == 0 || r.Warnings[0].Kind != WarnDiverged || !strings.Contains(r.Warnings[0].Message, "lower --lr below") {
			t.Fatalf("shard %d warnings %+v", i, r.Warnings)
		}
		shards = append(shards, r)
	}
	m, err := Merge(shards)
	if err != nil {
		t.Fatal(err)
	}
	var div []Warning
	for _, w := range m.Warnings {
		if w.Kind == WarnDiverged {
			div = append(div, w)
		}
	}
	if len(div) != 1 || !strings.HasPrefix(div[0].Message, "3 of 8 particles diverged") || !strings.Contains(div[0].Message, "η·λ_max(H) = 40") {
		t.Errorf("merged divergence warnings %+v", div)
	}
	if m.Estimate.Resolved || !strings.HasPrefix(m.Estimate.Note, "unresolved: η·λ_max(H) = 40 ≥ 2") {
		t.Errorf("merged estimate of an unstable step: resolved %v, note %q", m.Estimate.Resolved, m.Estimate.Note)
	}
	// Through JSON, as kramers merge reads the shards: the kinds are gone, the merge is the same.
	var read []*Result
	for _, r := range shards {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Result
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back.Warnings[0].Kind != WarnOther || back.Warnings[0].Message != r.Warnings[0].Message {
			t.Fatalf("warning read back as %+v", back.Warnings[0])
		}
		read = append(read, &back)
	}
	m2, err := Merge(read)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m2.Warnings, m.Warnings) {
		t.Errorf("merge from JSON:\n%+v\nfrom values:\n%+v", m2.Warnings, m.Warnings)
	}
	// The escape region's cautions are the model's: a merge read from JSON carries them once.
	const caution = "exit 1's surface could not be kept outside the start basin"
	for _, r := range read {
		r.EscapeCautions = []string{caution}
	}
	m3, err := Merge(read)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, w := range m3.Warnings {
		if w.Message == caution {
			n++
		}
	}
	if n != 1 || len(m3.EscapeCautions) != 1 {
		t.Errorf("merged escape cautions: %d warnings, %v", n, m3.EscapeCautions)
	}
}

// TestInputErrorHint: the hint follows the message; an escape condition the parser rejects gets
// the example, one whose message shows valid input does not get a second.
func TestInputErrorHint(t *testing.T) {
	if got := (&InputError{Flag: "escape", Msg: `"x>>1": column 3: bad`, Hint: "write x > 0.5"}).Error(); got != `--escape: "x>>1": column 3: bad; write x > 0.5` {
		t.Errorf("Error() = %q", got)
	}
	cfg := DefaultConfig()
	cfg.Landscape = "doublewell(k=1)"
	for escape, want := range map[string]string{
		"x>>1":       `--escape: "x>>1": column 3: expected a number, name or "(", found ">"; write a condition such as 'x > 0.5', 'loss - loss_a > 0.1', 'dist > 1' or radius(0.8)`,
		"x":          `--escape: a condition must be a comparison such as x > 0.5, combined with && (and), || (or) and ! (not)`,
		"radius(-1)": `--escape: radius(-1) needs one positive number, as in radius(0.8)`,
	} {
		c := cfg
		c.Escape = escape
		_, err := Prepare(c)
		if err == nil || err.Error() != want {
			t.Errorf("--escape %s: %v, want %s", escape, err, want)
		}
	}
}
