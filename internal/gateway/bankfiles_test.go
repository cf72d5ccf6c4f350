package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/bank"
	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// bankFile is a bank file of the camt fixtures (real ones, or ones that keep a real
// file's structure; internal/camt/testdata/README.md says which) moved onto the test
// operator's account and currency, with the replacements given (old, new, ...): each
// old string must be in the file, so that a fixture that changes fails here rather than
// testing nothing.
func bankFile(t *testing.T, name string, replacements ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "camt", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), `Ccy="CHF"`, `Ccy="EUR"`)
	s = strings.ReplaceAll(s, "<Ccy>CHF</Ccy>", "<Ccy>EUR</Ccy>")
	s = strings.Replace(s, "<IBAN>CH2909000000250094239</IBAN>", "<IBAN>"+nodetest.OperatorIBAN+"</IBAN>", 1)
	for i := 0; i+1 < len(replacements); i += 2 {
		if !strings.Contains(s, replacements[i]) {
			t.Fatalf("%s has no %q", name, replacements[i])
		}
		s = strings.Replace(s, replacements[i], replacements[i+1], 1)
	}
	return []byte(s)
}

// A returned payment (PostFinance's real return file: a credit with RtrInf AC01 and the
// return bank transaction code) that carries an order's reference is the operator's own
// payment coming back, never the buyer's: an exception, and the order stays unpaid.
func TestReturnedPaymentIsNeverABuyersPayment(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	sum := w.process(bankFile(t, "postfinance-camt054-return.xml", "<Ustrd>Kontouebertrag</Ustrd>", "<Ustrd>"+o.PaymentReference+"</Ustrd>"))
	if sum.Confirmed != 0 || sum.Exceptions != 1 {
		t.Fatalf("summary %+v: a return confirmed an order or went unreported", sum)
	}
	if got := w.ch.Order(t, o.ID); got.Status != txn.StatusAwaitingPayment {
		t.Fatalf("order after a return carrying its reference: %s", got.Status)
	}
	recs, err := w.journal.Records(StatusException)
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Reason, "return") || !strings.Contains(recs[0].Reason, "AC01") {
		t.Fatalf("exceptions %+v %v", recs, err)
	}
}

// A credit confirmed and issued, then reversed by the bank as ISO 20022 writes it (DBIT
// with RvslInd, the transaction carrying the original credit's reference): the gateway
// records the reversal on the chain, the order is reversed and its chips are the
// operator's shortfall; the same file again changes nothing.
func TestReversalOfAConfirmedCreditIsRecordedOnTheChain(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 150_000)
	doc := bankFile(t, "chipmint-pf-reversals.xml",
		// The credit names the order.
		`<CdtDbtInd>CRDT</CdtDbtInd>
					</TxDtls>`, `<CdtDbtInd>CRDT</CdtDbtInd>
						<RmtInf><Strd><CdtrRefInf><Ref>`+o.PaymentReference+`</Ref></CdtrRefInf></Strd></RmtInf>
					</TxDtls>`,
		// The reversal's transaction carries the reference of the credit it takes back.
		`<Refs>
							<AcctSvcrRef>074820002ZZ9R001</AcctSvcrRef>`, `<Refs>
							<AcctSvcrRef>074820002ZZ9J42U</AcctSvcrRef>`)
	sum := w.process(doc)
	if sum.Confirmed != 1 || sum.Reversals != 1 {
		t.Fatalf("summary %+v: want the credit confirmed and its reversal recorded", sum)
	}
	got := w.ch.Order(t, o.ID)
	if got.Status != txn.StatusReversed || got.ReversedHeight == 0 || got.BankReference != "074820002ZZ9J42U" {
		t.Fatalf("order after the reversal: %+v", got)
	}
	if sum := w.process(doc); sum.Confirmed+sum.Reversals+sum.Exceptions != 0 {
		t.Fatalf("the same file again: %+v", sum)
	}
}

