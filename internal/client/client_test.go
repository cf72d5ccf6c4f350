package client_test

import (
	stdcrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
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

// The client reads a list page by page, each after the last item of the one before,
// and gives every item once, in the list's order.
func TestListsAreReadPageByPage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	client.SetListPageLimit(t, 2)
	wantOps := []string{"acme"}
	for i := range 4 {
		k := nodetest.Key(byte(110 + i))
		pub := k.Public().(ed25519.PublicKey)
		id := fmt.Sprintf("bank-%d", i)
		iban, err := fiat.MakeIBAN("DE", fmt.Sprintf("37040044%010d", i))
		if err != nil {
			t.Fatal(err)
		}
		reg := &txn.RegisterOperator{
			ID: id, Address: crypto.AddressOf(pub), PublicKey: pub,
			Account:  txn.BankAccount{IBAN: iban.String(), BIC: "COBADEFFXXX", Holder: "Bank", Currency: "EUR"},
			Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
			CapChips: 1_000_000_000_000,
		}
		if _, err := ch.Client.Submit(ctx, reg, ch.Issuer); err != nil {
			t.Fatal(err)
		}
		wantOps = append(wantOps, id)
	}
	slices.Sort(wantOps)
	ops, err := ch.Client.Operators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gotOps []string
	for _, op := range ops {
		gotOps = append(gotOps, op.ID)
	}
	if !slices.Equal(gotOps, wantOps) {
		t.Fatalf("operators %v, want %v", gotOps, wantOps)
	}

	var wantPaid []string
	for i := range 5 {
		o := ch.Buy(t, nodetest.Key(120), "buyer", uint64(100+i))
		ch.Confirm(t, o, fmt.Sprintf("UETR-PAGE-%d", i))
		wantPaid = append(wantPaid, o.ID)
	}
	slices.Sort(wantPaid)
	paid, err := ch.Client.PaidOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gotPaid []string
	for _, o := range paid {
		gotPaid = append(gotPaid, o.ID)
	}
	if !slices.Equal(gotPaid, wantPaid) {
		t.Fatalf("paid orders %v, want %v", gotPaid, wantPaid)
	}
	first, err := ch.Client.PaidOrdersPage(ctx, "", 2)
	if err != nil || len(first.Items) != 2 || first.Next != wantPaid[1] {
		t.Fatalf("first page of two: %d items, next %q, %v", len(first.Items), first.Next, err)
	}
	if is, err := ch.Client.Issuers(ctx); err != nil || len(is) != 1 {
		t.Fatalf("issuers %v %v", is, err)
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
