package main

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// TestParseSweepRequest parses `kramers sweep` arguments in-process, as a table, and checks every
// point as cmdSweep does before running (sweep.Options.CheckPoints): the options each gives, or
// the flag its refusal names ("-" for a usage error that names none).
func TestParseSweepRequest(t *testing.T) {
	dir := t.TempDir()
	out := []string{"--out", filepath.Join(dir, "out")}
	base := append([]string{"--landscape", "doublewell", "--noise", "sgld", "--temp", "0.2", "--lr", "0.01"}, out...)
	with := func(extra ...string) []string { return append(slices.Clone(base), extra...) }
	for _, tc := range []struct {
		name    string
		args    []string
		check   func(sweepRequest) bool
		errFlag string
	}{
		{"vary temp, sized", with("--vary", "temp=0.2,0.1"), func(r sweepRequest) bool {
			return r.opt.Name == "temp" && slices.Equal(r.opt.Values, []float64{0.2, 0.1}) && r.opt.AutoSize && r.opt.SizeParticles && r.out == filepath.Join(dir, "out")
		}, ""},
		{"fixed size", with("--vary", "lr=0.01,0.02", "--particles", "1000", "--fixed"), func(r sweepRequest) bool {
			return !r.opt.AutoSize && !r.opt.SizeParticles && r.opt.Base.Particles == 1000
		}, ""},
		{"compare noise", append([]string{"--landscape", "doublewell", "--lr", "0.01", "--batch", "0.5", "--temp", "0.2", "--vary", "lr=0.01,0.02",
			"--compare", "noise=SGLD,sgd-hessian"}, out...), func(r sweepRequest) bool {
			return r.cmpName == "noise" && slices.Equal(r.opt.CompareValues, []string{"sgld", "sgd-hessian"})
		}, ""},
		{"no --vary", base, nil, "-"},
		{"--noise beside --compare noise", with("--vary", "lr=0.01", "--compare", "noise=sgld"), nil, "-"},
		{"unknown compared model", append([]string{"--landscape", "doublewell", "--vary", "lr=0.01", "--compare", "noise=sgld,walk"}, out...), nil, "compare"},
		{"no escapes wanted", with("--vary", "lr=0.01", "--escapes", "0"), nil, "-"},
		{"JSON in a missing directory", with("--vary", "lr=0.01", "--json", filepath.Join(dir, "none", "s.json")), nil, "json"},
		{"batch under sgld", with("--vary", "batch=1,2"), nil, "vary"},
	} {
		req, err := parseSweep(tc.args)
		if err == nil {
			err = req.opt.CheckPoints()
		}
		var ie *host.InputError
		var ue usageError
		switch {
		case tc.errFlag == "-":
			if !errors.As(err, &ue) {
				t.Errorf("%s: error %v, want a usage error", tc.name, err)
			}
		case tc.errFlag != "":
			if !errors.As(err, &ie) || ie.Flag != tc.errFlag {
				t.Errorf("%s: error %v (%#v), want an input error naming --%s", tc.name, err, err, tc.errFlag)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.check(req):
			t.Errorf("%s: request %+v", tc.name, req.opt)
		}
	}
}
