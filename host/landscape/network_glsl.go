package landscape

import (
	"fmt"
	"strings"
)

// The GLSL of a compiled network (network.go): the data block and row means of every data
// landscape (glsl_data.go), and sampleLoss and sampleGradient as a forward and a backward pass
// written for the network's shape, in REAL. No Hessian: the step program calls it only for the
// noise models that host.Prepare refuses on a network.
//
// Private arrays per call: a[NET_INPUTS + NET_UNITS] (the inputs, then every unit's output), z
// (every unit's pre-activation) and dl (∂ℓ/∂z per unit). The inner products are unrolled in chunks
// of netChunk terms: Mesa's llvmpipe stops an invocation after 65535 loop turns in all
// (gpu/stepsource.go), and SampleLoopTurns counts the turns that remain, from the same writer.

// netChunk is the number of terms of an inner product written out per loop turn.
const netChunk = 8

// loopTurns is the turn count of a loop of k turns whose body takes body turns: k turns and k + 1
// tests of the condition (as gpu/stepsource.go counts).
func loopTurns(k, body int) int { return k*(1+body) + 1 }

// netWriter writes the network's GLSL and counts its loop turns.
type netWriter struct {
	sb  *strings.Builder
	opt GLSLOptions
	n   *network
}

// chunked writes count statements stmt(i) for i = 0…count−1, indented by tabs: loops of netChunk
// statements each (when there are at least two chunks) and the remainder written out. It returns
// the loop turns.
func (w *netWriter) chunked(tabs string, count int, stmt func(i string) string) int {
	k := count / netChunk
	done := 0
	turns := 0
	if k >= 2 {
		fmt.Fprintf(w.sb, "%sfor (int c = 0; c < %d; c++) {\n%s\tint i = c * %d;\n", tabs, k, tabs, netChunk)
		for u := range netChunk {
			fmt.Fprintf(w.sb, "%s\t%s\n", tabs, stmt(fmt.Sprintf("(i + %d)", u)))
		}
		fmt.Fprintf(w.sb, "%s}\n", tabs)
		done = k * netChunk
		turns = loopTurns(k, 0)
	}
	for i := done; i < count; i++ {
		fmt.Fprintf(w.sb, "%s%s\n", tabs, stmt(fmt.Sprint(i)))
	}
	return turns
}

// call writes f(arg) in REAL, through float where GLSL 4.30 has no double overload (glsl.go).
func (w *netWriter) call(f, arg string) string {
	if w.opt.Double {
		return fmt.Sprintf("REAL(%s(float(%s)))", f, arg)
	}
	return fmt.Sprintf("%s(%s)", f, arg)
}

func (w *netWriter) lit(v float64) string { return Literal(v, w.opt) }

// column is the data value of column c of the current row (base = row·DATA_COLS).
func dataColumn(c string) string { return "REAL(landscapeData[base + uint(" + c + ")])" }

// netGLSL writes the whole network code: defines, helpers, the passes and the row means.
func (l *Landscape) netGLSL(sb *strings.Builder, opt GLSLOptions) {
	l.dataBlockGLSL(sb)
	w := &netWriter{sb: sb, opt: opt, n: l.net}
	w.helpers()
	w.forward()
	w.outLoss()
	w.sampleLoss()
	w.sampleGradient()
	rowMeansGLSL(sb, opt)
}

// SampleLoopTurns is the loop turns of one sampleLoss and one sampleGradient call of the
// landscape's GLSL: 0 for an expression (straight-line code), the passes' loops for a network.
func (l *Landscape) SampleLoopTurns() (loss, gradient int) {
	if l.net == nil {
		return 0, 0
	}
	w := &netWriter{sb: &strings.Builder{}, n: l.net}
	fwd, out := w.forward(), w.outLoss()
	return fwd + out + w.sampleLoss(), fwd + out + w.sampleGradient()
}

