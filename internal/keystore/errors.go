package keystore

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers match them with errors.Is; the returned errors
// wrap them with the key name and the field or value that was wrong.
var (
	// ErrBadName means a key name breaks the naming rule; names become file
	// names, so the rule also keeps them from escaping the store directory.
	ErrBadName = errors.New("keystore: bad key name: want 1-64 characters of [a-z0-9_-] starting with a letter or digit")
	// ErrKeyExists means a key of that name is already stored.
	ErrKeyExists = errors.New("keystore: key already exists")
	// ErrKeyNotFound means no key of that name is stored. The error returned
	// is a *KeyNotFoundError, which also says where the key was looked for.
	ErrKeyNotFound = errors.New("keystore: key not found")
	// ErrWrongPassphrase means the ciphertext failed to authenticate. AEAD
	// cannot tell a wrong passphrase from a tampered file, hence the message.
	ErrWrongPassphrase = errors.New("keystore: wrong passphrase or tampered key file")
	// ErrEmptyPassphrase means an empty passphrase was given; it would leave
	// the key protected by nothing but scrypt's cost.
	ErrEmptyPassphrase = errors.New("keystore: empty passphrase")
	// ErrPassphraseMismatch means the passphrase for a new key was typed
	// twice and the two differ.
	ErrPassphraseMismatch = errors.New("keystore: the passphrases do not match")
	// ErrNoPassphrase means there was neither the environment variable nor
	// a terminal to ask.
	ErrNoPassphrase = errors.New("keystore: no passphrase: set " + passphraseEnv + " or run in a terminal")
	// ErrCorrupt means a key file is malformed or inconsistent.
	ErrCorrupt = errors.New("keystore: corrupt key file")
	// ErrUnsupported means a key file uses a version, KDF or cipher this
	// build does not know, e.g. one written by a newer chipmint.
	ErrUnsupported = errors.New("keystore: unsupported key file")
	// ErrBadKey means a private key handed to Import is malformed.
	ErrBadKey = errors.New("keystore: bad private key")
	// ErrBadOptions means OpenWithOptions was given unusable options.
	ErrBadOptions = errors.New("keystore: bad options")
)

// KeyNotFoundError is the error for a key name that is not stored. It
// matches ErrKeyNotFound with errors.Is, and errors.As gives the name and
// the store directory, so a message can say where the key was looked for.
type KeyNotFoundError struct {
	// Name is the key asked for.
	Name string
	// Dir is the store directory it is not in.
	Dir string
}

// Error names the key and the directory.
func (e *KeyNotFoundError) Error() string {
	return fmt.Sprintf("keystore: no key %q in %s", e.Name, e.Dir)
}

// Is reports whether target is ErrKeyNotFound.
func (e *KeyNotFoundError) Is(target error) bool { return target == ErrKeyNotFound }
