package crypto

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"io"
	"testing"
)

func TestGenerateKey(t *testing.T) {
	seed := bytes.Repeat([]byte{1}, ed25519.SeedSize)
	tests := []struct {
		name    string
		rand    io.Reader
		wantPub ed25519.PublicKey // nil: any key will do
		wantErr error
	}{
		{name: "system randomness", rand: nil},
		{name: "deterministic reader", rand: bytes.NewReader(seed), wantPub: publicKeyFromSeed(1)},
		{name: "exhausted reader", rand: bytes.NewReader(nil), wantErr: io.EOF},
		{name: "short reader", rand: bytes.NewReader(seed[:10]), wantErr: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, priv, err := GenerateKey(tt.rand)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("GenerateKey error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if tt.wantPub != nil && !pub.Equal(tt.wantPub) {
				t.Fatalf("public key = %x, want %x", pub, tt.wantPub)
			}
			msg := []byte("mint 100 chips")
			if !Verify(pub, msg, ed25519.Sign(priv, msg)) {
				t.Fatal("signature by generated key does not verify")
			}
		})
	}
}

func TestVerify(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	msg := []byte("transfer 5 chips to chip1x36slx9at870e9rd53d2405n80s4ff94avyse6")
	sig := ed25519.Sign(priv, msg)
	tampered := bytes.Clone(msg)
	tampered[0] ^= 1
	tests := []struct {
		name string
		pub  []byte
		msg  []byte
		sig  []byte
		want bool
	}{
		{name: "good signature", pub: pub, msg: msg, sig: sig, want: true},
		{name: "tampered message", pub: pub, msg: tampered, sig: sig, want: false},
		{name: "other key", pub: publicKeyFromSeed(2), msg: msg, sig: sig, want: false},
		{name: "short key", pub: pub[:PublicKeyBytes-1], msg: msg, sig: sig, want: false},
		{name: "long key", pub: append(bytes.Clone(pub), 0), msg: msg, sig: sig, want: false},
		{name: "nil key", pub: nil, msg: msg, sig: sig, want: false},
		{name: "short signature", pub: pub, msg: msg, sig: sig[:SignatureBytes-1], want: false},
		{name: "long signature", pub: pub, msg: msg, sig: append(bytes.Clone(sig), 0), want: false},
		{name: "nil signature", pub: pub, msg: msg, sig: nil, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(tt.pub, tt.msg, tt.sig); got != tt.want {
				t.Fatalf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}
