package reserves

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/txn"
)

// chips is the chips n euros buy at the fixture's rate.
func chips(n uint64) uint64 { return n * rate.Chips }

var rate = txn.Rate{Chips: 100_000_000, Minor: 100}

const iban = "DE89370400440532013000"

// world is an operator's life that balances: two orders paid and issued (100.00 and
// 50.00 EUR), a redemption of 30 paid out, and a stray 7.00 EUR refunded. Its statement
// is what the bank booked for it.
type world struct {
	op         txn.Operator
	orders     []txn.Order
	refunds    []txn.Refund
	payouts    []txn.Redemption
	covers     []txn.Cover
	atHeight   map[string]txn.Order
	entries    []camt.Entry
	opening    int64
	closingAdj int64 // added to the closing balance the entries make
}

func newWorld() *world {
	return &world{
		op: txn.Operator{
			ID: "acme", Account: txn.BankAccount{IBAN: iban, BIC: "COBADEFFXXX", Holder: "Acme", Currency: "EUR"},
			Rate: rate, IssuedChips: chips(150), BurnedChips: chips(30),
		},
		orders: []txn.Order{
			issuedOrder("A", "CRED-A", 10000, 10),
			issuedOrder("B", "CRED-B", 5000, 20),
		},
		refunds: []txn.Refund{{Operator: "acme", BankReference: "CRED-X", AmountMinor: 700, Currency: "EUR", RefundReference: "DEB-X", Height: 50}},
		payouts: []txn.Redemption{{ID: "R", Operator: "acme", Chips: chips(30), AmountMinor: 3000, Currency: "EUR", Status: txn.RedemptionPaidOut,
			PayoutReference: "R", BankReference: "DEB-R", InitiatedHeight: 39, PaidHeight: 40}},
		atHeight: map[string]txn.Order{},
		entries: []camt.Entry{
			credit("CRED-A", 10000), credit("CRED-B", 5000), debit("DEB-R", 3000), credit("CRED-X", 700), debit("DEB-X", 700),
		},
	}
}

func issuedOrder(id, ref string, minor uint64, paid int64) txn.Order {
	return txn.Order{ID: id, Operator: "acme", AmountMinor: minor, Currency: "EUR", Status: txn.StatusIssued, ReceivedMinor: minor,
		BankReference: ref, Chips: chips(minor / 100), PaidHeight: paid, IssuedHeight: paid + 1}
}

func credit(ref string, minor uint64) camt.Entry {
	return camt.Entry{AmountMinor: minor, Currency: "EUR", CreditDebit: camt.Credit, Kind: camt.KindCredit, Status: camt.Booked,
		BookingDate: "2026-12-01", AcctSvcrRef: ref, EntryRef: ref}
}

func debit(ref string, minor uint64) camt.Entry {
	e := credit(ref, minor)
	e.CreditDebit, e.Kind = camt.Debit, camt.KindDebit
	return e
}

// statement is the world's statement as the bank writes it and a reader reads it back.
func (w *world) statement(t *testing.T) camt.Statement {
	t.Helper()
	closing := w.opening + w.closingAdj
	for _, e := range w.entries {
		closing = addSigned(closing, e.AmountMinor, e.CreditDebit)
	}
	s := camt.Statement{
		ID: "STM-1", From: "2026-12-01T00:00:00Z", To: "2026-12-01T23:59:59Z",
		Account: camt.Account{IBAN: iban}, Currency: "EUR",
		Balances: []camt.Balance{
			balanceOf("OPBD", w.opening), balanceOf("CLBD", closing),
		},
		Entries: w.entries,
	}
	doc, err := camt.WriteStatement("MSG-1", "2026-12-02T00:00:00Z", s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := camt.Parse(doc)
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return d.Statements[0]
}

func balanceOf(typ string, v int64) camt.Balance {
	b := camt.Balance{Type: typ, Currency: "EUR", CreditDebit: camt.Credit, Date: "2026-12-01"}
	if v < 0 {
		b.CreditDebit, v = camt.Debit, -v
	}
	b.AmountMinor = uint64(v)
	return b
}

func (w *world) check(t *testing.T) OperatorReport {
	t.Helper()
	r := Check(Input{
		ChainID: "test", Height: 100, BlockTime: time.Date(2026, 12, 1, 23, 59, 58, 0, time.UTC),
		StatementEnd: time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC),
		Operators: []OperatorInput{{
			Operator: w.op, Orders: w.orders, AtHeight: w.atHeight, Refunds: w.refunds, Payouts: w.payouts, Covers: w.covers,
			Statements: []camt.Statement{w.statement(t)},
		}},
	})
	if len(r.Operators) != 1 || r.Backed != r.Operators[0].Backed {
		t.Fatalf("report %+v", r)
	}
	return r.Operators[0]
}

