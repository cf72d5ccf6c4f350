package bank

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/fiat"
)

// holderCharsMax is the longest account holder name (ISO 20022 Max70Text).
const holderCharsMax = 70

// openingRemittance is the remittance information of an opening balance's credit entry.
const openingRemittance = "opening balance"

// OpenAccountRequest asks for a new account.
type OpenAccountRequest struct {
	Holder              string `json:"holder"`   // 1 to 70 printable characters
	Currency            string `json:"currency"` // ISO 4217, e.g. "EUR"
	OpeningBalanceMinor uint64 `json:"opening_balance_minor"`
	// IBAN, when set, is the account's IBAN; when empty the bank generates one.
	IBAN string `json:"iban,omitempty"`
}

// Account is an account as the bank shows it to its customer.
type Account struct {
	IBAN         string `json:"iban"` // electronic form
	BIC          string `json:"bic"`
	Holder       string `json:"holder"`
	Currency     string `json:"currency"`
	BalanceMinor uint64 `json:"balance_minor"`
}

// OpenAccount opens an account and books its opening balance, if any, as a credit entry,
// so that the account's statements add up from the first day.
func (b *Bank) OpenAccount(req OpenAccountRequest) (Account, error) {
	given, err := checkOpenAccount(req)
	if err != nil {
		return Account{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return Account{}, errClosed
	}
	no, iban, err := b.newAccountNumber(given)
	if err != nil {
		return Account{}, err
	}
	now := b.now()
	rec := accountRecord{
		Account:  Account{IBAN: iban.String(), BIC: b.bic.String(), Holder: req.Holder, Currency: req.Currency},
		No:       no,
		OpenedAt: now.Format(time.RFC3339Nano),
	}
	w := b.newWrites()
	defer w.close()
	if req.OpeningBalanceMinor > 0 {
		if err := b.bookOpeningBalance(w, &rec, req.OpeningBalanceMinor, now); err != nil {
			return Account{}, err
		}
	}
	w.put(accountKey(rec.IBAN), rec)
	w.putCounter(counterAccounts, no)
	if err := w.commit(); err != nil {
		return Account{}, err
	}
	b.log.Info("account opened", "iban", rec.IBAN, "holder", rec.Holder,
		"currency", rec.Currency, "balance_minor", rec.BalanceMinor)
	return rec.Account, nil
}

// checkOpenAccount validates a request and returns its IBAN, if it gives one.
func checkOpenAccount(req OpenAccountRequest) (fiat.IBAN, error) {
	if err := checkText("holder", req.Holder, holderCharsMax); err != nil {
		return "", err
	}
	if _, err := fiat.ParseCurrency(req.Currency); err != nil {
		return "", invalid("currency", req.Currency, err)
	}
	if req.IBAN == "" {
		return "", nil
	}
	iban, err := fiat.ParseIBAN(req.IBAN)
	if err != nil {
		return "", invalid("iban", req.IBAN, err)
	}
	return iban, nil
}

// newAccountNumber hands out the next internal account number and the account's IBAN:
// given, if not already open, or else the generated IBAN of the number (skipping numbers
// whose IBAN a customer chose before).
func (b *Bank) newAccountNumber(given fiat.IBAN) (uint64, fiat.IBAN, error) {
	no, err := b.counter(counterAccounts)
	if err != nil {
		return 0, "", err
	}
	for {
		no++
		iban := given
		if iban == "" {
			if iban, err = b.generatedIBAN(no); err != nil {
				return 0, "", err
			}
		}
		var rec accountRecord
		exists, err := b.get(accountKey(iban.String()), &rec)
		switch {
		case err != nil:
			return 0, "", err
		case !exists:
			return no, iban, nil
		case given != "":
			return 0, "", fieldError("iban", given.String(), ErrAccountExists)
		}
	}
}

// bookOpeningBalance credits an opening balance to a new account.
func (b *Bank) bookOpeningBalance(w *writes, rec *accountRecord, amountMinor uint64, now time.Time) error {
	ref, err := b.counter(counterRefs)
	if err != nil {
		return err
	}
	ref++
	date := now.Format(time.DateOnly)
	e := camt.Entry{
		AmountMinor: amountMinor, Currency: rec.Currency, CreditDebit: camt.Credit,
		Status: camt.Booked, BookingDate: date, ValueDate: date,
		EntryRef: acctSvcrRef(ref), AcctSvcrRef: acctSvcrRef(ref), EndToEndID: notProvided,
		CreditorName: rec.Holder, CreditorIBAN: rec.IBAN,
		Unstructured: []string{openingRemittance},
	}
	if err := checkWritable(rec.IBAN, rec.Currency, e); err != nil {
		return err
	}
	rec.BalanceMinor = amountMinor
	rec.LastSeq = 1
	w.put(entryKey(rec.IBAN, 1), entryRecord{
		Seq: 1, BookedAt: now.Format(time.RFC3339Nano), BalanceAfterMinor: amountMinor, Entry: e,
	})
	w.putCounter(counterRefs, ref)
	return nil
}

// Account returns the account of an IBAN (electronic or print form).
func (b *Bank) Account(iban string) (Account, error) {
	e, err := fiat.ParseIBAN(iban)
	if err != nil {
		return Account{}, invalid("iban", iban, err)
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return Account{}, errClosed
	}
	rec, err := b.account("iban", e.String())
	return rec.Account, err
}

// checkText validates free text as ISO 20022 carries it: 1 to charsMax printable
// characters, without leading or trailing white space.
func checkText(field, s string, charsMax int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return invalidf(field, s, "not valid UTF-8")
	case strings.TrimSpace(s) == "":
		return invalidf(field, s, "must not be empty")
	case strings.TrimSpace(s) != s:
		return invalidf(field, s, "leading or trailing white space")
	case n > charsMax:
		return invalidf(field, s, "%d characters, at most %d allowed", n, charsMax)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return invalidf(field, s, "character %q is not printable", r)
		}
	}
	return nil
}

// notProvided is the ISO 20022 placeholder for an end-to-end id the payer did not give.
const notProvided = "NOTPROVIDED"

// acctSvcrRef formats the bank's reference of its n-th booking.
func acctSvcrRef(n uint64) string {
	s := strconv.FormatUint(n, 10)
	return "SBX" + strings.Repeat("0", max(0, 12-len(s))) + s
}
