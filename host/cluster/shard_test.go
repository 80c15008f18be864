package cluster

import (
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		spec   string
		shards int
		env    map[string]string
		i, n   int
		err    string
	}{
		{"2/4", 0, nil, 2, 4, ""},
		{"4/4", 0, nil, 0, 0, "needs 0 ≤ i < n"},
		{"x", 0, nil, 0, 0, "not of the form"},
		{"1/4", 3, nil, 0, 0, "disagrees"},
		{"auto", 0, map[string]string{EnvSlurmTaskID: "5", EnvSlurmTaskMin: "4", EnvSlurmTaskCount: "4"}, 1, 4, ""},
		{"auto", 0, map[string]string{EnvJobIndex: "3", EnvShards: "8"}, 3, 8, ""},
		{"auto", 6, map[string]string{EnvJobIndex: "3"}, 3, 6, ""},
		{"auto", 0, map[string]string{EnvJobIndex: "3"}, 0, 0, "does not know the number of shards"},
		{"auto", 0, map[string]string{EnvJobIndex: "9", EnvShards: "4"}, 0, 0, "outside"},
		{"auto", 0, map[string]string{EnvSlurmTaskID: "x"}, 0, 0, "not an integer"},
		{"auto", 0, nil, 0, 0, "found neither"},
	} {
		i, n, err := ParseShard(tc.spec, tc.shards, env(tc.env))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q %v: err %v, want %q", tc.spec, tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || i != tc.i || n != tc.n {
			t.Errorf("%q %v: %d/%d %v, want %d/%d", tc.spec, tc.env, i, n, err, tc.i, tc.n)
		}
	}
}
