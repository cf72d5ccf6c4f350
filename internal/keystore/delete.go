package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Delete removes the key called name from the store, durably, and returns
// what it was so the caller can say which address went. Without a copy
// made by Export, the key and what its address holds are lost for good,
// so callers confirm with a person first. A key file that fails to parse
// is left alone: there is no telling what would be deleted.
func (s *Store) Delete(name string) (Key, error) {
	f, err := s.read(name)
	if err != nil {
		return Key{}, err
	}
	err = os.Remove(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return Key{}, &KeyNotFoundError{Name: name, Dir: s.dir}
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err != nil {
		return Key{}, fmt.Errorf("keystore: delete key %q: %w", name, err)
	}
	return f.key(), nil
}
