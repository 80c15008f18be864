package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchWriteData: --write-data writes, for the network cases, the rows the PyTorch loop reads
// (bench/torch/ensemble_sgd.py) and a description whose d is the network's parameter count:
// 13 for 2-3-1 on gen:mlp (mlp's documented d = h1·(F+1) + h1 + 1), 513 for 30-16-1 on breast-cancer.
// Exact counts: the data and shapes are fixed.
func TestBenchWriteData(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, nil, "bench", "--cases", "7,8", "--write-data", "data")
	for _, c := range []struct {
		file             string
		dim, rows, batch int
		columns          int
	}{{"case7", 13, 200, 8, 3}, {"case8", 513, 569, 32, 31}} {
		raw, err := os.ReadFile(filepath.Join(dir, "data", c.file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var desc netCaseFile
		if err := json.Unmarshal(raw, &desc); err != nil {
			t.Fatal(err)
		}
		if desc.Dim != c.dim || desc.Rows != c.rows || desc.Batch != c.batch || desc.Sampling != "with" {
			t.Errorf("%s: d = %d, %d rows, B = %d, sampling %q; want %d, %d, %d, with", c.file, desc.Dim, desc.Rows, desc.Batch, desc.Sampling, c.dim, c.rows, c.batch)
		}
		csv, err := os.ReadFile(filepath.Join(dir, "data", desc.CSV))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
		if len(lines) != c.rows+1 || len(strings.Split(lines[0], ",")) != c.columns || !strings.HasSuffix(lines[0], ",t") {
			t.Errorf("%s: %d lines, header %q; want %d rows after a header of %d columns ending in t", desc.CSV, len(lines), lines[0], c.rows, c.columns)
		}
	}
	code, _, errOut := runBin(t, dir, nil, "bench", "--cases", "10", "--write-data", "data")
	if code != exitUsage || !strings.Contains(errOut, `--cases: "10" is not a case number 1–9`) {
		t.Errorf("bench --cases 10: exit %d, %q; want exit 2 naming the case numbers 1–9", code, errOut)
	}
}
