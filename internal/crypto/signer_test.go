package crypto

import (
	"bytes"
	stdcrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

// fakeSigner stands for a hardware token: an Ed25519 public key, and whatever answer
// the test wants from Sign.
type fakeSigner struct {
	pub ed25519.PublicKey
	sig []byte
	err error
}

func (f fakeSigner) Public() stdcrypto.PublicKey { return f.pub }

func (f fakeSigner) Sign(io.Reader, []byte, stdcrypto.SignerOpts) ([]byte, error) {
	return f.sig, f.err
}

func TestSignerOfAnEd25519Key(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub, err := PublicKeyOf(priv)
	if err != nil || !pub.Equal(publicKeyFromSeed(1)) {
		t.Fatalf("PublicKeyOf = %x, %v; want %x", pub, err, publicKeyFromSeed(1))
	}
	addr, err := AddressOfSigner(priv)
	if err != nil || addr.String() != goldenAddress {
		t.Fatalf("AddressOfSigner = %s, %v; want %s", addr, err, goldenAddress)
	}
	msg := []byte("mint 100 chips")
	sig, err := Sign(priv, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sig, ed25519.Sign(priv, msg)) {
		t.Fatal("Sign differs from ed25519.Sign: the signed bytes or the scheme changed")
	}
}

func TestSignReturnsTheSignersError(t *testing.T) {
	removed := errors.New("token removed")
	pub := publicKeyFromSeed(1)
	tests := []struct {
		name   string
		signer Signer
		want   error
	}{
		{name: "signer fails", signer: fakeSigner{pub: pub, err: removed}, want: removed},
		{name: "short answer", signer: fakeSigner{pub: pub, sig: make([]byte, SignatureBytes-1)}},
		{name: "no answer", signer: fakeSigner{pub: pub}},
		{name: "no signer", signer: nil, want: ErrNotEd25519},
		{name: "short private key", signer: ed25519.PrivateKey(make([]byte, 10)), want: ErrNotEd25519},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := Sign(tt.signer, []byte("msg"))
			if err == nil || sig != nil {
				t.Fatalf("Sign = %x, %v; want an error", sig, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Sign error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNonEd25519SignerIsRefused(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		signer Signer
	}{
		{name: "ECDSA key", signer: ec},
		{name: "short Ed25519 key", signer: fakeSigner{pub: publicKeyFromSeed(1)[:PublicKeyBytes-1]}},
		{name: "short private key", signer: ed25519.PrivateKey(make([]byte, 10))},
		{name: "no signer", signer: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := PublicKeyOf(tt.signer); !errors.Is(err, ErrNotEd25519) {
				t.Fatalf("PublicKeyOf error = %v, want ErrNotEd25519", err)
			}
			if _, err := AddressOfSigner(tt.signer); !errors.Is(err, ErrNotEd25519) {
				t.Fatalf("AddressOfSigner error = %v, want ErrNotEd25519", err)
			}
		})
	}
}
