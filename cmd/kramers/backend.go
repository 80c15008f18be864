package main

import (
	"fmt"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/validate"
)

// openBackend returns the backend that cfg.Backend names.
func openBackend(cfg host.Config) (host.Backend, error) {
	switch cfg.Backend {
	case "cpu":
		return validate.NewCPU(), nil
	case "gpu":
		return openGPU(cfg)
	}
	return nil, &host.InputError{Flag: "backend", Msg: fmt.Sprintf("unknown backend %q; use gpu or cpu", cfg.Backend)}
}
