package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kramers-sim/kramers/host"
	"github.com/kramers-sim/kramers/host/store"
)

// checkOutputPath refuses, before any work, an output path (of --flag) that names a directory or
// lies in a directory that does not exist ("" and "-" need none); example is the file name its
// message suggests inside a directory.
func checkOutputPath(flag, path, example string) error {
	if path == "" || path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return &host.InputError{Flag: flag, Msg: fmt.Sprintf("%s is a directory; give a file name such as %s", path, filepath.Join(path, example))}
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return &host.InputError{Flag: flag, Msg: fmt.Sprintf("directory %s does not exist; create it or choose another path", filepath.Dir(path))}
	}
	return nil
}

// writeFile writes data through store.WriteFileAtomic (a temporary file, fsync and rename, so a
// crash never leaves a half-written file under the final name); a destination that cannot be
// created (no such directory, no permission) is the user's to fix: exit 2.
func writeFile(path string, data []byte) error {
	err := store.WriteFileAtomic(path, data)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError{fmt.Errorf("cannot write %s: directory %s does not exist; choose a writable path", path, filepath.Dir(path))}
	case errors.Is(err, fs.ErrPermission):
		return usageError{fmt.Errorf("cannot write %s: permission denied; choose a writable path", path)}
	}
	return err
}

// writeJSON writes v as an indented JSON document to path: "-" is stdout, "" nowhere.
func writeJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	data = append(data, '\n')
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return writeFile(path, data)
}
