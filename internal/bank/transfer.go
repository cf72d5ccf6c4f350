package bank

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/fiat"
)

// Lengths of the free-text fields of a transfer (ISO 20022 Max140Text and Max35Text).
const (
	referenceCharsMax  = 140
	endToEndIDCharsMax = 35
	idempotencyKeyMax  = 255
)

// TransferRequest asks the bank to move money from one of its accounts to another. It
// names each account by its IBAN (FromIBAN, ToIBAN) or by its ID (From, To), as
// Account gives it: an account without an IBAN has only its ID.
type TransferRequest struct {
	FromIBAN    string `json:"from_iban,omitempty"`
	ToIBAN      string `json:"to_iban,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	AmountMinor uint64 `json:"amount_minor"`
	Currency    string `json:"currency"`
	// Reference is the remittance information: an ISO 11649 creditor reference ("RF..."),
	// which the credit entry carries as structured remittance, or else free text (1 to
	// 140 printable characters), carried as unstructured remittance.
	Reference string `json:"reference"`
	// EndToEndID is the payer's own reference, passed through; "NOTPROVIDED" when empty.
	EndToEndID string `json:"end_to_end_id,omitempty"`
	// IdempotencyKey, when set, makes a repeat of the same request return the transfer
	// booked the first time instead of booking it again. Over HTTP it is the
	// Idempotency-Key header.
	IdempotencyKey string `json:"-"`
}

// Types of a Transfer.
const (
	// TypeTransfer is a payment from one account to another, booked by Bank.Transfer.
	TypeTransfer = "transfer"
	// TypeReversal is the bank taking back a transfer's credit, booked by Bank.Reverse.
	TypeReversal = "reversal"
	// TypeReturn is a transfer coming back to its payer, booked by Bank.Return.
	TypeReturn = "return"
)

// Transfer is a booking that moves money between two accounts: a transfer, or the
// reversal or return of one. An account with an IBAN is named by it (FromIBAN, ToIBAN),
// one without by its ID (From, To). A reversal or return moves the original's amount from its
// payee (FromIBAN) back to its payer (ToIBAN) and has the original's UETR, reference
// and end-to-end id, but an id and an AcctSvcrRef of its own.
type Transfer struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`          // TypeTransfer, TypeReversal or TypeReturn
	UETR        string    `json:"uetr"`          // unique end-to-end transaction reference (UUID v4)
	AcctSvcrRef string    `json:"acct_svcr_ref"` // the bank's reference, "SBX" + sequence
	FromIBAN    string    `json:"from_iban,omitempty"`
	ToIBAN      string    `json:"to_iban,omitempty"`
	From        string    `json:"from,omitempty"`
	To          string    `json:"to,omitempty"`
	AmountMinor uint64    `json:"amount_minor"`
	Currency    string    `json:"currency"`
	Reference   string    `json:"reference"` // electronic form when structured
	EndToEndID  string    `json:"end_to_end_id"`
	BookedAt    time.Time `json:"booked_at"`
	// OriginalID and Reason are, for a reversal or a return, the id of the transfer it
	// undoes and its ISO 20022 reason code, such as "AC04".
	OriginalID string `json:"original_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// ReversedBy and ReturnedBy are, for a transfer, the id of the reversal or return
	// that undid it, once there is one.
	ReversedBy string `json:"reversed_by,omitempty"`
	ReturnedBy string `json:"returned_by,omitempty"`
}

// Transfer books a transfer between two accounts of the bank: a debit entry on the
// payer's account and a credit entry on the payee's, in one synced write.
func (b *Bank) Transfer(req TransferRequest) (Transfer, error) {
	t, _, err := b.transfer(req)
	return t, err
}

// transfer books req and reports whether it did; false means an idempotent repeat.
func (b *Bank) transfer(req TransferRequest) (Transfer, bool, error) {
	norm, structured, err := normaliseTransfer(req)
	if err != nil {
		return Transfer{}, false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return Transfer{}, false, errClosed
	}
	if t, ok, err := b.repeated(norm); ok || err != nil {
		return t, false, err
	}
	from, to, err := b.transferAccounts(norm)
	if err != nil {
		return Transfer{}, false, err
	}
	t, err := b.book(norm, structured, &from, &to)
	if err != nil {
		return Transfer{}, false, err
	}
	b.log.Info("transfer booked", "id", t.ID, "uetr", t.UETR, "acct_svcr_ref", t.AcctSvcrRef,
		"from", from.ID, "to", to.ID, "amount_minor", t.AmountMinor, "currency", t.Currency,
		"reference", t.Reference)
	return t, true, nil
}

// normaliseTransfer validates the shape of a request and returns it in canonical form
// (accounts with an IBAN named by it in electronic form, creditor reference in
// electronic form, end-to-end id filled in), reporting whether the reference is a
// structured creditor reference.
func normaliseTransfer(req TransferRequest) (TransferRequest, bool, error) {
	var err error
	if req.FromIBAN, req.From, err = normaliseAccount("from", req.FromIBAN, req.From); err != nil {
		return req, false, err
	}
	if req.ToIBAN, req.To, err = normaliseAccount("to", req.ToIBAN, req.To); err != nil {
		return req, false, err
	}
	switch {
	case req.FromIBAN+req.From == req.ToIBAN+req.To:
		return req, false, invalidf(accountField("to", req.ToIBAN), req.ToIBAN+req.To, "payer and payee are the same account")
	case req.AmountMinor == 0:
		return req, false, invalidf("amount_minor", "0", "must be positive")
	}
	if _, err := fiat.ParseCurrency(req.Currency); err != nil {
		return req, false, invalid("currency", req.Currency, err)
	}
	structured := false
	if ref, err := fiat.ParseCreditorReference(req.Reference); err == nil {
		req.Reference, structured = ref.String(), true
	} else if err := checkText("reference", req.Reference, referenceCharsMax); err != nil {
		return req, false, err
	}
	if req.EndToEndID == "" {
		req.EndToEndID = notProvided
	} else if err := checkText("end_to_end_id", req.EndToEndID, endToEndIDCharsMax); err != nil {
		return req, false, err
	}
	if len(req.IdempotencyKey) > idempotencyKeyMax {
		return req, false, invalidf("idempotency_key", req.IdempotencyKey, "%d bytes, at most %d allowed", len(req.IdempotencyKey), idempotencyKeyMax)
	}
	return req, structured, nil
}

// normaliseAccount reads how a request names one of its accounts, by IBAN or by ID
// (field is "from" or "to"): an IBAN, given either way, comes back as iban in
// electronic form, the ID of an account without one as id.
func normaliseAccount(field, ibanGiven, idGiven string) (iban, id string, err error) {
	switch {
	case ibanGiven != "" && idGiven != "":
		return "", "", invalidf(field, idGiven, "name the account by %s_iban or by %s, not both", field, field)
	case idGiven == "":
		e, err := fiat.ParseIBAN(ibanGiven)
		if err != nil {
			return "", "", invalid(field+"_iban", ibanGiven, err)
		}
		return e.String(), "", nil
	}
	id, err = accountID(field, idGiven)
	if err != nil || !strings.Contains(id, otherIDMark) {
		return id, "", err
	}
	return "", id, nil
}

// repeated looks up the request's idempotency key: the transfer it booked before, if the
// request is the same, or ErrIdempotencyConflict if it is not.
func (b *Bank) repeated(req TransferRequest) (Transfer, bool, error) {
	if req.IdempotencyKey == "" {
		return Transfer{}, false, nil
	}
	var rec idempotencyRecord
	ok, err := b.get(idempotencyKey(req.IdempotencyKey), &rec)
	if !ok || err != nil {
		return Transfer{}, false, err
	}
	key := req.IdempotencyKey
	req.IdempotencyKey = ""
	if rec.Request != req {
		return Transfer{}, false, fieldError("idempotency_key", key,
			fmt.Errorf("%w (transfer %s)", ErrIdempotencyConflict, rec.TransferID))
	}
	t, ok, err := b.transferRecord(rec.TransferID)
	if err == nil && !ok {
		err = fmt.Errorf("bank: idempotency key %q names missing transfer %s", key, rec.TransferID)
	}
	return t, err == nil, err
}

// transferAccounts loads both accounts and checks the transfer against them.
func (b *Bank) transferAccounts(req TransferRequest) (from, to accountRecord, err error) {
	if from, err = b.account(accountField("from", req.FromIBAN), req.FromIBAN+req.From); err != nil {
		return
	}
	if to, err = b.account(accountField("to", req.ToIBAN), req.ToIBAN+req.To); err != nil {
		return
	}
	switch {
	case req.Currency != from.Currency:
		err = fieldError("currency", req.Currency,
			fmt.Errorf("%w: the payer's account is in %s", ErrCurrencyMismatch, from.Currency))
	case to.Currency != from.Currency:
		err = fieldError(accountField("to", req.ToIBAN), to.ID,
			fmt.Errorf("%w: the payee's account is in %s, the payer's in %s", ErrCurrencyMismatch, to.Currency, from.Currency))
	case req.AmountMinor > from.BalanceMinor:
		err = fieldError("amount_minor", strconv.FormatUint(req.AmountMinor, 10),
			fmt.Errorf("%w: balance is %d", ErrInsufficientFunds, from.BalanceMinor))
	}
	return
}

// accountField is the request's field that named an account: field_iban when iban is
// set, else field.
func accountField(field, iban string) string {
	if iban != "" {
		return field + "_iban"
	}
	return field
}

// book writes the transfer: both balances, both entries, the transfer record, its UETR
// and idempotency key, and the sequences, in one synced batch.
func (b *Bank) book(req TransferRequest, structured bool, from, to *accountRecord) (Transfer, error) {
	ref, id, err := b.nextNumbers()
	if err != nil {
		return Transfer{}, err
	}
	t := Transfer{
		ID: transferID(id), Type: TypeTransfer, UETR: newUETR(), AcctSvcrRef: acctSvcrRef(ref),
		FromIBAN: req.FromIBAN, ToIBAN: req.ToIBAN, From: req.From, To: req.To, AmountMinor: req.AmountMinor,
		Currency: req.Currency, Reference: req.Reference, EndToEndID: req.EndToEndID,
		BookedAt: b.now(),
	}
	from.BalanceMinor -= t.AmountMinor
	to.BalanceMinor += t.AmountMinor // cannot overflow: opening balances, all money, are bounded (bookOpeningBalance)
	debit := transferEntry(t, camt.Debit, *from, *to, structured)
	credit := transferEntry(t, camt.Credit, *from, *to, structured)
	if err := checkWritable(from.Account, debit, credit); err != nil {
		return Transfer{}, err
	}
	w := b.newWrites()
	defer w.close()
	b.putEntry(w, from, debit, t.BookedAt)
	b.putEntry(w, to, credit, t.BookedAt)
	w.put(transferKey(t.ID), t)
	w.put(uetrKey(t.UETR), t.ID)
	if req.IdempotencyKey != "" {
		key := req.IdempotencyKey
		req.IdempotencyKey = ""
		w.put(idempotencyKey(key), idempotencyRecord{TransferID: t.ID, Request: req})
	}
	w.putCounter(counterRefs, ref)
	w.putCounter(counterTransfers, id)
	return t, w.commit()
}

// nextNumbers hands out the account servicer reference and the transfer id of the next
// booking between two accounts; the caller writes both counters with the booking.
func (b *Bank) nextNumbers() (ref, id uint64, err error) {
	if ref, err = b.counter(counterRefs); err != nil {
		return 0, 0, err
	}
	if id, err = b.counter(counterTransfers); err != nil {
		return 0, 0, err
	}
	return ref + 1, id + 1, nil
}

// transferID formats the id of the n-th transfer, reversal or return.
func transferID(n uint64) string { return fmt.Sprintf("T%012d", n) }

// checkWritable makes sure that package camt can write the entries, so that a booking
// can never leave an account whose notifications cannot be written. The request checks
// should already ensure it; this holds even if the two drift apart.
func checkWritable(acct Account, entries ...camt.Entry) error {
	n := camt.Notification{ID: "SBX-CHECK", Account: acct.camtAccount(), Currency: acct.Currency, Entries: entries}
	if _, err := camt.WriteNotification(n.ID, entries[0].BookingDate+"T00:00:00Z", n); err != nil {
		return fieldError("", "", fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	return nil
}

// putEntry appends an entry to an account and writes the account.
func (b *Bank) putEntry(w *writes, acct *accountRecord, e camt.Entry, bookedAt time.Time) {
	acct.LastSeq++
	w.put(entryKey(acct.ID, acct.LastSeq), entryRecord{
		Seq: acct.LastSeq, BookedAt: bookedAt.Format(time.RFC3339Nano),
		BalanceAfterMinor: acct.BalanceMinor, Entry: e,
	})
	w.put(accountKey(acct.ID), *acct)
}

// transferEntry is the entry of a transfer on the payer's (debit) or payee's (credit)
// account. Both carry the same references, parties and remittance information.
func transferEntry(t Transfer, cd camt.CreditDebit, from, to accountRecord, structured bool) camt.Entry {
	date := t.BookedAt.Format(time.DateOnly)
	e := camt.Entry{
		AmountMinor: t.AmountMinor, Currency: t.Currency, CreditDebit: cd,
		Status: camt.Booked, BookingDate: date, ValueDate: date,
		EntryRef: t.AcctSvcrRef + "-" + string(cd[0]), AcctSvcrRef: t.AcctSvcrRef,
		EndToEndID: t.EndToEndID, UETR: t.UETR,
		DebtorName: from.Holder, DebtorIBAN: from.IBAN, DebtorOther: from.otherAccount(),
		CreditorName: to.Holder, CreditorIBAN: to.IBAN, CreditorOther: to.otherAccount(),
	}
	if structured {
		e.CreditorReference = t.Reference
	} else {
		e.Unstructured = []string{t.Reference}
	}
	return e
}

// newUETR returns a random (version 4) UUID in lower case, as SWIFT's UETR is.
// crypto/rand.Read never fails (it panics if the system cannot give randomness).
func newUETR() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
