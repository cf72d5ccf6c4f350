//go:build pkcs11 && cgo

package hsm_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	chipcrypto "github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/hsm"
	"github.com/chipmint/chipmint/internal/hsm/hsmtest"
)

func TestGeneratedKeySignsAndVerifies(t *testing.T) {
	module := hsmtest.Token(t)
	k := hsmtest.Generate(t, module, "acme")
	pub, err := chipcrypto.PublicKeyOf(k)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range [][]byte{nil, []byte("confirm"), make([]byte, 4096)} {
		sig, err := chipcrypto.Sign(k, msg)
		if err != nil {
			t.Fatal(err)
		}
		if !chipcrypto.Verify(pub, msg, sig) {
			t.Fatalf("the token's signature of %d bytes does not verify against the key it reports", len(msg))
		}
	}
	again, err := hsm.Open(hsmtest.URI(module, "acme"), hsmtest.PIN)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if a, b := chipcrypto.AddressOf(pub), hsmAddress(t, again); a != b {
		t.Fatalf("opened again, the key is %s, made it was %s", b, a)
	}
	_, err = hsm.Generate(hsmtest.URI(module, "acme"), hsmtest.PIN)
	if !errors.Is(err, hsm.ErrKeyExists) || !strings.Contains(err.Error(), `labelled "acme" on token "chipmint"`) {
		t.Fatalf("a second key labelled acme: %v, want %v", err, hsm.ErrKeyExists)
	}
}

func hsmAddress(t *testing.T, k hsm.Key) chipcrypto.Address {
	t.Helper()
	a, err := chipcrypto.AddressOfSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestOpenSaysWhatIsWrong(t *testing.T) {
	module := hsmtest.Token(t)
	hsmtest.Generate(t, module, "acme")
	importP256(t, "p256")
	tests := []struct {
		name string
		uri  hsm.URI
		pin  string
		is   error
		want string
	}{
		{"wrong PIN", hsmtest.URI(module, "acme"), "0000", hsm.ErrWrongPIN, `hsm: wrong PIN for token "chipmint"`},
		{"PIN of a wrong length", hsmtest.URI(module, "acme"), "1", hsm.ErrWrongPIN, `hsm: wrong PIN for token "chipmint"`},
		{"no such key", hsmtest.URI(module, "ghost"), hsmtest.PIN, hsm.ErrNoKey, `hsm: no key labelled "ghost" on token "chipmint"`},
		{"no such token", hsm.URI{Module: module, Token: "vault", Label: "acme"}, hsmtest.PIN, hsm.ErrNoToken, `hsm: no token labelled "vault" in ` + module + `: it holds "chipmint"`},
		{"no module", hsm.URI{Module: "/nonexistent/libpkcs11.so", Token: "chipmint", Label: "acme"}, hsmtest.PIN, hsm.ErrNoModule, "hsm: no PKCS#11 module at /nonexistent/libpkcs11.so: no such file or directory"},
		{"not a module", hsm.URI{Module: "/etc/hostname", Token: "chipmint", Label: "acme"}, hsmtest.PIN, hsm.ErrNoModule, "hsm: no PKCS#11 module at /etc/hostname: the library does not load"},
		{"not an Ed25519 key", hsmtest.URI(module, "p256"), hsmtest.PIN, chipcrypto.ErrNotEd25519, `the private key labelled "p256" on token "chipmint" is of PKCS#11 key type 0x3`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := hsm.Open(tc.uri, tc.pin)
			if err == nil {
				k.Close()
				t.Fatalf("opened; want %q", tc.want)
			}
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v; want %v saying %q", err, tc.is, tc.want)
			}
			if strings.Contains(err.Error(), tc.pin) && tc.pin != "1" {
				t.Fatalf("the error shows the PIN: %v", err)
			}
		})
	}
}

// importP256 puts a P-256 key labelled label on the test token.
func importP256(t *testing.T, label string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "p256.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	hsmtest.Util(t, "--import", file, "--token", hsmtest.TokenLabel, "--label", label, "--id", "0256", "--pin", hsmtest.PIN)
}

// The token logs the whole process in at once: a second key of a token already logged
// in is still refused a wrong PIN.
func TestWrongPINWhileTheTokenIsLoggedIn(t *testing.T) {
	module := hsmtest.Token(t)
	hsmtest.Generate(t, module, "acme")
	hsmtest.Generate(t, module, "issuer")
	_, err := hsm.Open(hsmtest.URI(module, "issuer"), "0000")
	if !errors.Is(err, hsm.ErrWrongPIN) {
		t.Fatalf("a wrong PIN beside an open key: %v, want %v", err, hsm.ErrWrongPIN)
	}
}

func TestConcurrentSignatures(t *testing.T) {
	module := hsmtest.Token(t)
	k := hsmtest.Generate(t, module, "acme")
	pub, err := chipcrypto.PublicKeyOf(k)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				msg := fmt.Appendf(nil, "signature %d of %d", i, g)
				sig, err := chipcrypto.Sign(k, msg)
				if err == nil && !chipcrypto.Verify(pub, msg, sig) {
					err = fmt.Errorf("%q: the signature does not verify", msg)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSignRefusesAnythingButPureEd25519(t *testing.T) {
	module := hsmtest.Token(t)
	k := hsmtest.Generate(t, module, "acme")
	if _, err := k.Sign(nil, make([]byte, 64), crypto.SHA512); err == nil {
		t.Fatal("signed a prehashed message")
	}
}

func TestClosedKeySignsNothing(t *testing.T) {
	module := hsmtest.Token(t)
	k, err := hsm.Generate(hsmtest.URI(module, "acme"), hsmtest.PIN)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if err := k.Close(); err != nil {
		t.Fatalf("closed twice: %v", err)
	}
	if _, err := chipcrypto.Sign(k, []byte("late")); !errors.Is(err, hsm.ErrClosed) {
		t.Fatalf("signed after Close: %v, want %v", err, hsm.ErrClosed)
	}
}
