package host

import (
	"testing"
	"time"
)

// The adaptive chunk rule on the two kinds of backend it meets: one whose dispatches cost almost
// nothing besides their iterations (a real GPU), and llvmpipe, where a dispatch of 2²⁰ particles
// pays about 40 ms before its first iteration.
func TestChunkRule(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name  string
		rule  chunkRule
		n     int
		dt    time.Duration
		want  int
		about string
	}{
		{"no fixed cost: aim at the target", chunkRule{target: 200 * ms}, 100, 100 * ms, 200,
			"1 ms per iteration, 0.2 s target"},
		{"no fixed cost: grow at most 4×", chunkRule{target: 200 * ms}, 16, 2 * ms, 64,
			"the target would allow 1600"},
		{"llvmpipe 2²⁰: fixed cost at most 1%", chunkRule{target: 200 * ms, fixed: 40 * ms}, 400, 1040 * ms, 1584,
			"2.5 ms per iteration: the target gives 64 iterations (40% fixed), 99·40/2.5 = 1584"},
		{"llvmpipe 2²⁰: growth 4× first", chunkRule{target: 200 * ms, fixed: 40 * ms}, 100, 290 * ms, 400,
			"2.5 ms per iteration: the 1% rule wants 1584, 4× of 100 comes first"},
		{"fixed cost above the target: 1% rule, growth 4×", chunkRule{target: 200 * ms, fixed: time.Second}, 100, 2 * time.Second, 400,
			"10 ms per iteration: the 1% rule wants 9900, MaxDispatch allows 900, 4× of 100 comes first"},
		{"never below the floor", chunkRule{target: 200 * ms}, 16, 2 * time.Second, MinAdaptiveChunk,
			"a slow dispatch does not shrink chunks below 16"},
	}
	for _, c := range cases {
		if got := c.rule.next(c.n, c.dt); got != c.want {
			t.Errorf("%s: next(%d, %v) = %d, want %d (%s)", c.name, c.n, c.dt, got, c.want, c.about)
		}
	}
	// MaxDispatch: a fixed cost of 4 s and 0.25 s per iteration allow (10 − 4)/0.25 = 24 iterations.
	r := chunkRule{target: 200 * ms, fixed: 4 * time.Second}
	if got := r.next(16, 8*time.Second); got != 24 {
		t.Errorf("MaxDispatch cap: next = %d, want 24", got)
	}
}
