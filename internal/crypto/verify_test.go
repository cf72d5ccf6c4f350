package crypto

import (
	"compress/gzip"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

func readVectors(t testing.TB, name string, v any) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(zr).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edgeCases are the signatures implementations disagree on (testdata/README.md).
func edgeCases(t testing.TB) (pubs, msgs, sigs [][]byte) {
	var speccheck []struct {
		Message   string `json:"message"`
		PublicKey string `json:"pub_key"`
		Signature string `json:"signature"`
	}
	readVectors(t, "speccheck_cases.json.gz", &speccheck)
	for _, v := range speccheck {
		pubs, msgs, sigs = append(pubs, unhex(t, v.PublicKey)), append(msgs, unhex(t, v.Message)), append(sigs, unhex(t, v.Signature))
	}
	var cctv []struct{ A, R, S, M string }
	readVectors(t, "ed25519vectors.json.gz", &cctv)
	for _, v := range cctv {
		pubs, msgs, sigs = append(pubs, unhex(t, v.A)), append(msgs, []byte(v.M)), append(sigs, append(unhex(t, v.R), unhex(t, v.S)...))
	}
	if len(pubs) < 100 {
		t.Fatalf("only %d edge cases", len(pubs))
	}
	return pubs, msgs, sigs
}

// Verify must accept exactly what crypto/ed25519 accepts: a difference would let nodes
// of two versions disagree on a block.
func TestVerifyAgreesWithStdlibOnEdgeCases(t *testing.T) {
	pubs, msgs, sigs := edgeCases(t)
	accepted := 0
	for i := range pubs {
		want := len(pubs[i]) == PublicKeyBytes && len(sigs[i]) == SignatureBytes && ed25519.Verify(pubs[i], msgs[i], sigs[i])
		// Twice: the second call finds the key's point in the cache.
		for range 2 {
			if got := Verify(pubs[i], msgs[i], sigs[i]); got != want {
				t.Errorf("case %d: Verify = %v, crypto/ed25519 says %v (key %x, sig %x)", i, got, want, pubs[i], sigs[i])
			}
		}
		if want {
			accepted++
		}
	}
	if accepted == 0 || accepted == len(pubs) {
		t.Errorf("%d of %d cases accepted: the corpus should hold both kinds", accepted, len(pubs))
	}
}

func TestVerifyRejectsEveryAlteration(t *testing.T) {
	pub, priv, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("chipmint/tx/v1 transfer")
	sig := ed25519.Sign(priv, msg)
	if !Verify(pub, msg, sig) {
		t.Fatal("a valid signature does not verify")
	}
	flip := func(b []byte, i int) []byte {
		c := append([]byte(nil), b...)
		c[i%len(c)] ^= 1 << (i % 8)
		return c
	}
	for i := range 64 {
		if Verify(pub, msg, flip(sig, i)) {
			t.Errorf("signature with byte %d altered verifies", i)
		}
		if Verify(flip(pub, i), msg, sig) {
			t.Errorf("key with byte %d altered verifies", i%32)
		}
		if Verify(pub, flip(msg, i), sig) {
			t.Errorf("message with byte %d altered verifies", i%len(msg))
		}
	}
	for _, bad := range [][]byte{nil, pub[:31], append(pub, 0)} {
		if Verify(bad, msg, sig) {
			t.Errorf("key of %d bytes verifies", len(bad))
		}
	}
}

func FuzzVerifyAgreesWithStdlib(f *testing.F) {
	pubs, msgs, sigs := edgeCases(f)
	for i := range pubs {
		f.Add(pubs[i], msgs[i], sigs[i])
	}
	f.Fuzz(func(t *testing.T, pub, msg, sig []byte) {
		want := len(pub) == PublicKeyBytes && len(sig) == SignatureBytes && ed25519.Verify(pub, msg, sig)
		if got := Verify(pub, msg, sig); got != want {
			t.Errorf("Verify = %v, crypto/ed25519 says %v", got, want)
		}
	})
}
