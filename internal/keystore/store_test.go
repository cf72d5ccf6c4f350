package keystore

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
)

// testScryptN keeps scrypt cheap so the tests stay fast.
const testScryptN = 1 << 10

const testPassphrase = "correct horse battery staple"

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenWithOptions(t.TempDir(), Options{ScryptN: testScryptN})
	if err != nil {
		t.Fatalf("OpenWithOptions: %v", err)
	}
	return s
}

func seedKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func TestAddShowUnlock(t *testing.T) {
	tests := []struct {
		name string
		key  string
	}{
		{name: "plain", key: "alice"},
		{name: "single char", key: "a"},
		{name: "leading digit", key: "0day"},
		{name: "punctuation", key: "x_y-z"},
		{name: "64 chars", key: strings.Repeat("k", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			added, err := s.Add(tt.key, testPassphrase)
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			checkKey(t, added, tt.key)
			shown, err := s.Show(tt.key)
			if err != nil {
				t.Fatalf("Show: %v", err)
			}
			if !keysEqual(shown, added) {
				t.Fatalf("Show = %+v, want %+v", shown, added)
			}
			priv, err := s.Unlock(tt.key, testPassphrase)
			if err != nil {
				t.Fatalf("Unlock: %v", err)
			}
			msg := []byte("issue 100 chips")
			if !crypto.Verify(added.PublicKey, msg, ed25519.Sign(priv, msg)) {
				t.Fatal("signature by unlocked key does not verify against the stored public key")
			}
		})
	}
}

func checkKey(t *testing.T, k Key, name string) {
	t.Helper()
	if k.Name != name {
		t.Fatalf("Name = %q, want %q", k.Name, name)
	}
	if len(k.PublicKey) != ed25519.PublicKeySize {
		t.Fatalf("PublicKey has %d bytes", len(k.PublicKey))
	}
	if k.Address != crypto.AddressOf(k.PublicKey) {
		t.Fatalf("Address %s does not derive from PublicKey", k.Address)
	}
}

func keysEqual(a, b Key) bool {
	return a.Name == b.Name && a.Address == b.Address && a.PublicKey.Equal(b.PublicKey)
}

func TestList(t *testing.T) {
	tests := []struct {
		name  string
		keys  []string
		noise []string // non-key files that List must skip
		want  []string
	}{
		{name: "empty store", want: []string{}},
		{name: "sorted by name not file name", keys: []string{"b", "a-b", "a", "a_b"}, want: []string{"a", "a-b", "a_b", "b"}},
		{name: "ignores other files", keys: []string{"alice"}, noise: []string{"README", "Bob.json", ".tmp-123", "-x.json", "notes.txt"}, want: []string{"alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			for _, k := range tt.keys {
				if _, err := s.Add(k, testPassphrase); err != nil {
					t.Fatalf("Add(%q): %v", k, err)
				}
			}
			for _, n := range tt.noise {
				writeFile(t, filepath.Join(s.dir, n), []byte("{}"))
			}
			if err := os.Mkdir(filepath.Join(s.dir, "sub.json"), 0o700); err != nil {
				t.Fatal(err)
			}
			got, err := s.List()
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			names := make([]string, 0, len(got))
			for _, k := range got {
				names = append(names, k.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("List names = %q, want %q", names, tt.want)
			}
		})
	}
}

