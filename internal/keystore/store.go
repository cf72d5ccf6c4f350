package keystore

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/chipmint/chipmint/internal/crypto"
)

const (
	// DefaultScryptN is the scrypt cost used when Options.ScryptN is zero:
	// roughly 100ms and 32 MiB per unlock on current hardware.
	DefaultScryptN = 1 << 15
	// maxScryptN caps the cost read from files, since a hostile file could
	// otherwise demand unbounded memory (128·N·r bytes) on unlock.
	maxScryptN = 1 << 22
	fileExt    = ".json"
)

// nameRE is the key naming rule. It admits no dots or slashes, so a name
// used as a file name can never leave the store directory.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Options tunes a Store.
type Options struct {
	// ScryptN is the scrypt cost for keys this store writes, a power of two
	// in [2, 1<<22]; zero means DefaultScryptN. Files record their own N,
	// so any store can unlock them whatever its setting.
	ScryptN int
}

// Store is a directory of encrypted key files.
type Store struct {
	dir     string
	scryptN int
}

// Key is the public information about a stored key.
type Key struct {
	Name      string
	Address   crypto.Address
	PublicKey ed25519.PublicKey
}

// Open opens the store in dir with default options, creating dir (mode 0700)
// if missing.
func Open(dir string) (*Store, error) {
	return OpenWithOptions(dir, Options{})
}

// OpenWithOptions opens the store in dir, creating dir (mode 0700) if missing.
func OpenWithOptions(dir string, opt Options) (*Store, error) {
	n := opt.ScryptN
	if n == 0 {
		n = DefaultScryptN
	}
	if !validScryptN(n) {
		return nil, fmt.Errorf("%w: ScryptN %d is not a power of two in [2, %d]", ErrBadOptions, n, maxScryptN)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keystore: create directory: %w", err)
	}
	return &Store{dir: dir, scryptN: n}, nil
}

func validScryptN(n int) bool {
	return n > 1 && n <= maxScryptN && n&(n-1) == 0
}

func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: %q", ErrBadName, name)
	}
	return nil
}

func (s *Store) path(name string) string {
	return filepath.Join(s.dir, name+fileExt)
}

// Add generates a new key, stores it under name encrypted with passphrase
// and returns its public information.
func (s *Store) Add(name, passphrase string) (Key, error) {
	_, priv, err := crypto.GenerateKey(nil)
	if err != nil {
		return Key{}, fmt.Errorf("keystore: add %q: %w", name, err)
	}
	return s.Import(name, passphrase, priv)
}

// Import stores priv under name encrypted with passphrase. It never replaces
// an existing key: a second key of the same name fails with ErrKeyExists.
func (s *Store) Import(name, passphrase string, priv ed25519.PrivateKey) (Key, error) {
	if err := checkName(name); err != nil {
		return Key{}, err
	}
	if passphrase == "" {
		return Key{}, fmt.Errorf("%w: key %q", ErrEmptyPassphrase, name)
	}
	seed, err := seedOf(priv)
	if err != nil {
		return Key{}, err
	}
	f, err := seal(name, passphrase, seed, s.scryptN)
	if err != nil {
		return Key{}, err
	}
	if err := s.create(f); err != nil {
		return Key{}, err
	}
	return f.key(), nil
}

// seedOf returns the seed of priv after checking that priv is well formed.
func seedOf(priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrBadKey, len(priv), ed25519.PrivateKeySize)
	}
	seed := priv.Seed()
	// Only the seed is stored, so a public half that does not belong to it
	// would come back from Unlock as a different account than was imported.
	if !ed25519.NewKeyFromSeed(seed).Equal(priv) {
		return nil, fmt.Errorf("%w: public half does not match the seed", ErrBadKey)
	}
	return seed, nil
}

// create writes f as a new key file, refusing to replace an existing one.
func (s *Store) create(f keyFile) error {
	data, err := f.encode()
	if err != nil {
		return err
	}
	err = writeNew(s.path(f.Name), data)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %q", ErrKeyExists, f.Name)
	}
	if err != nil {
		return fmt.Errorf("keystore: write key %q: %w", f.Name, err)
	}
	return nil
}

// List returns every stored key, sorted by name. It needs no passphrase.
// Files in the directory that are not named like keys are ignored; a key
// file that fails to parse is an error rather than silently hidden.
func (s *Store) List() ([]Key, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("keystore: list: %w", err)
	}
	keys := make([]Key, 0, len(entries))
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), fileExt)
		if !ok || !e.Type().IsRegular() || checkName(name) != nil {
			continue
		}
		k, err := s.Show(name)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	// Directory order sorts by file name, which differs from name order
	// ("a-b.json" < "a.json"), so sort explicitly.
	slices.SortFunc(keys, func(a, b Key) int { return strings.Compare(a.Name, b.Name) })
	return keys, nil
}

// Show returns the public information of the key called name.
func (s *Store) Show(name string) (Key, error) {
	f, err := s.read(name)
	if err != nil {
		return Key{}, err
	}
	return f.key(), nil
}

// Unlock decrypts the key called name with passphrase.
func (s *Store) Unlock(name, passphrase string) (ed25519.PrivateKey, error) {
	if passphrase == "" {
		return nil, fmt.Errorf("%w: key %q", ErrEmptyPassphrase, name)
	}
	f, err := s.read(name)
	if err != nil {
		return nil, err
	}
	return f.open(passphrase)
}

// read loads and checks the public part of the key file for name.
func (s *Store) read(name string) (keyFile, error) {
	if err := checkName(name); err != nil {
		return keyFile{}, err
	}
	data, err := os.ReadFile(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return keyFile{}, &KeyNotFoundError{Name: name, Dir: s.dir}
	}
	if err != nil {
		return keyFile{}, fmt.Errorf("keystore: read key %q: %w", name, err)
	}
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return keyFile{}, fmt.Errorf("%w: key %q: %w", ErrCorrupt, name, err)
	}
	if err := f.checkHeader(name); err != nil {
		return keyFile{}, err
	}
	return f, nil
}
