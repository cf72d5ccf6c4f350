package client_test

import (
	stdcrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// pulledToken is a hardware token that was pulled out: it still names its key, and
// every signature fails.
type pulledToken struct{ pub ed25519.PublicKey }

var errPulled = errors.New("token not present")

func (p pulledToken) Public() stdcrypto.PublicKey { return p.pub }

func (pulledToken) Sign(io.Reader, []byte, stdcrypto.SignerOpts) ([]byte, error) {
	return nil, errPulled
}

// A signer that fails, or one of a key that is not Ed25519, fails the submission with
// its reason, and nothing reaches the chain.
func TestSubmitReturnsTheSignersError(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	token := pulledToken{nodetest.Key(1).Public().(ed25519.PublicKey)}
	msg := &txn.BuyRequest{Operator: "acme", BuyerID: "alice", AmountMinor: 10_000, Currency: "EUR"}
	tests := []struct {
		name   string
		signer crypto.Signer
		want   error
	}{
		{name: "token pulled out", signer: token, want: errPulled},
		{name: "ECDSA key", signer: ec, want: crypto.ErrNotEd25519},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res, err := ch.Client.SubmitWithNonce(ctx, msg, tt.signer, 7); !errors.Is(err, tt.want) {
				t.Fatalf("SubmitWithNonce = %+v, %v; want %v", res, err, tt.want)
			}
			if raw, err := ch.Client.Sign(ctx, msg, tt.signer, 7); !errors.Is(err, tt.want) || raw != nil {
				t.Fatalf("Sign = %x, %v; want %v", raw, err, tt.want)
			}
			reg := txn.NewRegisterOperator("bravo", token.pub, ch.OperatorInfo.Account, ch.OperatorInfo.Rate, 1)
			if _, err := ch.Client.RegisterOperator(ctx, reg, tt.signer); !errors.Is(err, tt.want) {
				t.Fatalf("RegisterOperator error = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := ch.Client.Order(ctx, txn.OrderID(crypto.AddressOf(token.pub), 7)); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("the failed buy request opened an order: %v", err)
	}
}

// The same bytes broadcast again, here once the first broadcast is committed, are
// waited for like the first: the node answers that it has seen them, not a rejection.
func TestBroadcastTheSameBytesTwice(t *testing.T) {
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	buyer := nodetest.Key(7)
	raw, err := ch.Client.Sign(ctx, &txn.BuyRequest{Operator: "acme", BuyerID: "buyer", AmountMinor: 1_000, Currency: "EUR"}, buyer, 1)
	if err != nil {
		t.Fatal(err)
	}
	first, err := ch.Client.Broadcast(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ch.Client.Broadcast(ctx, raw)
	if err != nil || again != first {
		t.Fatalf("broadcast again: %+v %v, want %+v", again, err, first)
	}
}
