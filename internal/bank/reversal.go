package bank

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/fiat"
)

// reasonPattern is the shape of an ISO 20022 external reason code: four upper-case
// letters or digits.
var reasonPattern = regexp.MustCompile(`^[A-Z0-9]{4}$`)

// uuidPattern is the shape of a UETR in lower case.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// errNoTransfer reports a reversal or return request that names no transfer.
func errNoTransfer() error {
	return invalidf("transfer", "", "want the id or the UETR of a transfer")
}

// ReverseRequest asks the bank to take back the credit of a transfer it booked.
type ReverseRequest struct {
	// Transfer is the transfer's id ("T…") or UETR (any case). Over HTTP it is the
	// path's {id}.
	Transfer string `json:"-"`
	// Reason is an ISO 20022 reason code, four upper-case letters or digits, such as
	// AC04 (account closed), FR01 (fraud) or MD06 (refund requested by the payer).
	Reason string `json:"reason"`
}

// ReturnRequest asks the bank to book a transfer coming back to its payer because the
// payee's bank returned it.
type ReturnRequest struct {
	// Transfer is the transfer's id ("T…") or UETR (any case). Over HTTP it is the
	// path's {id}.
	Transfer string `json:"-"`
	// Reason is an ISO 20022 reason code, four upper-case letters or digits, such as
	// AC01 (account identifier incorrect) or AC04 (account closed).
	Reason string `json:"reason"`
}

// Reverse books the reversal of a transfer: the bank takes its credit back from the
// payee and gives the money back to the payer, in one synced write. The payee's debit
// and the payer's credit both have the reversal indicator, the reason as return
// information and the original's UETR, account servicer reference, end-to-end id and
// remittance information, so that they match the transfer's own entries; each has an
// entry reference of its own. A transfer is reversed or returned at most once
// (ErrAlreadyReversed, ErrAlreadyReturned), only a transfer can be (ErrInvalid), and
// never beyond the payee's balance (ErrInsufficientFunds).
func (b *Bank) Reverse(req ReverseRequest) (Transfer, error) {
	return b.undo(req.Transfer, req.Reason, TypeReversal)
}

// Return books the return of a transfer: the payee's bank sends it back, so the payee
// is debited and the payer credited, in one synced write, both entries without the
// reversal indicator and with the reason as return information, the original's
// references and remittance information, and the bank transaction code of a return.
// It is refused as Reverse is.
func (b *Bank) Return(req ReturnRequest) (Transfer, error) {
	return b.undo(req.Transfer, req.Reason, TypeReturn)
}

// undo books a reversal or a return (typ) of the transfer named by ref.
func (b *Bank) undo(ref, reason, typ string) (Transfer, error) {
	if !reasonPattern.MatchString(reason) {
		return Transfer{}, invalidf("reason", reason, "want an ISO 20022 reason code: four upper-case letters or digits, such as AC04")
	}
	if ref == "" {
		return Transfer{}, errNoTransfer()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return Transfer{}, errClosed
	}
	orig, err := b.original(ref)
	if err != nil {
		return Transfer{}, err
	}
	payer, err := b.account("transfer", orig.FromIBAN+orig.From)
	if err != nil {
		return Transfer{}, err
	}
	payee, err := b.account("transfer", orig.ToIBAN+orig.To)
	if err != nil {
		return Transfer{}, err
	}
	if orig.AmountMinor > payee.BalanceMinor {
		return Transfer{}, fieldError("transfer", ref, fmt.Errorf("%w: the payee's balance is %d, the %s takes %d",
			ErrInsufficientFunds, payee.BalanceMinor, typ, orig.AmountMinor))
	}
	u, err := b.bookUndo(orig, typ, reason, &payer, &payee)
	if err != nil {
		return Transfer{}, err
	}
	b.log.Info(typ+" booked", "id", u.ID, "original_id", orig.ID, "reason", u.Reason, "uetr", u.UETR,
		"acct_svcr_ref", u.AcctSvcrRef, "from", u.FromIBAN, "to", u.ToIBAN, "amount_minor", u.AmountMinor,
		"currency", u.Currency)
	return u, nil
}

