package keystore

import (
	"encoding/json"
	"fmt"
)

// Export writes the key called name to path in the store's own format,
// still sealed under its passphrase: the seed is not decrypted on the way,
// so the file is of use only with the passphrase. Export never replaces a
// file (an existing path fails with an error matching fs.ErrExist) and
// creates path with mode 0600, flushed to stable storage.
func (s *Store) Export(name, path string) (Key, error) {
	f, err := s.read(name)
	if err != nil {
		return Key{}, err
	}
	if err := f.checkCrypto(); err != nil {
		return Key{}, err
	}
	data, err := f.encode()
	if err != nil {
		return Key{}, err
	}
	if err := writeExclusive(path, data); err != nil {
		return Key{}, fmt.Errorf("keystore: export key %q: %w", name, err)
	}
	return f.key(), nil
}

// ReadKeyFile checks an exported key file as far as it can without the
// passphrase (format version, crypto parameters, that the address is the
// public key's) and returns the key's public information, under the name
// it was exported with.
func ReadKeyFile(data []byte) (Key, error) {
	f, err := parseKeyFile(data)
	if err != nil {
		return Key{}, err
	}
	return f.key(), nil
}

// ImportFile stores under name the key in data, an exported key file. It
// checks the file as ReadKeyFile does and unlocks it with passphrase; since
// the name is bound to the ciphertext, it then seals the seed again under
// the same passphrase for name, with a fresh salt and nonce and the
// store's scrypt cost. Like Import it never replaces a key: a name already
// stored fails with ErrKeyExists.
func (s *Store) ImportFile(name string, data []byte, passphrase string) (Key, error) {
	if err := checkName(name); err != nil {
		return Key{}, err
	}
	if passphrase == "" {
		return Key{}, fmt.Errorf("%w: key %q", ErrEmptyPassphrase, name)
	}
	f, err := parseKeyFile(data)
	if err != nil {
		return Key{}, err
	}
	priv, err := f.open(passphrase)
	if err != nil {
		return Key{}, err
	}
	defer clear(priv)
	return s.Import(name, passphrase, priv)
}

// parseKeyFile decodes a key file found outside the store and checks all
// of it but the ciphertext.
func parseKeyFile(data []byte) (keyFile, error) {
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return keyFile{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if err := f.checkHeader(f.Name); err != nil {
		return keyFile{}, err
	}
	if err := checkName(f.Name); err != nil {
		return keyFile{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if err := f.checkCrypto(); err != nil {
		return keyFile{}, err
	}
	return f, nil
}
