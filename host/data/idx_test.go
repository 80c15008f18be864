package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes writes an unsigned-byte idx array as the MNIST page describes it: magic, big-endian
// dimensions, values.
func idxBytes(magic uint32, dims []uint32, values []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	binary.Write(&b, binary.BigEndian, dims)
	b.Write(values)
	return b.Bytes()
}

func gzipped(t *testing.T, raw []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes()
}

// writeIdxPair writes 3 images of 2×2 pixels and their labels under the MNIST names in dir.
func writeIdxPair(t *testing.T, dir string, gz bool) string {
	images := idxBytes(idxImagesMagic, []uint32{3, 2, 2}, []byte{0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252})
	labels := idxBytes(idxLabelsMagic, []uint32{3}, []byte{7, 0, 7})
	ext := ""
	if gz {
		images, labels, ext = gzipped(t, images), gzipped(t, labels), ".gz"
	}
	img := filepath.Join(dir, "toy-images-idx3-ubyte"+ext)
	os.WriteFile(img, images, 0o644)
	os.WriteFile(filepath.Join(dir, "toy-labels-idx1-ubyte"+ext), labels, 0o644)
	return img
}

// TestIdx: a small idx pair, plain and gzipped, by its images file (labels found by the MNIST
// naming) and as IMAGES,LABELS, reads as pixels px1…px4 and label t, the same numbers and hash.
func TestIdx(t *testing.T) {
	dir := t.TempDir()
	var hashes []string
	for _, gz := range []bool{false, true} {
		img := writeIdxPair(t, dir, gz)
		lab := strings.Replace(img, "images-idx3", "labels-idx1", 1)
		for _, spec := range []string{img, img + "," + lab} {
			d, err := Open(spec)
			if err != nil {
				t.Fatalf("%s: %v", spec, err)
			}
			if d.N != 3 || strings.Join(d.Columns, ",") != "px1,px2,px3,px4,t" {
				t.Fatalf("%s: %d rows, columns %v", spec, d.N, d.Columns)
			}
			want := [][]float64{{0, 1, 2, 3, 7}, {10, 11, 12, 13, 0}, {255, 254, 253, 252, 7}}
			for r, w := range want {
				for c, v := range w {
					if d.Row(r)[c] != v {
						t.Errorf("%s: row %d column %d = %v, want %v", spec, r, c, d.Row(r)[c], v)
					}
				}
			}
			hashes = append(hashes, d.SHA256)
		}
	}
	for _, h := range hashes[1:] {
		if h != hashes[0] {
			t.Errorf("hashes differ for the same numbers: %v", hashes)
		}
	}
	// Classes of an idx set are its labels: --classes 7 keeps rows 1 and 3.
	d, err := OpenWith(filepath.Join(dir, "toy-images-idx3-ubyte.gz"), Options{Classes: []int{7}})
	if err != nil || d.N != 2 || d.Row(1)[0] != 255 {
		t.Errorf("--classes 7: %v, %+v", err, d)
	}
}

// TestIdxBadFiles: truncated, wrong-magic, mismatched and unpaired idx files are each refused
// with an *Error that names the problem and the fix.
func TestIdxBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := idxBytes(idxImagesMagic, []uint32{3, 2, 2}, make([]byte, 12))
	labels := idxBytes(idxLabelsMagic, []uint32{3}, []byte{1, 2, 3})
	write := func(name string, raw []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, raw, 0o644)
		return p
	}
	lab := write("l-labels-idx1-ubyte", labels)
	gz := gzipped(t, good)
	cases := []struct {
		name, spec, want string
	}{
		{"truncated values", write("a-images-idx3-ubyte", good[:len(good)-5]) + "," + lab, "is truncated: its header promises 3×2×2 = 12 values but only 7 follow"},
		{"truncated header", write("b-images-idx3-ubyte", good[:9]) + "," + lab, "is 9 bytes long but its header alone takes 16"},
		{"truncated magic", write("b2-images-idx3-ubyte", good[:3]) + "," + lab, "too short for an idx header"},
		{"truncated gzip", write("c-images-idx3-ubyte.gz", gz[:len(gz)/2]) + "," + lab, "the gzip stream is damaged or truncated"},
		{"wrong magic", write("d-images-idx3-ubyte", idxBytes(0x00000d03, []uint32{3, 2, 2}, make([]byte, 48))) + "," + lab, "starts with 0x00000d03"},
		{"extra bytes", write("e-images-idx3-ubyte", append(good, 9)) + "," + lab, "has 1 bytes after the 3×2×2 = 12 values"},
		{"swapped", lab + "," + write("f-images-idx3-ubyte", good), "is an idx labels file, not images"},
		{"count", write("g-images-idx3-ubyte", good) + "," + write("g-labels-idx1-ubyte", idxBytes(idxLabelsMagic, []uint32{2}, []byte{1, 2})), "has 2 labels but"},
		{"labels alone", lab, "is an idx labels file; give its images file"},
		{"no pair by name", write("h.idx", good), "give both: --data IMAGES,LABELS"},
		{"pair missing", write("i-images-idx3-ubyte", good), "its labels file (by the MNIST naming) is not usable"},
	}
	for _, c := range cases {
		_, err := Open(c.spec)
		var de *Error
		if !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an *Error containing %q", c.name, err, c.want)
		}
	}
}
