package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// The idx format of the MNIST files (LeCun et al., http://yann.lecun.com/exdb/mnist/, the section
// "File formats"; Fashion-MNIST keeps it): two zero bytes, a type byte (0x08: unsigned byte), the
// number of dimensions, then each dimension as a big-endian uint32, then the values row-major.
// kramers reads the two unsigned-byte kinds the image sets use.
const (
	idxImagesMagic = 0x00000803 // unsigned bytes, 3 dimensions: images × rows × columns
	idxLabelsMagic = 0x00000801 // unsigned bytes, 1 dimension: one label per image
)

// gzipMagic are the first two bytes of a gzip stream (RFC 1952, section 2.3.1).
var gzipMagic = []byte{0x1f, 0x8b}

// idxArray is one idx file: its magic number, dimensions and unsigned-byte values.
type idxArray struct {
	magic  uint32
	dims   []int
	values []byte
}

// isIdx reports whether raw (as read from a file) is gzip-compressed or starts like an idx file:
// two zero bytes, which no CSV header can start with.
func isIdx(raw []byte) bool {
	return bytes.HasPrefix(raw, gzipMagic) || len(raw) >= 2 && raw[0] == 0 && raw[1] == 0
}

// readIdx reads an idx file, gzip-compressed or not, and checks that it is complete: the
// magic number, the dimensions and exactly as many values as they promise.
func readIdx(path string) (*idxArray, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Spec: path, Msg: fmt.Sprintf("cannot read the idx file (%v)", errors.Unwrap(err))}
	}
	return parseIdx(path, raw)
}

func parseIdx(path string, raw []byte) (*idxArray, error) {
	if bytes.HasPrefix(raw, gzipMagic) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err == nil {
			raw, err = io.ReadAll(zr)
		}
		if err != nil {
			return nil, &Error{Spec: path, Msg: fmt.Sprintf("the gzip stream is damaged or truncated (%v); copy or download the file again", err)}
		}
	}
	if len(raw) < 4 {
		return nil, &Error{Spec: path, Msg: fmt.Sprintf("is %d bytes long, too short for an idx header; the file is truncated: copy or download it again", len(raw))}
	}
	magic := binary.BigEndian.Uint32(raw)
	var ndim int
	switch magic {
	case idxImagesMagic:
		ndim = 3
	case idxLabelsMagic:
		ndim = 1
	default:
		return nil, &Error{Spec: path, Msg: fmt.Sprintf("is not an idx file of unsigned bytes: it starts with 0x%08x, but images start with 0x%08x and labels with 0x%08x (MNIST format); give an MNIST-format idx file (gzipped or not) or a CSV file", magic, idxImagesMagic, idxLabelsMagic)}
	}
	header := 4 + 4*ndim
	if len(raw) < header {
		return nil, &Error{Spec: path, Msg: fmt.Sprintf("is %d bytes long but its header alone takes %d; the file is truncated: copy or download it again", len(raw), header)}
	}
	a := &idxArray{magic: magic, dims: make([]int, ndim)}
	size := 1
	for i := range a.dims {
		a.dims[i] = int(binary.BigEndian.Uint32(raw[4+4*i:]))
		size *= a.dims[i]
		if size > MaxValues {
			return nil, &Error{Spec: path, Msg: fmt.Sprintf("its dimensions %v exceed %d values, the most a data set may hold; use a smaller file", a.dims[:i+1], MaxValues)}
		}
	}
	switch body := len(raw) - header; {
	case body < size:
		return nil, &Error{Spec: path, Msg: fmt.Sprintf("is truncated: its header promises %s = %d values but only %d follow; copy or download the file again", dimsText(a.dims), size, body)}
	case body > size:
		return nil, &Error{Spec: path, Msg: fmt.Sprintf("has %d bytes after the %s = %d values its header promises; it is not one idx array: check that the file is not two files joined", body-size, dimsText(a.dims), size)}
	}
	a.values = raw[header:]
	return a, nil
}

func dimsText(dims []int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, "×")
}