// helpers writes the defines, the input and target columns and the activation functions.
func (w *netWriter) helpers() {
	n := w.n
	fmt.Fprintf(w.sb, "// Compiled network: widths %v, bias %d, act %s, loss %s.\n", n.widths, n.bias, activationNames[n.act], lossNames[n.loss])
	fmt.Fprintf(w.sb, "#define NET_INPUTS %d\n#define NET_UNITS %d\n#define NET_OUTPUTS %d\n", n.widths[0], n.units, len(n.targ))
	fmt.Fprintf(w.sb, "const int NET_FEATURES[NET_INPUTS] = int[](%s);\n", intList(n.feat))
	fmt.Fprintf(w.sb, "const int NET_TARGETS[NET_OUTPUTS] = int[](%s);\n", intList(n.targ))
	one, zero := w.lit(1), w.lit(0)
	// softplus(z) = max(z, 0) + log(1 + e^−|z|) and the logistic sigmoid, stable at every z.
	fmt.Fprintf(w.sb, "REAL netSoftplus(REAL z) { return max(z, %s) + %s; }\n", zero, w.call("log", one+" + "+w.call("exp", "-abs(z)")))
	fmt.Fprintf(w.sb, "REAL netSigmoid(REAL z) { REAL e = %s; return z >= %s ? %s / (%s + e) : e / (%s + e); }\n", w.call("exp", "-abs(z)"), zero, one, one, one)
	switch n.act {
	case actReLU:
		fmt.Fprintf(w.sb, "REAL netAct(REAL z) { return max(z, %s); }\n", zero)
		fmt.Fprintf(w.sb, "REAL netActDeriv(REAL z) { return z > %s ? %s : %s; }\n\n", zero, one, zero)
	case actSoftplus:
		w.sb.WriteString("REAL netAct(REAL z) { return netSoftplus(z); }\n")
		w.sb.WriteString("REAL netActDeriv(REAL z) { return netSigmoid(z); }\n\n")
	default:
		fmt.Fprintf(w.sb, "REAL netAct(REAL z) { return %s; }\n", w.call("tanh", "z"))
		fmt.Fprintf(w.sb, "REAL netActDeriv(REAL z) { REAL t = %s; return %s - t * t; }\n\n", w.call("tanh", "z"), one)
	}
}

