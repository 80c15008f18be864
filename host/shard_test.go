package host

import "testing"

func TestShardRangeTiles(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 7} {
		for _, total := range []int{7, 10, 1000, 1<<31 - 1} {
			next := 0
			for i := 0; i < n; i++ {
				first, count := ShardRange(total, i, n)
				if first != next || count < 1 {
					t.Fatalf("N=%d shard %d/%d: [%d,+%d) after %d", total, i, n, first, count, next)
				}
				next = first + count
			}
			if next != total {
				t.Fatalf("N=%d n=%d covers %d", total, n, next)
			}
		}
	}
}
