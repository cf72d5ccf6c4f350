package keystore

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
)

func TestExport(t *testing.T) {
	tests := []struct {
		name         string
		key          string
		existing     []byte // nil: the export path is free
		inMissingDir bool
		corrupt      bool // the stored key file is damaged first
		wantErr      error
	}{
		{name: "exports", key: "alice"},
		{name: "refuses to replace a file", key: "alice", existing: []byte("old"), wantErr: fs.ErrExist},
		{name: "refuses to replace an empty file", key: "alice", existing: []byte{}, wantErr: fs.ErrExist},
		{name: "unknown key", key: "bob", wantErr: ErrKeyNotFound},
		{name: "bad name", key: "../alice", wantErr: ErrBadName},
		{name: "damaged key", key: "alice", corrupt: true, wantErr: ErrCorrupt},
		{name: "missing directory", key: "alice", inMissingDir: true, wantErr: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			added, err := s.Import("alice", testPassphrase, seedKey(1))
			if err != nil {
				t.Fatal(err)
			}
			if tt.corrupt {
				editJSON(t, s.path("alice"), set("kdf", "n", 1000))
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "alice.key")
			if tt.inMissingDir {
				path = filepath.Join(dir, "gone", "alice.key")
			}
			if tt.existing != nil {
				writeFile(t, path, tt.existing)
			}
			k, err := s.Export(tt.key, path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Export error = %v, want %v", err, tt.wantErr)
			}
			got, readErr := os.ReadFile(path)
			switch {
			case tt.existing != nil:
				if !bytes.Equal(got, tt.existing) {
					t.Fatalf("existing file now holds %q, want %q", got, tt.existing)
				}
				return
			case err != nil:
				if !errors.Is(readErr, fs.ErrNotExist) {
					t.Fatalf("failed Export left a file behind (read error %v)", readErr)
				}
				return
			}
			if !keysEqual(k, added) {
				t.Fatalf("Export = %+v, want %+v", k, added)
			}
			stored, err := os.ReadFile(s.path("alice"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, stored) {
				t.Fatalf("exported file differs from the key file:\n%s\nwant\n%s", got, stored)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if mode := info.Mode(); mode != 0o600 {
				t.Fatalf("exported file mode = %v, want -rw-------", mode)
			}
			seed := seedKey(1).Seed()
			if bytes.Contains(got, seed) || bytes.Contains(got, []byte(base64.StdEncoding.EncodeToString(seed))) {
				t.Fatal("exported file contains the plaintext seed")
			}
		})
	}
}

// exported adds alice to a fresh store, exports her, passes the file
// through edit and returns the file's bytes.
func exported(t *testing.T, edit func(map[string]any)) []byte {
	t.Helper()
	s := newStore(t)
	if _, err := s.Import("alice", testPassphrase, seedKey(1)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "alice.key")
	if _, err := s.Export("alice", path); err != nil {
		t.Fatal(err)
	}
	editJSON(t, path, edit)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestImportFile(t *testing.T) {
	other := seedKey(2).Public().(ed25519.PublicKey)
	untouched := func(map[string]any) {}
	tests := []struct {
		name       string
		edit       func(map[string]any)
		data       []byte // replaces the exported file when set
		as         string
		passphrase string
		existing   bool  // the store already holds a key named as
		wantRead   error // from ReadKeyFile
		wantErr    error // from ImportFile
	}{
		{name: "same name", edit: untouched, as: "alice", passphrase: testPassphrase},
		{name: "new name", edit: untouched, as: "bob", passphrase: testPassphrase},
		{name: "name taken", edit: untouched, as: "bob", passphrase: testPassphrase, existing: true, wantErr: ErrKeyExists},
		{name: "bad new name", edit: untouched, as: "Bob", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "wrong passphrase", edit: untouched, as: "bob", passphrase: "wrong", wantErr: ErrWrongPassphrase},
		{name: "empty passphrase", edit: untouched, as: "bob", passphrase: "", wantErr: ErrEmptyPassphrase},
		{name: "ciphertext bit flipped", edit: mutateBytes("cipher", "ciphertext", flipFirst), as: "bob", passphrase: testPassphrase, wantErr: ErrWrongPassphrase},
		{name: "salt bit flipped", edit: mutateBytes("kdf", "salt", flipFirst), as: "bob", passphrase: testPassphrase, wantErr: ErrWrongPassphrase},
		{name: "name field changed", edit: set("", "name", "carol"), as: "bob", passphrase: testPassphrase, wantErr: ErrWrongPassphrase},
		{name: "address and public key swapped together", edit: func(m map[string]any) {
			set("", "public_key", base64.StdEncoding.EncodeToString(other))(m)
			set("", "address", crypto.AddressOf(other).String())(m)
		}, as: "bob", passphrase: testPassphrase, wantErr: ErrWrongPassphrase},
		{name: "address swapped", edit: set("", "address", crypto.AddressOf(other).String()), as: "bob", passphrase: testPassphrase, wantRead: ErrCorrupt, wantErr: ErrCorrupt},
		{name: "public key truncated", edit: mutateBytes("", "public_key", dropLast), as: "bob", passphrase: testPassphrase, wantRead: ErrCorrupt, wantErr: ErrCorrupt},
		{name: "name field not a key name", edit: set("", "name", "../alice"), as: "bob", passphrase: testPassphrase, wantRead: ErrCorrupt, wantErr: ErrCorrupt},
		{name: "unknown version", edit: set("", "version", 2), as: "bob", passphrase: testPassphrase, wantRead: ErrUnsupported, wantErr: ErrUnsupported},
		{name: "unknown cipher", edit: set("cipher", "name", "aes-256-gcm"), as: "bob", passphrase: testPassphrase, wantRead: ErrUnsupported, wantErr: ErrUnsupported},
		{name: "n too large", edit: set("kdf", "n", 1<<23), as: "bob", passphrase: testPassphrase, wantRead: ErrCorrupt, wantErr: ErrCorrupt},
		{name: "ciphertext truncated", edit: mutateBytes("cipher", "ciphertext", dropLast), as: "bob", passphrase: testPassphrase, wantRead: ErrCorrupt, wantErr: ErrCorrupt},
		{name: "not JSON", data: []byte("not json"), as: "bob", passphrase: testPassphrase, wantRead: ErrCorrupt, wantErr: ErrCorrupt},
		{name: "empty file", data: []byte{}, as: "bob", passphrase: testPassphrase, wantRead: ErrCorrupt, wantErr: ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			if data == nil {
				data = exported(t, tt.edit)
			}
			if _, err := ReadKeyFile(data); !errors.Is(err, tt.wantRead) {
				t.Fatalf("ReadKeyFile error = %v, want %v", err, tt.wantRead)
			}
			s := newStore(t)
			var before []byte
			if tt.existing {
				if _, err := s.Import(tt.as, "other passphrase", seedKey(3)); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(s.path(tt.as))
				if err != nil {
					t.Fatal(err)
				}
				before = b
			}
			k, err := s.ImportFile(tt.as, data, tt.passphrase)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ImportFile error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				assertNoTempFiles(t, s.dir)
				after, readErr := os.ReadFile(s.path(tt.as))
				if tt.existing && !bytes.Equal(after, before) {
					t.Fatal("ImportFile changed the key already stored under that name")
				}
				if !tt.existing && !errors.Is(readErr, fs.ErrNotExist) {
					t.Fatalf("failed ImportFile left a key file (read error %v)", readErr)
				}
				return
			}
			want := seedKey(1)
			if k.Name != tt.as || k.Address != crypto.AddressOf(want.Public().(ed25519.PublicKey)) {
				t.Fatalf("ImportFile = %+v, want %s at the address of the exported key", k, tt.as)
			}
			priv, err := s.Unlock(tt.as, tt.passphrase)
			if err != nil {
				t.Fatalf("imported key does not unlock with its passphrase: %v", err)
			}
			if !priv.Equal(want) {
				t.Fatal("imported key unlocks to another private key")
			}
			f, err := s.read(tt.as)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(f.KDF.Salt, mustParse(t, data).KDF.Salt) {
				t.Fatal("imported key kept the exported file's salt instead of being sealed afresh")
			}
		})
	}
}

func mustParse(t *testing.T, data []byte) keyFile {
	t.Helper()
	f, err := parseKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestExportImportRoundTrip(t *testing.T) {
	src, dst := newStore(t), newStore(t)
	added, err := src.Add("alice", testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "alice.key")
	if _, err := src.Export("alice", path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	read, err := ReadKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if !keysEqual(read, added) {
		t.Fatalf("ReadKeyFile = %+v, want %+v", read, added)
	}
	imported, err := dst.ImportFile("alice", data, testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	if !keysEqual(imported, added) {
		t.Fatalf("ImportFile = %+v, want %+v", imported, added)
	}
	want, errA := src.Unlock("alice", testPassphrase)
	got, errB := dst.Unlock("alice", testPassphrase)
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Fatal("the key moved to another store unlocks to another private key")
	}
}
