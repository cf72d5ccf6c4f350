package reserves_test

import (
	"errors"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/reserves"
	"github.com/chipmint/chipmint/internal/txn"
)

// A node's chain beside a statement of the operator's account: two orders paid and
// issued are backed; a third, confirmed after the statement's end, is not looked at
// until a later statement, which then must hold its credit.
func TestReserveCheckOfARunningChain(t *testing.T) {
	ch := nodetest.Start(t)
	ctx := nodetest.Context(t)
	c := ch.Client
	start := time.Now().UTC().Add(-time.Second)
	var entries []camt.Entry
	for i, ref := range []string{"RSV-1", "RSV-2"} {
		o := ch.Buy(t, nodetest.Key(byte(60+i)), "buyer", 100)
		ch.Confirm(t, o, ref)
		if _, err := c.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: ch.Order(t, o.ID).Chips}, ch.Issuer); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, camt.Entry{AmountMinor: 100, Currency: "EUR", CreditDebit: camt.Credit, Kind: camt.KindCredit,
			Status: camt.Booked, BookingDate: start.Format(time.DateOnly), AcctSvcrRef: ref})
	}
	end := time.Now().UTC()
	late := ch.Buy(t, nodetest.Key(70), "buyer", 100)
	ch.Confirm(t, late, "RSV-LATE")

	// A block's time is its proposer's view of the last commit: a block committed after
	// end may still carry an earlier time, so the height is looked up once later
	// blocks are there.
	height, at, err := c.LastHeightAt(ctx, end)
	if err != nil || at.After(end) {
		t.Fatalf("last height at %s: %d at %s, %v", end, height, at, err)
	}
	if next, err := c.BlockTime(ctx, height+1); err == nil && !next.After(end) {
		t.Fatalf("block %d at %s is not after %s, yet %d was taken", height+1, next, end, height)
	}
	if _, _, err := c.LastHeightAt(ctx, start.Add(-time.Hour)); !errors.Is(err, client.ErrBeforeChain) {
		t.Fatalf("an hour before the chain: %v", err)
	}
	acct := ch.OperatorInfo.PaymentAccount()
	stmt := func(closing uint64, entries []camt.Entry) camt.Statement {
		return camt.Statement{
			ID: "STM", From: start.Format(time.RFC3339Nano), To: end.Format(time.RFC3339Nano), Account: camt.Account{IBAN: acct.IBAN},
			Balances: []camt.Balance{
				{Type: "OPBD", Currency: "EUR", CreditDebit: camt.Credit, Date: start.Format(time.DateOnly)},
				{Type: "CLBD", AmountMinor: closing, Currency: "EUR", CreditDebit: camt.Credit, Date: start.Format(time.DateOnly)},
			},
			Entries: entries,
		}
	}
	r, err := reserves.Run(ctx, c, []camt.Statement{stmt(200, entries)})
	if err != nil {
		t.Fatal(err)
	}
	op := r.Operators[0]
	if !r.Backed || r.Height != height || op.OutstandingMinor != 200 || op.DifferenceMinor != 0 || len(op.Findings) != 0 {
		t.Fatalf("report %+v", r)
	}
	// Without the second credit the confirmation has no bank entry behind it.
	r, err = reserves.Run(ctx, c, []camt.Statement{stmt(100, entries[:1])})
	if err != nil {
		t.Fatal(err)
	}
	if op := r.Operators[0]; r.Backed || len(op.Findings) != 1 || op.Findings[0].Kind != reserves.MissingEntry || op.Findings[0].Reference != "RSV-2" {
		t.Fatalf("report %+v", r)
	}
	// A statement of an account that is no operator's is refused.
	other := stmt(0, nil)
	other.Account = camt.Account{IBAN: "FI7433010001222090"}
	if _, err := reserves.Run(ctx, c, []camt.Statement{other}); err == nil {
		t.Fatal("a statement of another account was checked")
	}
}
