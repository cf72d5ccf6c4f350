package hsm

import "github.com/chipmint/chipmint/internal/crypto"

// Key is an Ed25519 key on a token, open for signing until Close. Its Sign takes only
// pure Ed25519 (crypto.Hash(0)); crypto.Sign asks for nothing else.
type Key interface {
	crypto.Signer
	// Close ends the key's session with its token; the module is unloaded with the
	// last key open on it.
	Close() error
}
