package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/client"
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

// run runs svc until the test ends, or until the returned stop is called.
func run(t *testing.T, svc *Service) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(nodetest.Context(t))
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// confirmAt confirms an order's payment and returns the height of its block.
func confirmAt(t *testing.T, ch *nodetest.Chain, o txn.Order, bankRef string) int64 {
	t.Helper()
	msg := &txn.ConfirmPayment{OrderID: o.ID, Buyer: o.Buyer, AmountMinor: o.AmountMinor, Currency: o.Currency, BankReference: bankRef}
	res, err := ch.Client.Submit(nodetest.Context(t), msg, ch.Operator)
	if err != nil {
		t.Fatalf("confirm %s: %v", o.ID, err)
	}
	return res.Height
}

// savedCursor reads the cursor file.
func savedCursor(t *testing.T, file string) cursorState {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st cursorState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// waitFor polls cond until it holds, for at most a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after a minute: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var errCrash = errors.New("crash")

// issuedOnce waits until the order is issued and the node indexed its issue, and fails
// the test unless one issue is indexed.
func issuedOnce(t *testing.T, ch *nodetest.Chain, id string) {
	t.Helper()
	ch.WaitOrder(t, id, txn.StatusIssued)
	n := 0
	waitFor(t, "the issue of order "+id+" is indexed", func() bool { n = ch.CountEvents(t, id, txn.StatusIssued); return n > 0 })
	if n != 1 {
		t.Fatalf("order %s issued %d times", id, n)
	}
}

// Stopped in the middle of its catch-up, before it issued what it read, the service
// starts again from its cursor: every order paid while it was down is issued exactly
// once, and the restart reads no block at or below the cursor it saved.
func TestRestartMidCatchUpIssuesEveryOrderOnce(t *testing.T) {
	ch := nodetest.Start(t)
	file := filepath.Join(t.TempDir(), "cursor.json")
	cfg := Config{Client: ch.Client, Key: ch.Issuer, Cursor: file, Rescan: 50 * time.Millisecond}
	stop := run(t, New(cfg))
	waitFor(t, "the service saves a cursor", func() bool { _, err := os.Stat(file); return err == nil })
	stop()

	buyer := nodetest.Key(1)
	var ids []string
	var heights []int64
	for i := range 5 {
		o := ch.Buy(t, buyer, "b", uint64(1000*(i+1)))
		heights = append(heights, confirmAt(t, ch, o, fmt.Sprintf("UETR-c%d", i)))
		ids = append(ids, o.ID)
	}

	// The first restart stops reading at the third payment's block, before it issues
	// anything it read.
	crashed := New(cfg)
	crashedAt := make(chan struct{})
	crashed.readBlock = func(h int64) error {
		if h == heights[2] {
			select {
			case <-crashedAt:
			default:
				close(crashedAt)
			}
			return errCrash
		}
		return nil
	}
	crashed.events = func(context.Context) (<-chan string, error) { return nil, errCrash }
	stop = run(t, crashed)
	<-crashedAt
	stop()
	st := savedCursor(t, file)
	if st.Height != heights[2]-1 {
		t.Fatalf("cursor at %d, want %d: the block before the crash", st.Height, heights[2]-1)
	}
	for _, id := range ids[:2] {
		if _, ok := st.Pending[id]; !ok {
			t.Fatalf("order %s, paid at or below the cursor, is not pending: %+v", id, st)
		}
		if o := ch.Order(t, id); o.Status != txn.StatusPaid {
			t.Fatalf("order %s is %s: the crashed service issued it", id, o.Status)
		}
	}

	again := New(cfg)
	var lowest atomic.Int64
	again.readBlock = func(h int64) error {
		lowest.CompareAndSwap(0, h)
		return nil
	}
	run(t, again)
	for _, id := range ids {
		issuedOnce(t, ch, id)
	}
	if got := lowest.Load(); got != st.Height+1 {
		t.Fatalf("the restart read from height %d, want %d", got, st.Height+1)
	}
	waitFor(t, "no order left pending", func() bool { return len(again.cursor.pending()) == 0 })
}

// An order whose event the subscription never delivers is found in its block all the
// same.
func TestOrderMissedByTheSubscriptionIsIssued(t *testing.T) {
	ch := nodetest.Start(t)
	svc := New(Config{Client: ch.Client, Key: ch.Issuer, Rescan: 50 * time.Millisecond})
	svc.events = func(context.Context) (<-chan string, error) { return make(chan string), nil }
	run(t, svc)
	waitFor(t, "the service follows the blocks", func() bool { return svc.cursor.height() > 0 })
	o := ch.Buy(t, nodetest.Key(1), "b", 2500)
	ch.Confirm(t, o, "UETR-missed")
	ch.WaitOrder(t, o.ID, txn.StatusIssued)
}

// Two issuers' services follow the same chain: each order is issued once, and neither
// keeps an order pending once it is issued, whichever issued it.
func TestSeveralServicesIssueEachOrderOnce(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{Issuers: 2, Threshold: 1})
	dir := t.TempDir()
	var svcs []*Service
	for i, key := range ch.Issuers {
		// Each service has its own connection, as on its own machine.
		c, err := client.Dial(nodetest.Context(t), ch.Node.RPCAddress())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		svc := New(Config{Client: c, Key: key, Cursor: filepath.Join(dir, fmt.Sprintf("cursor-%d.json", i)), Rescan: 100 * time.Millisecond})
		svcs = append(svcs, svc)
		run(t, svc)
	}
	var ids []string
	for i := range 6 {
		o := ch.Buy(t, nodetest.Key(byte(1+i%2)), "b", uint64(100*(i+1)))
		ch.Confirm(t, o, fmt.Sprintf("UETR-s%d", i))
		ids = append(ids, o.ID)
	}
	for _, id := range ids {
		issuedOnce(t, ch, id)
	}
	for i, svc := range svcs {
		waitFor(t, fmt.Sprintf("service %d keeps no order pending", i), func() bool { return len(svc.cursor.pending()) == 0 })
	}
}

// A held order is done with; its release pays it again, and the service, reading the
// release's block, issues it.
func TestReleasedOrderIsIssued(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{Issuers: 2, Threshold: 1})
	ctx := nodetest.Context(t)
	svc := New(Config{Client: ch.Client, Key: ch.Issuer, Rescan: 50 * time.Millisecond})
	svc.events = func(context.Context) (<-chan string, error) { return nil, errCrash }
	held := make(chan struct{})
	var o txn.Order
	svc.readBlock = func(h int64) error {
		select {
		case <-held:
			return nil
		default:
			return errCrash
		}
	}
	run(t, svc)
	o = ch.Buy(t, nodetest.Key(1), "b", 2500)
	ch.Confirm(t, o, "UETR-held")
	if _, err := ch.Client.Submit(ctx, &txn.HoldOrder{OrderID: o.ID, Reason: "check"}, ch.Issuers[1]); err != nil {
		t.Fatal(err)
	}
	close(held)
	waitFor(t, "the service reads the hold", func() bool {
		h, err := ch.Client.CommittedHeight(ctx)
		return err == nil && svc.cursor.height() >= h
	})
	if got := ch.Order(t, o.ID); got.Status != txn.StatusHeld {
		t.Fatalf("held order is %s", got.Status)
	}
	if _, ok := svc.cursor.pending()[o.ID]; ok {
		t.Fatal("the held order is pending")
	}
	if _, err := ch.Client.Submit(ctx, &txn.ReleaseOrder{OrderID: o.ID}, ch.Issuers[1]); err != nil {
		t.Fatal(err)
	}
	ch.WaitOrder(t, o.ID, txn.StatusIssued)
}
