package host

import (
	"slices"
	"strings"
)

// MethodSpec describes one way of measuring the rate (`run --method`): what it is, the flags only
// it takes and the flags it cannot be combined with. cmd/kramers checks the flags against it.
type MethodSpec struct {
	Name        string
	Description string
	// Flags are taken by this method alone.
	Flags []string
	// Excludes are run flags this method cannot be combined with, and why.
	Excludes []string
	Why      string
}

// Methods lists the run methods, the default first.
var Methods = []MethodSpec{
	{Name: "brute", Description: "count the escapes of an ensemble (docs/theory.md §3)"},
	{Name: "ffs", Description: "forward flux sampling for rare escapes (docs/theory.md §7)",
		Flags:    []string{"interfaces", "order", "target-error"},
		Excludes: []string{"shard", "every", "extrapolate", "hazard-plot", "burn-in"},
		Why:      "forward flux sampling has no shards or burn-in, and writes --checkpoint after every stage"},
}

// Method returns the description of the named method (ok false for an unknown name).
func Method(name string) (MethodSpec, bool) {
	for _, m := range Methods {
		if m.Name == name {
			return m, true
		}
	}
	return MethodSpec{}, false
}

// MethodNames is "brute or ffs".
func MethodNames() string {
	var n []string
	for _, m := range Methods {
		n = append(n, m.Name)
	}
	return strings.Join(n, " or ")
}

// CheckMethodFlags refuses a flag that belongs to another method, or one this method excludes.
func (m MethodSpec) CheckMethodFlags(set map[string]bool) error {
	for _, other := range Methods {
		if other.Name == m.Name {
			continue
		}
		for _, f := range other.Flags {
			if set[f] && !slices.Contains(m.Flags, f) {
				return inputErr(f, "applies only to --method %s", other.Name)
			}
		}
	}
	for _, f := range m.Excludes {
		if set[f] {
			return inputErr("method", "%s cannot be combined with --%s (%s)", m.Name, f, m.Why)
		}
	}
	return nil
}