// A reversal of a credit that confirmed an issued order leaves the operator short of the
// chips, which stay with their holder.
func TestReversalAfterIssueIsAShortfall(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 150_000)
	w.ch.Confirm(t, o, "074820002ZZ9J42U")
	if _, err := w.ch.Client.Submit(nodetest.Context(t), &txn.Issue{OrderID: o.ID, Chips: 1_500_000_000}, w.ch.Issuer); err != nil {
		t.Fatal(err)
	}
	doc := bankFile(t, "chipmint-pf-reversals.xml", `<Refs>
							<AcctSvcrRef>074820002ZZ9R001</AcctSvcrRef>`, `<Refs>
							<AcctSvcrRef>074820002ZZ9J42U</AcctSvcrRef>`)
	if sum := w.process(doc); sum.Reversals != 1 {
		t.Fatalf("summary %+v", sum)
	}
	op, err := w.ch.Client.Operator(nodetest.Context(t), w.ch.OperatorInfo.ID)
	if err != nil || op.ShortfallChips != 1_500_000_000 {
		t.Fatalf("operator %+v %v: want a shortfall of the order's chips", op, err)
	}
	if got := w.ch.Order(t, o.ID); got.Status != txn.StatusReversed || got.IssuedHeight == 0 {
		t.Fatalf("order %+v", got)
	}
}

// A reference in a second structured remittance block, or written in AddtlRmtInf, is
// found.
func TestReferenceInASecondStrdOrAdditionalRemittance(t *testing.T) {
	for _, tc := range []struct{ name, old string }{
		{"second Strd", "<Ref>RF18539007547034</Ref>"},
		{"AddtlRmtInf", "<AddtlRmtInf>Bestellung RF71 2348 231</AddtlRmtInf>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, ModeNotice)
			o := w.ch.Buy(t, nodetest.Key(1), "alice", 150_000)
			repl := "<Ref>" + o.PaymentReference + "</Ref>"
			if tc.name == "AddtlRmtInf" {
				repl = "<AddtlRmtInf>Bestellung " + o.PaymentReference + "</AddtlRmtInf>"
			}
			if sum := w.process(bankFile(t, "chipmint-pf-remittance.xml", tc.old, repl)); sum.Confirmed != 1 {
				t.Fatalf("summary %+v", sum)
			}
			if got := w.ch.Order(t, o.ID); got.Status != txn.StatusPaid || got.ReceivedMinor != 150_000 {
				t.Fatalf("order %+v", got)
			}
		})
	}
}

// An entry whose transactions do not add up (the derived file of PostFinance amounts)
// is never a payment: each entry the reader marks with a problem is an exception naming
// it.
func TestEntriesWithAProblemAreExceptions(t *testing.T) {
	w := newWorld(t, ModeNotice)
	doc := bankFile(t, "chipmint-pf-amounts.xml")
	d, err := camt.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	problems := 0
	for _, n := range d.Notifications {
		for _, e := range n.Entries {
			if e.Problem != "" {
				problems++
			}
		}
	}
	if problems == 0 {
		t.Fatal("the fixture has no entry with a problem: the test would test nothing")
	}
	w.process(doc)
	recs, err := w.journal.Records(StatusException)
	if err != nil {
		t.Fatal(err)
	}
	withProblem := 0
	for _, r := range recs {
		if r.Entry.Problem != "" && r.Reason == r.Entry.Problem {
			withProblem++
		}
	}
	if withProblem != problems {
		t.Fatalf("%d entries with a problem, %d exceptions for them: %+v", problems, withProblem, recs)
	}
}

