package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataBadInput: bad data files and misused finite-data flags exit with status 2 and one line
// that says what is wrong and where.
func TestDataBadInput(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"empty.csv":    "",
		"noheader.csv": "1,2\n3,4\n",
		"ragged.csv":   "f,t\n1,2\n3\n",
		"word.csv":     "f,t\n1,2\n3,abc\n",
		"nan.csv":      "f,t\n1,nan\n",
		"shadow.csv":   "x,t\n1,2\n",
		"fn.csv":       "sin,t\n1,2\n",
		"good.csv":     "f,t\n0.5,0.2\n-1,-0.4\n2,0.9\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"run", "--backend", "cpu", "--quiet", "--landscape", "(t - x*tanh(y*f))^2", "--start", "1,1"}
	rows := []struct {
		args []string
		want string
	}{
		{[]string{"--data", "empty.csv"}, "kramers: --data: empty.csv: the data file is empty"},
		{[]string{"--data", "noheader.csv"}, "kramers: --data: noheader.csv: row 1, column 1: the first row must be a header"},
		{[]string{"--data", "ragged.csv"}, "kramers: --data: ragged.csv: row 3: has 1 fields but the header has 2 columns"},
		{[]string{"--data", "word.csv"}, "kramers: --data: word.csv: row 3, column 2: \"abc\" (column t) is not a number"},
		{[]string{"--data", "nan.csv"}, "kramers: --data: nan.csv: row 2, column 2: \"nan\" (column t) is not a finite number"},
		{[]string{"--data", "shadow.csv"}, "kramers: --landscape: \"(t - x*tanh(y*f))^2\": data column x shadows a coordinate"},
		{[]string{"--data", "fn.csv"}, "kramers: --landscape: \"(t - x*tanh(y*f))^2\": data column sin shadows a function"},
		{[]string{"--data", "nosuch.csv"}, "kramers: --data: nosuch.csv: cannot read the data file"},
		{[]string{"--data", "gen:nosuch"}, "kramers: --data: gen:nosuch: unknown generator"},
		{[]string{"--noise", "minibatch"}, "kramers: --noise: minibatch needs a finite data set"},
		{[]string{"--noise", "sgd-cov", "--batch", "2"}, "kramers: --noise: sgd-cov needs a finite data set"},
		{[]string{"--sampling", "with"}, "kramers: --sampling: applies only to a finite-data run"},
		{[]string{"--data", "good.csv", "--noise", "minibatch", "--sampling", "sometimes"}, "kramers: --sampling: unknown sampling \"sometimes\""},
		{[]string{"--data", "good.csv", "--noise", "sgld", "--sampling", "with"}, "kramers: --sampling: applies only to --noise minibatch and sgd-cov"},
		{[]string{"--data", "good.csv", "--noise", "minibatch", "--batch", "2.5"}, "kramers: --batch: minibatch takes a whole number of rows B ≥ 1, got 2.5"},
		{[]string{"--data", "good.csv", "--noise", "minibatch", "--batch", "4"}, "kramers: --batch: B = 4 exceeds the N = 3 rows"},
		{[]string{"--data", "gen:neuron(n=50)", "--noise", "minibatch", "--sampling", "with", "--batch", "2000", "--backend", "gpu"}, "kramers: --batch: real minibatch SGD on the GPU takes B ≤ 1024 rows per step, got 2000; use --backend cpu"},
	}
	for _, row := range rows {
		args := append(append([]string{}, base...), row.args...)
		if contains(row.args, "--backend") {
			args = append(append([]string{}, base[:1]...), base[3:]...)
			args = append(args, row.args...)
		}
		code, _, errOut := runBin(t, dir, nil, args...)
		msg := strings.TrimSpace(errOut)
		if code != exitUsage || strings.Count(msg, "\n") != 0 || !strings.HasPrefix(msg, row.want) {
			t.Errorf("kramers %s: exit %d, stderr %q; want exit 2 and %q…", strings.Join(args, " "), code, msg, row.want)
		}
	}
}

// TestDataRun: a minibatch run on the generator through the command line records the data set.
func TestDataRun(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runBin(t, dir, nil, "run", "--backend", "cpu", "--quiet", "--data", "gen:neuron(n=40,seed=1)",
		"--landscape", "(t - x*tanh(y*f))^2", "--start", "1,1.5", "--noise", "minibatch", "--batch", "8",
		"--sampling", "epoch", "--lr", "0.05", "--particles", "64", "--steps", "100", "--json", "r.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Config struct {
			Data, Sampling string
			Batch          float64
		} `json:"config"`
		Data struct {
			Spec, SHA256, Sampling string
			N                      int
			Batch                  float64
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	d := res.Data
	if d.Spec != "gen:neuron(n=40,seed=1)" || len(d.SHA256) != 64 || d.N != 40 || d.Sampling != "epoch" || d.Batch != 8 || res.Config.Data != d.Spec {
		t.Errorf("result data record %+v, config %+v", d, res.Config)
	}
}
