package gateway

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// The payouts and refunds of these tests go through a pain.001 outbox, which the test
// uploads to the sandbox bank as a bank's upload channel (EBICS, SFTP) would take it;
// the bank's camt.054 then reports the debits.

// paying reopens the gateway, as a restarted process would, paying through an outbox,
// with the hooks hooks sets.
func (w *world) paying(hooks func(*Config)) {
	w.t.Helper()
	w.open(ModeNotice, nil)
	w.gw.cfg.Payer = PainOutbox{Dir: w.outboxDir(), Debtor: w.ch.OperatorInfo.PaymentAccount()}
	w.gw.cfg.AutoRefund = true
	if hooks != nil {
		hooks(&w.gw.cfg)
	}
}

func (w *world) outboxDir() string {
	return filepath.Join(w.journalDir, "..", "outbox-"+filepath.Base(w.journalDir))
}

// upload hands every file of the outbox to the bank, as many times as it is called:
// the bank books each payment once.
func (w *world) upload() []bank.Upload {
	w.t.Helper()
	names, err := os.ReadDir(w.outboxDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		w.t.Fatal(err)
	}
	var ups []bank.Upload
	for _, n := range names {
		doc, err := os.ReadFile(filepath.Join(w.outboxDir(), n.Name()))
		if err != nil {
			w.t.Fatal(err)
		}
		up, err := w.bank.UploadPain001(nodetest.Context(w.t), nodetest.OperatorIBAN, doc)
		if err != nil {
			w.t.Fatalf("upload %s: %v", n.Name(), err)
		}
		ups = append(ups, up)
	}
	return ups
}

// feed reads what the bank has newly booked on the operator's account.
func (w *world) feed() {
	w.t.Helper()
	for {
		more, err := w.gw.feedOnce(nodetest.Context(w.t), w.bank, "bank:"+nodetest.OperatorIBAN, w.t.TempDir())
		if err != nil {
			w.t.Fatalf("feed: %v", err)
		}
		if !more {
			return
		}
	}
}

// holding has the buyer pay 100.00 EUR for an order, the gateway confirm it and the
// issuer issue its 100 chips.
func (w *world) holding() {
	w.t.Helper()
	o := w.ch.Buy(w.t, nodetest.Key(1), "alice", 10_000)
	w.pay(10_000, o.PaymentReference)
	w.feed()
	if _, err := w.ch.Client.Submit(nodetest.Context(w.t), &txn.Issue{OrderID: o.ID, Chips: 100_000_000}, w.ch.Issuer); err != nil {
		w.t.Fatal(err)
	}
}

// redeem has the buyer redeem chips to its bank account and returns the redemption.
func (w *world) redeem(chips uint64) string {
	w.t.Helper()
	return w.redeemTo(chips, txn.Account{IBAN: w.buyerIBAN, Holder: "Alice", Currency: "EUR"})
}

