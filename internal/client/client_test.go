package client_test

import (
	stdcrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/query"
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

// The invariants, which read the whole state, are checked on the node's admin address
// only: its public RPC refuses the query with its own code and says where to go.
func TestInvariantsOnlyOnTheAdminAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	inv, err := ch.Admin.CheckInvariants(ctx)
	if err != nil || !inv.OK || inv.Height < 1 {
		t.Fatalf("admin check: %+v %v", inv, err)
	}
	rpc, err := rpchttp.New(ch.Node.RPCAddress(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	res, err := rpc.ABCIQuery(ctx, query.PathInvariants, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Response.Code != query.OperatorOnly || !strings.Contains(res.Response.Log, "--admin-listen") || len(res.Response.Value) != 0 {
		t.Fatalf("public query of the invariants: code %d, log %q, value %q", res.Response.Code, res.Response.Log, res.Response.Value)
	}
	if _, err := client.NewAdmin("127.0.0.1:1").CheckInvariants(ctx); err == nil {
		t.Fatal("an admin address where nothing listens answers")
	}
}
