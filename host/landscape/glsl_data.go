package landscape

import (
	"fmt"
	"strings"
)

// The GLSL of a finite-data landscape (docs/theory.md §8). The rows live in a storage block,
// row-major, len(Columns) numbers per row:
//
//	layout(std430, binding = DATA_BINDING) readonly buffer LandscapeData { DATA_REAL landscapeData[]; };
//
// DATA_REAL is the type the host uploaded (REAL unless the includer defines it: the view draws in
// float from a double run's buffer). The per-sample functions take the row index after θ:
//
//	REAL sampleLoss(REAL x[LANDSCAPE_DIM], uint row)
//	void sampleGradient(REAL x[LANDSCAPE_DIM], uint row, out REAL g[LANDSCAPE_DIM])
//	void sampleHessian(…, uint row, out REAL h[…]), sampleHessianDiagonal (unless NoHessian)
//
// and the full-data functions of every landscape (landscapeLoss, landscapeGradient, …) are their
// means over the DATA_ROWS rows, summed in row order and divided by DATA_ROWS: the order of the
// CPU's Evaluator (data.go), so the two differ by rounding of the arithmetic type only.

// DataBinding is the storage-block binding of a data landscape's rows, in every program that
// includes the landscape's GLSL (the step program, the view's draw programs). The step program
// uses 0–2 and the view 0–4, so 5 is free in both.
const DataBinding = 5

// columnName is the GLSL local that holds data column j of the current row.
func columnName(j int) string { return fmt.Sprintf("col%d", j) }

// columnLocals declares the current row's columns at the top of a per-sample function (an unused
// one is removed by the compiler); "" outside the data code.
func (l *Landscape) columnLocals(opt GLSLOptions) string {
	if opt.dataDim == 0 {
		return ""
	}
	var b strings.Builder
	for j := range l.Columns {
		fmt.Fprintf(&b, "\tREAL %s = REAL(landscapeData[row * uint(DATA_COLS) + %du]);\n", columnName(j), j)
	}
	return b.String()
}

// dataGLSL writes the storage block, the per-sample functions and their row means.
func (l *Landscape) dataGLSL(sb *strings.Builder, opt GLSLOptions) {
	opt.dataDim = l.Dim
	l.dataBlockGLSL(sb)

	sb.WriteString("REAL sampleLoss(REAL x[LANDSCAPE_DIM], uint row) {\n")
	sb.WriteString(l.columnLocals(opt))
	emitBody(sb, opt, []*node{l.loss}, func(int) string { return "return " })
	sb.WriteString("}\n\n")

	sb.WriteString("void sampleGradient(REAL x[LANDSCAPE_DIM], uint row, out REAL g[LANDSCAPE_DIM]) {\n")
	sb.WriteString(l.columnLocals(opt))
	emitBody(sb, opt, l.grad, func(i int) string { return fmt.Sprintf("g[%d] = ", i) })
	sb.WriteString("}\n\n")

	meanOver := rowMeansGLSL(sb, opt)
	if !opt.NoHessian {
		l.hessianGLSL(sb, opt, "sampleHessian", "sampleHessianDiagonal", ", uint row")
		sb.WriteString("\n")
		meanOver("landscapeHessian", "sampleHessian", "LANDSCAPE_DIM*LANDSCAPE_DIM")
		meanOver("landscapeHessianDiagonal", "sampleHessianDiagonal", "LANDSCAPE_DIM")
	}
}

// dataBlockGLSL writes the data's defines and storage block.
func (l *Landscape) dataBlockGLSL(sb *strings.Builder) {
	fmt.Fprintf(sb, "#define DATA_ROWS %d\n#define DATA_COLS %d\n#define DATA_BINDING %d\n", l.Rows, len(l.Columns), DataBinding)
	sb.WriteString("#ifndef DATA_REAL\n#define DATA_REAL REAL\n#endif\n")
	fmt.Fprintf(sb, "// Columns: %s (col0, col1, … below).\n", sanitizeComment(strings.Join(l.Columns, ", ")))
	sb.WriteString("layout(std430, binding = DATA_BINDING) readonly buffer LandscapeData { DATA_REAL landscapeData[]; };\n\n")
}

// rowMeansGLSL writes landscapeLoss and landscapeGradient, the row means of sampleLoss and
// sampleGradient, and returns meanOver, which writes the row mean of another per-sample function
// with an array output of n entries.
func rowMeansGLSL(sb *strings.Builder, opt GLSLOptions) (meanOver func(name, sample, n string)) {
	zero := Literal(0, opt)
	sb.WriteString("REAL landscapeLoss(REAL x[LANDSCAPE_DIM]) {\n" +
		"\tREAL s = " + zero + ";\n" +
		"\tfor (uint r = 0u; r < uint(DATA_ROWS); r++) s += sampleLoss(x, r);\n" +
		"\treturn s / REAL(DATA_ROWS);\n}\n\n")
	meanOver = func(name, sample, n string) {
		fmt.Fprintf(sb, "void %s(REAL x[LANDSCAPE_DIM], out REAL v[%s]) {\n", name, n)
		fmt.Fprintf(sb, "\tfor (int k = 0; k < %s; k++) v[k] = %s;\n", n, zero)
		fmt.Fprintf(sb, "\tfor (uint r = 0u; r < uint(DATA_ROWS); r++) {\n\t\tREAL s[%s];\n\t\t%s(x, r, s);\n", n, sample)
		fmt.Fprintf(sb, "\t\tfor (int k = 0; k < %s; k++) v[k] += s[k];\n\t}\n", n)
		fmt.Fprintf(sb, "\tfor (int k = 0; k < %s; k++) v[k] /= REAL(DATA_ROWS);\n}\n\n", n)
	}
	meanOver("landscapeGradient", "sampleGradient", "LANDSCAPE_DIM")
	return meanOver
}

// DataValues returns the rows of a finite-data landscape, row-major, len(Columns) numbers each
// (nil otherwise), for upload to the storage block. The caller must not modify them.
func (l *Landscape) DataValues() []float64 { return l.data }
