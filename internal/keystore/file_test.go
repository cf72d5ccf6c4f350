package keystore

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
)

// editJSON rewrites the key file at path through edit, which works on the
// generic JSON form so tests can produce files the encoder never would.
func editJSON(t *testing.T, path string, edit func(m map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, out)
}

// set returns an edit that stores v at section.field, or at the top-level
// field when section is empty.
func set(section, field string, v any) func(map[string]any) {
	return func(m map[string]any) {
		if section == "" {
			m[field] = v
			return
		}
		m[section].(map[string]any)[field] = v
	}
}

// mutateBytes returns an edit that rewrites the base64 bytes at
// section.field (top level when section is empty). It panics on bad base64
// because the files it edits come from the encoder under test.
func mutateBytes(section, field string, mutate func([]byte) []byte) func(map[string]any) {
	return func(m map[string]any) {
		sec := m
		if section != "" {
			sec = m[section].(map[string]any)
		}
		b, err := base64.StdEncoding.DecodeString(sec[field].(string))
		if err != nil {
			panic(err)
		}
		sec[field] = base64.StdEncoding.EncodeToString(mutate(b))
	}
}

func flipFirst(b []byte) []byte { b[0] ^= 1; return b }
func dropLast(b []byte) []byte  { return b[:len(b)-1] }

func TestTamperedFile(t *testing.T) {
	other := seedKey(2).Public().(ed25519.PublicKey)
	tests := []struct {
		name       string
		edit       func(map[string]any)
		wantShow   error
		wantUnlock error
	}{
		{name: "untouched", edit: func(map[string]any) {}},
		{name: "ciphertext bit flipped", edit: mutateBytes("cipher", "ciphertext", flipFirst), wantUnlock: ErrWrongPassphrase},
		{name: "nonce bit flipped", edit: mutateBytes("cipher", "nonce", flipFirst), wantUnlock: ErrWrongPassphrase},
		{name: "salt bit flipped", edit: mutateBytes("kdf", "salt", flipFirst), wantUnlock: ErrWrongPassphrase},
		{name: "different n", edit: set("kdf", "n", testScryptN*2), wantUnlock: ErrWrongPassphrase},
		{name: "ciphertext truncated", edit: mutateBytes("cipher", "ciphertext", dropLast), wantUnlock: ErrCorrupt},
		{name: "nonce truncated", edit: mutateBytes("cipher", "nonce", dropLast), wantUnlock: ErrCorrupt},
		{name: "salt truncated", edit: mutateBytes("kdf", "salt", dropLast), wantUnlock: ErrCorrupt},
		{name: "n not power of two", edit: set("kdf", "n", 1000), wantUnlock: ErrCorrupt},
		{name: "n too large", edit: set("kdf", "n", 1<<23), wantUnlock: ErrCorrupt},
		{name: "n one", edit: set("kdf", "n", 1), wantUnlock: ErrCorrupt},
		{name: "n negative", edit: set("kdf", "n", -1024), wantUnlock: ErrCorrupt},
		{name: "r changed", edit: set("kdf", "r", 1), wantUnlock: ErrCorrupt},
		{name: "p changed", edit: set("kdf", "p", 2), wantUnlock: ErrCorrupt},
		{name: "unknown kdf", edit: set("kdf", "name", "argon2id"), wantUnlock: ErrUnsupported},
		{name: "unknown cipher", edit: set("cipher", "name", "aes-256-gcm"), wantUnlock: ErrUnsupported},
		{name: "unknown version", edit: set("", "version", 2), wantShow: ErrUnsupported, wantUnlock: ErrUnsupported},
		{name: "missing version", edit: func(m map[string]any) { delete(m, "version") }, wantShow: ErrUnsupported, wantUnlock: ErrUnsupported},
		{name: "public key swapped", edit: set("", "public_key", base64.StdEncoding.EncodeToString(other)), wantShow: ErrCorrupt, wantUnlock: ErrCorrupt},
		{name: "public key truncated", edit: mutateBytes("", "public_key", dropLast), wantShow: ErrCorrupt, wantUnlock: ErrCorrupt},
		{name: "address swapped", edit: set("", "address", crypto.AddressOf(other).String()), wantShow: ErrCorrupt, wantUnlock: ErrCorrupt},
		{name: "address not bech32", edit: set("", "address", "alice"), wantShow: ErrCorrupt, wantUnlock: ErrCorrupt},
		{name: "name field changed", edit: set("", "name", "bob"), wantShow: ErrCorrupt, wantUnlock: ErrCorrupt},
		{name: "address and public key swapped together", edit: func(m map[string]any) {
			set("", "public_key", base64.StdEncoding.EncodeToString(other))(m)
			set("", "address", crypto.AddressOf(other).String())(m)
		}, wantUnlock: ErrWrongPassphrase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if _, err := s.Add("alice", testPassphrase); err != nil {
				t.Fatal(err)
			}
			editJSON(t, s.path("alice"), tt.edit)
			if _, err := s.Show("alice"); !errors.Is(err, tt.wantShow) {
				t.Fatalf("Show error = %v, want %v", err, tt.wantShow)
			}
			if _, err := s.Unlock("alice", testPassphrase); !errors.Is(err, tt.wantUnlock) {
				t.Fatalf("Unlock error = %v, want %v", err, tt.wantUnlock)
			}
		})
	}
}

