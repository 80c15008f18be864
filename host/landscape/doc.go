// Package landscape is the loss-landscape language of kramers: it parses a
// loss typed by the user (or taken from a catalogue of named landscapes),
// differentiates it symbolically (gradient and Hessian), evaluates it in Go,
// emits it as GLSL for the GPU step shader, and locates the minimum a and the
// index-1 saddle b that the escape-rate theories need (docs/theory.md §4).
//
// # Language
//
// An expression is a real function of the coordinates: x (1-D), x and y
// (2-D) or x1..xd (x is the same coordinate as x1, y the same as x2). It may
// use numbers (1, 1.5, 1e-3, .5), the constants pi and e, the operators
// + - * / ^ (^ is right associative and binds tighter than unary minus, so
// -x^2 = -(x^2) and 2^3^2 = 2^9), parentheses, the functions sin cos tan exp
// log sqrt abs tanh cosh sinh step pow min max select, and sum(EXPR in xi),
// which expands EXPR once per coordinate with the placeholder xi standing for
// it (Styblinski–Tang is 0.5*sum(xi^4 - 16*xi^2 + 5*xi in xi)).
// step(u) is 1 for u > 0 and 0 for u <= 0 (so step(0) = 0), in Go and in GLSL.
// select(c, a, b) is a if the condition c holds, else b. sign(u) (−1, 0, 1)
// is accepted as well; it appears in derivatives of abs.
//
// Conditions (the first argument of select, and escape conditions given to
// ParseCondition) compare expressions with < <= > >= == != and combine them
// with && || and !. A comparison is not a number: it is valid only there.
//
// Grammar (EBNF; lower lines bind tighter):
//
//	input   = or .
//	or      = and { "||" and } .
//	and     = cmp { "&&" cmp } .
//	cmp     = add [ ( "<" | "<=" | ">" | ">=" | "==" | "!=" ) add ] .
//	add     = mul { ( "+" | "-" ) mul } .
//	mul     = unary { ( "*" | "/" ) unary } .
//	unary   = ( "-" | "+" | "!" ) unary | power .
//	power   = primary [ "^" unary ] .
//	primary = number | name | name "(" [ or { "," or } ] ")"
//	        | "sum" "(" or "in" name ")" | "(" or ")" .
//	number  = digits [ "." digits ] [ exponent ] | "." digits [ exponent ] .
//
// A name that is neither a coordinate, a sum placeholder, a function nor a
// constant is a parameter: ParseWith takes its value (the --param flag), as in
// (x^2-1)^2 + c*x with c = 0.1, and substitutes it while the loss is built, so
// the derivatives, the Go closures and the GLSL see the constant folded exactly
// as if the number were written in. Every expression also takes the sharpness
// k and the offset l0 of the catalogue (below): the loss is L(sqrt(k)·θ) + l0,
// built through the one sharpness transform both share, and Landscape.Sharpen
// maps a point of L (a start guess) to θ/sqrt(k). k and l0 cannot be names in
// an expression; a parameter given but not used, or used but not given, is an
// error.
//
// A catalogue spec is name or name(p=v, q=v, ...), where every value is a
// constant expression; see Catalogue for the names, formulas, parameters and
// defaults. Every entry takes k (sharpness: L(sqrt(k)·θ), docs/theory.md §4.5) and
// l0 (an additive offset).
//
// Errors are *Error values with the 1-based column of the problem: syntax
// errors say what was expected, and unknown names, wrong arities, dimension
// mismatches and division by a literal zero (after constant folding) are
// reported too. No input makes the package panic (see FuzzParse).
//
// # Symbolic derivatives
//
// Expressions are stored as a hash-consed DAG (equal subexpressions are one
// node) and simplified while they are built: constant folding, the identities
// 0*u, 1*u, u+0, u^1, u^0, -(-u), and collecting c1*u ± c2*u and u*u. The
// derivative rules are the usual ones; d abs(u) = sign(u)·du, d step(u) = 0,
// and min, max and select differentiate piecewise through select on the
// same condition. Integer powers u^n with |n| <= 8 are kept as such and
// evaluated by repeated multiplication in both back ends (GLSL pow is
// undefined for negative bases); other powers use pow.
//
// # Evaluation
//
// Landscape.Evaluator compiles the loss, gradient and Hessian into flat lists
// of closures once; a call runs them over a pooled scratch vector, so one
// Evaluator is safe for concurrent use. Evaluator.Batch evaluates at many
// points at once (structure of arrays, each closure looping over the points),
// which the CPU reference uses to pay the interpreter once per block of
// particles; both paths run the same closures and give the same numbers.
//
// # GLSL contract
//
// Landscape.GLSL returns text that starts with
//
//	#define LANDSCAPE_DIM <d>
//	#define LANDSCAPE_DIAGONAL_HESSIAN <0|1>
//
// and defines, for a REAL type (float or double) that the includer defines
// first:
//
//	REAL landscapeLoss(REAL x[LANDSCAPE_DIM]);
//	void landscapeGradient(REAL x[LANDSCAPE_DIM], out REAL g[LANDSCAPE_DIM]);
//	void landscapeHessian(REAL x[LANDSCAPE_DIM], out REAL h[LANDSCAPE_DIM*LANDSCAPE_DIM]); // row-major
//	void landscapeHessianDiagonal(REAL x[LANDSCAPE_DIM], out REAL h[LANDSCAPE_DIM]);
//
// Subexpressions used more than once in a function body become REAL
// temporaries. With GLSLOptions.Double literals carry the LF suffix, and
// exp, log, sin, cos, tan, tanh, cosh, sinh and pow, which GLSL 4.30 has only
// for float, are called as REAL(f(float(u))): single precision inside those
// functions. Condition.GLSL emits bool NAME(REAL x[LANDSCAPE_DIM]). The Go
// and GLSL back ends evaluate the same DAG in the same operation order. The
// tests validate every emitted file with glslangValidator in a #version 430
// compute shader.
//
// # Critical points
//
// FindMinimum returns the limit of gradient flow from the start (flow.go:
// exponential steps of the local quadratic model with a controlled step time,
// docs/theory.md §2), polished with Newton steps, and requires a positive
// definite Hessian (gonum mat.EigenSym); FindMinimumOrDegenerate also returns
// a degenerate minimum. BasinCheck asks whether the flow from a point reaches
// a given minimum. Analyze then finds the
// saddle: in 1-D the nearest local maximum (toward the target if one is
// given); in d >= 2 the climbing-image nudged elastic band (G. Henkelman,
// B. P. Uberuaga and H. Jónsson, J. Chem. Phys. 113, 9901 (2000)) with the
// improved tangent (Henkelman and Jónsson, J. Chem. Phys. 113, 9978 (2000))
// relaxed by FIRE (Bitzek et al., Phys. Rev. Lett. 97, 170201 (2006)) between
// a and the target minimum (the given target, or the nearest other minimum
// found by minimising from points displaced from a along ± each Hessian
// eigenvector), refined by Newton iterations on ∇L = 0.
//
// Catalogue sources: the Müller–Brown potential, K. Müller and L. D. Brown,
// Theor. Chim. Acta 53, 75 (1979); the sharp/flat basin after Z. Zhu et al.,
// "The anisotropic noise in stochastic gradient descent", ICML 2019; pwq and
// twowell after docs/theory.md §4.2 and §5 (Xie et al.).
package landscape