// redeemTo has the buyer redeem chips to the account to, and give the gateway the
// account, which the chain holds only as a commitment.
func (w *world) redeemTo(chips uint64, to txn.Account) string {
	w.t.Helper()
	ctx := nodetest.Context(w.t)
	payee, err := txn.NewAccountOpening(to)
	if err != nil {
		w.t.Fatal(err)
	}
	res, err := w.ch.Client.Submit(ctx, &txn.Redeem{Operator: "acme", AmountChips: chips, Currency: to.Currency, Payee: payee.Commitment()}, nodetest.Key(1))
	if err != nil {
		w.t.Fatal(err)
	}
	id := txn.RedemptionID(nodetest.Address(w.t, nodetest.Key(1)), res.Nonce)
	if err := w.gw.AddPayee(ctx, PayeeRequest{RedemptionID: id, Payee: payee}); err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) redemption(id string) txn.Redemption {
	w.t.Helper()
	r, err := w.ch.Client.Redemption(nodetest.Context(w.t), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) balance(account string) uint64 {
	w.t.Helper()
	a, err := w.bank.Account(nodetest.Context(w.t), account)
	if err != nil {
		w.t.Fatal(err)
	}
	return a.BalanceMinor
}

func TestRedemptionPaidOutThroughTheBank(t *testing.T) {
	w := newWorld(t, ModeNotice)
	w.paying(nil)
	w.holding()
	before := w.balance(w.buyerIBAN)
	id := w.redeem(30_000_000)
	if err := w.gw.Payouts(nodetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if r := w.redemption(id); r.Status != txn.RedemptionPayoutInitiated || r.PayoutReference != "CM-"+id {
		t.Fatalf("redemption after the payout was ordered: %+v", r)
	}
	ups := w.upload()
	if len(ups) != 1 || len(ups[0].Payments) != 1 || ups[0].Payments[0].EndToEndID != id {
		t.Fatalf("the outbox held %+v, want one payment of redemption %s", ups, id)
	}
	w.feed()
	r := w.redemption(id)
	if r.Status != txn.RedemptionPaidOut || r.BankReference == "" {
		t.Fatalf("redemption after the debit: %+v", r)
	}
	if got := w.balance(w.buyerIBAN) - before; got != 3_000 {
		t.Fatalf("the holder received %d cents, want 3000", got)
	}
	supply, err := w.ch.Client.Supply(nodetest.Context(t))
	if err != nil || supply.TotalChips != 70_000_000 || supply.BurnedChips != 30_000_000 || supply.EscrowChips != 0 {
		t.Fatalf("supply %+v %v", supply, err)
	}
	out, _, _ := w.journal.OutgoingPayment(id)
	if out.Status != OutgoingBooked || out.BankReference != r.BankReference {
		t.Fatalf("journal's payout: %+v", out)
	}
	// Nothing more to do, whatever runs again.
	if err := w.gw.Payouts(nodetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	w.upload()
	w.feed()
	if got := w.balance(w.buyerIBAN) - before; got != 3_000 {
		t.Fatalf("after everything ran again the holder received %d cents, want 3000", got)
	}
}

// A gateway killed at each step of a payout, and restarted, pays the holder once and
// the chain burns once: never paid twice, never lost. The bank books what it was given
// before the restart (bankFirst) or after the restarted gateway has run.
func TestPayoutKilledAtEachStep(t *testing.T) {
	steps := []struct {
		name      string
		bankFirst bool
		hooks     func(w *world, id string) func(*Config)
	}{
		{"before the chain record", false, func(*world, string) func(*Config) {
			return func(c *Config) { c.beforeInitiate = func(Outgoing) error { return errCrash } }
		}},
		{"after the chain record, before the bank call", false, func(*world, string) func(*Config) {
			return func(c *Config) { c.beforePay = func(Outgoing) error { return errCrash } }
		}},
		{"after the bank call, before the journal", false, func(*world, string) func(*Config) {
			return func(c *Config) { c.afterPay = func(Outgoing) error { return errCrash } }
		}},
		{"after the bank call, before the journal; booked before the restart", true, func(*world, string) func(*Config) {
			return func(c *Config) { c.afterPay = func(Outgoing) error { return errCrash } }
		}},
		{"after the debit, before its chain record", true, func(*world, string) func(*Config) {
			return func(c *Config) { c.beforeSubmit = func(Record) error { return errCrash } }
		}},
		{"after the debit's chain record, before the journal", true, func(w *world, id string) func(*Config) {
			return func(c *Config) {
				c.beforeSubmit = func(r Record) error {
					if _, err := w.ch.Client.Submit(nodetest.Context(w.t), &txn.ConfirmPayout{RedemptionID: id, BankReference: r.Entry.BankReference()}, w.ch.Operator); err != nil {
						w.t.Fatal(err)
					}
					return errCrash
				}
			}
		}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			w := newWorld(t, ModeNotice)
			w.paying(nil)
			w.holding()
			before, operatorBefore := w.balance(w.buyerIBAN), w.balance(nodetest.OperatorIBAN)
			id := w.redeem(30_000_000)
			w.paying(step.hooks(w, id))
			// The killed gateway's run, as far as it got.
			if err := w.gw.Payouts(nodetest.Context(t)); !errors.Is(err, errCrash) && !step.bankFirst {
				t.Fatalf("payouts: %v, want the crash", err)
			}
			if step.bankFirst {
				w.upload()
				for {
					more, err := w.gw.feedOnce(nodetest.Context(t), w.bank, "bank:"+nodetest.OperatorIBAN, t.TempDir())
					if err != nil || !more {
						break
					}
				}
			}
			// Restarted: it resumes, pays what is left, reads the bank again.
			w.paying(nil)
			if _, err := w.gw.Resume(nodetest.Context(t)); err != nil {
				t.Fatal(err)
			}
			if err := w.gw.Payouts(nodetest.Context(t)); err != nil {
				t.Fatal(err)
			}
			w.upload()
			w.feed()
			if r := w.redemption(id); r.Status != txn.RedemptionPaidOut {
				t.Fatalf("redemption after the restart: %+v", r)
			}
			if got := w.balance(w.buyerIBAN) - before; got != 3_000 {
				t.Fatalf("the holder received %d cents, want 3000 exactly once", got)
			}
			if got := operatorBefore - w.balance(nodetest.OperatorIBAN); got != 3_000 {
				t.Fatalf("the operator paid %d cents, want 3000 exactly once", got)
			}
			supply, err := w.ch.Client.Supply(nodetest.Context(t))
			if err != nil || supply.BurnedChips != 30_000_000 || supply.EscrowChips != 0 {
				t.Fatalf("supply %+v %v", supply, err)
			}
		})
	}
}

// A payout to an account the bank does not know is refused by it: the gateway records
// the return, and the chips wait for an issuer.
func TestRefusedPayoutIsReturned(t *testing.T) {
	w := newWorld(t, ModeNotice)
	w.paying(nil)
	w.holding()
	id := w.redeemTo(10_000_000, txn.Account{IBAN: "GB82WEST12345698765432", Holder: "Alice", Currency: "EUR"})
	if err := w.gw.Payouts(nodetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	ups := w.upload()
	if len(ups) != 1 || ups[0].Payments[0].Rejection == "" {
		t.Fatalf("the bank booked a payment to an account it does not have: %+v", ups)
	}
	// The bank's refusal of an uploaded payment comes back as a status report, not a
	// booking; the gateway's operator records it by hand here.
	if _, err := w.ch.Client.Submit(nodetest.Context(t), &txn.ReturnPayout{RedemptionID: id, BankReference: "CM-" + id, Reason: "AC01 unknown account"}, w.ch.Operator); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ch.Client.Submit(nodetest.Context(t), &txn.RestoreRedemption{RedemptionID: id}, w.ch.Issuer); err != nil {
		t.Fatal(err)
	}
	if bal, err := w.ch.Client.Balance(nodetest.Context(t), nodetest.Address(t, nodetest.Key(1))); err != nil || bal != 100_000_000 {
		t.Fatalf("holder's chips after the restore: %d %v", bal, err)
	}
}

// An unmatched credit is refunded to its payer through the bank; the gateway records
// the refund on the chain once the bank books the debit, and the credit is accounted
// for: nothing confirmed, all refunded, nothing open.
func TestExceptionRefunded(t *testing.T) {
	w := newWorld(t, ModeNotice)
	w.paying(nil)
	before := w.balance(w.buyerIBAN)
	tr := w.pay(700, "thanks for the coffee")
	w.feed()
	if _, err := w.gw.Refund(nodetest.Context(t), "nonexistent"); !errors.Is(err, ErrUnknownCredit) {
		t.Fatalf("refund of an unknown credit: %v", err)
	}
	out, err := w.gw.Refund(nodetest.Context(t), tr.UETR)
	if err != nil || out.Status != OutgoingOrdered || out.AmountMinor != 700 {
		t.Fatalf("refund: %+v %v", out, err)
	}
	w.upload()
	w.feed()
	if got := w.balance(w.buyerIBAN); got != before {
		t.Fatalf("the payer has %d cents, want its %d back", got, before)
	}
	f, err := w.ch.Client.Refund(nodetest.Context(t), "acme", tr.UETR)
	if err != nil || f.AmountMinor != 700 {
		t.Fatalf("refund on the chain: %+v %v", f, err)
	}
	rec, _, _ := w.journal.Get(tr.UETR)
	if rec.Status != StatusRefunded {
		t.Fatalf("the credit's record: %+v", rec)
	}
	credits, err := w.gw.Credits(nodetest.Context(t))
	if err != nil || len(credits) != 1 || credits[0].RefundedMinor != 700 || credits[0].OpenMinor != 0 {
		t.Fatalf("credits: %+v %v", credits, err)
	}
	if _, err := w.gw.Refund(nodetest.Context(t), tr.UETR); err != nil {
		t.Fatalf("asking again: %v", err)
	}
	w.upload()
	w.feed()
	if got := w.balance(w.buyerIBAN); got != before {
		t.Fatalf("refunded twice: the payer has %d cents, want %d", got, before)
	}
}

// The policy refunds by itself what an order owes back: the surplus of an over-payment.
func TestSurplusRefundedByPolicy(t *testing.T) {
	w := newWorld(t, ModeNotice)
	w.paying(nil)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 700)
	before := w.balance(w.buyerIBAN)
	tr := w.pay(700_000, o.PaymentReference)
	w.feed()
	if got := w.ch.Order(t, o.ID); got.Status != txn.StatusPaid || got.Chips != 7_000_000 || got.OwedMinor != 699_300 {
		t.Fatalf("order paid 7,000.00 for 7.00: %+v", got)
	}
	if err := w.gw.AutoRefunds(nodetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	w.upload()
	w.feed()
	if got := w.ch.Order(t, o.ID); got.RefundedHeight == 0 {
		t.Fatalf("surplus not refunded: %+v", got)
	}
	if got := before - w.balance(w.buyerIBAN); got != 700 {
		t.Fatalf("the buyer paid %d cents in the end, want 700", got)
	}
	credits, err := w.gw.Credits(nodetest.Context(t))
	if err != nil || len(credits) != 1 {
		t.Fatalf("credits %+v %v", credits, err)
	}
	if c := credits[0]; c.BankReference != tr.UETR || c.ConfirmedMinor != 700 || c.RefundedMinor != 699_300 || c.OpenMinor != 0 {
		t.Fatalf("credit accounted as %+v", c)
	}
}

// A gateway killed at each step of a refund, and restarted, pays back once and the
// chain records once.
func TestRefundKilledAtEachStep(t *testing.T) {
	steps := []struct {
		name  string
		hooks func(*Config)
	}{
		{"before the bank call", func(c *Config) { c.beforePay = func(Outgoing) error { return errCrash } }},
		{"after the bank call, before the journal", func(c *Config) { c.afterPay = func(Outgoing) error { return errCrash } }},
		{"after the debit, before its chain record", func(c *Config) { c.beforeSubmit = func(Record) error { return errCrash } }},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			w := newWorld(t, ModeNotice)
			w.paying(nil)
			before := w.balance(w.buyerIBAN)
			tr := w.pay(700, "RF18539007547034")
			w.feed()
			w.paying(step.hooks)
			_, _ = w.gw.Refund(nodetest.Context(t), tr.UETR)
			w.upload()
			for {
				more, err := w.gw.feedOnce(nodetest.Context(t), w.bank, "bank:"+nodetest.OperatorIBAN, t.TempDir())
				if err != nil || !more {
					break
				}
			}
			w.paying(nil)
			if _, err := w.gw.Resume(nodetest.Context(t)); err != nil {
				t.Fatal(err)
			}
			if err := w.gw.AutoRefunds(nodetest.Context(t)); err != nil {
				t.Fatal(err)
			}
			if _, err := w.gw.Refund(nodetest.Context(t), tr.UETR); err != nil && !errors.Is(err, ErrNotRefundable) {
				t.Fatal(err)
			}
			w.upload()
			w.feed()
			if got := w.balance(w.buyerIBAN); got != before {
				t.Fatalf("the payer has %d cents, want %d: paid back once", got, before)
			}
			if f, err := w.ch.Client.Refund(nodetest.Context(t), "acme", tr.UETR); err != nil || f.AmountMinor != 700 {
				t.Fatalf("refund on the chain: %+v %v", f, err)
			}
		})
	}
}

// A late payment for a cancelled order is an exception the policy refunds by itself.
func TestLatePaymentForCancelledOrderRefundedByPolicy(t *testing.T) {
	w := newWorld(t, ModeNotice)
	w.paying(nil)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 2_500)
	if _, err := w.ch.Client.Submit(nodetest.Context(t), &txn.CancelOrder{OrderID: o.ID}, nodetest.Key(1)); err != nil {
		t.Fatal(err)
	}
	before := w.balance(w.buyerIBAN)
	tr := w.pay(2_500, o.PaymentReference)
	w.feed()
	rec, _, _ := w.journal.Get(tr.UETR)
	if rec.Status != StatusException || !rec.AutoRefund {
		t.Fatalf("late payment's record: %+v", rec)
	}
	if err := w.gw.AutoRefunds(nodetest.Context(t)); err != nil {
		t.Fatal(err)
	}
	w.upload()
	w.feed()
	if got := w.balance(w.buyerIBAN); got != before {
		t.Fatalf("the payer has %d cents, want %d", got, before)
	}
	if rec, _, _ := w.journal.Get(tr.UETR); rec.Status != StatusRefunded {
		t.Fatalf("record after the refund: %+v", rec)
	}
}

