package crypto

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
)

// Signer is what signs for an account: the standard library's crypto.Signer, so that a
// key held in memory (an ed25519.PrivateKey is one) and a key that never leaves a
// hardware token (PKCS#11 libraries hand out crypto.Signer) are used alike, and no
// command or service needs to know which it holds. Its key must be an Ed25519 key.
type Signer = stdcrypto.Signer

// ErrNotEd25519 is a signer whose key is not an Ed25519 key: chipmint accepts no other.
var ErrNotEd25519 = errors.New("crypto: the signer's key is not an Ed25519 key")

// PublicKeyOf is the Ed25519 public key of s. A signer of another kind of key, or none,
// is refused with ErrNotEd25519.
func PublicKeyOf(s Signer) (ed25519.PublicKey, error) {
	switch k := s.(type) {
	case nil:
		return nil, fmt.Errorf("%w: no signer", ErrNotEd25519)
	case ed25519.PrivateKey:
		// A key in memory: its public half, copied, without boxing it in an interface
		// first (a presigned load comes through here once per transaction).
		if err := checkSize(k); err != nil {
			return nil, err
		}
		return bytes.Clone(k[ed25519.SeedSize:]), nil
	}
	pub, ok := s.Public().(ed25519.PublicKey)
	if !ok || len(pub) != PublicKeyBytes {
		return nil, fmt.Errorf("%w: it holds a %T", ErrNotEd25519, s.Public())
	}
	return pub, nil
}

// AddressOfSigner is the address of s's public key.
func AddressOfSigner(s Signer) (Address, error) {
	pub, err := PublicKeyOf(s)
	if err != nil {
		return Address{}, err
	}
	return AddressOf(pub), nil
}

// Sign signs msg with s by pure Ed25519 (the message itself, not a digest of it:
// stdcrypto.Hash(0)), the same signature ed25519.Sign makes. An error of the signer,
// such as a token that was removed, is returned, and so is an answer that is not a
// signature's length.
func Sign(s Signer, msg []byte) ([]byte, error) {
	switch k := s.(type) {
	case nil:
		return nil, fmt.Errorf("%w: no signer", ErrNotEd25519)
	case ed25519.PrivateKey:
		if err := checkSize(k); err != nil {
			return nil, err
		}
	}
	sig, err := s.Sign(nil, msg, stdcrypto.Hash(0))
	if err != nil {
		return nil, fmt.Errorf("crypto: sign: %w", err)
	}
	if len(sig) != SignatureBytes {
		return nil, fmt.Errorf("crypto: sign: the signer answered %d bytes, want a %d-byte Ed25519 signature", len(sig), SignatureBytes)
	}
	return sig, nil
}

// checkSize refuses a key in memory of the wrong size, on which ed25519 panics.
func checkSize(k ed25519.PrivateKey) error {
	if len(k) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: a private key of %d bytes, want %d", ErrNotEd25519, len(k), ed25519.PrivateKeySize)
	}
	return nil
}
