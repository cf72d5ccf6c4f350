// Package nodetest starts a single-validator chipmint chain in process for the tests of
// programs that use the chain, such as the issuer service and the gateway, with an
// issuer and an operator ready. It is for tests only.
package nodetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// OperatorIBAN is the test operator's bank account.
const OperatorIBAN = "DE89370400440532013000"

// Chain is a running chain with its actors.
type Chain struct {
	Client *client.Client
	// Admin is the node's admin address, where its invariants are checked.
	Admin    *client.Admin
	Node     *node.Node
	Issuer   crypto.Signer
	Operator crypto.Signer
	// OperatorInfo is operator "acme" as registered: EUR, 1 chip per EUR, cap 1,000,000 chips.
	OperatorInfo txn.Operator
}

// Key is a fixed test key from a one-byte seed.
func Key(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// Address is the address of a key; a key that is not Ed25519 fails the test.
func Address(t testing.TB, k crypto.Signer) crypto.Address {
	t.Helper()
	a, err := crypto.AddressOfSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Start runs a chain for the test and registers operator "acme"; it stops with the test.
func Start(t *testing.T) *Chain {
	t.Helper()
	return StartWithOrderTTL(t, 0)
}

// StartWithOrderTTL is Start with orders that expire after ttlBlocks (zero: the default).
func StartWithOrderTTL(t *testing.T, ttlBlocks int64) *Chain {
	t.Helper()
	issuer, operator := Key(101), Key(102)
	pub := issuer.Public().(ed25519.PublicKey)
	n, err := node.StartLocal(t.TempDir(), node.LocalOptions{
		ChainID:        "chipmint-nodetest",
		Issuers:        []txn.Issuer{{ID: "issuer", Address: crypto.AddressOf(pub), PublicKey: pub}},
		BlockTime:      100 * time.Millisecond,
		OrderTTLBlocks: ttlBlocks,
		Options:        node.Options{CheckInvariants: true, AdminListen: "127.0.0.1:0"},
	})
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	t.Cleanup(func() { n.Stop() })
	ctx := Context(t)
	c, err := client.Dial(ctx, n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ch := &Chain{Client: c, Admin: client.NewAdmin(n.AdminAddress()), Node: n, Issuer: issuer, Operator: operator}
	opPub := operator.Public().(ed25519.PublicKey)
	reg := &txn.RegisterOperator{
		ID: "acme", Address: crypto.AddressOf(opPub), PublicKey: opPub,
		Account:  txn.BankAccount{IBAN: OperatorIBAN, BIC: "COBADEFFXXX", Holder: "Acme Payments GmbH", Currency: "EUR"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000_000_000,
	}
	if _, err := c.Submit(ctx, reg, issuer); err != nil {
		t.Fatalf("register operator: %v", err)
	}
	if ch.OperatorInfo, err = c.Operator(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	return ch
}

// Context is bounded by a minute and by the test.
func Context(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Buy places an order of amountMinor EUR cents from buyer with operator acme.
func (c *Chain) Buy(t *testing.T, buyer crypto.Signer, buyerID string, amountMinor uint64) txn.Order {
	t.Helper()
	ctx := Context(t)
	nonce, err := client.NewNonce()
	if err != nil {
		t.Fatal(err)
	}
	msg := &txn.BuyRequest{Operator: "acme", BuyerID: buyerID, AmountMinor: amountMinor, Currency: "EUR"}
	if _, err := c.Client.SubmitWithNonce(ctx, msg, buyer, nonce); err != nil {
		t.Fatalf("buy: %v", err)
	}
	o, err := c.Client.Order(ctx, txn.OrderID(Address(t, buyer), nonce))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Confirm confirms an order's payment as operator acme.
func (c *Chain) Confirm(t *testing.T, o txn.Order, bankRef string) {
	t.Helper()
	msg := &txn.ConfirmPayment{OrderID: o.ID, Buyer: o.Buyer, AmountMinor: o.AmountMinor, Currency: o.Currency, BankReference: bankRef}
	if _, err := c.Client.Submit(Context(t), msg, c.Operator); err != nil {
		t.Fatalf("confirm %s: %v", o.ID, err)
	}
}

// Order reads an order.
func (c *Chain) Order(t *testing.T, id string) txn.Order {
	t.Helper()
	o, err := c.Client.Order(Context(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// WaitOrder polls until the order has status, for at most a minute.
func (c *Chain) WaitOrder(t *testing.T, id string, status txn.OrderStatus) txn.Order {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		o := c.Order(t, id)
		if o.Status == status {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s is %s after a minute, want %s", id, o.Status, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// CountEvents counts the transactions that moved an order to status.
func (c *Chain) CountEvents(t *testing.T, id string, status txn.OrderStatus) int {
	t.Helper()
	hist, err := c.Client.OrderHistory(Context(t), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range hist {
		if e.Attrs["status"] == string(status) {
			n++
		}
	}
	return n
}
