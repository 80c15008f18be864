package main

import (
	"encoding/json"
	"image"
	"image/png"
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

// The live view draws a finite-data run (docs/theory.md §8) on the GPU: the background is the
// full-data loss, computed from the data's storage block in the fragment shader, and the particles
// move under real minibatch SGD. Headless, three frames: the frames are written, the plot's
// background is not flat (a loss that failed to read its rows would be constant), and the particles
// moved between the first and the last frame.
func TestViewDrawsDataRun(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runBin(t, dir, nil, "view", "--headless", "--frames", "3", "--frame-every", "100", "--out", "v",
		"--data", "gen:neuron(n=80)", "--landscape", "(x^2-1)^2/4 + y^2/2 + 0.3*x*y + 3*f*x + 2*t*y", "--start=-1,0.3",
		"--noise", "minibatch", "--batch", "4", "--lr", "0.05", "--particles", "20000")
	if code != 0 {
		t.Fatalf("view exited %d: %s", code, errOut)
	}
	read := func(name string) image.Image {
		f, err := os.Open(filepath.Join(dir, "v", name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	first, last := read("frame_0000.png"), read("frame_0002.png")
	if _, err := os.Stat(filepath.Join(dir, "v", "view.gif")); err != nil {
		t.Fatal(err)
	}
	b := first.Bounds()
	colours, changed := map[[3]uint32]bool{}, 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Max.X / 2; x < b.Max.X; x++ { // the plot's half of the frame
			r, g, bl, _ := first.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			r2, g2, b2, _ := last.At(x, y).RGBA()
			if r != r2 || g != g2 || bl != b2 {
				changed++
			}
		}
	}
	t.Logf("%d colours in the plot half of frame 0, %d pixels changed by frame 2", len(colours), changed)
	if len(colours) < 50 {
		t.Fatalf("the background has %d colours: the data loss was not drawn", len(colours))
	}
	if changed < 1000 {
		t.Fatalf("only %d pixels changed between frames 0 and 2: the particles did not move", changed)
	}
}
