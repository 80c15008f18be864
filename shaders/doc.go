// Package shaders holds the GLSL sources of kramers, embedded into the binary
// with //go:embed, and a small preprocessor that assembles them.
//
// # Files
//
// Library files (philox.glsl, normal.glsl, ...) hold functions only and are
// pulled in by programs. Program files are named NAME.STAGE.glsl with STAGE
// one of comp, vert or frag (for example philox_test.comp.glsl) and carry a
// main function.
//
// # Assembly
//
// Assemble(main, defines, extra) produces one compilable source:
//
//   - The version line is the first "#version" line of main, or "#version 430"
//     if main has none. "#version" lines of included files are dropped.
//   - For every entry of defines, in sorted key order, a line "#define KEY VALUE"
//     follows the version line.
//   - A line of the form `#include "name.glsl"` is replaced, recursively, by the
//     contents of that file. Names are looked up first in extra (generated code
//     under a virtual name, for example the landscape's "landscape.glsl"), then
//     among the embedded files. A file is included at most once per assembly
//     (later includes of it are dropped, like "#pragma once"); an include of a
//     file that is still being expanded is a cycle and an error.
//
// The result, a Unit, remembers for every output line the file and line it came
// from, so a driver's compile error at "line 57" of the assembled text can be
// reported as, say, normal.glsl:23 (see Unit.Origin and package gpu).
package shaders
