package main

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// definedFlags asks every command of the commands table for its flags, in-process: each
// command's -h prints its whole FlagSet (printFlags, flag.PrintDefaults) and returns errHelp
// before it does anything else. It returns, per flag name, the commands that define it.
func definedFlags(t *testing.T) map[string][]string {
	t.Helper()
	saved := stderr
	defer func() { stderr = saved }()
	line := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`)
	flags := map[string][]string{}
	for _, c := range commands {
		var out bytes.Buffer
		stderr = &out
		if err := c.run([]string{"-h"}); !errors.Is(err, errHelp) {
			t.Fatalf("kramers %s -h: got %v, want the flag list (errHelp)", c.name, err)
		}
		names := line.FindAllStringSubmatch(out.String(), -1)
		if len(names) == 0 {
			t.Fatalf("kramers %s -h listed no flags:\n%s", c.name, out.String())
		}
		for _, m := range names {
			flags[m[1]] = append(flags[m[1]], c.name)
		}
	}
	return flags
}

// docFlagPattern is how the docs write a flag: two hyphens, a lower-case name, not preceded by
// a letter, digit or hyphen (so "---" rules and "a--b" are not flags).
var docFlagPattern = regexp.MustCompile(`(?:^|[^A-Za-z0-9-])--([a-z][a-z0-9-]*[a-z0-9])`)

// namedFlags returns the flags a document names as --name, with the first line naming each.
func namedFlags(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]string{}
	for _, text := range strings.Split(string(data), "\n") {
		for _, m := range docFlagPattern.FindAllStringSubmatch(text, -1) {
			if _, seen := named[m[1]]; !seen {
				named[m[1]] = strings.TrimSpace(text)
			}
		}
	}
	return named
}

// notKramersFlags are --names the docs write that are not kramers flags: options of other programs
// (Slurm's in the array script, kubectl's --for), --help and --version, and the unknown flag of the
// bad-input table. They are checked to be absent from kramers, so a kramers flag of the same name
// would not hide behind this list.
var notKramersFlags = []string{"array", "requeue", "signal", "dependency", "for", "help", "version", "frobnicate"}

// TestDocsNameEveryFlag: every flag that some command defines appears in the README's synopsis or
// in the user guide as --name, and every --name that the README, the guide or the validation page
// writes is a flag of some command (issue 21, item 7). A flag added without documentation, or
// documentation of a flag that was renamed or removed, fails here.
func TestDocsNameEveryFlag(t *testing.T) {
	defined := definedFlags(t)
	readme := namedFlags(t, "../../README.md")
	guide := namedFlags(t, "../../docs/guide.md")
	validation := namedFlags(t, "../../docs/validation.md")
	for _, name := range slices.Sorted(maps.Keys(defined)) {
		if _, ok := readme[name]; ok {
			continue
		}
		if _, ok := guide[name]; !ok {
			t.Errorf("--%s (a flag of kramers %s) appears neither in README.md nor in docs/guide.md",
				name, strings.Join(defined[name], ", "))
		}
	}
	for _, name := range notKramersFlags {
		if cmds, ok := defined[name]; ok {
			t.Errorf("--%s is listed as another program's flag but kramers %s defines it", name, strings.Join(cmds, ", "))
		}
	}
	for path, named := range map[string]map[string]string{
		"README.md": readme, "docs/guide.md": guide, "docs/validation.md": validation,
	} {
		for _, name := range slices.Sorted(maps.Keys(named)) {
			if _, ok := defined[name]; !ok && !slices.Contains(notKramersFlags, name) {
				t.Errorf("%s names --%s, which no kramers command defines: %q", path, name, named[name])
			}
		}
	}
}

// TestArchitectureContractNamesEveryFlag: docs/architecture.md's command-line contract lists every
// flag of every command.
func TestArchitectureContractNamesEveryFlag(t *testing.T) {
	defined := definedFlags(t)
	data, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "## Command-line contract")
	if start < 0 {
		t.Fatal("docs/architecture.md has no Command-line contract section")
	}
	text = text[start+len("## Command-line contract"):]
	if end := strings.Index(text, "\n## "); end >= 0 {
		text = text[:end]
	}
	named := map[string]bool{}
	for _, m := range docFlagPattern.FindAllStringSubmatch(text, -1) {
		named[m[1]] = true
	}
	for _, name := range slices.Sorted(maps.Keys(defined)) {
		if !named[name] {
			t.Errorf("--%s (kramers %s) is missing from docs/architecture.md's command-line contract",
				name, strings.Join(defined[name], ", "))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(named)) {
		if _, ok := defined[name]; !ok && !slices.Contains(notKramersFlags, name) {
			t.Errorf("docs/architecture.md's command-line contract names --%s, which no command defines", name)
		}
	}
}