func TestRenamedFile(t *testing.T) {
	tests := []struct {
		name       string
		rewrite    bool // also rewrite the name field to match the new file name
		wantShow   error
		wantUnlock error
	}{
		// The name field no longer matches the file name.
		{name: "file renamed", wantShow: ErrCorrupt, wantUnlock: ErrCorrupt},
		// The public part is consistent again, but the additional data
		// bound at encryption time still names alice.
		{name: "file renamed and name rewritten", rewrite: true, wantUnlock: ErrWrongPassphrase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if _, err := s.Add("alice", testPassphrase); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(s.path("alice"), s.path("bob")); err != nil {
				t.Fatal(err)
			}
			if tt.rewrite {
				editJSON(t, s.path("bob"), set("", "name", "bob"))
			}
			if _, err := s.Show("bob"); !errors.Is(err, tt.wantShow) {
				t.Fatalf("Show error = %v, want %v", err, tt.wantShow)
			}
			if _, err := s.Unlock("bob", testPassphrase); !errors.Is(err, tt.wantUnlock) {
				t.Fatalf("Unlock error = %v, want %v", err, tt.wantUnlock)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{name: "empty file", data: ""},
		{name: "garbage", data: "not json"},
		{name: "truncated", data: `{"version":1,"name":"alice"`},
		{name: "wrong type", data: `{"version":"1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			writeFile(t, s.path("alice"), []byte(tt.data))
			if _, err := s.Show("alice"); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Show error = %v, want %v", err, ErrCorrupt)
			}
		})
	}
}

// TestUnlockSeedMismatch covers a file whose ciphertext authenticates but
// holds the seed of a different key than public_key. Only someone with the
// passphrase can build it, so it is made with the package internals.
func TestUnlockSeedMismatch(t *testing.T) {
	s := newStore(t)
	f, err := seal("alice", testPassphrase, seedKey(1).Seed(), testScryptN)
	if err != nil {
		t.Fatal(err)
	}
	other := seedKey(2).Public().(ed25519.PublicKey)
	f.PublicKey, f.Address = other, crypto.AddressOf(other)
	aead, err := f.KDF.aead(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	f.Cipher.Ciphertext = aead.Seal(nil, f.Cipher.Nonce, seedKey(1).Seed(), f.additionalData())
	if err := s.create(f); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unlock("alice", testPassphrase); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Unlock error = %v, want %v", err, ErrCorrupt)
	}
}

func TestFileFormat(t *testing.T) {
	s := newStore(t)
	k, err := s.Import("alice", testPassphrase, seedKey(1))
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(s.path("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode(); mode != 0o600 {
		t.Fatalf("key file mode = %v, want -rw-------", mode)
	}
	var f keyFile
	data, err := os.ReadFile(s.path("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, seedKey(1).Seed()) || bytes.Contains(data, []byte(base64.StdEncoding.EncodeToString(seedKey(1).Seed()))) {
		t.Fatal("key file contains the plaintext seed")
	}
	tests := []struct {
		field string
		got   any
		want  any
	}{
		{field: "version", got: f.Version, want: 1},
		{field: "name", got: f.Name, want: "alice"},
		{field: "address", got: f.Address, want: k.Address},
		{field: "public_key", got: base64.StdEncoding.EncodeToString(f.PublicKey), want: base64.StdEncoding.EncodeToString(k.PublicKey)},
		{field: "kdf.name", got: f.KDF.Name, want: "scrypt"},
		{field: "kdf.n", got: f.KDF.N, want: testScryptN},
		{field: "kdf.r", got: f.KDF.R, want: 8},
		{field: "kdf.p", got: f.KDF.P, want: 1},
		{field: "kdf.salt length", got: len(f.KDF.Salt), want: 32},
		{field: "cipher.name", got: f.Cipher.Name, want: "xchacha20-poly1305"},
		{field: "cipher.nonce length", got: len(f.Cipher.Nonce), want: 24},
		{field: "cipher.ciphertext length", got: len(f.Cipher.Ciphertext), want: 48},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("%s = %v, want %v", tt.field, tt.got, tt.want)
			}
		})
	}
}

func TestFreshSaltAndNonce(t *testing.T) {
	s := newStore(t)
	for _, name := range []string{"a", "b"} {
		if _, err := s.Import(name, testPassphrase, seedKey(1)); err != nil {
			t.Fatal(err)
		}
	}
	a, errA := s.read("a")
	b, errB := s.read("b")
	if err := errors.Join(errA, errB); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field string
		a, b  []byte
	}{
		{field: "kdf.salt", a: a.KDF.Salt, b: b.KDF.Salt},
		{field: "cipher.nonce", a: a.Cipher.Nonce, b: b.Cipher.Nonce},
		{field: "cipher.ciphertext", a: a.Cipher.Ciphertext, b: b.Cipher.Ciphertext},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if bytes.Equal(tt.a, tt.b) {
				t.Fatalf("%s repeated across two files of the same seed and passphrase", tt.field)
			}
		})
	}
}
