package shaders

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

//go:embed *.glsl
var files embed.FS

// DefaultVersion is the version line used when the main file has none:
// OpenGL 4.3 is the first core version with compute shaders and storage buffers.
const DefaultVersion = "#version 430"

// Source returns the text of the embedded file name (for example "philox.glsl").
func Source(name string) (string, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("shader %q: no such embedded file", name)
	}
	return string(b), nil
}

// Names lists the embedded files in sorted order.
func Names() []string {
	ents, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Origin is where one line of an assembled source came from. Generated lines
// (the version line when defaulted, and #define lines) have File "<generated>".
type Origin struct {
	File string
	Line int // 1-based
}

func (o Origin) String() string { return fmt.Sprintf("%s:%d", o.File, o.Line) }

// Unit is an assembled shader source with its line map.
type Unit struct {
	Name  string   // the main file's name
	Text  string   // the source to hand to the compiler
	Lines []Origin // Lines[i] is the origin of line i+1 of Text
}

// String returns u.Text.
func (u *Unit) String() string { return u.Text }

// Origin returns the origin of the 1-based line of u.Text; ok is false when the
// line is out of range.
func (u *Unit) Origin(line int) (o Origin, ok bool) {
	if u == nil || line < 1 || line > len(u.Lines) {
		return Origin{}, false
	}
	return u.Lines[line-1], true
}

// Line returns the text of the 1-based line of u.Text ("" when out of range).
func (u *Unit) Line(line int) string {
	lines := strings.Split(u.Text, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	return lines[line-1]
}

var (
	includeRE = regexp.MustCompile(`^\s*#\s*include\s+"([^"]+)"\s*(//.*)?$`)
	versionRE = regexp.MustCompile(`^\s*#\s*version\b`)
)

type assembler struct {
	extra    map[string]string
	out      []string
	lines    []Origin
	active   []string // include stack, for cycle detection and messages
	included map[string]bool
	version  string
	verAt    Origin
}

func (a *assembler) lookup(name string) (string, error) {
	if s, ok := a.extra[name]; ok {
		return s, nil
	}
	return Source(name)
}

func (a *assembler) expand(name string) error {
	for _, n := range a.active {
		if n == name {
			return fmt.Errorf("shader include cycle: %s -> %s", strings.Join(a.active, " -> "), name)
		}
	}
	if a.included[name] {
		return nil
	}
	src, err := a.lookup(name)
	if err != nil {
		if len(a.active) > 0 {
			return fmt.Errorf("%s: %w", a.active[len(a.active)-1], err)
		}
		return err
	}
	a.included[name] = true
	a.active = append(a.active, name)
	defer func() { a.active = a.active[:len(a.active)-1] }()
	for i, line := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if m := includeRE.FindStringSubmatch(line); m != nil {
			if err := a.expand(m[1]); err != nil {
				return fmt.Errorf("%w (included from %s:%d)", err, name, i+1)
			}
			continue
		}
		if versionRE.MatchString(line) {
			if len(a.active) == 1 && a.version == "" {
				a.version = strings.TrimSpace(line)
				a.verAt = Origin{name, i + 1}
			}
			continue
		}
		a.out = append(a.out, line)
		a.lines = append(a.lines, Origin{name, i + 1})
	}
	return nil
}

// Assemble expands main (an embedded file or a key of extra) into one source
// as described in the package documentation. defines and extra may be nil.
func Assemble(main string, defines map[string]string, extra map[string]string) (*Unit, error) {
	a := &assembler{extra: extra, included: map[string]bool{}}
	if err := a.expand(main); err != nil {
		return nil, fmt.Errorf("assemble shader %s: %w", main, err)
	}
	u := &Unit{Name: main}
	var out []string
	if a.version == "" {
		out = append(out, DefaultVersion)
		u.Lines = append(u.Lines, Origin{"<generated>", 1})
	} else {
		out = append(out, a.version)
		u.Lines = append(u.Lines, a.verAt)
	}
	keys := slices.Sorted(maps.Keys(defines))
	for i, k := range keys {
		if strings.ContainsAny(k, " \t\n") || strings.Contains(defines[k], "\n") {
			return nil, fmt.Errorf("assemble shader %s: bad define %q=%q (no spaces in the name, no newlines)", main, k, defines[k])
		}
		out = append(out, strings.TrimSpace("#define "+k+" "+defines[k]))
		u.Lines = append(u.Lines, Origin{"<generated>", i + 2})
	}
	out = append(out, a.out...)
	u.Lines = append(u.Lines, a.lines...)
	u.Text = strings.Join(out, "\n") + "\n"
	return u, nil
}
