package crypto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

const (
	// AddressHRP is the bech32 human-readable prefix of every chipmint address.
	AddressHRP = "chip"
	// AddressBytes is the length of an address: a truncated SHA-256 keeps
	// addresses short to type while 160 bits still rule out collisions.
	AddressBytes = 20
)

// Address identifies an account: the first AddressBytes bytes of SHA-256 of
// its Ed25519 public key.
type Address [AddressBytes]byte

// AddressOf derives the address of a public key.
func AddressOf(pub ed25519.PublicKey) Address {
	sum := sha256.Sum256(pub)
	var a Address
	copy(a[:], sum[:AddressBytes])
	return a
}

// IsZero reports whether a is the zero value, which no real key derives to in
// practice and so marks an unset address.
func (a Address) IsZero() bool {
	return a == Address{}
}

// String returns the canonical lower-case bech32 form, "chip1...".
func (a Address) String() string {
	data, err := bech32.ConvertBits(a[:], 8, 5, true)
	if err == nil {
		var s string
		if s, err = bech32.Encode(AddressHRP, data); err == nil {
			return s
		}
	}
	// Unreachable with fixed 8-to-5 bit conversion of a fixed-size array;
	// an address silently printed as "" would be far more dangerous.
	panic("crypto: encode address: " + err.Error())
}

// ParseAddress parses the canonical form produced by Address.String. It is
// strict (lower case, bech32 not bech32m, exact length) so that every address
// has exactly one accepted spelling.
func ParseAddress(s string) (Address, error) {
	if strings.ContainsFunc(s, isUpperASCII) {
		return Address{}, fmt.Errorf("%w: %q", ErrAddressCase, s)
	}
	data, err := decodeBech32(s)
	if err != nil {
		return Address{}, err
	}
	payload, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %q: %w", ErrAddressEncoding, s, err)
	}
	if len(payload) != AddressBytes {
		return Address{}, fmt.Errorf("%w: %q has %d bytes, want %d",
			ErrAddressLength, s, len(payload), AddressBytes)
	}
	return Address(payload), nil
}

// decodeBech32 checks the bech32 envelope of s and returns its 5-bit payload.
func decodeBech32(s string) ([]byte, error) {
	hrp, data, version, err := bech32.DecodeGeneric(s)
	var badSum bech32.ErrInvalidChecksum
	switch {
	case errors.As(err, &badSum):
		// bech32's error spells out the expected checksum. It is left out
		// so nobody "fixes" a mistyped address by pasting it in, which
		// would send chips to an address nobody holds.
		return nil, fmt.Errorf("%w: %q", ErrAddressChecksum, s)
	case err != nil:
		return nil, fmt.Errorf("%w: %q: %w", ErrAddressEncoding, s, err)
	case version != bech32.Version0:
		// A bech32m string carries the same payload under a different
		// checksum; accepting it would give one address two spellings.
		return nil, fmt.Errorf("%w: %q is bech32m, want bech32", ErrAddressEncoding, s)
	case hrp != AddressHRP:
		return nil, fmt.Errorf("%w: %q has prefix %q", ErrAddressHRP, s, hrp)
	}
	return data, nil
}

func isUpperASCII(r rune) bool {
	return 'A' <= r && r <= 'Z'
}

// MarshalText encodes a as its bech32 string, so JSON and config files carry
// the same form users see.
func (a Address) MarshalText() ([]byte, error) {
	return []byte(a.String()), nil
}

// UnmarshalText parses the bech32 string form with ParseAddress.
func (a *Address) UnmarshalText(text []byte) error {
	parsed, err := ParseAddress(string(text))
	if err != nil {
		return err
	}
	*a = parsed
	return nil
}