// LoadIdx reads a pair of MNIST-format idx files, images (magic 0x00000803, n × rows × columns)
// and their labels (0x00000801, n), each gzipped or not, into a data set of n rows: the pixels
// row-major as columns px1 … px(rows·columns), raw values 0 … 255, then the label as column t.
func LoadIdx(images, labels string) (*Data, error) {
	img, err := readIdx(images)
	if err != nil {
		return nil, err
	}
	lab, err := readIdx(labels)
	if err != nil {
		return nil, err
	}
	d, err := idxData(images, img, labels, lab)
	if err != nil {
		return nil, err
	}
	d.SHA256 = d.hash()
	return d, nil
}

// openIdx reads the idx data set of spec: "IMAGES,LABELS", or an images file alone whose labels
// lie beside it under the MNIST naming (…images-idx3-ubyte… → …labels-idx1-ubyte…); the caller
// sets the hash.
func openIdx(spec string) (*Data, error) {
	if images, labels, ok := strings.Cut(spec, ","); ok {
		img, err := readIdx(strings.TrimSpace(images))
		if err != nil {
			return nil, err
		}
		lab, err := readIdx(strings.TrimSpace(labels))
		if err != nil {
			return nil, err
		}
		return idxData(strings.TrimSpace(images), img, strings.TrimSpace(labels), lab)
	}
	img, err := readIdx(spec)
	if err != nil {
		return nil, err
	}
	if img.magic == idxLabelsMagic {
		return nil, &Error{Spec: spec, Msg: "is an idx labels file; give its images file (the labels are found beside it) or both: --data IMAGES,LABELS"}
	}
	if !strings.Contains(spec, "images-idx3") {
		return nil, &Error{Spec: spec, Msg: "is an idx images file whose labels file cannot be found by the MNIST naming (…images-idx3-ubyte… beside …labels-idx1-ubyte…); give both: --data IMAGES,LABELS"}
	}
	labels := strings.Replace(spec, "images-idx3", "labels-idx1", 1)
	lab, err := readIdx(labels)
	if err != nil {
		return nil, &Error{Spec: spec, Msg: fmt.Sprintf("its labels file (by the MNIST naming) is not usable: %v; give both files: --data IMAGES,LABELS", err)}
	}
	return idxData(spec, img, labels, lab)
}

// idxData joins images and labels into a data set (LoadIdx); the caller sets the hash.
func idxData(images string, img *idxArray, labels string, lab *idxArray) (*Data, error) {
	if img.magic != idxImagesMagic {
		return nil, &Error{Spec: images, Msg: "is an idx labels file, not images; give the images file first: --data IMAGES,LABELS"}
	}
	if lab.magic != idxLabelsMagic {
		return nil, &Error{Spec: labels, Msg: "is an idx images file, not labels; give the labels file second: --data IMAGES,LABELS"}
	}
	n, pixels := img.dims[0], img.dims[1]*img.dims[2]
	if lab.dims[0] != n {
		return nil, &Error{Spec: labels, Msg: fmt.Sprintf("has %d labels but %s has %d images; give the labels file that belongs to the images", lab.dims[0], images, n)}
	}
	if n == 0 || pixels == 0 {
		return nil, &Error{Spec: images, Msg: fmt.Sprintf("holds no values (%s); give a file with at least one image", dimsText(img.dims))}
	}
	if n*(pixels+1) > MaxValues {
		return nil, &Error{Spec: images, Msg: fmt.Sprintf("%d images of %d pixels and their labels exceed %d values, the most a data set may hold", n, pixels, MaxValues)}
	}
	d := &Data{Spec: images + "," + labels, N: n, Columns: make([]string, 0, pixels+1), Values: make([]float64, 0, n*(pixels+1))}
	for j := 1; j <= pixels; j++ {
		d.Columns = append(d.Columns, "px"+strconv.Itoa(j))
	}
	d.Columns = append(d.Columns, TargetColumn)
	for r := range n {
		for _, v := range img.values[r*pixels : (r+1)*pixels] {
			d.Values = append(d.Values, float64(v))
		}
		d.Values = append(d.Values, float64(lab.values[r]))
	}
	return d, nil
}