// The same bank reference reported again with another amount is never dropped as a
// duplicate: it is an exception naming both sights.
func TestSameReferenceWithAnotherAmountIsAnException(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	tr := w.pay(10_000, o.PaymentReference)
	doc := w.notifications()
	if sum := w.process(doc); sum.Confirmed != 1 {
		t.Fatalf("first sight: %+v", sum)
	}
	other := []byte(strings.ReplaceAll(string(doc), ">100.00<", ">90.00<"))
	if string(other) == string(doc) {
		t.Fatal("the notification has no amount of 100.00 to change")
	}
	sum := w.process(other)
	if sum.Exceptions != 1 || sum.Duplicates != 0 {
		t.Fatalf("second sight with another amount: %+v", sum)
	}
	recs, err := w.journal.Records(StatusException)
	if err != nil || len(recs) != 1 || !strings.Contains(recs[0].Reason, tr.UETR) ||
		!strings.Contains(recs[0].Reason, "100.00 EUR") || !strings.Contains(recs[0].Reason, "90.00 EUR") {
		t.Fatalf("exceptions %+v %v", recs, err)
	}
	if sum := w.process(other); sum.Duplicates != 1 || sum.Exceptions != 0 {
		t.Fatalf("the differing file again: %+v", sum)
	}
}

// The statement after the notifications reports the same bookings: a confirmed credit is
// reconciled, not listed for refund, and an exception is not listed twice.
func TestStatementAfterNotificationsIsReconciled(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	tr := w.pay(10_000, o.PaymentReference)
	w.pay(4_200, "invoice 1234")
	w.process(w.notifications())
	statement, err := w.bank.Statement(nodetest.Context(t), nodetest.OperatorIBAN, tr.BookedAt.UTC().Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	sum := w.process(statement)
	if sum.Confirmed != 0 || sum.Exceptions != 0 || sum.Duplicates < 2 {
		t.Fatalf("the statement after the notifications: %+v", sum)
	}
	if recs, _ := w.journal.Records(StatusException); len(recs) != 1 {
		t.Fatalf("exceptions: %+v, want the unmatched credit once", recs)
	}
}

// The sandbox bank's reversal of a credit and return of an outgoing payment, read from
// its camt.054 feed: the reversal is recorded on the chain, the return (carrying the
// order's reference, as a refund would) is an exception and pays nothing.
func TestSandboxBankReversalAndReturn(t *testing.T) {
	w := newWorld(t, ModeNotice)
	ctx := nodetest.Context(t)
	o := w.ch.Buy(t, nodetest.Key(1), "alice", 10_000)
	tr := w.pay(10_000, o.PaymentReference)
	w.pay(5_000, "a payment on account") // money for the refund below
	feed := func() Summary {
		t.Helper()
		sum, err := w.gw.Process(ctx, w.notifications(), "bank")
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if sum := feed(); sum.Confirmed != 1 || sum.Exceptions != 1 {
		t.Fatalf("the credits: %+v", sum)
	}
	if _, err := w.bank.Reverse(ctx, bank.ReverseRequest{Transfer: tr.UETR, Reason: "FR01"}); err != nil {
		t.Fatal(err)
	}
	if sum := feed(); sum.Reversals != 1 {
		t.Fatalf("the reversal: %+v", sum)
	}
	if got := w.ch.Order(t, o.ID); got.Status != txn.StatusReversed || got.ReversalReason != "FR01" {
		t.Fatalf("order %+v", got)
	}

	other := w.ch.Buy(t, nodetest.Key(2), "bob", 5_000)
	refund, err := w.bank.Pay(ctx, bank.TransferRequest{FromIBAN: nodetest.OperatorIBAN, ToIBAN: w.buyerIBAN, AmountMinor: 3_000,
		Currency: "EUR", Reference: other.PaymentReference})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.bank.Return(ctx, bank.ReturnRequest{Transfer: refund.ID, Reason: "AC04"}); err != nil {
		t.Fatal(err)
	}
	sum := feed()
	if sum.Confirmed != 0 || sum.Exceptions != 1 {
		t.Fatalf("the refund and its return: %+v", sum)
	}
	if got := w.ch.Order(t, other.ID); got.Status != txn.StatusAwaitingPayment {
		t.Fatalf("a returned payment carrying order %s's reference paid it: %+v", other.ID, got)
	}
}
