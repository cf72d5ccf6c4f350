package bank

import (
	"math"
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
	// IBAN, when set, is the account's IBAN; when it and OtherID are empty the bank
	// generates one.
	IBAN string `json:"iban,omitempty"`
	// OtherID, when set, opens an account without an IBAN, identified as at the banks
	// that use none (ISO 20022 Othr): OtherID under Scheme (a code such as BBAN, or a
	// proprietary scheme's name), optionally issued by Issuer. fiat.ParseOtherAccount
	// gives the rules and the canonical form.
	OtherID string `json:"other_id,omitempty"`
	Scheme  string `json:"scheme,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	// ClearingSystem and ClearingMember, optional, are the account's bank in a national
	// clearing system, such as CNAPS and 102100099996: the sandbox plays any bank.
	ClearingSystem string `json:"clearing_system,omitempty"`
	ClearingMember string `json:"clearing_member,omitempty"`
}

// Account is an account as the bank shows it to its customer.
type Account struct {
	// ID names the account in the API's paths and in transfers: its IBAN, or for an
	// account without one its canonical account string, such as
	// "6222021001000000001 (scheme BBAN)" (camt.Account's String).
	ID             string `json:"id"`
	IBAN           string `json:"iban,omitempty"` // electronic form
	OtherID        string `json:"other_id,omitempty"`
	Scheme         string `json:"scheme,omitempty"`
	Issuer         string `json:"issuer,omitempty"`
	BIC            string `json:"bic"`
	ClearingSystem string `json:"clearing_system,omitempty"`
	ClearingMember string `json:"clearing_member,omitempty"`
	Holder         string `json:"holder"`
	Currency       string `json:"currency"`
	BalanceMinor   uint64 `json:"balance_minor"`
}

// camtAccount is the account's identification as the bank's camt files write it.
func (a Account) camtAccount() camt.Account {
	return camt.Account{IBAN: a.IBAN, Other: a.OtherID, Scheme: a.Scheme, Issuer: a.Issuer}
}

// otherAccount is the account's other identification as a party of an entry, or nil
// for an account with an IBAN.
func (a Account) otherAccount() *camt.Account {
	if a.IBAN != "" {
		return nil
	}
	acct := a.camtAccount()
	return &acct
}

// OpenAccount opens an account and books its opening balance, if any, as a credit entry,
// so that the account's statements add up from the first day.
func (b *Bank) OpenAccount(req OpenAccountRequest) (Account, error) {
	acct, named, err := checkOpenAccount(req)
	if err != nil {
		return Account{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return Account{}, errClosed
	}
	no, err := b.newAccountNumber(&acct, named)
	if err != nil {
		return Account{}, err
	}
	now := b.now()
	acct.BIC = b.bic.String()
	rec := accountRecord{Account: acct, No: no, OpenedAt: now.Format(time.RFC3339Nano)}
	w := b.newWrites()
	defer w.close()
	if req.OpeningBalanceMinor > 0 {
		if err := b.bookOpeningBalance(w, &rec, req.OpeningBalanceMinor, now); err != nil {
			return Account{}, err
		}
	}
	w.put(accountKey(rec.ID), rec)
	w.putCounter(counterAccounts, no)
	if err := w.commit(); err != nil {
		return Account{}, err
	}
	b.log.Info("account opened", "account", rec.ID, "holder", rec.Holder,
		"currency", rec.Currency, "balance_minor", rec.BalanceMinor)
	return rec.Account, nil
}

// checkOpenAccount validates a request and returns the account it asks for, without
// its BIC, and the request's field that named it (iban or other_id), if one did: when
// none did, the bank generates an IBAN.
func checkOpenAccount(req OpenAccountRequest) (Account, string, error) {
	if err := checkText("holder", req.Holder, holderCharsMax); err != nil {
		return Account{}, "", err
	}
	if _, err := fiat.ParseCurrency(req.Currency); err != nil {
		return Account{}, "", invalid("currency", req.Currency, err)
	}
	acct := Account{Holder: req.Holder, Currency: req.Currency}
	if req.ClearingSystem != "" || req.ClearingMember != "" {
		c, err := fiat.MakeClearingMember(req.ClearingSystem, req.ClearingMember)
		if err != nil {
			return Account{}, "", invalidFiat(err)
		}
		acct.ClearingSystem, acct.ClearingMember = c.System, c.Member
	}
	other := req.OtherID != "" || req.Scheme != "" || req.Issuer != ""
	switch {
	case req.IBAN != "" && other:
		return Account{}, "", invalidf("other_id", req.OtherID, "an account has an IBAN or another identification, not both")
	case other:
		o, err := fiat.ParseOtherAccount(req.OtherID, req.Scheme, req.Issuer)
		if err != nil {
			return Account{}, "", invalidFiat(err)
		}
		acct.OtherID, acct.Scheme, acct.Issuer, acct.ID = o.ID, o.Scheme, o.Issuer, o.String()
		return acct, "other_id", nil
	case req.IBAN != "":
		iban, err := fiat.ParseIBAN(req.IBAN)
		if err != nil {
			return Account{}, "", invalid("iban", req.IBAN, err)
		}
		acct.IBAN, acct.ID = iban.String(), iban.String()
		return acct, "iban", nil
	}
	return acct, "", nil
}

// newAccountNumber hands out the next internal account number and, when the request
// named no account (named is empty), gives acct the generated IBAN of the number
// (skipping numbers whose IBAN a customer chose before). An account the request named,
// by its field named, must not be open yet.
func (b *Bank) newAccountNumber(acct *Account, named string) (uint64, error) {
	no, err := b.counter(counterAccounts)
	if err != nil {
		return 0, err
	}
	for {
		no++
		if named == "" {
			iban, err := b.generatedIBAN(no)
			if err != nil {
				return 0, err
			}
			acct.IBAN, acct.ID = iban.String(), iban.String()
		}
		var rec accountRecord
		exists, err := b.get(accountKey(acct.ID), &rec)
		switch {
		case err != nil:
			return 0, err
		case !exists:
			return no, nil
		case named != "":
			return 0, fieldError(named, acct.ID, ErrAccountExists)
		}
	}
}

// bookOpeningBalance credits an opening balance to a new account.
func (b *Bank) bookOpeningBalance(w *writes, rec *accountRecord, amountMinor uint64, now time.Time) error {
	ref, err := b.counter(counterRefs)
	if err != nil {
		return err
	}
	money, err := b.counter(counterMoney)
	if err != nil {
		return err
	}
	// All money enters by opening balances: bounding their sum bounds every balance,
	// which no transfer can then overflow.
	if amountMinor > math.MaxUint64-money {
		return invalidf("opening_balance_minor", strconv.FormatUint(amountMinor, 10),
			"the bank holds %d minor units already: this would pass the most it can count, %d", money, uint64(math.MaxUint64))
	}
	ref++
	date := now.Format(time.DateOnly)
	e := camt.Entry{
		AmountMinor: amountMinor, Currency: rec.Currency, CreditDebit: camt.Credit,
		Status: camt.Booked, BookingDate: date, ValueDate: date,
		EntryRef: acctSvcrRef(ref), AcctSvcrRef: acctSvcrRef(ref), EndToEndID: notProvided,
		CreditorName: rec.Holder, CreditorIBAN: rec.IBAN, CreditorOther: rec.otherAccount(),
		Unstructured: []string{openingRemittance},
	}
	if err := checkWritable(rec.Account, e); err != nil {
		return err
	}
	rec.BalanceMinor = amountMinor
	rec.LastSeq = 1
	w.put(entryKey(rec.ID, 1), entryRecord{
		Seq: 1, BookedAt: now.Format(time.RFC3339Nano), BalanceAfterMinor: amountMinor, Entry: e,
	})
	w.putCounter(counterRefs, ref)
	w.putCounter(counterMoney, money+amountMinor)
	return nil
}

// Account returns an account: by its IBAN (electronic or print form) or, for an
// account without one, by its ID, the canonical account string the bank gave it.
func (b *Bank) Account(account string) (Account, error) {
	id, err := accountID("iban", account)
	if err != nil {
		return Account{}, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return Account{}, errClosed
	}
	rec, err := b.account(idField("iban", id), id)
	return rec.Account, err
}

// otherIDMark is in the ID of every account without an IBAN, which always has a scheme,
// and in no IBAN.
const otherIDMark = " (scheme "

// accountID is the ID of the account that s names: an account string as the bank gives
// an account without an IBAN, or else an IBAN (electronic or print form), in electronic
// form. ibanField names s for the error when it is not an IBAN.
func accountID(ibanField, s string) (string, error) {
	if strings.Contains(s, otherIDMark) {
		return s, nil
	}
	iban, err := fiat.ParseIBAN(s)
	if err != nil {
		return "", invalid(ibanField, s, err)
	}
	return iban.String(), nil
}

// idField is the request field that named the account of id: ibanField when id is an
// IBAN, else "account".
func idField(ibanField, id string) string {
	if strings.Contains(id, otherIDMark) {
		return "account"
	}
	return ibanField
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
