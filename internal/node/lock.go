package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrHomeInUse is a home that another running chipmint holds.
var ErrHomeInUse = errors.New("another chipmint is running on this home")

// lockHome takes the home's lock, held by a running node until it stops, so that a
// second process on the same home stops at once with a clear message instead of
// failing on a database lock deep inside CometBFT. The kernel releases the lock when
// the process ends, however it ends.
func lockHome(home string) (*os.File, error) {
	path := filepath.Join(home, "data", "chipmint.lock")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s)", ErrHomeInUse, home)
		}
		return nil, fmt.Errorf("node: lock %s: %w", path, err)
	}
	return f, nil
}
