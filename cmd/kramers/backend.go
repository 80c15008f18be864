package main

import (
	"fmt"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

// openBackend returns the backend that cfg.Backend names.
func openBackend(cfg host.Config) (host.Backend, error) {
	switch cfg.Backend {
	case host.CPU:
		return validate.NewCPU(), nil
	case host.GPU:
		return openGPU(cfg)
	}
	return nil, &host.InputError{Flag: "backend", Msg: fmt.Sprintf("unknown backend %q; use gpu or cpu", cfg.Backend)}
}
