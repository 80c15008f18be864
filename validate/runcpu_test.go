package validate

import (
	"context"
	"testing"

	"github.com/kramers-sim/kramers/host"
)

// runOnCPU prepares cfg on the CPU reference and runs it to the end, failing the test on an error.
func runOnCPU(t *testing.T, cfg host.Config) *host.Result {
	t.Helper()
	cfg.Backend = host.CPU
	p, err := host.Prepare(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := host.Execute(context.Background(), p, NewCPU(), host.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
