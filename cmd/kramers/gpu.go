package main

import (
	"fmt"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/host"
)

// openGPU creates the OpenGL compute backend. A missing GPU, display or EGL is the user's
// environment, not a bug: it exits with status 2 and names what to install.
func openGPU(cfg host.Config) (host.Backend, error) {
	b, err := gpu.NewBackend(cfg.Precision == host.F64)
	if err != nil {
		return nil, usageError{fmt.Errorf("--backend gpu: cannot create an OpenGL 4.3 context: %v (or use --backend cpu)", err)}
	}
	return b, nil
}