// kinds lists the findings as "kind reference".
func kinds(or OperatorReport) []string {
	var out []string
	for _, f := range or.Findings {
		out = append(out, string(f.Kind)+" "+f.Reference)
	}
	slices.Sort(out)
	return out
}

func wantFindings(t *testing.T, or OperatorReport, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := kinds(or); !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q\n%+v", got, want, or.Findings)
	}
}

func TestBalancedOperatorIsBacked(t *testing.T) {
	or := newWorld().check(t)
	wantFindings(t, or)
	if !or.Backed || or.ClosingMinor != 12000 || or.OutstandingMinor != 12000 || or.LiabilitiesMinor != 12000 ||
		or.DifferenceMinor != 0 || or.Entries != 5 || or.OpenCreditsMinor != 0 || or.InTransitMinor != 0 {
		t.Errorf("report %+v", or)
	}
}

func TestCreditRemovedFromStatement(t *testing.T) {
	t.Run("balances left as they were", func(t *testing.T) {
		w := newWorld()
		w.entries = slices.Delete(w.entries, 1, 2)
		w.closingAdj = 5000
		or := w.check(t)
		wantFindings(t, or, "statement_error ", "missing_entry CRED-B")
		if or.Backed {
			t.Error("backed")
		}
	})
	t.Run("balances made to match", func(t *testing.T) {
		w := newWorld()
		w.entries = slices.Delete(w.entries, 1, 2)
		or := w.check(t)
		wantFindings(t, or, "missing_entry CRED-B")
		if or.Backed || or.DifferenceMinor != -5000 {
			t.Errorf("backed %v, difference %d", or.Backed, or.DifferenceMinor)
		}
	})
}

func TestLoweredClosingBalance(t *testing.T) {
	t.Run("alone", func(t *testing.T) {
		w := newWorld()
		w.closingAdj = -1
		or := w.check(t)
		wantFindings(t, or, "statement_error ")
		if or.Backed || or.DifferenceMinor != -1 || !strings.Contains(or.Findings[0].Reason, "does not add up") {
			t.Errorf("%+v", or)
		}
	})
	t.Run("with the opening balance", func(t *testing.T) {
		w := newWorld()
		w.opening = -1
		or := w.check(t)
		wantFindings(t, or)
		if or.Backed || or.DifferenceMinor != -1 {
			t.Errorf("backed %v with difference %d", or.Backed, or.DifferenceMinor)
		}
	})
}

func TestConfirmationTheBankNeverBooked(t *testing.T) {
	w := newWorld()
	w.orders = append(w.orders, issuedOrder("C", "FAKE-C", 700_000, 60))
	w.op.IssuedChips += chips(7000)
	or := w.check(t)
	wantFindings(t, or, "missing_entry FAKE-C")
	if or.Backed || or.DifferenceMinor != -700_000 {
		t.Errorf("backed %v, difference %d", or.Backed, or.DifferenceMinor)
	}
	if f := or.Findings[0]; f.Record != "order C" || f.Height != 60 || f.AmountMinor != 700_000 {
		t.Errorf("finding %+v", f)
	}
}

func TestPayoutMissingFromStatement(t *testing.T) {
	w := newWorld()
	w.entries = slices.DeleteFunc(w.entries, func(e camt.Entry) bool { return e.AcctSvcrRef == "DEB-R" })
	or := w.check(t)
	wantFindings(t, or, "missing_entry DEB-R")
	if or.Backed || or.DifferenceMinor != 3000 {
		t.Errorf("backed %v, difference %d", or.Backed, or.DifferenceMinor)
	}
}