func intList(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// forward writes netForward: the inputs of the row into a, then layer by layer z = sqrt(k)·(W·a
// + b) and a = act(z) (the output layer linear). It returns the loop turns of a call.
func (w *netWriter) forward() int {
	n := w.n
	w.sb.WriteString("void netForward(REAL x[LANDSCAPE_DIM], uint row, out REAL a[NET_INPUTS + NET_UNITS], out REAL z[NET_UNITS]) {\n" +
		"\tuint base = row * uint(DATA_COLS);\n")
	turns := w.chunked("\t", n.widths[0], func(i string) string { return "a[" + i + "] = " + dataColumn("NET_FEATURES["+i+"]") + ";" })
	scale := w.lit(n.scale)
	prev := 0
	for l := range n.layers() {
		nin, nout, st, u0 := n.widths[l], n.widths[l+1], n.stride(l), n.unitStart(l)
		fmt.Fprintf(w.sb, "\tfor (int j = 0; j < %d; j++) {\n\t\tint w = %d + j * %d;\n", nout, n.offset[l], st)
		if n.bias == 1 {
			fmt.Fprintf(w.sb, "\t\tREAL s = x[w + %d];\n", nin)
		} else {
			fmt.Fprintf(w.sb, "\t\tREAL s = %s;\n", w.lit(0))
		}
		inner := w.chunked("\t\t", nin, func(i string) string { return fmt.Sprintf("s += x[w + %s] * a[%d + %s];", i, prev, i) })
		fmt.Fprintf(w.sb, "\t\ts *= %s;\n\t\tz[%d + j] = s;\n", scale, u0)
		out := "s"
		if l < n.layers()-1 {
			out = "netAct(s)"
		}
		fmt.Fprintf(w.sb, "\t\ta[%d + j] = %s;\n\t}\n", n.widths[0]+u0, out)
		turns += loopTurns(nout, inner)
		prev = n.widths[0] + u0
	}
	w.sb.WriteString("}\n\n")
	return turns
}

// outLoss writes netOutLoss: ℓ of the output units' z for the row, and ∂ℓ/∂z into dz. It returns
// the loop turns of a call.
func (w *netWriter) outLoss() int {
	n := w.n
	o := n.output()
	fmt.Fprintf(w.sb, "REAL netOutLoss(REAL z[NET_UNITS], uint row, out REAL dz[NET_OUTPUTS]) {\n\tuint base = row * uint(DATA_COLS);\n")
	defer w.sb.WriteString("}\n\n")
	switch n.loss {
	case lossMSE:
		fmt.Fprintf(w.sb, "\tREAL r = z[%d] - %s;\n\tdz[0] = r;\n\treturn %s * r * r;\n", o, dataColumn("NET_TARGETS[0]"), w.lit(0.5))
		return 0
	case lossLogistic:
		fmt.Fprintf(w.sb, "\tREAL t = %s;\n\tREAL u = z[%d];\n\tdz[0] = netSigmoid(u) - t;\n\treturn netSoftplus(u) - t * u;\n", dataColumn("NET_TARGETS[0]"), o)
		return 0
	}
	c := len(n.targ)
	zero := w.lit(0)
	fmt.Fprintf(w.sb, "\tREAL zmax = z[%d];\n\tfor (int c = 1; c < NET_OUTPUTS; c++) zmax = max(zmax, z[%d + c]);\n", o, o)
	fmt.Fprintf(w.sb, "\tREAL sum = %s;\n\tfor (int c = 0; c < NET_OUTPUTS; c++) sum += %s;\n", zero, w.call("exp", fmt.Sprintf("z[%d + c] - zmax", o)))
	fmt.Fprintf(w.sb, "\tREAL lse = zmax + %s;\n\tREAL tsum = %s;\n\tREAL l = %s;\n", w.call("log", "sum"), zero, zero)
	fmt.Fprintf(w.sb, "\tfor (int c = 0; c < NET_OUTPUTS; c++) {\n\t\tREAL t = %s;\n\t\ttsum += t;\n\t\tl -= t * z[%d + c];\n\t}\n", dataColumn("NET_TARGETS[c]"), o)
	fmt.Fprintf(w.sb, "\tfor (int c = 0; c < NET_OUTPUTS; c++) dz[c] = tsum * %s - %s;\n", w.call("exp", fmt.Sprintf("z[%d + c] - lse", o)), dataColumn("NET_TARGETS[c]"))
	w.sb.WriteString("\treturn tsum * lse + l;\n")
	return loopTurns(c-1, 0) + 3*loopTurns(c, 0)
}

// sampleLoss writes sampleLoss: ℓ + (wd/2)·k·|θ|² + l0. It returns the loop turns of its own code.
func (w *netWriter) sampleLoss() int {
	n := w.n
	w.sb.WriteString("REAL sampleLoss(REAL x[LANDSCAPE_DIM], uint row) {\n" +
		"\tREAL a[NET_INPUTS + NET_UNITS];\n\tREAL z[NET_UNITS];\n\tREAL dz[NET_OUTPUTS];\n" +
		"\tnetForward(x, row, a, z);\n\tREAL l = netOutLoss(z, row, dz);\n")
	turns := 0
	if n.wd != 0 {
		fmt.Fprintf(w.sb, "\tREAL sq = %s;\n", w.lit(0))
		turns = w.chunked("\t", n.dim, func(i string) string { return "sq += x[" + i + "] * x[" + i + "];" })
		fmt.Fprintf(w.sb, "\tl += %s * sq;\n", w.lit(0.5*n.wd*n.scale*n.scale))
	}
	fmt.Fprintf(w.sb, "\treturn l + %s;\n}\n\n", w.lit(n.l0))
	return turns
}

// sampleGradient writes sampleGradient: the backward pass from the output layer down. With dl = ∂ℓ/∂z,
// the gradient in θ of a weight is sqrt(k)·dl_j·a_i + k·wd·θ (of a bias sqrt(k)·dl_j + k·wd·θ), and
// the hidden units' dl accumulate Σ_j w_ji·dl_j (w = sqrt(k)·θ) before the activation's derivative. It
// returns the loop turns of its own code.
func (w *netWriter) sampleGradient() int {
	n := w.n
	w.sb.WriteString("void sampleGradient(REAL x[LANDSCAPE_DIM], uint row, out REAL g[LANDSCAPE_DIM]) {\n" +
		"\tREAL a[NET_INPUTS + NET_UNITS];\n\tREAL z[NET_UNITS];\n\tREAL dl[NET_UNITS];\n\tREAL dz[NET_OUTPUTS];\n" +
		"\tnetForward(x, row, a, z);\n\tnetOutLoss(z, row, dz);\n")
	o := n.output()
	fmt.Fprintf(w.sb, "\tfor (int c = 0; c < NET_OUTPUTS; c++) dl[%d + c] = dz[c];\n", o)
	turns := loopTurns(len(n.targ), 0)
	scale, kwd := w.lit(n.scale), w.lit(n.wd*n.scale*n.scale)
	for l := n.layers() - 1; l >= 0; l-- {
		nin, nout, st, u0 := n.widths[l], n.widths[l+1], n.stride(l), n.unitStart(l)
		prev := 0
		if l > 0 {
			prev = n.widths[0] + n.unitStart(l-1)
			fmt.Fprintf(w.sb, "\tfor (int i = 0; i < %d; i++) dl[%d + i] = %s;\n", nin, n.unitStart(l-1), w.lit(0))
			turns += loopTurns(nin, 0)
		}
		fmt.Fprintf(w.sb, "\tfor (int j = 0; j < %d; j++) {\n\t\tint w = %d + j * %d;\n\t\tREAL d = %s * dl[%d + j];\n", nout, n.offset[l], st, scale, u0)
		inner := w.chunked("\t\t", nin, func(i string) string {
			s := fmt.Sprintf("g[w + %s] = d * a[%d + %s] + %s * x[w + %s];", i, prev, i, kwd, i)
			if l > 0 {
				s += fmt.Sprintf(" dl[%d + %s] += x[w + %s] * d;", n.unitStart(l-1), i, i)
			}
			return s
		})
		if n.bias == 1 {
			fmt.Fprintf(w.sb, "\t\tg[w + %d] = d + %s * x[w + %d];\n", nin, kwd, nin)
		}
		w.sb.WriteString("\t}\n")
		turns += loopTurns(nout, inner)
		if l > 0 {
			p0 := n.unitStart(l - 1)
			fmt.Fprintf(w.sb, "\tfor (int i = 0; i < %d; i++) dl[%d + i] *= netActDeriv(z[%d + i]);\n", nin, p0, p0)
			turns += loopTurns(nin, 0)
		}
	}
	w.sb.WriteString("}\n\n")
	return turns
}