// A debit the gateway did not order is the operator's business; a return it did not
// order is for a person.
func TestForeignDebitIgnored(t *testing.T) {
	w := newWorld(t, ModeNotice)
	w.paying(nil)
	w.holding()
	if _, err := w.bank.Pay(nodetest.Context(t), bank.TransferRequest{
		FromIBAN: nodetest.OperatorIBAN, ToIBAN: w.buyerIBAN, AmountMinor: 100, Currency: "EUR", Reference: "rent", EndToEndID: "RFND-0000",
	}); err != nil {
		t.Fatal(err)
	}
	w.feed()
	recs, err := w.journal.Records()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Entry.Kind == camt.KindDebit && r.Status != StatusIgnored {
			t.Fatalf("a debit the gateway did not order: %+v", r)
		}
	}
}

// A journal written before the list of refunds to make was kept gets it when it is
// opened: the policy's refunds and a refund left before the bank was asked are found.
func TestRefundsDueListedForAnOlderJournal(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec := sampleRecord()
	rec.BankReference, rec.Status, rec.AutoRefund = "LATE-1", StatusException, true
	b, err := encodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	// Written as an older gateway did: the record alone, no list, no mark.
	for key, value := range map[string][]byte{prefixRecord + "LATE-1": b} {
		if err := j.db.Set([]byte(key), value, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.PutOutgoing(Outgoing{EndToEndID: "RFND-1", Kind: KindRefund, Credit: "OTHER-2", Status: OutgoingInitiating}); err != nil {
		t.Fatal(err)
	}
	if err := j.db.Delete([]byte(keyRefundsIndexed), nil); err != nil {
		t.Fatal(err)
	}
	if err := j.db.Delete([]byte(prefixRefundDue+"OTHER-2"), nil); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j, err = OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	due, err := j.RefundsDue()
	if err != nil || !slices.Equal(due, []string{"LATE-1", "OTHER-2"}) {
		t.Fatalf("refunds due %v %v, want LATE-1 and OTHER-2", due, err)
	}
	// Once refunded, the credit leaves the list.
	rec.Status = StatusRefunded
	if err := j.Put(rec); err != nil {
		t.Fatal(err)
	}
	if err := j.PutOutgoing(Outgoing{EndToEndID: "RFND-1", Kind: KindRefund, Credit: "OTHER-2", Status: OutgoingOrdered}); err != nil {
		t.Fatal(err)
	}
	if due, err := j.RefundsDue(); err != nil || len(due) != 0 {
		t.Fatalf("refunds due after both were made: %v %v", due, err)
	}
}

// The operator's own money that covers its shortfall is accounted as covered, not as a
// credit still open to refund.
func TestCreditCoveringAShortfall(t *testing.T) {
	w := newWorld(t, ModeNotice)
	ctx := nodetest.Context(t)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 2_000)
	tr := w.pay(2_000, o.PaymentReference)
	w.feed()
	if _, err := w.ch.Client.Submit(ctx, &txn.Issue{OrderID: o.ID, Chips: 20_000_000}, w.ch.Issuer); err != nil {
		t.Fatal(err)
	}
	if _, err := w.bank.Reverse(ctx, bank.ReverseRequest{Transfer: tr.UETR, Reason: "FR01"}); err != nil {
		t.Fatal(err)
	}
	own := w.pay(2_000, "own funds: cover of the shortfall")
	w.feed()
	open := func() Credit {
		t.Helper()
		credits, err := w.gw.Credits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range credits {
			if c.BankReference == own.UETR {
				return c
			}
		}
		t.Fatalf("no credit %s in %+v", own.UETR, credits)
		return Credit{}
	}
	if c := open(); c.OpenMinor != 2_000 || c.CoveredMinor != 0 {
		t.Fatalf("before the cover: %+v", c)
	}
	if _, err := w.ch.Client.Submit(ctx, &txn.CoverShortfall{BankReference: own.UETR, AmountMinor: 2_000, Currency: "EUR"}, w.ch.Operator); err != nil {
		t.Fatal(err)
	}
	if c := open(); c.OpenMinor != 0 || c.CoveredMinor != 2_000 {
		t.Fatalf("after the cover: %+v", c)
	}
}
