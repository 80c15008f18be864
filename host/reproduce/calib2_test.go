package reproduce

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

func TestCalibAll(t *testing.T) {
	cpu := func(host.Config) (host.Backend, error) { return validate.NewCPU(), nil }
	rep, err := Execute(context.Background(), Options{Quick: true, Out: "/tmp/repro-calib", Primary: cpu, Reference: cpu, Backend: "cpu",
		Scale: 0.02, Log: os.Stderr, Cases: strings.Split(os.Getenv("CASES"), ",")})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Failed())
}
