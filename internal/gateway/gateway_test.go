package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// world is a chain, a sandbox bank with the operator's account and a buyer's, and a
// gateway over a journal.
type world struct {
	t          *testing.T
	ch         *nodetest.Chain
	bank       *bank.Client
	buyerIBAN  string
	journalDir string
	journal    *Journal
	gw         *Gateway
}

func newWorld(t *testing.T, mode Mode) *world {
	t.Helper()
	return newWorldOn(t, nodetest.Start(t), mode)
}

func newWorldOn(t *testing.T, ch *nodetest.Chain, mode Mode) *world {
	t.Helper()
	b, err := bank.Open(t.TempDir(), bank.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(func() { srv.Close(); b.Close() })
	bc := bank.NewClient(srv.URL)
	ctx := nodetest.Context(t)
	if _, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "Acme Payments GmbH", Currency: "EUR", IBAN: nodetest.OperatorIBAN}); err != nil {
		t.Fatal(err)
	}
	buyerAcct, err := bc.OpenAccount(ctx, bank.OpenAccountRequest{Holder: "Alice", Currency: "EUR", OpeningBalanceMinor: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ch: ch, bank: bc, buyerIBAN: buyerAcct.IBAN, journalDir: t.TempDir()}
	t.Cleanup(func() { w.journal.Close() })
	w.open(mode, nil)
	return w
}

// open (re)opens the journal and a gateway over it, as a restarted process would.
func (w *world) open(mode Mode, beforeSubmit func(Record) error) {
	w.t.Helper()
	if w.journal != nil {
		w.journal.Close()
	}
	j, err := OpenJournal(w.journalDir)
	if err != nil {
		w.t.Fatal(err)
	}
	w.journal = j
	gw, err := New(Config{
		Client: w.ch.Client, Key: w.ch.Operator, Operator: w.ch.OperatorInfo, Journal: j,
		Mode: mode, ReceiptDir: filepath.Join(w.journalDir, "..", "receipts-"+filepath.Base(w.journalDir)),
	})
	if err != nil {
		w.t.Fatal(err)
	}
	gw.cfg.beforeSubmit = beforeSubmit
	w.gw = gw
}

