package minimum

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host/landscape"
	"gonum.org/v1/gonum/floats"
)

// TestTrainReachesConvexMinimum: L-BFGS + Newton–CG from the default start reaches the minimum of
// logistic regression with weight decay on Breast Cancer (d = 31), checked against
// landscape.FindMinimum, another route (controlled gradient flow, then Newton steps with the
// dense symbolic Hessian). The loss is wd-strongly convex (H ⪰ wd·I), so two points with
// gradients g₁, g₂ are at most (‖g₁‖ + ‖g₂‖)/wd apart: that bound, from the gradients actually
// reached, is the tolerance, and it must itself be below 10⁻⁸ (the gradients are at round-off).
func TestTrainReachesConvexMinimum(t *testing.T) {
	const wd = 0.01
	ls := dataLandscape(t, "breast-cancer", "logistic(wd=0.01)")
	ev := ls.Evaluator()
	tr, err := Train(ev, ls.DefaultStart, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := landscape.FindMinimum(ls, ls.DefaultStart)
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, ev.Dim())
	ev.Gradient(ref, g)
	bound := (tr.GradientNorm + floats.Norm(g, 2)) / wd
	if !(bound < 1e-8) {
		t.Fatalf("gradients too large for a sharp check: ‖g_train‖ = %.3g, ‖g_ref‖ = %.3g", tr.GradientNorm, floats.Norm(g, 2))
	}
	if dist := floats.Distance(tr.Minimum, ref, 2); !(dist <= bound) {
		t.Errorf("‖a_train − a_ref‖ = %.3g > %.3g", dist, bound)
	}
	if !(tr.GradientMax <= tr.Threshold) || tr.Iterations == 0 {
		t.Errorf("training: %s", tr.Method())
	}
}

// TestTrainNotConverged: a budget too small to converge is a *NotConvergedError that names the
// gradient reached, weight decay and the budget and tolerance it had.
func TestTrainNotConverged(t *testing.T) {
	ls := dataLandscape(t, "iris", "mlp(h1=4,wd=0.001)")
	tr, err := Train(ls.Evaluator(), ls.DefaultStart, TrainOptions{MaxIter: 3})
	var nc *NotConvergedError
	if !errors.As(err, &nc) {
		t.Fatalf("3 iterations: err = %v, want a NotConvergedError", err)
	}
	if tr == nil || !(tr.GradientMax > tr.Threshold) || tr.Iterations > 3 {
		t.Fatalf("training %+v", tr)
	}
	for _, want := range []string{"more than 3 iterations", "looser tolerance than 1e-08", "weight decay", "‖∇L‖∞ ="} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
}

// TestTrainRejectsBadStart: a start of the wrong length or with a non-finite loss is an error.
func TestTrainRejectsBadStart(t *testing.T) {
	ls := dataLandscape(t, "iris", "mlp(h1=2,wd=0.01)")
	if _, err := Train(ls.Evaluator(), []float64{1}, TrainOptions{}); err == nil {
		t.Error("a start of length 1 was accepted")
	}
	bad := append([]float64(nil), ls.DefaultStart...)
	bad[0] = math.NaN()
	if _, err := Train(ls.Evaluator(), bad, TrainOptions{}); err == nil {
		t.Error("a NaN start was accepted")
	}
}