func TestListCorruptKeyFails(t *testing.T) {
	s := newStore(t)
	if _, err := s.Add("alice", testPassphrase); err != nil {
		t.Fatal(err)
	}
	writeFile(t, s.path("bob"), []byte("not json"))
	if _, err := s.List(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("List error = %v, want %v", err, ErrCorrupt)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAddRejects(t *testing.T) {
	tests := []struct {
		name       string
		key        string
		passphrase string
		wantErr    error
	}{
		{name: "empty name", key: "", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "65 chars", key: strings.Repeat("k", 65), passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "leading dash", key: "-alice", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "leading underscore", key: "_alice", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "upper case", key: "Alice", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "space", key: "al ice", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "dot", key: "alice.old", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "path traversal", key: "../alice", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "slash", key: "a/b", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "non-ascii", key: "alicé", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "trailing newline", key: "alice\n", passphrase: testPassphrase, wantErr: ErrBadName},
		{name: "empty passphrase", key: "alice", passphrase: "", wantErr: ErrEmptyPassphrase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if _, err := s.Add(tt.key, tt.passphrase); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Add(%q) error = %v, want %v", tt.key, err, tt.wantErr)
			}
			entries, err := os.ReadDir(s.dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 0 {
				t.Fatalf("rejected Add left %d files behind", len(entries))
			}
		})
	}
}

func TestAddDuplicateNeverOverwrites(t *testing.T) {
	tests := []struct {
		name string
		add  func(s *Store) error
	}{
		{name: "Add", add: func(s *Store) error {
			_, err := s.Add("alice", "other passphrase")
			return err
		}},
		{name: "Import", add: func(s *Store) error {
			_, err := s.Import("alice", "other passphrase", seedKey(2))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			first, err := s.Import("alice", testPassphrase, seedKey(1))
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.add(s); !errors.Is(err, ErrKeyExists) {
				t.Fatalf("second add error = %v, want %v", err, ErrKeyExists)
			}
			priv, err := s.Unlock("alice", testPassphrase)
			if err != nil {
				t.Fatalf("original key no longer unlocks: %v", err)
			}
			if !priv.Public().(ed25519.PublicKey).Equal(first.PublicKey) {
				t.Fatal("original key was replaced")
			}
			assertNoTempFiles(t, s.dir)
		})
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) != 0 {
		t.Fatalf("temporary files left behind: %q", matches)
	}
}

func TestImport(t *testing.T) {
	mismatched := bytes.Clone(seedKey(1))
	copy(mismatched[ed25519.SeedSize:], seedKey(2)[ed25519.SeedSize:])
	tests := []struct {
		name     string
		priv     ed25519.PrivateKey
		wantAddr string
		wantErr  error
	}{
		// The address of seed 32×0x01 is pinned in the crypto package tests.
		{name: "known seed", priv: seedKey(1), wantAddr: "chip1x36slx9at870e9rd53d2405n80s4ff94avyse6"},
		{name: "nil key", priv: nil, wantErr: ErrBadKey},
		{name: "seed only", priv: seedKey(1).Seed(), wantErr: ErrBadKey},
		{name: "public half from another key", priv: mismatched, wantErr: ErrBadKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			k, err := s.Import("imported", testPassphrase, tt.priv)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Import error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := k.Address.String(); got != tt.wantAddr {
				t.Fatalf("Address = %s, want %s", got, tt.wantAddr)
			}
			priv, err := s.Unlock("imported", testPassphrase)
			if err != nil {
				t.Fatalf("Unlock: %v", err)
			}
			if !priv.Equal(tt.priv) {
				t.Fatal("Unlock returned a different private key than was imported")
			}
		})
	}
}

func TestUnlockRejects(t *testing.T) {
	tests := []struct {
		name       string
		key        string
		passphrase string
		wantErr    error
	}{
		{name: "wrong passphrase", key: "alice", passphrase: "wrong", wantErr: ErrWrongPassphrase},
		{name: "passphrase with extra space", key: "alice", passphrase: testPassphrase + " ", wantErr: ErrWrongPassphrase},
		{name: "empty passphrase", key: "alice", passphrase: "", wantErr: ErrEmptyPassphrase},
		{name: "missing key", key: "bob", passphrase: testPassphrase, wantErr: ErrKeyNotFound},
		{name: "bad name", key: "../alice", passphrase: testPassphrase, wantErr: ErrBadName},
	}
	s := newStore(t)
	if _, err := s.Add("alice", testPassphrase); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv, err := s.Unlock(tt.key, tt.passphrase)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Unlock error = %v, want %v", err, tt.wantErr)
			}
			if priv != nil {
				t.Fatal("Unlock returned a key on error")
			}
		})
	}
}

func TestShowRejects(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		wantErr error
	}{
		{name: "missing key", key: "bob", wantErr: ErrKeyNotFound},
		{name: "bad name", key: "Bob", wantErr: ErrBadName},
		{name: "empty name", key: "", wantErr: ErrBadName},
	}
	s := newStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Show(tt.key); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Show error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestKeyNotFoundNamesKeyAndDir(t *testing.T) {
	tests := []struct {
		name string
		op   func(s *Store) error
	}{
		{name: "Show", op: func(s *Store) error {
			_, err := s.Show("bob")
			return err
		}},
		{name: "Unlock", op: func(s *Store) error {
			_, err := s.Unlock("bob", testPassphrase)
			return err
		}},
		{name: "Export", op: func(s *Store) error {
			_, err := s.Export("bob", filepath.Join(s.dir, "bob.key"))
			return err
		}},
		{name: "Delete", op: func(s *Store) error {
			_, err := s.Delete("bob")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if _, err := s.Add("alice", testPassphrase); err != nil {
				t.Fatal(err)
			}
			err := tt.op(s)
			if !errors.Is(err, ErrKeyNotFound) {
				t.Fatalf("error = %v, want %v", err, ErrKeyNotFound)
			}
			var nf *KeyNotFoundError
			if !errors.As(err, &nf) || nf.Name != "bob" || nf.Dir != s.dir {
				t.Fatalf("error = %#v, want a *KeyNotFoundError for bob in %s", err, s.dir)
			}
			if want := `keystore: no key "bob" in ` + s.dir; err.Error() != want {
				t.Fatalf("message %q, want %q", err.Error(), want)
			}
		})
	}
}
