package reserves

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/txn"
)

// Input is what Check compares: the chain at one height and each operator's statements.
type Input struct {
	ChainID string
	// Height is the last block whose time is not after StatementEnd; BlockTime its time.
	Height       int64
	BlockTime    time.Time
	StatementEnd time.Time
	Operators    []OperatorInput
}

// OperatorInput is one operator as the chain has it and its bank's statements.
type OperatorInput struct {
	// Operator is the operator's record after the height.
	Operator txn.Operator
	// Since is the last height before the period of its first statement.
	Since int64
	// Orders are, as the chain has them now, every order that a credit of the operator
	// confirmed; AtHeight those of them whose money matters at the height
	// (NeedAtHeight), as they were then.
	Orders   []txn.Order
	AtHeight map[string]txn.Order
	// Refunds are the credits that confirmed no order and were refunded; Payouts the
	// redemptions whose payout the bank booked; Covers the operator's own money paid in
	// to back its shortfall; all as the chain has them now.
	Refunds []txn.Refund
	Payouts []txn.Redemption
	Covers  []txn.Cover
	// Statements are the camt.053 statements of the operator's account, in any order.
	Statements []camt.Statement
}

// NeedAtHeight reports whether Check needs order o as it was after height h: when it
// was confirmed by then, unless it was issued by then and owes nothing back, which
// leaves its money in the operator's chips alone.
func NeedAtHeight(o txn.Order, h int64) bool {
	if o.PaidHeight == 0 || o.PaidHeight > h {
		return false
	}
	issued := o.IssuedHeight > 0 && o.IssuedHeight <= h
	return !issued || o.OwedMinor > 0 || o.ReversedHeight > 0
}

// Check compares the chain with the statements and reports, per operator, the figures,
// everything unexplained, and whether its chips are backed.
func Check(in Input) Report {
	r := Report{
		Format: Format, ChainID: in.ChainID, Height: in.Height,
		BlockTime: in.BlockTime.UTC().Format(time.RFC3339Nano), StatementEnd: in.StatementEnd.UTC().Format(time.RFC3339Nano),
		Backed: true,
	}
	ops := slices.Clone(in.Operators)
	slices.SortFunc(ops, func(a, b OperatorInput) int { return cmp.Compare(a.Operator.ID, b.Operator.ID) })
	for _, op := range ops {
		or := checkOperator(op, in.Height)
		r.Backed = r.Backed && or.Backed
		r.Operators = append(r.Operators, or)
	}
	return r
}

// Direction of a booking the chain expects, and the reversal of a credit, which a bank
// gives the references of the credit it takes back.
const (
	dirCredit   = "credit"
	dirDebit    = "debit"
	dirReturn   = "return"
	dirReversal = "reversal"
)

// booking is an entry the chain's records say the bank booked.
type booking struct {
	dir    string
	ref    string // upper case, as the chain keys it
	amount uint64
	height int64 // when the chain recorded it
	record string
	// transit is what the booking adds to the liabilities when the chain recorded it
	// after the report's height, its entry being in the statements already.
	transit int64
	matched bool
}

// entry is a booked entry of a statement, and whether something explained it.
type entry struct {
	camt.Entry
	statement string
	explained bool
}

// tally adds up an operator's money as the check goes.
type tally struct {
	or       *OperatorReport
	findings []Finding
}

func (t *tally) find(f Finding) { t.findings = append(t.findings, f) }

func checkOperator(op OperatorInput, height int64) OperatorReport {
	o := op.Operator
	acct := o.PaymentAccount()
	or := OperatorReport{
		Operator: o.ID, Currency: acct.Currency, Account: acct.Identification(), Since: op.Since, Rate: o.Rate,
		OutstandingChips: o.OutstandingChips(), EscrowChips: o.EscrowChips, ShortfallChips: o.ShortfallChips, PaidChips: o.PaidChips,
		Statements: []string{}, Findings: []Finding{},
	}
	t := &tally{or: &or}
	entries := t.statements(op.Statements, acct.Currency)
	or.Entries = len(entries)
	expected := expectedBookings(op)
	t.match(entries, expected, height)
	for _, b := range expected {
		if !b.matched && b.height > op.Since && b.height <= height {
			t.find(Finding{Kind: MissingEntry, Reference: b.ref, AmountMinor: b.amount, Record: b.record, Height: b.height,
				Reason: fmt.Sprintf("the chain recorded the %s of %s at height %d; no statement holds it", b.dir, b.record, b.height)})
		}
	}
	t.figures(op, height)
	or.Findings = t.findings
	or.Backed = or.DifferenceMinor >= 0 && len(or.Findings) == 0
	return or
}

