package crypto

import "errors"

// Address parsing errors. ParseAddress wraps them with the offending input so
// callers can match with errors.Is and users still see what was wrong.
var (
	// ErrAddressEncoding means the string is not valid bech32 at all.
	ErrAddressEncoding = errors.New("crypto: malformed bech32 address")
	// ErrAddressChecksum means the string is bech32-shaped but its checksum
	// does not match, usually a typo.
	ErrAddressChecksum = errors.New("crypto: address checksum mismatch")
	// ErrAddressCase means the string contains upper-case letters. Only the
	// lower-case form is accepted so each address has exactly one spelling.
	ErrAddressCase = errors.New("crypto: address must be lower case")
	// ErrAddressHRP means the prefix is not AddressHRP, e.g. a bitcoin address.
	ErrAddressHRP = errors.New("crypto: address prefix is not \"" + AddressHRP + "\"")
	// ErrAddressLength means the payload does not decode to AddressBytes bytes.
	ErrAddressLength = errors.New("crypto: address payload has wrong length")
)
