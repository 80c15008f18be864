package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/data"
	"github.com/kramers-sim/kramers/host/landscape"
)

// The network cases of `kramers bench` (issue 22 item 7; BENCHMARKS.md "Networks"): true SGD with
// replacement on a multilayer perceptron over real or generated rows. bench/torch/ensemble_sgd.py
// runs the same networks on the same rows as a PyTorch ensemble loop; `kramers bench --write-data
// DIR` writes those rows and each case's shape for it, so that both sides read one description.

// netShape is the network a case's landscape spec compiles to, written out for the PyTorch loop:
// inputs (the data's feature columns) → Widths hidden units with Act → Outputs, Loss per row plus
// (WD/2)·|θ|² (host/landscape: mlp's formula). Bias: every unit has one.
type netShape struct {
	Widths []int   `json:"widths"`
	Act    string  `json:"act"`
	Loss   string  `json:"loss"`
	Bias   bool    `json:"bias"`
	WD     float64 `json:"wd"`
}

// dim is the parameter count of the shape over inputs features and outputs output units: every
// layer's (fan-in + bias)·fan-out (the count mlp documents).
func (s netShape) dim(inputs, outputs int) int {
	b := 0
	if s.Bias {
		b = 1
	}
	d, in := 0, inputs
	for _, w := range append(append([]int(nil), s.Widths...), outputs) {
		d += (in + b) * w
		in = w
	}
	return d
}

// targetColumns counts the target columns of the data: t, or t<c> per class under one-hot targets.
func targetColumns(d *data.Data) int {
	n := 0
	for _, c := range d.Columns {
		if c == data.TargetColumn || (strings.HasPrefix(c, data.TargetColumn) && isDigits(c[1:])) {
			n++
		}
	}
	return n
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// netDim opens the case's data and returns the rows and the shape's parameter count on them.
func (c benchCase) netDim() (*data.Data, int, error) {
	d, err := data.OpenWith(c.data, c.dataOpts)
	if err != nil {
		return nil, 0, err
	}
	targets := targetColumns(d)
	outputs := 1
	if c.net.Loss == "xent" {
		outputs = targets
	}
	return d, c.net.dim(len(d.Columns)-targets, outputs), nil
}

// checkNetDim refuses a network case whose landscape has another parameter count than its shape:
// the PyTorch loop would then run another network than kramers.
func (c benchCase) checkNetDim(p *host.Problem) error {
	if c.net == nil {
		return nil
	}
	_, want, err := c.netDim()
	if err != nil {
		return err
	}
	if p.Dim != want {
		return fmt.Errorf("case %d: %s on %s has d = %d but its shape for the PyTorch loop (%v) gives %d; correct the shape in benchnet.go",
			c.id, c.landscape, c.data, p.Dim, *c.net, want)
	}
	return nil
}

// compiledNetwork reports whether this build's mlp is the compiled network of issue 22 item 1,
// known by the loss parameter that only the compiled network has (host/landscape, mlp).
func compiledNetwork() bool {
	for _, m := range landscape.DataModels() {
		if m.Name != "mlp" {
			continue
		}
		for _, p := range m.Params {
			if p.Name == "loss" {
				return true
			}
		}
	}
	return false
}

// refusedNetwork says that a network case's spec was refused by a build that lacks the compiled
// network of issue 22 (item 1); every other error passes unchanged.
func (c benchCase) refusedNetwork(err error) error {
	var ie *host.InputError
	if c.net == nil || compiledNetwork() || !errors.As(err, &ie) {
		return err
	}
	return fmt.Errorf("case %d is a network (d = %s) that needs the compiled network (issue 22 item 1); this build refuses it: %w",
		c.id, c.dimText(), err)
}

func (c benchCase) dimText() string {
	if _, d, err := c.netDim(); err == nil {
		return fmt.Sprint(d)
	}
	return "?"
}

// backendRefused is why the backend refused a network case of a build that has the compiled
// network (an input error: the GPU's limit on d), or "" for every other outcome.
func (c benchCase) backendRefused(err error) string {
	var ie *host.InputError
	if c.net == nil || !compiledNetwork() || !errors.As(err, &ie) {
		return ""
	}
	return err.Error()
}

// netCaseFile is what --write-data writes beside a case's rows (caseN.json).
type netCaseFile struct {
	Case      int          `json:"case"`
	Landscape string       `json:"landscape"`
	Data      string       `json:"data"`
	Options   data.Options `json:"data_options,omitzero"`
	CSV       string       `json:"csv"` // the rows, beside this file
	Rows      int          `json:"rows"`
	Dim       int          `json:"dim"`
	Shape     netShape     `json:"shape"`
	Batch     int          `json:"batch"`
	Sampling  string       `json:"sampling"`
	LR        float64      `json:"lr"`
	Particles int          `json:"particles"`
	Steps     int          `json:"steps"`
	What      string       `json:"what"`
}

// writeNetData writes, for every network case of cases, its rows as DIR/caseN.csv (the data's
// canonical text, whose SHA-256 the run records) and its description as DIR/caseN.json.
func writeNetData(dir string, cases []benchCase) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, c := range cases {
		if c.net == nil {
			continue
		}
		d, dim, err := c.netDim()
		if err != nil {
			return fmt.Errorf("bench case %d: %w", c.id, err)
		}
		name := fmt.Sprintf("case%d", c.id)
		if err := os.WriteFile(filepath.Join(dir, name+".csv"), d.CSV(), 0o644); err != nil {
			return err
		}
		desc := netCaseFile{Case: c.id, Landscape: c.landscape, Data: c.data, Options: c.dataOpts, CSV: name + ".csv",
			Rows: d.N, Dim: dim, Shape: *c.net, Batch: int(c.batch), Sampling: host.SampleWith, LR: c.lr,
			Particles: c.particles, Steps: c.steps, What: c.what}
		text, err := json.MarshalIndent(desc, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), append(text, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "case %d: %d rows, d = %d: %s\n", c.id, d.N, dim, filepath.Join(dir, name+".{csv,json}"))
	}
	return nil
}
