package issuer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// Payments arrive while the service is down; started, it issues every paid order
// exactly once.
func TestCatchUpIssuesEveryPaidOrderOnce(t *testing.T) {
	ch := nodetest.Start(t)
	buyer := nodetest.Key(1)
	var ids []string
	for i := range 5 {
		o := ch.Buy(t, buyer, "b", uint64(1000*(i+1)))
		ch.Confirm(t, o, fmt.Sprintf("UETR-%d", i))
		ids = append(ids, o.ID)
	}
	unpaid := ch.Buy(t, buyer, "b", 999)

	svc := New(Config{Client: ch.Client, Key: ch.Issuer})
	rep, err := svc.IssuePaid(nodetest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rep.Issued)
	slices.Sort(ids)
	if !slices.Equal(rep.Issued, ids) || len(rep.Failed) != 0 {
		t.Fatalf("issued %v failed %v, want %v", rep.Issued, rep.Failed, ids)
	}
	for _, id := range ids {
		if o := ch.Order(t, id); o.Status != txn.StatusIssued {
			t.Fatalf("order %s is %s", id, o.Status)
		}
		if n := ch.CountEvents(t, id, txn.StatusIssued); n != 1 {
			t.Fatalf("order %s issued %d times", id, n)
		}
	}
	if o := ch.Order(t, unpaid.ID); o.Status != txn.StatusAwaitingPayment {
		t.Fatalf("unpaid order is %s", o.Status)
	}
	// A second pass finds nothing left to do.
	rep, err = svc.IssuePaid(nodetest.Context(t))
	if err != nil || len(rep.Issued)+len(rep.Failed) != 0 {
		t.Fatalf("second pass: %+v %v", rep, err)
	}
	bal, err := ch.Client.Balance(nodetest.Context(t), nodetest.Address(t, buyer))
	if err != nil || bal != 150_000_000 {
		t.Fatalf("buyer holds %d, want 150 chips (%v)", bal, err)
	}
}

// Running, the service issues an order as soon as its payment is confirmed.
func TestRunIssuesNewlyPaidOrders(t *testing.T) {
	ch := nodetest.Start(t)
	ctx, cancel := context.WithCancel(nodetest.Context(t))
	done := make(chan error, 1)
	go func() { done <- New(Config{Client: ch.Client, Key: ch.Issuer}).Run(ctx) }()
	o := ch.Buy(t, nodetest.Key(1), "b", 2500)
	ch.Confirm(t, o, "UETR-run")
	got := ch.WaitOrder(t, o.ID, txn.StatusIssued)
	if got.Chips != 25_000_000 {
		t.Fatalf("issued %d chips", got.Chips)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Above the threshold an order waits for a person's approval.
func TestLargeOrdersWaitForApproval(t *testing.T) {
	ch := nodetest.Start(t)
	approvals, err := OpenApprovals(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := New(Config{Client: ch.Client, Key: ch.Issuer, ApprovalAboveChips: 500_000_000, Approvals: approvals})
	small := ch.Buy(t, nodetest.Key(1), "b", 10_000)  // 100 chips
	large := ch.Buy(t, nodetest.Key(1), "b", 100_000) // 1,000 chips
	ch.Confirm(t, small, "UETR-s")
	ch.Confirm(t, large, "UETR-l")

	rep, err := svc.IssuePaid(nodetest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Issued, []string{small.ID}) || !slices.Equal(rep.AwaitApproval, []string{large.ID}) {
		t.Fatalf("before approval: %+v", rep)
	}
	if o := ch.Order(t, large.ID); o.Status != txn.StatusPaid {
		t.Fatalf("large order is %s before approval", o.Status)
	}
	if err := approvals.Approve(large.ID, "auditor"); err != nil {
		t.Fatal(err)
	}
	rep, err = svc.IssuePaid(nodetest.Context(t))
	if err != nil || !slices.Equal(rep.Issued, []string{large.ID}) {
		t.Fatalf("after approval: %+v %v", rep, err)
	}
}

func TestApproveRejectsWhatIsNotAnOrderID(t *testing.T) {
	approvals, err := OpenApprovals(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", "../../etc/passwd", "ABCDEFABCDEFABCDEFA/", "0123456789ABCDEF012", "RF18539007547034"} {
		if err := approvals.Approve(id, "x"); !errors.Is(err, txn.ErrNotOrderID) {
			t.Errorf("Approve(%q) = %v, want %v", id, err, txn.ErrNotOrderID)
		}
		if approvals.Approved(id) {
			t.Errorf("Approved(%q)", id)
		}
	}
}

// TestApproveReadsAnyOrderIDSpelling: an approval given with the id in lower case or
// as the order's payment reference is the canonical id's.
func TestApproveReadsAnyOrderIDSpelling(t *testing.T) {
	const id = "ABCDEFABCDEFABCDEF01"
	for _, given := range []string{"abcdefabcdefabcdef01", txn.PaymentReference(id)} {
		approvals, err := OpenApprovals(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := approvals.Approve(given, "x"); err != nil {
			t.Fatalf("Approve(%q): %v", given, err)
		}
		if !approvals.Approved(id) {
			t.Errorf("Approve(%q) did not approve %s", given, id)
		}
	}
}
