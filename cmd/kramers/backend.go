package main

import (
	"fmt"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

// backendFactory is the host.BackendFactory of the named backend: the OpenGL compute backend or
// the float64 CPU reference.
func backendFactory(kind host.BackendKind) (host.BackendFactory, error) {
	switch kind {
	case host.CPU:
		return validate.OpenCPU, nil
	case host.GPU:
		return openGPU, nil
	}
	return nil, &host.InputError{Flag: "backend", Msg: fmt.Sprintf("unknown backend %q; use gpu or cpu", kind)}
}

// openBackend returns the backend that cfg.Backend names.
func openBackend(cfg host.Config) (host.Backend, error) {
	open, err := backendFactory(cfg.Backend)
	if err != nil {
		return nil, err
	}
	return open(cfg)
}
