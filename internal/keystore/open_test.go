package keystore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenWithOptions(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		wantN   int
		wantErr error
	}{
		{name: "default", n: 0, wantN: DefaultScryptN},
		{name: "small", n: 1 << 10, wantN: 1 << 10},
		{name: "minimum", n: 2, wantN: 2},
		{name: "maximum", n: 1 << 22, wantN: 1 << 22},
		{name: "one", n: 1, wantErr: ErrBadOptions},
		{name: "not power of two", n: 1000, wantErr: ErrBadOptions},
		{name: "too large", n: 1 << 23, wantErr: ErrBadOptions},
		{name: "negative", n: -1024, wantErr: ErrBadOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys")
			s, err := OpenWithOptions(dir, Options{ScryptN: tt.n})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("OpenWithOptions error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				assertNotExist(t, dir)
				return
			}
			if s.scryptN != tt.wantN {
				t.Fatalf("scrypt N = %d, want %d", s.scryptN, tt.wantN)
			}
		})
	}
}

func assertNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s exists after failed open (stat error %v)", path, err)
	}
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "keys")
	if _, err := Open(dir); err != nil {
		t.Fatalf("Open: %v", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Fatalf("directory mode = %v, want 0700", perm)
	}
}

func TestOpenRejectsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	writeFile(t, path, nil)
	if _, err := Open(path); err == nil {
		t.Fatal("Open on a regular file succeeded")
	}
}

func TestWriteNew(t *testing.T) {
	tests := []struct {
		name     string
		existing []byte // nil: target absent
		wantErr  error
		wantData string
	}{
		{name: "creates", wantData: "new"},
		{name: "refuses to replace", existing: []byte("old"), wantErr: fs.ErrExist, wantData: "old"},
		{name: "refuses to replace empty file", existing: []byte{}, wantErr: fs.ErrExist, wantData: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "k.json")
			if tt.existing != nil {
				writeFile(t, path, tt.existing)
			}
			if err := writeNew(path, []byte("new")); !errors.Is(err, tt.wantErr) {
				t.Fatalf("writeNew error = %v, want %v", err, tt.wantErr)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.wantData {
				t.Fatalf("file holds %q, want %q", got, tt.wantData)
			}
			assertNoTempFiles(t, dir)
		})
	}
}

func TestWriteNewMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone", "k.json")
	if err := writeNew(path, []byte("new")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("writeNew error = %v, want %v", err, fs.ErrNotExist)
	}
}