// statements checks that each statement adds up and that they follow each other, sets
// the closing balance, and returns their booked entries.
func (t *tally) statements(stmts []camt.Statement, currency string) []*entry {
	if len(stmts) == 0 {
		t.find(Finding{Kind: NoStatement, Reason: "no statement of the operator's account " + t.or.Account})
		return nil
	}
	stmts = slices.Clone(stmts)
	slices.SortStableFunc(stmts, func(a, b camt.Statement) int { return cmp.Compare(statementEnd(a), statementEnd(b)) })
	var entries []*entry
	var prevClosing *int64
	for _, s := range stmts {
		t.or.Statements = append(t.or.Statements, s.ID)
		opening, hasOpening := balance(s, "OPBD")
		closing, hasClosing := balance(s, "CLBD")
		for _, b := range s.Balances {
			if b.Currency != currency {
				t.find(Finding{Kind: StatementError, Statement: s.ID, Reason: fmt.Sprintf("a %s balance in %s; the operator's account is in %s", b.Type, b.Currency, currency)})
			}
		}
		var moved int64
		for _, e := range s.Entries {
			if e.Status != camt.Booked {
				continue
			}
			entries = append(entries, &entry{Entry: e, statement: s.ID})
			moved = addSigned(moved, e.AmountMinor, e.CreditDebit)
		}
		switch {
		case !hasClosing:
			t.find(Finding{Kind: StatementError, Statement: s.ID, Reason: "no closing booked balance (CLBD)"})
		case hasOpening && opening+moved != closing:
			t.find(Finding{Kind: StatementError, Statement: s.ID, Reason: fmt.Sprintf(
				"does not add up: opening %d and the booked entries %+d make %d, the closing balance is %d", opening, moved, opening+moved, closing)})
		}
		if prevClosing != nil && hasOpening && opening != *prevClosing {
			t.find(Finding{Kind: StatementError, Statement: s.ID, Reason: fmt.Sprintf(
				"opens at %d where the statement before closed at %d: statements missing or overlapping", opening, *prevClosing)})
		}
		if hasClosing {
			c := closing
			prevClosing = &c
			t.or.ClosingMinor = closing
		}
	}
	return entries
}

// statementEnd orders statements: by the end of their period, else by their closing
// balance's date.
func statementEnd(s camt.Statement) string {
	if s.To != "" {
		return s.To
	}
	for _, b := range s.Balances {
		if b.Type == "CLBD" {
			return b.Date + "T23:59:59.999999999Z"
		}
	}
	return ""
}

// balance is the statement's first balance of type typ, signed.
func balance(s camt.Statement, typ string) (int64, bool) {
	for _, b := range s.Balances {
		if b.Type == typ {
			return addSigned(0, b.AmountMinor, b.CreditDebit), true
		}
	}
	return 0, false
}

// addSigned adds a credit's amount to v or takes a debit's away, saturating: a bank's
// amounts are bounded far below, and a file claiming more must not wrap around.
func addSigned(v int64, amount uint64, cd camt.CreditDebit) int64 {
	a := int64(min(amount, math.MaxInt64/2))
	if cd == camt.Debit {
		a = -a
	}
	return max(min(v+a, math.MaxInt64/2), math.MinInt64/2)
}

