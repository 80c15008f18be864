package host

import (
	"strings"
	"testing"
)

// TestMethodFlags: a flag of one method is refused under the other, with the method named; ffs
// refuses the run flags it excludes; brute takes what it owns.
func TestMethodFlags(t *testing.T) {
	brute, _ := Method("brute")
	ffs, _ := Method("ffs")
	if _, ok := Method("mcmc"); ok {
		t.Fatal("Method(mcmc) found")
	}
	for _, c := range []struct {
		m    MethodSpec
		flag string
		want string // "" = accepted
	}{
		{brute, "order", "applies only to --method ffs"},
		{brute, "burn-in", ""},
		{ffs, "order", ""},
		{ffs, "interfaces", ""},
		{ffs, "shard", "cannot be combined with --shard"},
		{ffs, "lr", ""},
	} {
		err := c.m.CheckMethodFlags(map[string]bool{c.flag: true})
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("--method %s --%s: %v; want %q", c.m.Name, c.flag, err, c.want)
		}
	}
	if MethodNames() != "brute or ffs" {
		t.Errorf("MethodNames = %q", MethodNames())
	}
}