// reversalOf is the bank taking back the credit ref: a debit flagged as a reversal,
// which carries the credit's reference.
func reversalOf(ref string, minor uint64) camt.Entry {
	e := debit(ref, minor)
	e.Reversal, e.Kind, e.EntryRef = true, camt.KindReversalOfCredit, "RVSL-"+ref
	return e
}

func TestReversal(t *testing.T) {
	t.Run("not recorded on the chain", func(t *testing.T) {
		w := newWorld()
		w.entries = append(w.entries, reversalOf("CRED-B", 5000))
		or := w.check(t)
		wantFindings(t, or, "unexplained_entry CRED-B")
		if or.Backed || or.DifferenceMinor != -5000 {
			t.Errorf("backed %v, difference %d", or.Backed, or.DifferenceMinor)
		}
	})
	t.Run("recorded: a shortfall", func(t *testing.T) {
		w := newWorld()
		w.entries = append(w.entries, reversalOf("CRED-B", 5000))
		w.orders[1].Status, w.orders[1].ReversedHeight = txn.StatusReversed, 70
		w.op.ShortfallChips = chips(50)
		or := w.check(t)
		wantFindings(t, or)
		if or.Backed || or.DifferenceMinor != -5000 || or.ShortfallMinor != 5000 {
			t.Errorf("backed %v, difference %d, shortfall %d", or.Backed, or.DifferenceMinor, or.ShortfallMinor)
		}
	})
	t.Run("recorded, and covered by the operator's own money", func(t *testing.T) {
		w := newWorld()
		w.entries = append(w.entries, reversalOf("CRED-B", 5000), credit("OWN-1", 5000))
		w.orders[1].Status, w.orders[1].ReversedHeight = txn.StatusReversed, 70
		w.covers = []txn.Cover{{Operator: "acme", BankReference: "OWN-1", AmountMinor: 5000, Currency: "EUR", Chips: chips(50), Height: 80}}
		or := w.check(t)
		wantFindings(t, or)
		if !or.Backed || or.DifferenceMinor != 0 || or.ShortfallMinor != 0 {
			t.Errorf("backed %v, difference %d, shortfall %d", or.Backed, or.DifferenceMinor, or.ShortfallMinor)
		}
	})
	t.Run("a cover the bank never booked", func(t *testing.T) {
		w := newWorld()
		w.entries = append(w.entries, reversalOf("CRED-B", 5000))
		w.orders[1].Status, w.orders[1].ReversedHeight = txn.StatusReversed, 70
		w.covers = []txn.Cover{{Operator: "acme", BankReference: "OWN-1", AmountMinor: 5000, Currency: "EUR", Chips: chips(50), Height: 80}}
		or := w.check(t)
		wantFindings(t, or, "missing_entry OWN-1")
		if or.Backed || or.DifferenceMinor != -5000 {
			t.Errorf("backed %v, difference %d", or.Backed, or.DifferenceMinor)
		}
	})
	t.Run("recorded on the chain, not on the statement", func(t *testing.T) {
		w := newWorld()
		w.orders[1].Status, w.orders[1].ReversedHeight = txn.StatusReversed, 70
		or := w.check(t)
		wantFindings(t, or, "missing_entry CRED-B")
	})
	t.Run("of a credit that confirmed nothing", func(t *testing.T) {
		w := newWorld()
		w.entries = append(w.entries, credit("STRAY", 900), reversalOf("STRAY", 900))
		or := w.check(t)
		wantFindings(t, or)
		if !or.Backed {
			t.Errorf("%+v", or)
		}
	})
}

func TestOpenCreditIsOwedAndUnexplained(t *testing.T) {
	w := newWorld()
	w.entries = append(w.entries, credit("STRAY", 900))
	or := w.check(t)
	wantFindings(t, or, "unexplained_entry STRAY")
	if or.Backed || or.OpenCreditsMinor != 900 || or.DifferenceMinor != 0 {
		t.Errorf("%+v", or)
	}
}

func TestAmountMismatch(t *testing.T) {
	w := newWorld()
	w.entries[0].AmountMinor = 9000
	or := w.check(t)
	wantFindings(t, or, "amount_mismatch CRED-A")
}

