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

// String returns the canonical lower-case bech32 form, "chip1...". It encodes by hand
// (the 160 bits are exactly 32 five-bit groups, and the checksum's state after the
// prefix is computed once) because the ledger names two or three addresses in the
// events of every transaction; TestAddressStringMatchesBech32 holds it to the library.
func (a Address) String() string {
	out := make([]byte, 0, len(AddressHRP)+1+32+6)
	out = append(out, AddressHRP+"1"...)
	chk := hrpChecksum
	var acc uint32
	bits := 0
	for _, b := range a {
		acc = acc<<8 | uint32(b)
		for bits += 8; bits >= 5; {
			bits -= 5
			g := byte(acc>>bits) & 31
			chk = bech32Step(chk, g)
			out = append(out, bech32Charset[g])
		}
	}
	for range 6 {
		chk = bech32Step(chk, 0)
	}
	chk ^= 1 // bech32, not bech32m
	for i := range 6 {
		out = append(out, bech32Charset[(chk>>(5*(5-i)))&31])
	}
	return string(out)
}

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// bech32Step feeds one five-bit group to the BCH checksum of BIP 173.
func bech32Step(chk uint32, v byte) uint32 {
	top := chk >> 25
	chk = (chk&0x1ffffff)<<5 ^ uint32(v)
	for i, g := range [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3} {
		if top>>i&1 == 1 {
			chk ^= g
		}
	}
	return chk
}

// hrpChecksum is the checksum's state after the expanded prefix "chip".
var hrpChecksum = func() uint32 {
	chk := uint32(1)
	for _, c := range []byte(AddressHRP) {
		chk = bech32Step(chk, c>>5)
	}
	chk = bech32Step(chk, 0)
	for _, c := range []byte(AddressHRP) {
		chk = bech32Step(chk, c&31)
	}
	return chk
}()

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