// expectedBookings are the bookings the chain's records of the operator say its bank
// made.
func expectedBookings(op OperatorInput) []*booking {
	var out []*booking
	add := func(dir, ref string, amount uint64, height int64, record string, transit int64) {
		out = append(out, &booking{dir: dir, ref: strings.ToUpper(ref), amount: amount, height: height, record: record, transit: transit})
	}
	for _, o := range op.Orders {
		rec := "order " + o.ID
		add(dirCredit, o.BankReference, o.ReceivedMinor, o.PaidHeight, rec, signed(o.ReceivedMinor))
		if o.RefundedHeight > 0 {
			add(dirDebit, o.RefundReference, o.OwedMinor, o.RefundedHeight, "refund of "+rec, -signed(o.OwedMinor))
		}
		if o.ReversedHeight > 0 {
			add(dirReversal, o.BankReference, o.ReceivedMinor, o.ReversedHeight, "reversal of "+rec, 0)
		}
	}
	for _, f := range op.Refunds {
		rec := "credit " + f.BankReference + " (confirmed no order)"
		add(dirCredit, f.BankReference, f.AmountMinor, f.Height, rec, signed(f.AmountMinor))
		add(dirDebit, f.RefundReference, f.AmountMinor, f.Height, "refund of "+rec, -signed(f.AmountMinor))
	}
	for _, c := range op.Covers {
		// Money that backs chips already counted: nothing owed, nothing in transit.
		add(dirCredit, c.BankReference, c.AmountMinor, c.Height, "cover of "+op.Operator.ID+"'s shortfall", 0)
	}
	for _, red := range op.Payouts {
		rec := "redemption " + red.ID
		add(dirDebit, red.BankReference, red.AmountMinor, red.PaidHeight, "payout of "+rec, -signed(red.AmountMinor))
		if returnedAfterBooking(red) {
			add(dirReturn, red.ReturnReference, red.AmountMinor, red.ClosedHeight, "return of the payout of "+rec, signed(red.AmountMinor))
		}
	}
	return out
}

// returnedAfterBooking reports whether a redemption's booked payout came back to the
// operator's account: a return booked apart from the payout.
func returnedAfterBooking(red txn.Redemption) bool {
	return red.PaidHeight > 0 && red.ReturnReference != "" && !strings.EqualFold(red.ReturnReference, red.PayoutReference) &&
		(red.Status == txn.RedemptionReturned || red.Status == txn.RedemptionRestored)
}

// signed is v as an int64, capped at an eighth of the range so that the few sums of the
// liabilities cannot wrap around.
func signed(v uint64) int64 { return int64(min(v, math.MaxInt64/8)) }

// match explains each entry by the booking of the chain with its direction and
// reference, each booking once; a reversal of a credit that no order recorded may
// still be explained by the credit it takes back, when that credit confirmed nothing.
func (t *tally) match(entries []*entry, expected []*booking, height int64) {
	byKey := make(map[string]*booking, len(expected))
	for _, b := range expected {
		if k := b.dir + "\x00" + b.ref; byKey[k] == nil {
			byKey[k] = b
		}
	}
	var reversals []*entry
	for _, e := range entries {
		switch e.Kind {
		case camt.KindCredit:
			t.explain(e, byKey[dirCredit+"\x00"+strings.ToUpper(e.BankReference())], height)
		case camt.KindDebit:
			t.explain(e, byKey[dirDebit+"\x00"+strings.ToUpper(e.BankReference())], height)
		case camt.KindReturn:
			t.explain(e, byKey[dirReturn+"\x00"+strings.ToUpper(e.BankReference())], height)
		case camt.KindReversalOfCredit:
			for _, ref := range reversalRefs(e.Entry) {
				if b := byKey[dirReversal+"\x00"+ref]; b != nil && !b.matched {
					t.explain(e, b, height)
					break
				}
			}
			if !e.explained {
				reversals = append(reversals, e)
			}
		}
	}
	// A reversal of a credit that confirmed nothing: the two cancel out.
	credits := map[string]*entry{}
	for _, e := range entries {
		if e.Kind == camt.KindCredit && !e.explained {
			credits[strings.ToUpper(e.BankReference())] = e
		}
	}
	for _, rev := range reversals {
		for _, ref := range reversalRefs(rev.Entry) {
			if c := credits[ref]; c != nil && !c.explained && c.AmountMinor == rev.AmountMinor {
				c.explained, rev.explained = true, true
				break
			}
		}
	}
	for _, e := range entries {
		if e.explained {
			continue
		}
		if e.Kind == camt.KindCredit {
			t.or.OpenCreditsMinor = addCapped(t.or.OpenCreditsMinor, e.AmountMinor)
		}
		t.find(Finding{Kind: UnexplainedEntry, Reference: e.BankReference(), AmountMinor: e.AmountMinor, CreditDebit: string(e.CreditDebit),
			BookingDate: e.BookingDate, Statement: e.statement, Reason: unexplainedReason(e.Entry)})
	}
}

