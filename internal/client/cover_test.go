package client_test

import (
	"errors"
	"testing"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// The bank reverses the payment of an issued order and acme covers part of its
// shortfall with its own money: the client reads the cover by its bank reference in any
// case, and among acme's bank references of that kind.
func TestCover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	o := ch.Buy(t, nodetest.Key(131), "buyer", 1_000)
	ch.Confirm(t, o, "UETR-COVER-1")
	o = ch.Order(t, o.ID)
	ch.Apply(t, &txn.Issue{OrderID: o.ID, Chips: o.Chips})
	if _, err := ch.Client.Submit(ctx, &txn.ReversePayment{BankReference: "UETR-COVER-1", Reason: "MD06"}, ch.Operator); err != nil {
		t.Fatal(err)
	}
	res, err := ch.Client.Submit(ctx, &txn.CoverShortfall{BankReference: "own-1", AmountMinor: 400, Currency: "EUR"}, ch.Operator)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ch.Client.Cover(ctx, "acme", "OWN-1")
	want := txn.Cover{Operator: "acme", BankReference: "own-1", AmountMinor: 400, Currency: "EUR", Chips: o.Chips * 400 / 1_000, Height: res.Height}
	if err != nil || c != want {
		t.Fatalf("cover %+v, %v; want %+v", c, err, want)
	}
	op, err := ch.Client.Operator(ctx, "acme")
	if err != nil || op.CoveredChips != c.Chips || op.ShortfallChips != o.Chips-c.Chips {
		t.Fatalf("operator %+v, %v", op, err)
	}
	refs, err := ch.Client.References(ctx, query.RefCover, "acme")
	if err != nil || len(refs) != 1 || refs[0] != (query.Reference{Reference: "OWN-1", Target: "400"}) {
		t.Fatalf("cover references %+v, %v", refs, err)
	}
	if _, err := ch.Client.Cover(ctx, "acme", "OWN-2"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a cover never recorded: %v, want %v", err, client.ErrNotFound)
	}
}
