package crypto

import (
	"errors"
	"fmt"

	"github.com/oasisprotocol/curve25519-voi/curve"
)

// ErrWeakKey is a public key nobody can be held to: an encoding of a point outside
// the canonical range, a string that is no point of the curve, or a point of small
// order (the identity, and the seven others of order 2, 4 or 8), for which a signature
// can be made without any private key.
var ErrWeakKey = errors.New("crypto: weak public key")

// strongKeys caches the keys found strong: decompression is a fifth of a verification.
var strongKeys keyCache[struct{}]

// CheckPublicKey refuses an Ed25519 public key that is not 32 bytes, not the canonical
// encoding of a point of the curve, or a point of small order. A key made from a
// private key always passes; the check is its own, apart from signature verification,
// so that every place a key enters (a signer, a party, an operator's or an issuer's
// key) refuses the same keys whatever verification rule is in force.
func CheckPublicKey(pub []byte) error {
	if len(pub) != PublicKeyBytes {
		return fmt.Errorf("%w: want %d bytes, got %d", ErrWeakKey, PublicKeyBytes, len(pub))
	}
	var why string
	_, ok := strongKeys.get(pub, func(pub []byte) (struct{}, bool) {
		why = weakness(pub)
		return struct{}{}, why == ""
	})
	if !ok {
		return fmt.Errorf("%w: %x %s", ErrWeakKey, pub, why)
	}
	return nil
}

// weakness says what is wrong with a 32-byte public key, or "" when nothing is.
func weakness(pub []byte) string {
	var y curve.CompressedEdwardsY
	if _, err := y.SetBytes(pub); err != nil {
		return "is not a compressed point"
	}
	if !y.IsCanonicalVartime() {
		return "is not the canonical encoding of its point"
	}
	var p curve.EdwardsPoint
	if _, err := p.SetCompressedY(&y); err != nil {
		return "is no point of the curve"
	}
	if p.IsSmallOrder() {
		return "is a point of small order, for which anyone can sign"
	}
	return ""
}