// explain marks entry e explained by booking b, if b is there, not used yet and of the
// same amount.
func (t *tally) explain(e *entry, b *booking, height int64) {
	switch {
	case b == nil:
		return
	case b.matched:
		t.find(Finding{Kind: UnexplainedEntry, Reference: e.BankReference(), AmountMinor: e.AmountMinor, CreditDebit: string(e.CreditDebit),
			BookingDate: e.BookingDate, Statement: e.statement, Record: b.record, Height: b.height,
			Reason: "a second entry with the reference of " + b.record})
		e.explained = true
		return
	case b.amount != e.AmountMinor:
		t.find(Finding{Kind: AmountMismatch, Reference: e.BankReference(), AmountMinor: e.AmountMinor, CreditDebit: string(e.CreditDebit),
			BookingDate: e.BookingDate, Statement: e.statement, Record: b.record, Height: b.height,
			Reason: fmt.Sprintf("booked %d; the chain recorded %d for the %s of %s", e.AmountMinor, b.amount, b.dir, b.record)})
	}
	b.matched, e.explained = true, true
	if b.height > height {
		t.or.InTransitMinor += b.transit
	}
}

// reversalRefs are the references a reversal gives of the credit it takes back, upper
// case: its UETR, its transaction's and its entry's servicer references.
func reversalRefs(e camt.Entry) []string {
	var out []string
	for _, ref := range []string{e.UETR, e.AcctSvcrRef, e.EntryRef} {
		if ref != "" {
			out = append(out, strings.ToUpper(ref))
		}
	}
	return out
}

func unexplainedReason(e camt.Entry) string {
	switch e.Kind {
	case camt.KindCredit:
		return "a credit that confirmed no order and was not refunded: money owed to its payer"
	case camt.KindDebit:
		return "a debit that is no recorded payout or refund: money left the account"
	case camt.KindReturn:
		return "a returned payment that is no recorded return of a payout"
	case camt.KindReversalOfCredit:
		return "a reversal of a credit that the chain has not recorded"
	}
	return "a reversal of a debit: check it by hand"
}

// figures values the operator's chips and money at the height and sets the
// liabilities and the difference.
func (t *tally) figures(op OperatorInput, height int64) {
	or := t.or
	var overflow bool
	value := func(chips uint64) uint64 {
		m, ok := minorFor(chips, or.Rate)
		overflow = overflow || !ok
		return m
	}
	or.OutstandingMinor = value(or.OutstandingChips)
	or.EscrowMinor = value(or.EscrowChips)
	or.ShortfallMinor = value(or.ShortfallChips)
	or.PaidMinor = value(or.PaidChips)
	if overflow {
		t.find(Finding{Kind: StatementError, Reason: fmt.Sprintf("chips outstanding at rate %d/%d exceed what 64 bits count", or.Rate.Chips, or.Rate.Minor)})
	}
	for _, o := range op.AtHeight {
		if o.Status == txn.StatusUnderpaid {
			or.OwedMinor = addCapped(or.OwedMinor, o.ReceivedMinor)
		}
		if o.OwedMinor > 0 && o.RefundedHeight == 0 {
			or.OwedMinor = addCapped(or.OwedMinor, o.OwedMinor)
		}
	}
	for _, red := range op.Payouts {
		if returnedAfterBooking(red) && red.ClosedHeight <= height && (red.RestoredHeight == 0 || red.RestoredHeight > height) {
			or.OwedMinor = addCapped(or.OwedMinor, red.AmountMinor)
		}
	}
	liabilities := signed(or.OutstandingMinor) + signed(or.PaidMinor) + signed(or.OwedMinor) + signed(or.OpenCreditsMinor) + or.InTransitMinor
	or.LiabilitiesMinor = uint64(max(liabilities, 0))
	or.DifferenceMinor = or.ClosingMinor - signed(or.LiabilitiesMinor)
}

// minorFor is the money chips stand for at rate, rounded up; false if it does not fit
// in 64 bits.
func minorFor(chips uint64, rate txn.Rate) (uint64, bool) {
	if rate.Chips == 0 {
		return 0, chips == 0
	}
	hi, lo := bits.Mul64(chips, rate.Minor)
	if hi >= rate.Chips {
		return math.MaxUint64, false
	}
	q, rem := bits.Div64(hi, lo, rate.Chips)
	if rem > 0 {
		if q == math.MaxUint64 {
			return q, false
		}
		q++
	}
	return q, true
}

func addCapped(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return s
}
