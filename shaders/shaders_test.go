package shaders

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestAssembleIncludesDefinesAndLineMap(t *testing.T) {
	extra := map[string]string{
		"main.comp.glsl": "#version 450\n// top\n#include \"landscape.glsl\"\n#include \"philox.glsl\"\n#include \"philox.glsl\"\nvoid main() {}\n",
		"landscape.glsl": "float loss(float x) { return x*x; }\n#include \"philox.glsl\"\n",
	}
	u, err := Assemble("main.comp.glsl", map[string]string{"DIM": "3", "B": ""}, extra)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(u.Text, "\n"), "\n")
	if len(lines) != len(u.Lines) {
		t.Fatalf("%d lines but %d origins", len(lines), len(u.Lines))
	}
	if lines[0] != "#version 450" || lines[1] != "#define B" || lines[2] != "#define DIM 3" {
		t.Errorf("header = %q, want version then sorted defines", lines[:3])
	}
	if n := strings.Count(u.Text, "uvec4 philox4x32_10("); n != 1 {
		t.Errorf("philox.glsl expanded %d times, want once", n)
	}
	if strings.Contains(u.Text, "#include") {
		t.Errorf("unexpanded include left in output")
	}
	// Every line's origin must point at the same text in its file.
	for i, o := range u.Lines {
		if o.File == "<generated>" {
			continue
		}
		src := extra[o.File]
		if src == "" {
			src, _ = Source(o.File)
		}
		orig := strings.Split(src, "\n")[o.Line-1]
		if orig != lines[i] {
			t.Fatalf("line %d %q maps to %s %q", i+1, lines[i], o, orig)
		}
	}
	if o, ok := u.Origin(4); !ok || o.File != "main.comp.glsl" || o.Line != 2 {
		t.Errorf("Origin(4) = %v, %v; want main.comp.glsl:2", o, ok)
	}
	if o, _ := u.Origin(5); o.File != "landscape.glsl" || o.Line != 1 {
		t.Errorf("Origin(5) = %v, want landscape.glsl:1", o)
	}
}

func TestAssembleDefaultVersionAndErrors(t *testing.T) {
	u, err := Assemble("a", nil, map[string]string{"a": "void main() {}"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.Text, DefaultVersion+"\n") {
		t.Errorf("text %q does not start with %q", u.Text, DefaultVersion)
	}
	_, err = Assemble("a", nil, map[string]string{"a": "#include \"b\"", "b": "#include \"c\"", "c": "#include \"a\""})
	if err == nil || !strings.Contains(err.Error(), "cycle: a -> b -> c -> a") {
		t.Errorf("cycle error = %v", err)
	}
	_, err = Assemble("a", nil, map[string]string{"a": "\n#include \"missing.glsl\""})
	if err == nil || !strings.Contains(err.Error(), "missing.glsl") || !strings.Contains(err.Error(), "a:2") {
		t.Errorf("missing include error = %v", err)
	}
	if _, err := Assemble("nope.glsl", nil, nil); err == nil {
		t.Error("missing main gave no error")
	}
}

// stageOf returns the glslangValidator stage of a program file, or "" for a
// library file.
func stageOf(name string) string {
	for _, st := range []string{"comp", "vert", "frag", "geom"} {
		if strings.HasSuffix(name, "."+st+".glsl") {
			return st
		}
	}
	return ""
}

// TestGlslangValidatesAll compiles every embedded file with glslangValidator
// (Khronos reference front end, Debian package glslang-tools): programs as
// they are, library files through a tiny compute wrapper.
func TestGlslangValidatesAll(t *testing.T) {
	bin, err := exec.LookPath("glslangValidator")
	if err != nil {
		t.Fatalf("glslangValidator not found: install glslang-tools (apt-get install glslang-tools): %v", err)
	}
	dir := t.TempDir()
	names := Names()
	if len(names) == 0 {
		t.Fatal("no embedded shaders")
	}
	// The step program, its matrix square root and the minibatch code need the generated
	// landscape and run constants; gpu.TestStepProgramValidates assembles them for every
	// catalogue landscape and noise model, and for data landscapes, and runs glslangValidator
	// on the result.
	needsGenerated := map[string]bool{"step.comp.glsl": true, "matsqrt.glsl": true, "minibatch.glsl": true}
	for _, name := range names {
		if needsGenerated[name] {
			continue
		}
		stage := stageOf(name)
		var u *Unit
		if stage == "" {
			stage = "comp"
			wrapper := "layout(local_size_x = 1) in;\n#include \"" + name + "\"\nvoid main() {}\n"
			u, err = Assemble("wrapper", nil, map[string]string{"wrapper": wrapper})
		} else {
			u, err = Assemble(name, nil, nil)
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		path := filepath.Join(dir, strings.TrimSuffix(name, ".glsl")+"."+stage)
		if err := os.WriteFile(path, []byte(u.Text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "-S", stage, path).CombinedOutput()
		if err != nil {
			t.Errorf("glslangValidator rejects %s: %v\n%s", name, err, out)
		}
	}
}
