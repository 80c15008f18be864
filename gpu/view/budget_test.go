package view

import (
	"testing"
	"time"
)

// TestPaceConverges: with a simulated cost of a + b·n per frame, the pace settles where the
// simulation takes half the frame target, or at one iteration when the fixed cost alone exceeds
// it; it never jumps by more than ×2 or ÷4 at once.
func TestPaceConverges(t *testing.T) {
	for _, c := range []struct {
		a, b time.Duration // fixed cost, cost per iteration
		want int
	}{
		{2 * time.Millisecond, 100 * time.Microsecond, 180}, // (20 − 2)/0.1
		{20 * time.Millisecond, time.Millisecond, 1},
		{0, 10 * time.Microsecond, 2000},
	} {
		p := NewPace(40*time.Millisecond, 20) // 20 ms for the simulation
		prev := p.Iterations()
		for f := 0; f < 400; f++ {
			n := p.Iterations()
			p.Observe(n, c.a+time.Duration(n)*c.b)
			p.since = p.since.Add(-time.Second) // as if a quarter second had passed
			if k := p.Iterations(); k > 2*prev || k < prev/4 {
				t.Fatalf("a=%v b=%v: iterations jumped from %d to %d", c.a, c.b, prev, k)
			}
			prev = p.Iterations()
		}
		if got := p.Iterations(); got < c.want*95/100 || got > c.want*105/100+1 {
			t.Errorf("a=%v b=%v: settled at %d iterations per frame, want about %d", c.a, c.b, got, c.want)
		}
	}
}
