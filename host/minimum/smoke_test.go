package minimum

import (
	"testing"

	"github.com/kramers-sim/kramers/host/data"
	"github.com/kramers-sim/kramers/host/landscape"
)

func TestSmoke(t *testing.T) {
	for _, c := range []struct{ data, spec string }{{"breast-cancer", "logistic"}, {"breast-cancer", "logistic(wd=0.001)"}, {"iris", "mlp(h1=8)"}, {"iris", "mlp(h1=8,wd=0.001)"}} {
		d, err := data.OpenWith(c.data, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ls, err := landscape.ParseData(c.spec, 0, nil, d.Columns, d.Values)
		if err != nil {
			t.Fatal(err)
		}
		ev := ls.Evaluator()
		start := ls.DefaultStart
		desc, err := Describe(ev, start, TrainOptions{}, nil, Key{})
		if err != nil {
			t.Logf("%s %s: %v", c.data, c.spec, err)
			continue
		}
		s := desc.Spectrum
		t.Logf("%s %s d=%d: %s\n  L=%.8g smallest %.3g largest %.3g trace %.4g %s\n  C %s %.3g along %.3g align %.2f (%.2fs)", c.data, c.spec, ev.Dim(), desc.Training.Method(), desc.Training.Loss, s.Smallest, s.Largest, s.Trace, s.Verdict, desc.Covariance.Route, desc.Covariance.Leading, desc.Covariance.Along, desc.Covariance.Alignment, desc.Seconds)
	}
}
