// matsqrt.glsl: the noise ξ = AMP · S^{1/2} z of the two matrix-shaped noise models (docs/theory.md
// §1 and §8), with S^{1/2} = V·EIGEN_ROOT(Λ)·Vᵀ for S = V·Λ·Vᵀ:
//   sgd-hessian (NOISE_MODEL 1): S = H(θ), EIGEN_ROOT(λ) = sqrt(|λ| + FLOOR);
//   sgd-cov (NOISE_MODEL 5): S = C(θ), the per-sample gradient covariance over the data,
//     EIGEN_ROOT(λ) = sqrt(max(λ, 0)) (C is positive semi-definite up to rounding).
// Paths by the shape of S:
//   sgd-hessian on separable landscapes (diagonal H): one square root per coordinate;
//   d = 1: one square root;
//   d = 2: closed form through the rotation angle φ = ½·atan(2s01, s00 − s11);
//   3 ≤ d ≤ 8: cyclic Jacobi rotations (Golub & Van Loan, Matrix Computations, 4th ed., §8.5).
// The host refuses both models beyond d = 8 on the GPU where Jacobi would be needed
// (host.MaxJacobiDim).
// Needs: AMP, FLOOR, landscapeHessian/landscapeHessianDiagonal (sgd-hessian).
#if NOISE_MODEL == 1 || NOISE_MODEL == 5

// Transcendentals in double mode go through float: GLSL 4.30 has no double atan, sin or cos.
#define F(v) float(v)

#if NOISE_MODEL == 1
#define EIGEN_ROOT(l) sqrt(abs(l) + FLOOR)
#else
#define EIGEN_ROOT(l) sqrt(max((l), REAL(0)))
#endif

// symmetricRootNoise sets xi = AMP · a^{1/2} z for the symmetric row-major matrix a.
void symmetricRootNoise(REAL a[LANDSCAPE_DIM * LANDSCAPE_DIM], REAL z[LANDSCAPE_DIM], out REAL xi[LANDSCAPE_DIM]) {
#if LANDSCAPE_DIM == 1
	xi[0] = AMP * EIGEN_ROOT(a[0]) * z[0];
#elif LANDSCAPE_DIM == 2
	REAL h[4] = a;
	REAL m = (h[0] + h[3]) * REAL(0.5);
	REAL dd = (h[0] - h[3]) * REAL(0.5);
	REAL r = sqrt(dd * dd + h[1] * h[1]);
	REAL f1 = EIGEN_ROOT(m + r); // eigenvalue along (cos φ, sin φ)
	REAL f2 = EIGEN_ROOT(m - r);
	float phi = 0.5 * atan(F(h[1] + h[1]), F(h[0] - h[3]));
	REAL c = REAL(cos(phi));
	REAL s = REAL(sin(phi));
	REAL s00 = f1 * c * c + f2 * s * s;
	REAL s01 = (f1 - f2) * c * s;
	REAL s11 = f1 * s * s + f2 * c * c;
	xi[0] = AMP * (s00 * z[0] + s01 * z[1]);
	xi[1] = AMP * (s01 * z[0] + s11 * z[1]);
#else
	const int N = LANDSCAPE_DIM;
	REAL v[N * N];
	for (int i = 0; i < N * N; i++) v[i] = REAL(0);
	for (int i = 0; i < N; i++) v[i * N + i] = REAL(1);
	for (int sweep = 0; sweep < 10; sweep++) {
		REAL off = REAL(0);
		REAL diag = REAL(0);
		for (int p = 0; p < N; p++) {
			diag += a[p * N + p] * a[p * N + p];
			for (int q = p + 1; q < N; q++) off += a[p * N + q] * a[p * N + q];
		}
		if (off <= REAL(1e-14) * diag || off == REAL(0)) break;
		for (int p = 0; p < N - 1; p++) {
			for (int q = p + 1; q < N; q++) {
				REAL apq = a[p * N + q];
				if (abs(apq) < REAL(1e-30)) continue;
				REAL theta = (a[q * N + q] - a[p * N + p]) / (apq + apq);
				REAL t = (theta >= REAL(0) ? REAL(1) : REAL(-1)) / (abs(theta) + sqrt(theta * theta + REAL(1)));
				REAL c = REAL(1) / sqrt(t * t + REAL(1));
				REAL s = t * c;
				for (int k = 0; k < N; k++) { // columns p and q
					REAL akp = a[k * N + p];
					REAL akq = a[k * N + q];
					a[k * N + p] = c * akp - s * akq;
					a[k * N + q] = s * akp + c * akq;
				}
				for (int k = 0; k < N; k++) { // rows p and q
					REAL apk = a[p * N + k];
					REAL aqk = a[q * N + k];
					a[p * N + k] = c * apk - s * aqk;
					a[q * N + k] = s * apk + c * aqk;
				}
				for (int k = 0; k < N; k++) { // eigenvectors, as columns of v
					REAL vkp = v[k * N + p];
					REAL vkq = v[k * N + q];
					v[k * N + p] = c * vkp - s * vkq;
					v[k * N + q] = s * vkp + c * vkq;
				}
			}
		}
	}
	REAL y[N]; // y = EIGEN_ROOT(Λ) · Vᵀ z
	for (int k = 0; k < N; k++) {
		REAL s = REAL(0);
		for (int i = 0; i < N; i++) s += v[i * N + k] * z[i];
		y[k] = EIGEN_ROOT(a[k * N + k]) * s;
	}
	for (int i = 0; i < N; i++) {
		REAL s = REAL(0);
		for (int k = 0; k < N; k++) s += v[i * N + k] * y[k];
		xi[i] = AMP * s;
	}
#endif
}
#endif

#if NOISE_MODEL == 1
void hessianNoise(REAL x[LANDSCAPE_DIM], REAL z[LANDSCAPE_DIM], out REAL xi[LANDSCAPE_DIM]) {
#if LANDSCAPE_DIAGONAL_HESSIAN == 1
	REAL h[LANDSCAPE_DIM];
	landscapeHessianDiagonal(x, h);
	for (int k = 0; k < LANDSCAPE_DIM; k++) xi[k] = AMP * sqrt(abs(h[k]) + FLOOR) * z[k];
#else
	REAL h[LANDSCAPE_DIM * LANDSCAPE_DIM];
	landscapeHessian(x, h);
	symmetricRootNoise(h, z, xi);
#endif
}
#endif