func TestInTransit(t *testing.T) {
	t.Run("a credit confirmed after the height", func(t *testing.T) {
		w := newWorld()
		o := issuedOrder("D", "CRED-D", 2000, 120)
		o.Status, o.IssuedHeight = txn.StatusPaid, 0
		w.orders = append(w.orders, o)
		w.entries = append(w.entries, credit("CRED-D", 2000))
		or := w.check(t)
		wantFindings(t, or)
		if !or.Backed || or.InTransitMinor != 2000 || or.DifferenceMinor != 0 {
			t.Errorf("%+v", or)
		}
	})
	t.Run("a payout booked, confirmed after the height", func(t *testing.T) {
		w := newWorld()
		w.payouts[0].PaidHeight = 130
		w.op.BurnedChips, w.op.EscrowChips = 0, chips(30)
		or := w.check(t)
		wantFindings(t, or)
		if !or.Backed || or.InTransitMinor != -3000 || or.EscrowMinor != 3000 || or.DifferenceMinor != 0 {
			t.Errorf("%+v", or)
		}
	})
	t.Run("a confirmation after the height whose credit the bank has not booked", func(t *testing.T) {
		w := newWorld()
		w.orders = append(w.orders, issuedOrder("E", "CRED-E", 2000, 120))
		or := w.check(t)
		wantFindings(t, or)
	})
}

func TestOwedMoneyAtTheHeight(t *testing.T) {
	w := newWorld()
	o := issuedOrder("F", "CRED-F", 1500, 30)
	o.AmountMinor, o.Chips, o.OwedMinor = 1000, chips(10), 500
	w.orders = append(w.orders, o)
	w.atHeight["F"] = o
	w.op.IssuedChips += chips(10)
	under := issuedOrder("U", "CRED-U", 400, 31)
	under.AmountMinor, under.Status, under.IssuedHeight, under.Chips = 1000, txn.StatusUnderpaid, 0, 0
	w.orders = append(w.orders, under)
	w.atHeight["U"] = under
	w.entries = append(w.entries, credit("CRED-F", 1500), credit("CRED-U", 400))
	or := w.check(t)
	wantFindings(t, or)
	if !or.Backed || or.OwedMinor != 900 || or.LiabilitiesMinor != 12000+1000+900 {
		t.Errorf("%+v", or)
	}
}

func TestStatementsFollowEachOther(t *testing.T) {
	w := newWorld()
	first := w.statement(t)
	second := first
	second.ID, second.From, second.To, second.Entries = "STM-2", "2026-12-02T00:00:00Z", "2026-12-02T23:59:59Z", nil
	second.Balances = []camt.Balance{balanceOf("OPBD", 11000), balanceOf("CLBD", 11000)}
	r := Check(Input{Height: 100, Operators: []OperatorInput{{Operator: w.op, Orders: w.orders, Refunds: w.refunds, Payouts: w.payouts,
		Statements: []camt.Statement{second, first}}}})
	or := r.Operators[0]
	wantFindings(t, or, "statement_error ")
	if !slices.Equal(or.Statements, []string{"STM-1", "STM-2"}) || or.ClosingMinor != 11000 || r.Backed {
		t.Errorf("%+v", or)
	}
}

func TestNoStatement(t *testing.T) {
	w := newWorld()
	r := Check(Input{Height: 100, Operators: []OperatorInput{{Operator: w.op}}})
	wantFindings(t, r.Operators[0], "no_statement ")
	if r.Backed {
		t.Error("backed without a statement")
	}
}

