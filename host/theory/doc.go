// Package theory holds the closed-form and numerically exact predictions that
// simulated escape times are compared with (docs/theory.md §4):
//
//   - EyringKramers: the low-temperature Eyring–Kramers law with Hessian
//     determinants for white (sgld) noise (docs/theory.md §4.1; Berglund 2013,
//     arXiv:1106.5799).
//   - XieExponent, XiePWQ, XieExponentSlope, FitS: the escape-time exponent of
//     Xie, Sato & Sugiyama (ICLR 2021) for Hessian-shaped SGD noise
//     (docs/theory.md §4.2), exact on the piecewise-quadratic landscape.
//   - Mori, MoriExponent: the power-law escape rate for loss-proportional SGD
//     noise of Mori, Ziyin, Liu & Ueda (ICML 2022) (docs/theory.md §4.4).
//   - MeanFirstPassage1D: the exact one-dimensional mean first-passage time of
//     dθ = −L'(θ)dt + sqrt(2D(θ))dW for any positive D, by quadrature carried
//     out in log space (docs/theory.md §4.3).
//   - DiscreteChain1D: the exact mean first-passage time and quasi-stationary
//     escape probability of the discrete chain θ' = θ − ηL'(θ) + sqrt(2ηD(θ))z
//     that the simulator runs, at its own η (docs/theory.md §3): collocation with
//     hat functions and exact Gaussian weights, band elimination in GTH form,
//     Romberg extrapolation in the grid spacing. It has no O(η) bias to allow
//     for, and D may vanish at points.
//
// Inputs are plain numbers, slices and functions, so the package depends on
// gonum only and not on the landscape package. PWQ is an independent closed
// form of the piecewise-quadratic landscape for checks; the landscape package
// remains the source of truth for what the simulator runs.
//
// All times are continuous time (iterations × η) unless a name says otherwise.
package theory
