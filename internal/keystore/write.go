package keystore

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeNew durably creates path holding data, or fails with an error
// matching fs.ErrExist if path already exists. The data goes to a temporary
// file in the same directory first, so a crash never leaves a half-written
// key behind. It is then hard-linked into place rather than renamed: rename
// would silently replace a key created concurrently under the same name.
func writeNew(path string, data []byte) error {
	dir := filepath.Dir(path)
	// The leading dot and missing .json suffix keep List from seeing it.
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	// After a successful link this just drops the temporary name.
	defer os.Remove(tmp.Name())
	if err := writeSync(tmp, data); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeExclusive durably creates path holding data, mode 0600, or fails
// with an error matching fs.ErrExist if path already exists. It is for
// files written outside the store: unlike writeNew it needs no hard links,
// which the removable drives a key is exported to often lack. A crash may
// leave a partial file behind, which reading it back then refuses.
func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := writeSync(f, data); err != nil {
		os.Remove(path)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// writeSync writes data to f, flushes it to stable storage and closes f.
func writeSync(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir flushes dir so the new directory entry survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
