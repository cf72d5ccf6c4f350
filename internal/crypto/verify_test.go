package crypto

import (
	"compress/gzip"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	voied "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
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

// verifyBatchSize is the number of signatures the verification benchmarks check per
// iteration: one block's worth of misses would be many more; 64 is where batch
// verification's gain has mostly arrived.
const verifyBatchSize = 64

func signedBatch(b *testing.B) (pubs []ed25519.PublicKey, msgs, sigs [][]byte) {
	b.Helper()
	for i := range verifyBatchSize {
		seed := make([]byte, ed25519.SeedSize)
		seed[0], seed[1] = byte(i), 0x5a
		priv := ed25519.NewKeyFromSeed(seed)
		msg := []byte{byte(i), 1, 2, 3}
		pubs, msgs, sigs = append(pubs, priv.Public().(ed25519.PublicKey)), append(msgs, msg), append(sigs, ed25519.Sign(priv, msg))
	}
	return pubs, msgs, sigs
}

// BenchmarkVerifyOneByOne is the ledger's rule, one signature at a time, with the keys'
// points cached as the node caches them.
func BenchmarkVerifyOneByOne(b *testing.B) {
	pubs, msgs, sigs := signedBatch(b)
	for b.Loop() {
		for i := range pubs {
			if !Verify(pubs[i], msgs[i], sigs[i]) {
				b.Fatal("a good signature refused")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*verifyBatchSize), "ns/signature")
}

// BenchmarkVerifyBatchZIP215 checks the same signatures in one batch under ZIP-215, the
// rule under which a batch and one-by-one verification agree: what the signature rule
// of decision 0033 would gain where many signatures are checked at once.
func BenchmarkVerifyBatchZIP215(b *testing.B) {
	pubs, msgs, sigs := signedBatch(b)
	keys := make([]*voied.ExpandedPublicKey, len(pubs))
	for i, p := range pubs {
		var ok bool
		if keys[i], ok = expandedKey(p); !ok {
			b.Fatal("a good key refused")
		}
	}
	opts := &voied.Options{Verify: voied.VerifyOptionsZIP_215}
	for b.Loop() {
		v := voied.NewBatchVerifierWithCapacity(len(pubs))
		for i := range pubs {
			v.AddExpandedWithOptions(keys[i], msgs[i], sigs[i], opts)
		}
		if !v.VerifyBatchOnly(nil) {
			b.Fatal("a good batch refused")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*verifyBatchSize), "ns/signature")
}
