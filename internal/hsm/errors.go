package hsm

import "errors"

// Sentinel errors. Callers match them with errors.Is; the errors returned wrap them
// with the token, the key or the module that was wrong.
var (
	// ErrNotBuilt is a PKCS#11 key asked of a chipmint built without the pkcs11 tag.
	ErrNotBuilt = errors.New("hsm: this chipmint was built without PKCS#11 support: build it with `go build -tags pkcs11` (cgo, with a C compiler)")
	// ErrBadURI is a PKCS#11 URI chipmint cannot use.
	ErrBadURI = errors.New("hsm: bad PKCS#11 URI")
	// ErrNoPIN is a PIN neither in the environment variable the URI names nor typed at
	// a terminal.
	ErrNoPIN = errors.New("hsm: no PIN")
	// ErrNoModule is a module-path where no PKCS#11 module can be loaded.
	ErrNoModule = errors.New("hsm: no PKCS#11 module")
	// ErrNoToken is a token label that no slot of the module holds.
	ErrNoToken = errors.New("hsm: no token")
	// ErrWrongPIN is a PIN the token refused.
	ErrWrongPIN = errors.New("hsm: wrong PIN")
	// ErrNoKey is a key label the token holds no key pair of.
	ErrNoKey = errors.New("hsm: no key")
	// ErrKeyExists is a key to make under a label the token holds a key of already.
	ErrKeyExists = errors.New("hsm: a key exists")
	// ErrClosed is a signature asked of a key after Close.
	ErrClosed = errors.New("hsm: the key is closed")
)
