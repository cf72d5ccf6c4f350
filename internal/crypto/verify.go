package crypto

import (
	"sync"

	voied "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// stdlibRules are crypto/ed25519's verification rules in curve25519-voi.
var stdlibRules = &voied.Options{Verify: voied.VerifyOptionsStdLib}

// expandedKeysMax bounds the cache of decompressed public keys.
const expandedKeysMax = 1 << 14

// expandedKeys caches the decompressed points of public keys: decompression is a fifth
// of a verification, and the same accounts sign again and again. Two generations of at
// most expandedKeysMax/2 keys each; safe for concurrent use.
var expandedKeys = struct {
	sync.Mutex
	cur, prev map[[PublicKeyBytes]byte]*voied.ExpandedPublicKey
}{cur: make(map[[PublicKeyBytes]byte]*voied.ExpandedPublicKey)}

// expandedKey decompresses pub, or finds it done; false if pub is no point of the curve.
func expandedKey(pub []byte) (*voied.ExpandedPublicKey, bool) {
	k := [PublicKeyBytes]byte(pub)
	expandedKeys.Lock()
	key, ok := expandedKeys.cur[k]
	if !ok {
		key, ok = expandedKeys.prev[k]
	}
	expandedKeys.Unlock()
	if ok {
		return key, true
	}
	key, err := voied.NewExpandedPublicKey(pub)
	if err != nil {
		return nil, false
	}
	expandedKeys.Lock()
	if len(expandedKeys.cur) >= expandedKeysMax/2 {
		expandedKeys.prev, expandedKeys.cur = expandedKeys.cur, make(map[[PublicKeyBytes]byte]*voied.ExpandedPublicKey)
	}
	expandedKeys.cur[k] = key
	expandedKeys.Unlock()
	return key, true
}
