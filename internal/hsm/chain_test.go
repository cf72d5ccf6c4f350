//go:build pkcs11 && cgo

package hsm_test

import (
	"testing"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/hsm/hsmtest"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// An operator whose key is on a token confirms a payment, and an issuer whose key is on
// the token issues the order's chips: both committed on a chain.
func TestTokenKeysConfirmAndIssueOnAChain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	module := hsmtest.Token(t)
	operator := hsmtest.Generate(t, module, "operator")
	issuer := hsmtest.Generate(t, module, "issuer")
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)

	issuerPub, err := crypto.PublicKeyOf(issuer)
	if err != nil {
		t.Fatal(err)
	}
	ch.Apply(t, &txn.AddIssuer{ID: "vault", Address: crypto.AddressOf(issuerPub), PublicKey: issuerPub})
	opPub, err := crypto.PublicKeyOf(operator)
	if err != nil {
		t.Fatal(err)
	}
	ch.Apply(t, &txn.RegisterOperator{
		ID: "vaultpay", Address: crypto.AddressOf(opPub), PublicKey: opPub,
		Account:  txn.BankAccount{IBAN: "GB82WEST12345698765432", BIC: "NWBKGB2LXXX", Holder: "Vault Payments Ltd", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000_000,
	})

	buyer := nodetest.Key(7)
	nonce, err := client.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	buy := &txn.BuyRequest{Operator: "vaultpay", BuyerID: "alice", AmountMinor: 2500, Currency: "EUR"}
	if _, err := ch.Client.SubmitWithNonce(ctx, buy, buyer, nonce); err != nil {
		t.Fatalf("buy: %v", err)
	}
	order := ch.Order(t, txn.OrderID(nodetest.Address(t, buyer), nonce))

	confirm := &txn.ConfirmPayment{OrderID: order.ID, Buyer: order.Buyer, AmountMinor: order.AmountMinor, Currency: order.Currency, BankReference: "VAULT-0001"}
	if _, err := ch.Client.Submit(ctx, confirm, operator); err != nil {
		t.Fatalf("confirm signed on the token: %v", err)
	}
	paid := ch.Order(t, order.ID)
	if paid.Status != txn.StatusPaid || paid.Chips == 0 {
		t.Fatalf("order %s is %s of %d chips after the token's confirmation, want %s", paid.ID, paid.Status, paid.Chips, txn.StatusPaid)
	}
	if _, err := ch.Client.Submit(ctx, &txn.Issue{OrderID: paid.ID, Chips: paid.Chips}, issuer); err != nil {
		t.Fatalf("issue signed on the token: %v", err)
	}
	if o := ch.Order(t, order.ID); o.Status != txn.StatusIssued {
		t.Fatalf("order %s is %s after the token's issue, want %s", o.ID, o.Status, txn.StatusIssued)
	}
	if bal, err := ch.Client.Balance(ctx, nodetest.Address(t, buyer)); err != nil || bal != paid.Chips {
		t.Fatalf("the buyer holds %d chips (%v), want %d", bal, err, paid.Chips)
	}
	inv, err := ch.Admin.CheckInvariants(ctx)
	if err != nil || !inv.OK {
		t.Fatalf("invariants: %+v, %v", inv, err)
	}
}
