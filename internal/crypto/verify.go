package crypto

import (
	voied "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// stdlibRules are crypto/ed25519's verification rules in curve25519-voi.
var stdlibRules = &voied.Options{Verify: voied.VerifyOptionsStdLib}

// expandedKeys caches the decompressed points of public keys: decompression is a fifth
// of a verification.
var expandedKeys keyCache[*voied.ExpandedPublicKey]

// expandedKey decompresses pub, or finds it done; false if pub is no point of the curve.
func expandedKey(pub []byte) (*voied.ExpandedPublicKey, bool) {
	return expandedKeys.get(pub, func(pub []byte) (*voied.ExpandedPublicKey, bool) {
		key, err := voied.NewExpandedPublicKey(pub)
		return key, err == nil
	})
}
