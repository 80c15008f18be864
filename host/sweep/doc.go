// Package sweep runs `kramers sweep`: one measurement per value of a varied run flag or landscape
// parameter, each sized for a target number of escapes, and a weighted straight-line fit
// of ln τ̂ against the natural axis of docs/theory.md §4 (1/k, B/η, 1/T, …).
//
// It is a client of the domain package host, which never imports it (docs/architecture.md, checked
// by TestDependencyDirection). Its pieces:
//
//   - vary.go: --vary NAME=v1,v2,… (ParseVary) and how a value enters a configuration (ApplyVary;
//     a catalogue parameter through SetSpecParam, which rewrites the spec with the catalogue-spec
//     grammar of host/landscape, landscape.ParseSpec; an expression's parameters, k and l0, and a
//     parameter --param gives, in a copy of Config.Params, checked against landscape.Parameters);
//   - plan.go: run sizing for a target escape count, the one home of that rule: SizeFor (particles,
//     about EscapeFraction of them escaping), PlanSize (iterations), TauGuess (the τ a plan is made
//     for, in host.TheoryPreference order), and the defaults of a sweep (Defaults);
//   - axis.go: the x axis of the fit and plot (NewAxis), by default the one on which theory
//     predicts a straight line of ln τ for the varied NAME and noise model (NaturalAxis: 1/k under
//     SGD noise, ln k under sgld, B/η, 1/T, …);
//   - fit.go: weighted least-squares lines (FitLine);
//   - sweep.go: RunSweep and MeasurePoint, whose Point carries the numbers of the run's
//     host.Measurement (the quasi-stationary rate after the burn-in, its interval, the escapes it is
//     made of, the theory values with their kinds and comparisons) without recomputing them;
//   - compare.go: --compare NAME=v1,v2,… (ParseCompare, ApplyCompare; which model-specific flags
//     apply to which noise model, Applies) and RunSet, which runs one series per compared value and
//     collects the panels (one per distinct axis) of a Set;
//   - write.go: the Set's CSV (one header, one row per point, one column per quantity that applies,
//     units and theory kinds on '#' lines) and, through its JSON tags, the sweep's JSON document.
//
// Backends arrive as a host.BackendFactory, so the package needs neither GL nor the CPU reference.
package sweep
