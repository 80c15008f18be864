package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the length past which a function must say why it is one function (the
// project's standard: functions that do one thing, about 80 lines at most; issue 21 item 6).
const maxFuncLines = 80

// longFuncs are the functions of the module allowed beyond maxFuncLines, by "path:Name" (path
// from the module root, Name with its receiver type), and why.
var longFuncs = map[string]string{
	"host/landscape/eval.go:makeInstr": "one case per opcode of the expression machine: the instruction table in code",
	"host/landscape/lexer.go:lex":      "one switch over the next character, as its comment says: the token table",
	"host/data/genmodels.go:init":      "the table of data generators, one entry per generator with its documented law",
}

// TestFunctionLength fails for every function of the module's non-test code longer than
// maxFuncLines that longFuncs does not list, and for every longFuncs entry that is no longer
// long (so the list cannot go stale).
func TestFunctionLength(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	long := map[string]int{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		for name, n := range funcLengths(t, path) {
			if n > maxFuncLines {
				long[filepath.ToSlash(rel)+":"+name] = n
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(long) == 0 {
		t.Fatalf("no function longer than %d lines found under %s: the walk found no code", maxFuncLines, root)
	}
	for key, n := range long {
		if _, ok := longFuncs[key]; !ok {
			t.Errorf("%s is %d lines (> %d): split it into functions that do one thing, or list it in longFuncs with the reason", key, n, maxFuncLines)
		}
	}
	for key := range longFuncs {
		if _, ok := long[key]; !ok {
			t.Errorf("longFuncs lists %s, which is no longer over %d lines (or is gone): remove the entry", key, maxFuncLines)
		}
	}
}

// funcLengths are the lengths in lines, from the func keyword to the closing brace, of the
// functions and methods in the file, by name ("Type.Method" for methods).
func funcLengths(t *testing.T, path string) map[string]int {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	out := map[string]int{}
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		name := fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
			typ := fd.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			if idx, ok := typ.(*ast.IndexExpr); ok { // a generic receiver T[X]
				typ = idx.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				name = id.Name + "." + name
			}
		}
		out[name] = max(out[name], fset.Position(fd.End()).Line-fset.Position(fd.Pos()).Line+1)
	}
	return out
}
