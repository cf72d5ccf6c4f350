package txn

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

	"github.com/chipmint/chipmint/internal/crypto"
)

// failingSigner holds an Ed25519 public key and cannot sign, like a hardware token that
// was pulled out.
type failingSigner struct{ pub ed25519.PublicKey }

var errTokenRemoved = errors.New("token removed")

func (f failingSigner) Public() stdcrypto.PublicKey { return f.pub }

func (failingSigner) Sign(io.Reader, []byte, stdcrypto.SignerOpts) ([]byte, error) {
	return nil, errTokenRemoved
}

// memorySigner is a key in memory seen only through crypto.Signer, as a token is.
type memorySigner struct{ key ed25519.PrivateKey }

func (m memorySigner) Public() stdcrypto.PublicKey { return m.key.Public() }

func (m memorySigner) Sign(r io.Reader, msg []byte, opts stdcrypto.SignerOpts) ([]byte, error) {
	return m.key.Sign(r, msg, opts)
}

// A signer that is not an ed25519.PrivateKey signs the same bytes, to the golden byte.
func TestSignThroughAnySigner(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			got, err := Sign(testChainID, s.msg, memorySigner{s.signer}, s.nonce, testValidUntil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, s.sign()) {
				t.Fatal("signed through crypto.Signer, the transaction differs")
			}
		})
	}
	r := validReceipt()
	sig, err := SignReceipt(testChainID, r, memorySigner{operatorKey})
	if err != nil || !bytes.Equal(sig, mustSignReceipt(testChainID, r, operatorKey)) {
		t.Fatalf("receipt signed through crypto.Signer: %x, %v", sig, err)
	}
}

func TestSignReturnsTheSignersError(t *testing.T) {
	token := failingSigner{pubOf(holderKey)}
	if b, err := Sign(testChainID, validTransfer(), token, 1, testValidUntil); !errors.Is(err, errTokenRemoved) || b != nil {
		t.Fatalf("Sign = %x, %v; want the token's error", b, err)
	}
	if sig, err := SignReceipt(testChainID, validReceipt(), token); !errors.Is(err, errTokenRemoved) || sig != nil {
		t.Fatalf("SignReceipt = %x, %v; want the token's error", sig, err)
	}
	if rf, err := IssueReceipt(testChainID, validReceipt(), testPayer, token); !errors.Is(err, errTokenRemoved) || rf.OperatorSignature != nil {
		t.Fatalf("IssueReceipt = %+v, %v; want the token's error", rf, err)
	}
}

func TestSignRefusesANonEd25519Signer(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := Sign(testChainID, validTransfer(), ec, 1, testValidUntil); !errors.Is(err, crypto.ErrNotEd25519) || b != nil {
		t.Fatalf("Sign with an ECDSA key = %x, %v; want ErrNotEd25519", b, err)
	}
}