// original finds the transfer that ref names and checks that it can be reversed or
// returned: a transfer, neither reversed nor returned yet.
func (b *Bank) original(ref string) (Transfer, error) {
	t, ok, err := b.findTransfer(ref)
	switch {
	case err != nil:
		return Transfer{}, err
	case !ok:
		return Transfer{}, fieldError("transfer", ref, ErrUnknownTransfer)
	case t.Type != TypeTransfer:
		return Transfer{}, invalidf("transfer", ref, "%s is a %s of %s: only a transfer can be reversed or returned", t.ID, t.Type, t.OriginalID)
	case t.ReversedBy != "":
		return Transfer{}, fieldError("transfer", ref, fmt.Errorf("%w by %s", ErrAlreadyReversed, t.ReversedBy))
	case t.ReturnedBy != "":
		return Transfer{}, fieldError("transfer", ref, fmt.Errorf("%w by %s", ErrAlreadyReturned, t.ReturnedBy))
	}
	return t, nil
}

// findTransfer reads the booking that ref names by its id or its UETR, and reports
// whether there is one. A UETR names the transfer, never its reversal or return.
func (b *Bank) findTransfer(ref string) (Transfer, bool, error) {
	uetr := strings.ToLower(ref)
	if !uuidPattern.MatchString(uetr) {
		return b.transferRecord(ref)
	}
	id, err := b.transferOfUETR(uetr)
	if id == "" || err != nil {
		return Transfer{}, false, err
	}
	return b.transferRecord(id)
}

// bookUndo writes a reversal or return of orig: both balances, both entries, the new
// booking's record, the original's record marked as undone, and the sequences, in one
// synced batch.
func (b *Bank) bookUndo(orig Transfer, typ, reason string, payer, payee *accountRecord) (Transfer, error) {
	ref, id, err := b.nextNumbers()
	if err != nil {
		return Transfer{}, err
	}
	u := Transfer{
		ID: transferID(id), Type: typ, UETR: orig.UETR, AcctSvcrRef: acctSvcrRef(ref),
		FromIBAN: orig.ToIBAN, ToIBAN: orig.FromIBAN, From: orig.To, To: orig.From, AmountMinor: orig.AmountMinor, Currency: orig.Currency,
		Reference: orig.Reference, EndToEndID: orig.EndToEndID, BookedAt: b.now(),
		OriginalID: orig.ID, Reason: reason,
	}
	payee.BalanceMinor -= u.AmountMinor
	payer.BalanceMinor += u.AmountMinor
	debit := undoEntry(u, orig, camt.Debit, *payer, *payee)
	credit := undoEntry(u, orig, camt.Credit, *payer, *payee)
	if err := checkWritable(payee.Account, debit, credit); err != nil {
		return Transfer{}, err
	}
	if typ == TypeReversal {
		orig.ReversedBy = u.ID
	} else {
		orig.ReturnedBy = u.ID
	}
	w := b.newWrites()
	defer w.close()
	b.putEntry(w, payee, debit, u.BookedAt)
	b.putEntry(w, payer, credit, u.BookedAt)
	w.put(transferKey(orig.ID), orig)
	w.put(transferKey(u.ID), u)
	w.putCounter(counterRefs, ref)
	w.putCounter(counterTransfers, id)
	return u, w.commit()
}

// undoEntry is the entry of the reversal or return u of orig on the account of orig's
// payee (a debit) or payer (a credit): orig's references, parties and remittance
// information, u's booking date and entry reference, and u's reason as return
// information, with the reversal indicator for a reversal.
func undoEntry(u, orig Transfer, cd camt.CreditDebit, payer, payee accountRecord) camt.Entry {
	_, err := fiat.ParseCreditorReference(orig.Reference)
	e := transferEntry(orig, cd, payer, payee, err == nil)
	date := u.BookedAt.Format(time.DateOnly)
	e.BookingDate, e.ValueDate = date, date
	e.EntryRef = u.AcctSvcrRef + "-" + string(cd[0])
	e.Reversal = u.Type == TypeReversal
	e.ReturnReason = u.Reason
	return e
}