// A real bank's statement (the Finnish banks' camt.053 sample) of an account with
// nothing on the chain: its balances add up and every booked entry is unexplained.
func TestRealStatementOfAnAccountWithNothingOnChain(t *testing.T) {
	b, err := os.ReadFile("../camt/testdata/fi-camt053.001.02-sample.xml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := camt.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Statements[0]
	op := txn.Operator{ID: "fi", Account: txn.BankAccount{IBAN: s.Account.IBAN, Currency: "EUR"}, Rate: rate}
	r := Check(Input{Height: 1, Operators: []OperatorInput{{Operator: op, Statements: []camt.Statement{s}}}})
	or := r.Operators[0]
	var booked int
	for _, e := range s.Entries {
		if e.Status == camt.Booked {
			booked++
		}
	}
	got := kinds(or)
	if or.Backed || or.ClosingMinor != 2364483 || or.Entries != booked || booked == 0 {
		t.Errorf("%+v", or)
	}
	for _, k := range got {
		if !strings.HasPrefix(k, string(UnexplainedEntry)) {
			t.Errorf("finding %q: the sample's balances should add up", k)
		}
	}
	if len(got) != booked {
		t.Errorf("%d findings for %d booked entries: %q", len(got), booked, got)
	}
}

func TestMinorFor(t *testing.T) {
	for _, tc := range []struct {
		chips uint64
		rate  txn.Rate
		want  uint64
		ok    bool
	}{
		{chips(120), rate, 12000, true},
		{1, rate, 1, true}, // rounded up
		{rate.Chips + 1, rate, 101, true},
		{0, txn.Rate{}, 0, true},
		{1, txn.Rate{}, 0, false},
		{^uint64(0), txn.Rate{Chips: 1, Minor: 2}, ^uint64(0), false},
	} {
		if got, ok := minorFor(tc.chips, tc.rate); got != tc.want || ok != tc.ok {
			t.Errorf("minorFor(%d, %v) = %d %v, want %d %v", tc.chips, tc.rate, got, ok, tc.want, tc.ok)
		}
	}
}

// Several operators in several currencies in one report: each checked against its own
// account, in its own currency; one not backed makes the report not backed.
func TestOperatorsInSeveralCurrencies(t *testing.T) {
	euro := newWorld()
	chf := txn.Operator{ID: "alpen", Account: txn.BankAccount{IBAN: "CH9300762011623852957", BIC: "POFICHBEXXX", Holder: "Alpen", Currency: "CHF"},
		Rate: rate, IssuedChips: chips(50)}
	chfOrder := issuedOrder("H", "CHF-1", 5000, 12)
	chfOrder.Operator, chfOrder.Currency = "alpen", "CHF"
	chfStatement := func(closing uint64) camt.Statement {
		return camt.Statement{
			ID: "STM-CHF", From: "2026-12-01T00:00:00Z", To: "2026-12-01T23:59:59Z", Account: camt.Account{IBAN: chf.Account.IBAN}, Currency: "CHF",
			Balances: []camt.Balance{
				{Type: "OPBD", Currency: "CHF", CreditDebit: camt.Credit, Date: "2026-12-01"},
				{Type: "CLBD", AmountMinor: closing, Currency: "CHF", CreditDebit: camt.Credit, Date: "2026-12-01"},
			},
			Entries: []camt.Entry{{AmountMinor: 5000, Currency: "CHF", CreditDebit: camt.Credit, Kind: camt.KindCredit, Status: camt.Booked, AcctSvcrRef: "CHF-1"}},
		}
	}
	check := func(s camt.Statement) Report {
		return Check(Input{Height: 100, Operators: []OperatorInput{
			{Operator: chf, Orders: []txn.Order{chfOrder}, Statements: []camt.Statement{s}},
			{Operator: euro.op, Orders: euro.orders, Refunds: euro.refunds, Payouts: euro.payouts, Statements: []camt.Statement{euro.statement(t)}},
		}})
	}
	r := check(chfStatement(5000))
	if !r.Backed || len(r.Operators) != 2 || r.Operators[0].Operator != "acme" || r.Operators[1].Operator != "alpen" ||
		r.Operators[1].Currency != "CHF" || r.Operators[1].OutstandingMinor != 5000 {
		t.Fatalf("%+v", r)
	}
	wrongCurrency := chfStatement(5000)
	wrongCurrency.Balances[1].Currency = "EUR"
	if r := check(wrongCurrency); r.Backed || !r.Operators[0].Backed || len(r.Operators[1].Findings) != 1 ||
		!strings.Contains(r.Operators[1].Findings[0].Reason, "a CLBD balance in EUR; the operator's account is in CHF") {
		t.Fatalf("a balance in another currency: %+v", r.Operators[1])
	}
}
