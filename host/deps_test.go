package host

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/kramers-sim/kramers"

// dependencyRules is the dependency direction of docs/architecture.md ("The cut being made"), as
// module-internal imports. For each package, forbidden lists what it must not import, directly
// or through others (a path ending in "/..." forbids the subtree); allowed, when not nil, lists
// all that it may import directly.
var dependencyRules = []struct {
	pkg       string
	allowed   []string
	forbidden []string
}{
	// host is the domain: its clients, files, environments, GL and the reference stay outside.
	{pkg: "host", forbidden: []string{"host/sweep", "host/reproduce", "host/plot", "host/store", "host/cluster", "gpu", "gpu/...", "validate", "cmd/..."}},
	{pkg: "host/landscape", allowed: []string{}},
	{pkg: "host/theory", allowed: []string{}},
	{pkg: "host/rng", allowed: []string{}},
	// A network's minimum: sees a loss only through its Model interface (landscape.Evaluator's methods).
	{pkg: "host/minimum", allowed: []string{}},
	{pkg: "host/data", allowed: []string{"host/landscape", "host/textdist"}},
	{pkg: "host/textdist", allowed: []string{}},
	{pkg: "shaders", allowed: []string{}},
	// Files and job environments: operations on top of the domain, nothing else of the module.
	{pkg: "host/store", allowed: []string{"host"}},
	{pkg: "host/cluster", allowed: []string{"host"}},
	{pkg: "host/sweep", allowed: []string{"host", "host/landscape"}},
	// Figures and reports write their files through host/store's one atomic writer.
	{pkg: "host/plot", allowed: []string{"host", "host/store", "host/sweep"}},
	{pkg: "host/reproduce", allowed: []string{"host", "host/sweep", "host/plot", "host/store", "host/theory"}},
	{pkg: "gpu", forbidden: []string{"gpu/view", "validate", "host/sweep", "host/reproduce", "host/plot", "cmd/..."}},
	{pkg: "gpu/view", forbidden: []string{"validate", "host/sweep", "host/reproduce", "host/plot", "host/store", "host/cluster", "cmd/..."}},
	{pkg: "validate", forbidden: []string{"gpu", "gpu/...", "host/sweep", "host/reproduce", "host/plot", "cmd/..."}},
}

// TestDependencyDirection asks `go list` for the imports of every package of the module and fails
// with each edge that breaks docs/architecture.md's direction. Nothing imports a command.
func TestDependencyDirection(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goBin, "list", "-e", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`, "./...")
	cmd.Dir = ".." // the module root: this test runs in host/
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports, deps := map[string][]string{}, map[string][]string{}
	internal := func(list string) []string {
		var out []string
		for _, p := range strings.Fields(list) {
			if rel, ok := strings.CutPrefix(p, module+"/"); ok {
				out = append(out, rel)
			}
		}
		sort.Strings(out)
		return out
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "|", 3)
		if len(f) != 3 {
			t.Fatalf("go list line %q", line)
		}
		pkg, ok := strings.CutPrefix(f[0], module+"/")
		if !ok {
			continue
		}
		imports[pkg], deps[pkg] = internal(f[1]), internal(f[2])
	}
	if len(imports["host"]) == 0 || imports["cmd/kramers"] == nil {
		t.Fatalf("go list did not list the module's packages:\n%s", out)
	}
	matches := func(p, pattern string) bool {
		if sub, ok := strings.CutSuffix(pattern, "/..."); ok {
			return strings.HasPrefix(p, sub+"/")
		}
		return p == pattern
	}
	for _, r := range dependencyRules {
		if _, ok := imports[r.pkg]; !ok {
			continue // not (yet) a package of the module
		}
		for _, d := range deps[r.pkg] {
			for _, f := range r.forbidden {
				if matches(d, f) {
					edge := r.pkg + " → " + d
					if !contains(imports[r.pkg], d) {
						edge += " (indirectly)"
					}
					t.Errorf("forbidden dependency %s (docs/architecture.md)", edge)
				}
			}
		}
		if r.allowed != nil {
			for _, d := range imports[r.pkg] {
				if !contains(r.allowed, d) {
					t.Errorf("%s imports %s; it may import only %v (docs/architecture.md)", r.pkg, d, r.allowed)
				}
			}
		}
	}
	for pkg, ims := range imports {
		for _, d := range ims {
			if matches(d, "cmd/...") {
				t.Errorf("%s imports the command %s", pkg, d)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
