package crypto

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
)

// smallOrderKeys are the eight points of small order in their canonical encodings, and
// non-canonical encodings of some, as listed in "Taming the many EdDSAs" (Chalkias,
// Garillot, Nikolaenko, 2020) and the Zcash ZIP 215 test vectors.
var smallOrderKeys = map[string]string{
	"identity":                      "0100000000000000000000000000000000000000000000000000000000000000",
	"order 2":                       "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"order 4":                       "0000000000000000000000000000000000000000000000000000000000000000",
	"order 4, negative x":           "0000000000000000000000000000000000000000000000000000000000000080",
	"order 8":                       "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
	"order 8, negative x":           "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	"order 8, other":                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
	"order 8, other, negative x":    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
	"identity, non-canonical y=p+1": "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"order 2, non-canonical":        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	"identity, negative zero x":     "0100000000000000000000000000000000000000000000000000000000000080",
}

func TestSmallOrderAndNonCanonicalKeysAreWeak(t *testing.T) {
	for name, h := range smallOrderKeys {
		t.Run(name, func(t *testing.T) {
			pub, err := hex.DecodeString(h)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckPublicKey(pub); !errors.Is(err, ErrWeakKey) {
				t.Fatalf("CheckPublicKey(%s) = %v, want a weak key", h, err)
			}
		})
	}
}

func TestNoPointIsWeak(t *testing.T) {
	// The first y whose compressed encoding is no point of the curve.
	var y curve.CompressedEdwardsY
	for i := byte(2); ; i++ {
		b := make([]byte, PublicKeyBytes)
		b[0] = i
		_, _ = y.SetBytes(b)
		var p curve.EdwardsPoint
		if _, err := p.SetCompressedY(&y); err == nil {
			continue
		}
		if err := CheckPublicKey(b); !errors.Is(err, ErrWeakKey) {
			t.Fatalf("CheckPublicKey(%x), no point of the curve: %v", b, err)
		}
		return
	}
}

func TestGeneratedKeysAreStrong(t *testing.T) {
	for range 50 {
		pub, _, err := GenerateKey(nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckPublicKey(pub); err != nil {
			t.Fatalf("a generated key is refused: %v", err)
		}
		// Asked again, the cache answers the same.
		if err := CheckPublicKey(pub); err != nil {
			t.Fatalf("a generated key is refused the second time: %v", err)
		}
	}
	if err := CheckPublicKey(make([]byte, 31)); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("a key of 31 bytes: %v", err)
	}
}
