package issuer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// While one issuer's approval is the threshold, the service issues every order, however
// large: issue_approval_chips binds only above it.
func TestOneIssuerIssuesEveryOrder(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{IssueApprovalChips: 50_000_000})
	large := ch.Buy(t, nodetest.Key(1), "b", 100_000) // 1,000 chips
	ch.Confirm(t, large, "UETR-l")
	rep, err := New(Config{Client: ch.Client, Key: ch.Issuer}).IssuePaid(nodetest.Context(t))
	if err != nil || !slices.Equal(rep.Issued, []string{large.ID}) || len(rep.Proposed)+len(rep.AwaitApproval) != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
}

// boardChain is a chain of three issuers, two of whom approve a controlled action, and
// one of whom issues up to 500 chips alone.
func boardChain(t *testing.T) *nodetest.Chain {
	return nodetest.StartWith(t, nodetest.Options{Issuers: 3, Threshold: 2, IssueApprovalChips: 500_000_000})
}

// pendingIssues are the ids of the pending proposals.
func pendingIssues(t *testing.T, ch *nodetest.Chain) []string {
	t.Helper()
	props, err := ch.Client.PendingProposals(nodetest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range props {
		ids = append(ids, p.ID)
	}
	return ids
}

// Above what one issuer may issue alone, the service proposes the issue once: later
// passes, and a restart with or without its memory, wait for the proposal; a second
// issuer's approval issues the order.
func TestLargeOrderIsProposedOnceAndIssuedOnApproval(t *testing.T) {
	ch := boardChain(t)
	ctx := nodetest.Context(t)
	memory := filepath.Join(t.TempDir(), "proposals.json")
	small := ch.Buy(t, nodetest.Key(1), "b", 10_000)  // 100 chips
	large := ch.Buy(t, nodetest.Key(1), "b", 100_000) // 1,000 chips
	ch.Confirm(t, small, "UETR-s")
	ch.Confirm(t, large, "UETR-l")

	svc := New(Config{Client: ch.Client, Key: ch.Issuer, Proposals: memory})
	rep, err := svc.IssuePaid(ctx)
	if err != nil || !slices.Equal(rep.Issued, []string{small.ID}) || !slices.Equal(rep.Proposed, []string{large.ID}) {
		t.Fatalf("first pass: %+v %v", rep, err)
	}
	pending := pendingIssues(t, ch)
	if len(pending) != 1 {
		t.Fatalf("pending proposals %v, want one", pending)
	}
	if o := ch.Order(t, large.ID); o.Status != txn.StatusPaid {
		t.Fatalf("large order is %s before approval", o.Status)
	}
	for name, svc := range map[string]*Service{
		"the same service's next pass": svc,
		"a restart that remembers":     New(Config{Client: ch.Client, Key: ch.Issuer, Proposals: memory}),
		"a restart without its memory": New(Config{Client: ch.Client, Key: ch.Issuer}),
		"another issuer's service":     New(Config{Client: ch.Client, Key: ch.Issuers[2]}),
	} {
		rep, err := svc.IssuePaid(ctx)
		if err != nil || len(rep.Proposed) != 0 || !slices.Equal(rep.AwaitApproval, []string{large.ID}) {
			t.Fatalf("%s: %+v %v", name, rep, err)
		}
	}
	if again := pendingIssues(t, ch); !slices.Equal(again, pending) {
		t.Fatalf("pending proposals %v, want still %v", again, pending)
	}
	if _, err := ch.Client.Submit(ctx, &txn.Approve{ProposalID: pending[0]}, ch.Issuers[1]); err != nil {
		t.Fatal(err)
	}
	if o := ch.Order(t, large.ID); o.Status != txn.StatusIssued || o.Chips != 1_000_000_000 {
		t.Fatalf("large order is %s (%d chips) after the approval", o.Status, o.Chips)
	}
	rep, err = New(Config{Client: ch.Client, Key: ch.Issuer, Proposals: memory}).IssuePaid(ctx)
	if err != nil || len(rep.Issued)+len(rep.Proposed)+len(rep.AwaitApproval) != 0 {
		t.Fatalf("after the approval: %+v %v", rep, err)
	}
}

// A proposal the service remembers sending, and the chain does not have yet, may still
// reach a block until its last height: the service waits for it, and proposes again
// only once the chain is past that height.
func TestRememberedProposalIsNotProposedAgainWhileItMayArrive(t *testing.T) {
	ch := boardChain(t)
	ctx := nodetest.Context(t)
	large := ch.Buy(t, nodetest.Key(1), "b", 100_000)
	ch.Confirm(t, large, "UETR-l")
	height, err := ch.Client.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	memory := filepath.Join(t.TempDir(), "proposals.json")
	remember := func(validUntil uint64) {
		b, err := json.Marshal(map[string]proposed{large.ID: {ProposalID: "0123456789ABCDEF0123", ValidUntil: validUntil}})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(memory, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	remember(uint64(height) + 1000)
	rep, err := New(Config{Client: ch.Client, Key: ch.Issuer, Proposals: memory}).IssuePaid(ctx)
	if err != nil || len(rep.Proposed) != 0 || !slices.Equal(rep.AwaitApproval, []string{large.ID}) || len(pendingIssues(t, ch)) != 0 {
		t.Fatalf("while the remembered proposal may arrive: %+v %v", rep, err)
	}
	remember(uint64(height))
	rep, err = New(Config{Client: ch.Client, Key: ch.Issuer, Proposals: memory}).IssuePaid(ctx)
	if err != nil || !slices.Equal(rep.Proposed, []string{large.ID}) || len(pendingIssues(t, ch)) != 1 {
		t.Fatalf("once it cannot arrive: %+v %v", rep, err)
	}
	b, err := os.ReadFile(memory)
	if err != nil || strings.Contains(string(b), "0123456789ABCDEF0123") || !strings.Contains(string(b), pendingIssues(t, ch)[0]) {
		t.Fatalf("the memory holds %s (%v), want the new proposal only", b, err)
	}
}

// A held order is off the paid list: the service neither issues nor proposes it.
func TestHeldOrderIsNotProposed(t *testing.T) {
	ch := boardChain(t)
	ctx := nodetest.Context(t)
	large := ch.Buy(t, nodetest.Key(1), "b", 100_000)
	ch.Confirm(t, large, "UETR-l")
	if _, err := ch.Client.Submit(ctx, &txn.HoldOrder{OrderID: large.ID, Reason: "sanctions check"}, ch.Issuers[1]); err != nil {
		t.Fatal(err)
	}
	rep, err := New(Config{Client: ch.Client, Key: ch.Issuer}).IssuePaid(ctx)
	if err != nil || len(rep.Issued)+len(rep.Proposed)+len(rep.AwaitApproval) != 0 || len(pendingIssues(t, ch)) != 0 {
		t.Fatalf("%+v %v, pending %v", rep, err, pendingIssues(t, ch))
	}
}
