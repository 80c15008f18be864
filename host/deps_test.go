package host

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/kramers-sim/kramers"

// layers is the dependency direction of docs/architecture.md ("Dependency direction"), bottom up.
// A package may import the packages of the layers named in mayImport and, of its own layer, only
// those that sameLayer lists for it. Every package of the module is in exactly one layer.
var layers = []struct {
	name      string
	pkgs      []string
	mayImport []string
}{
	// Below host: what host is built from, none of it importing host.
	{"below host", []string{"host/landscape", "host/theory", "host/rng", "host/textdist", "host/data",
		"host/jsonnum", "host/survival", "host/minimum", "shaders"}, nil},
	// The domain.
	{"host", []string{"host"}, []string{"below host"}},
	// Above host: files, job environments, sweeps, forward flux sampling, figures and reports,
	// on top of the domain and imported by nothing in it.
	{"above host", []string{"host/store", "host/cluster", "host/sweep", "host/ffs", "host/plot", "host/reproduce"},
		[]string{"below host", "host"}},
	// The backends and the view: they implement host.Backend beside the clients above host (which
	// receive a backend as a host.BackendFactory), so they import none of them.
	{"backends", []string{"gpu", "gpu/view", "validate"}, []string{"below host", "host"}},
	// The command wires everything; nothing imports it.
	{"command", []string{"cmd/kramers"}, []string{"below host", "host", "above host", "backends"}},
}

// sameLayer lists the imports a package may make within its own layer.
var sameLayer = map[string][]string{
	"host/data":      {"host/landscape", "host/textdist"},
	"host/survival":  {"host/jsonnum"},
	"host/sweep":     {}, // none: host/ffs, host/plot and host/reproduce sit on it, not below
	"host/ffs":       {"host/store"},
	"host/plot":      {"host/store", "host/sweep"},
	"host/reproduce": {"host/ffs", "host/plot", "host/store", "host/sweep"},
	"gpu/view":       {"gpu"},
}

// allowedImports is the set of module-internal packages pkg may import, and its layer ("" when
// pkg is in no layer).
func allowedImports(pkg string) (allowed []string, layer string) {
	byName := map[string][]string{}
	for _, l := range layers {
		byName[l.name] = l.pkgs
	}
	for _, l := range layers {
		if !slices.Contains(l.pkgs, pkg) {
			continue
		}
		for _, name := range l.mayImport {
			allowed = append(allowed, byName[name]...)
		}
		return append(allowed, sameLayer[pkg]...), l.name
	}
	return nil, ""
}

// TestDependencyDirection asks `go list` for the imports of every package of the module and fails
// with each import that breaks docs/architecture.md's layers, and with each package that is in no
// layer (or a layer's package that no longer exists).
func TestDependencyDirection(t *testing.T) {
	imports := moduleImports(t)
	if len(imports["host"]) == 0 || imports["cmd/kramers"] == nil {
		t.Fatalf("go list did not list the module's packages: %v", imports)
	}
	for pkg, ims := range imports {
		allowed, layer := allowedImports(pkg)
		if layer == "" {
			t.Errorf("package %s is in no layer: add it to the package table and \"Dependency direction\" of docs/architecture.md and to layers in host/deps_test.go", pkg)
			continue
		}
		for _, d := range ims {
			if !slices.Contains(allowed, d) {
				t.Errorf("%s (%s) imports %s; it may import only %v (docs/architecture.md, \"Dependency direction\")", pkg, layer, d, allowed)
			}
		}
	}
	for _, l := range layers {
		for _, pkg := range l.pkgs {
			if _, ok := imports[pkg]; !ok {
				t.Errorf("layer %q names %s, which is no package of the module: remove it from layers in host/deps_test.go and from docs/architecture.md", l.name, pkg)
			}
		}
	}
}

// moduleImports is `go list`'s module-internal imports (tests excluded) of every package of the
// module, by path relative to the module.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goBin, "list", "-e", "-f", `{{.ImportPath}}|{{join .Imports " "}}`, "./...")
	cmd.Dir = ".." // the module root: this test runs in host/
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, list, ok := strings.Cut(line, "|")
		if !ok {
			t.Fatalf("go list line %q", line)
		}
		pkg, ok := strings.CutPrefix(path, module+"/")
		if !ok {
			continue
		}
		ims := []string{}
		for _, p := range strings.Fields(list) {
			if rel, ok := strings.CutPrefix(p, module+"/"); ok {
				ims = append(ims, rel)
			}
		}
		imports[pkg] = ims
	}
	return imports
}

// TestDependencyRulesCatch checks that the layer rules refuse the imports the old rule let through
// or that would turn the layers upside down: a check that cannot fail would assert nothing.
func TestDependencyRulesCatch(t *testing.T) {
	for _, edge := range [][2]string{
		{"host", "host/store"}, {"host", "host/ffs"}, {"host/survival", "host"}, {"host/landscape", "host/data"},
		{"host/sweep", "host/ffs"}, {"gpu", "host/sweep"}, {"validate", "gpu"}, {"gpu", "validate"},
		{"host/store", "host/sweep"}, {"host/reproduce", "cmd/kramers"},
	} {
		if allowed, _ := allowedImports(edge[0]); slices.Contains(allowed, edge[1]) {
			t.Errorf("%s → %s is allowed; the layers forbid it", edge[0], edge[1])
		}
	}
	if _, layer := allowedImports("host/newthing"); layer != "" {
		t.Errorf("an unlisted package has the layer %q", layer)
	}
}