// pay sends money from the buyer's bank account to the operator's with a reference.
func (w *world) pay(amountMinor uint64, reference string) bank.Transfer {
	w.t.Helper()
	tr, err := w.bank.Pay(nodetest.Context(w.t), bank.TransferRequest{
		FromIBAN: w.buyerIBAN, ToIBAN: nodetest.OperatorIBAN, AmountMinor: amountMinor, Currency: "EUR", Reference: reference,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return tr
}

// notifications is the operator account's camt.054 from the start.
func (w *world) notifications() []byte {
	w.t.Helper()
	doc, _, err := w.bank.Notifications(nodetest.Context(w.t), nodetest.OperatorIBAN, 0)
	if err != nil || doc == nil {
		w.t.Fatalf("notifications: %v", err)
	}
	return doc
}

func (w *world) process(doc []byte) Summary {
	w.t.Helper()
	sum, err := w.gw.Process(nodetest.Context(w.t), doc, "test")
	if err != nil {
		w.t.Fatalf("process: %v", err)
	}
	return sum
}

func TestBankCreditBecomesConfirmation(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	tr := w.pay(10_000, o.PaymentReference)
	more, err := w.gw.feedOnce(nodetest.Context(t), w.bank, "bank:"+nodetest.OperatorIBAN, t.TempDir())
	if err != nil || !more {
		t.Fatalf("feed: more %v err %v", more, err)
	}
	got := w.ch.Order(t, o.ID)
	if got.Status != txn.StatusPaid || got.ReceivedMinor != 10_000 || got.BankReference != tr.UETR {
		t.Fatalf("order after the bank credit: %+v (transfer %+v)", got, tr)
	}
	rec, ok, err := w.journal.Get(tr.UETR)
	if err != nil || !ok || rec.Status != StatusConfirmed || rec.OrderID != o.ID {
		t.Fatalf("journal: %+v %v %v", rec, ok, err)
	}
	// The cursor moved: the next read finds nothing new.
	if more, err := w.gw.feedOnce(nodetest.Context(t), w.bank, "bank:"+nodetest.OperatorIBAN, t.TempDir()); err != nil || more {
		t.Fatalf("second feed: more %v err %v", more, err)
	}
}

func TestSameFileTwiceConfirmsOnce(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	w.pay(10_000, o.PaymentReference)
	doc := w.notifications()
	if s := w.process(doc); s.Confirmed != 1 {
		t.Fatalf("first delivery: %+v", s)
	}
	if s := w.process(doc); s.Confirmed != 0 || s.Duplicates != 1 {
		t.Fatalf("second delivery: %+v", s)
	}
	if n := w.ch.CountEvents(t, o.ID, txn.StatusPaid); n != 1 {
		t.Fatalf("%d confirmations, want 1", n)
	}
}

var errCrash = errors.New("killed")

// The gateway dies after journaling a credit and before submitting its confirmation;
// restarted, it confirms the order exactly once.
func TestCrashBetweenReadingAndSubmitting(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	tr := w.pay(10_000, o.PaymentReference)
	doc := w.notifications()

	w.open(ModeNotice, func(Record) error { return errCrash })
	if _, err := w.gw.Process(nodetest.Context(t), doc, "test"); !errors.Is(err, errCrash) {
		t.Fatalf("process: %v, want the crash", err)
	}
	if rec, _, _ := w.journal.Get(tr.UETR); rec.Status != StatusReceived {
		t.Fatalf("journal after the crash: %+v", rec)
	}
	if o := w.ch.Order(t, o.ID); o.Status != txn.StatusAwaitingPayment {
		t.Fatalf("order %s before restart", o.Status)
	}

	w.open(ModeNotice, nil)
	if s, err := w.gw.Resume(nodetest.Context(t)); err != nil || s.Confirmed != 1 {
		t.Fatalf("resume: %+v %v", s, err)
	}
	if s := w.process(doc); s.Duplicates != 1 {
		t.Fatalf("the bank delivers the file again: %+v", s)
	}
	if n := w.ch.CountEvents(t, o.ID, txn.StatusPaid); n != 1 {
		t.Fatalf("%d confirmations, want 1", n)
	}
}

// The gateway dies after the chain took its confirmation and before the journal
// recorded it; restarted, it sees the order paid by this payment and submits nothing.
func TestCrashAfterSubmittingBeforeJournaling(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	tr := w.pay(10_000, o.PaymentReference)
	w.open(ModeNotice, func(r Record) error {
		w.ch.Confirm(t, o, r.BankReference) // the submission that made it out
		return errCrash
	})
	if _, err := w.gw.Process(nodetest.Context(t), w.notifications(), "test"); !errors.Is(err, errCrash) {
		t.Fatalf("process: %v", err)
	}
	w.open(ModeNotice, nil)
	if s, err := w.gw.Resume(nodetest.Context(t)); err != nil || s.Confirmed != 1 {
		t.Fatalf("resume: %+v %v", s, err)
	}
	if rec, _, _ := w.journal.Get(tr.UETR); rec.Status != StatusConfirmed || rec.Reason != "confirmed before" {
		t.Fatalf("journal: %+v", rec)
	}
	if n := w.ch.CountEvents(t, o.ID, txn.StatusPaid); n != 1 {
		t.Fatalf("%d confirmations, want 1", n)
	}
}

func TestCreditsThatCannotBeMatchedBecomeExceptions(t *testing.T) {
	w := newWorld(t, ModeNotice)
	paid := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	w.pay(10_000, paid.PaymentReference)
	w.pay(500, "RF18539007547034")       // a valid reference of no order
	w.pay(700, "thanks for the coffee")  // no reference at all
	w.pay(10_000, paid.PaymentReference) // the same order paid twice
	s := w.process(w.notifications())
	if s.Confirmed != 1 || s.Exceptions != 3 {
		t.Fatalf("summary %+v, want 1 confirmed and 3 exceptions", s)
	}
	supply, err := w.ch.Client.Supply(nodetest.Context(t))
	if err != nil || supply.TotalChips != 0 {
		t.Fatalf("supply %+v %v: an exception must never mint", supply, err)
	}
	resp, err := http.Get(httptest.NewServer(w.gw.Handler()).URL + "/v1/exceptions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var exc []Record
	if err := json.NewDecoder(resp.Body).Decode(&exc); err != nil || len(exc) != 3 {
		t.Fatalf("exceptions over HTTP: %d %v", len(exc), err)
	}
	for _, r := range exc {
		if r.Reason == "" || r.Entry.AmountMinor == 0 {
			t.Errorf("exception without its reason or amount: %+v", r)
		}
	}
}

// Entries the sandbox bank does not produce: another currency, a reversal, a pending
// credit that is booked later.
func TestCurrencyReversalAndPending(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	credit := func(uetr, currency string, status camt.Status, reversal bool) camt.Entry {
		return camt.Entry{
			AmountMinor: 10_000, Currency: currency, CreditDebit: camt.Credit, Status: status, Reversal: reversal,
			BookingDate: "2026-11-28", UETR: uetr, CreditorReference: o.PaymentReference, DebtorIBAN: "GB82WEST12345698765432",
		}
	}
	doc := func(entries ...camt.Entry) []byte {
		b, err := camt.WriteNotification("MSG-"+entries[0].UETR[:8]+string(entries[0].Status), "2026-11-28T10:00:00Z",
			camt.Notification{ID: "N1", Account: camt.Account{IBAN: nodetest.OperatorIBAN}, Currency: "EUR", Entries: entries})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	uetr := "5d7f3a0e-1c2b-4d3e-8f9a-0b1c2d3e4f50"
	if s := w.process(doc(credit("0f1e2d3c-4b5a-4968-8776-655443322110", "USD", camt.Booked, false))); s.Exceptions != 1 {
		t.Fatalf("USD credit: %+v", s)
	}
	if s := w.process(doc(credit("1f1e2d3c-4b5a-4968-8776-655443322110", "EUR", camt.Booked, true))); s.Exceptions != 1 {
		t.Fatalf("reversal: %+v", s)
	}
	if s := w.process(doc(credit(uetr, "EUR", camt.Pending, false))); s.Pending != 1 {
		t.Fatalf("pending credit: %+v", s)
	}
	if got := w.ch.Order(t, o.ID); got.Status != txn.StatusAwaitingPayment {
		t.Fatalf("order %s before the credit is booked", got.Status)
	}
	if s := w.process(doc(credit(uetr, "EUR", camt.Booked, false))); s.Confirmed != 1 {
		t.Fatalf("booked credit: %+v", s)
	}
}

// Receipt mode: the gateway writes a signed receipt; the buyer's wallet countersigns
// and submits it.
func TestReceiptModeBuyerCountersigns(t *testing.T) {
	w := newWorld(t, ModeReceipt)
	buyer := nodetest.Key(1)
	o := w.ch.Buy(t, buyer, "alice", 10_000)
	w.pay(10_000, o.PaymentReference)
	if s := w.process(w.notifications()); s.Receipts != 1 {
		t.Fatalf("summary %+v", s)
	}
	b, err := os.ReadFile(filepath.Join(w.gw.cfg.ReceiptDir, o.ID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var rf txn.ReceiptFile
	if err := json.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	if rf.Payer.Account.IBAN != w.buyerIBAN || rf.Payer.Check(rf.Receipt.PayerCommitment) != nil || rf.Receipt.Chips != 100_000_000 ||
		bytes.Contains(b, []byte(`"payer_iban"`)) {
		t.Fatalf("receipt %+v", rf.Receipt)
	}
	ctx := context.Background()
	nonce, _ := client.NewNonce()
	raw, err := w.ch.Client.Sign(ctx, &txn.SubmitReceipt{Receipt: rf.Receipt, OperatorSignature: rf.OperatorSignature}, buyer, nonce)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ch.Client.Broadcast(nodetest.Context(t), raw); err != nil {
		t.Fatalf("submit the countersigned receipt: %v", err)
	}
	if got := w.ch.Order(t, o.ID); got.Status != txn.StatusPaid || got.ConfirmedBy != txn.ConfirmedByReceipt {
		t.Fatalf("order %+v", got)
	}
}

// People type the reference into free text, with words around it.
func TestReferenceInFreeText(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	ref := o.PaymentReference
	printForm := ref[:4] + " " + ref[4:8] + " " + ref[8:12] + " " + ref[12:16] + " " + ref[16:20] + " " + ref[20:]
	w.pay(10_000, "chips order "+printForm+" for 100 EUR thanks")
	if s := w.process(w.notifications()); s.Confirmed != 1 {
		t.Fatalf("summary %+v", s)
	}
}

// Two transactions batched in one entry, neither with a reference of its own: each is
// handled, neither taken for a duplicate of the other.
func TestBatchedEntryWithoutOwnReferences(t *testing.T) {
	w := newWorld(t, ModeNotice)
	a := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	b := w.ch.Buy(t, nodetest.Key(2), "bob", 20_000)
	entry := func(o txn.Order) camt.Entry {
		return camt.Entry{AmountMinor: o.AmountMinor, Currency: "EUR", CreditDebit: camt.Credit, Status: camt.Booked,
			BookingDate: "2026-11-28", EntryRef: "BATCH-7", CreditorReference: o.PaymentReference}
	}
	doc, err := camt.WriteNotification("MSG-BATCH-7", "2026-11-28T10:00:00Z",
		camt.Notification{ID: "N1", Account: camt.Account{IBAN: nodetest.OperatorIBAN}, Currency: "EUR", Entries: []camt.Entry{entry(a), entry(b)}})
	if err != nil {
		t.Fatal(err)
	}
	s := w.process(doc)
	if s.Duplicates != 0 || s.Confirmed+s.Exceptions != 2 {
		t.Fatalf("summary %+v: both transactions must be handled", s)
	}
	if s := w.process(doc); s.Duplicates != 2 {
		t.Fatalf("the same document again: %+v", s)
	}
}

// A payment for an order that expired is an exception to refund, never a mint.
func TestPaymentAfterExpiryIsAnException(t *testing.T) {
	ch := nodetest.StartWithOrderTTL(t, 2)
	w := newWorldOn(t, ch, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	w.ch.WaitOrder(t, o.ID, txn.StatusExpired)
	w.pay(10_000, o.PaymentReference)
	if s := w.process(w.notifications()); s.Exceptions != 1 || s.Confirmed != 0 {
		t.Fatalf("summary %+v", s)
	}
	recs, err := w.journal.Records(StatusException)
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Reason, "expired") {
		t.Fatalf("exceptions %+v %v", recs, err)
	}
}

// A document of many credits confirms them all, those of different orders at once; two
// payments of one order are taken in their order: the first confirms, the second is an
// exception to refund.
func TestDocumentOfManyCredits(t *testing.T) {
	w := newWorld(t, ModeNotice)
	var orders []txn.Order
	for i := range 6 {
		orders = append(orders, w.ch.Buy(t, nodetest.Key(byte(1+i)), fmt.Sprintf("buyer-%d", i), 1_000))
	}
	var first bank.Transfer
	for i, o := range orders {
		tr := w.pay(1_000, o.PaymentReference)
		if i == 0 {
			first = tr
		}
	}
	second := w.pay(1_000, orders[0].PaymentReference)
	s := w.process(w.notifications())
	if s.Entries != 7 || s.Confirmed != 6 || s.Exceptions != 1 {
		t.Fatalf("summary %+v, want 7 entries: 6 confirmed, 1 exception", s)
	}
	for _, o := range orders {
		if got := w.ch.Order(t, o.ID); got.Status != txn.StatusPaid {
			t.Errorf("order %s is %s", o.ID, got.Status)
		}
	}
	if rec, _, _ := w.journal.Get(first.UETR); rec.Status != StatusConfirmed {
		t.Errorf("the first payment of order 0 is %s, want confirmed", rec.Status)
	}
	if rec, _, _ := w.journal.Get(second.UETR); rec.Status != StatusException {
		t.Errorf("the second payment of order 0 is %s, want an exception", rec.Status)
	}
}

// Two transactions batched under one shared reference that pay the same order: the
// first confirms it, the second is money for an order already paid, to refund.
func TestBatchPayingOneOrderTwice(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	e := camt.Entry{AmountMinor: o.AmountMinor, Currency: "EUR", CreditDebit: camt.Credit, Status: camt.Booked,
		BookingDate: "2026-11-28", EntryRef: "BATCH-9", CreditorReference: o.PaymentReference}
	doc, err := camt.WriteNotification("MSG-BATCH-9", "2026-11-28T10:00:00Z",
		camt.Notification{ID: "N1", Account: camt.Account{IBAN: nodetest.OperatorIBAN}, Currency: "EUR", Entries: []camt.Entry{e, e}})
	if err != nil {
		t.Fatal(err)
	}
	if s := w.process(doc); s.Confirmed != 1 || s.Exceptions != 1 {
		t.Fatalf("summary %+v: want one confirmation and one exception", s)
	}
	if n := w.ch.CountEvents(t, o.ID, txn.StatusPaid); n != 1 {
		t.Fatalf("%d confirmations", n)
	}
}

// One document pays several orders: every entry is journaled before any confirmation is
// sent; the chain refuses the confirmation of one order, paid meanwhile by another
// payment, and that entry alone becomes an exception while the others confirm.
func TestDocumentOfManyCreditsWithOneRefused(t *testing.T) {
	w := newWorld(t, ModeNotice)
	var orders []txn.Order
	for i := range 4 {
		o := w.ch.Buy(t, nodetest.Key(1), "alice", uint64(1000*(i+1)))
		w.pay(o.AmountMinor, o.PaymentReference)
		orders = append(orders, o)
	}
	doc := w.notifications()
	refused := orders[2]
	var mu sync.Mutex
	var journaled []string
	w.open(ModeNotice, func(r Record) error {
		recs, err := w.journal.Records(StatusReceived)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if journaled == nil {
			for _, rec := range recs {
				journaled = append(journaled, rec.BankReference)
			}
		}
		if id, _ := orderIDOf(r.Entry); id == refused.ID {
			w.ch.Confirm(t, refused, "OTHER-PAYMENT")
		}
		return nil
	})
	s := w.process(doc)
	if s.Confirmed != 3 || s.Exceptions != 1 {
		t.Fatalf("summary %+v, want 3 confirmed and 1 exception", s)
	}
	if len(journaled) != 4 {
		t.Fatalf("%d entries journaled before the first confirmation, want 4", len(journaled))
	}
	for _, o := range orders {
		got := w.ch.Order(t, o.ID)
		if o.ID == refused.ID {
			if got.BankReference != "OTHER-PAYMENT" {
				t.Fatalf("refused order confirmed by %q", got.BankReference)
			}
			continue
		}
		if got.Status != txn.StatusPaid {
			t.Fatalf("order %s is %s", o.ID, got.Status)
		}
	}
	ex, err := w.journal.Records(StatusException)
	if err != nil || len(ex) != 1 || !strings.Contains(ex[0].Reason, "refused") || ex[0].Entry.AmountMinor != refused.AmountMinor {
		t.Fatalf("exceptions %+v %v", ex, err)
	}
}
