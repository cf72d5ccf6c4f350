package crypto

import (
	"crypto/ed25519"
	"fmt"
	"io"
)

const (
	// PublicKeyBytes is the length of an Ed25519 public key.
	PublicKeyBytes = ed25519.PublicKeySize
	// SignatureBytes is the length of an Ed25519 signature.
	SignatureBytes = ed25519.SignatureSize
)

// GenerateKey creates a new Ed25519 key pair from rand, or from the system's
// secure source when rand is nil. A non-nil rand exists for deterministic
// tests only.
func GenerateKey(rand io.Reader) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("crypto: generate key: %w", err)
	}
	return pub, priv, nil
}

// Verify reports whether sig is pub's signature of msg. Unlike
// ed25519.Verify it returns false instead of panicking on a wrongly sized
// key, because keys and signatures arrive from untrusted transactions.
func Verify(pub []byte, msg, sig []byte) bool {
	if len(pub) != PublicKeyBytes || len(sig) != SignatureBytes {
		return false
	}
	return ed25519.Verify(pub, msg, sig)
}
