package gateway

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// journalVersion is the version of the journal's stored records. A record without a
// version was written before versions, in version 1's fields. Version 2 adds what the
// bank file reader learned to tell: an entry's kind, its problem, the booked, instructed
// and charged amounts and every reference of its remittance. Version 3 adds whether the
// refund policy may refund an exception by itself. Version 4 adds the salt of a
// receipt's payer commitment; a record without one wrote no receipt, or wrote it
// before receipts committed to their payer.
const journalVersion = 4

// storedRecord is a Record as the journal stores it. It is the journal's own type, so
// that a change to the camt reader or to the admin API's JSON never changes what a
// journal on disk means; a new version adds a migration in decodeRecord.
type storedRecord struct {
	Version       int         `json:"v"`
	BankReference string      `json:"bank_reference"`
	Entry         storedEntry `json:"entry"`
	Source        string      `json:"source"`
	Status        string      `json:"status"`
	OrderID       string      `json:"order_id,omitempty"`
	Reason        string      `json:"reason,omitempty"`
	TxHash        string      `json:"tx_hash,omitempty"`
	Height        int64       `json:"height,omitempty"`
	Attempts      int         `json:"attempts"`
	AutoRefund    bool        `json:"auto_refund,omitempty"`
	PayerSalt     []byte      `json:"payer_salt,omitempty"`
	ReceivedAt    time.Time   `json:"received_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

// storedEntryV1 is the bank entry as versions 0 and 1 stored it. Its JSON is also what
// identifies an entry without a bank reference (journalKey), so it never changes.
type storedEntryV1 struct {
	AmountMinor       uint64   `json:"amount_minor"`
	Currency          string   `json:"currency"`
	CreditDebit       string   `json:"credit_debit"`
	Reversal          bool     `json:"reversal,omitempty"`
	Status            string   `json:"status"`
	BookingDate       string   `json:"booking_date,omitempty"`
	ValueDate         string   `json:"value_date,omitempty"`
	EntryRef          string   `json:"entry_ref,omitempty"`
	AcctSvcrRef       string   `json:"acct_svcr_ref,omitempty"`
	EndToEndID        string   `json:"end_to_end_id,omitempty"`
	UETR              string   `json:"uetr,omitempty"`
	DebtorName        string   `json:"debtor_name,omitempty"`
	DebtorIBAN        string   `json:"debtor_iban,omitempty"`
	CreditorName      string   `json:"creditor_name,omitempty"`
	CreditorIBAN      string   `json:"creditor_iban,omitempty"`
	CreditorReference string   `json:"creditor_reference,omitempty"`
	Unstructured      []string `json:"unstructured,omitempty"`
	ReturnReason      string   `json:"return_reason,omitempty"`
}

// storedEntry is the bank entry of a stored record: version 1's fields (flattened into
// the same JSON object) and those version 2 added, the parties' accounts without an
// IBAN among them (absent from the records written before they were read).
type storedEntry struct {
	storedEntryV1
	Kind                   string         `json:"kind,omitempty"`
	Problem                string         `json:"problem,omitempty"`
	TransactionAmountMinor uint64         `json:"transaction_amount_minor,omitempty"`
	InstructedAmountMinor  uint64         `json:"instructed_amount_minor,omitempty"`
	InstructedCurrency     string         `json:"instructed_currency,omitempty"`
	ChargesMinor           uint64         `json:"charges_minor,omitempty"`
	ChargesCurrency        string         `json:"charges_currency,omitempty"`
	References             []string       `json:"references,omitempty"`
	AdditionalRemittance   []string       `json:"additional_remittance,omitempty"`
	DebtorOther            *storedAccount `json:"debtor_other,omitempty"`
	CreditorOther          *storedAccount `json:"creditor_other,omitempty"`
}

// storedAccount is a party's account without an IBAN as the journal stores it.
type storedAccount struct {
	Other  string `json:"other"`
	Scheme string `json:"scheme,omitempty"`
	Issuer string `json:"issuer,omitempty"`
}

func storedAccountOf(a *camt.Account) *storedAccount {
	if a == nil {
		return nil
	}
	return &storedAccount{Other: a.Other, Scheme: a.Scheme, Issuer: a.Issuer}
}

func (a *storedAccount) account() *camt.Account {
	if a == nil {
		return nil
	}
	return &camt.Account{Other: a.Other, Scheme: a.Scheme, Issuer: a.Issuer}
}

func encodeRecord(r Record) ([]byte, error) {
	return json.Marshal(storedRecord{
		Version: journalVersion, BankReference: r.BankReference, Source: r.Source, Status: r.Status,
		OrderID: r.OrderID, Reason: r.Reason, TxHash: r.TxHash, Height: r.Height, Attempts: r.Attempts, AutoRefund: r.AutoRefund,
		PayerSalt: r.PayerSalt, ReceivedAt: r.ReceivedAt, UpdatedAt: r.UpdatedAt, Entry: storedEntryOf(r.Entry),
	})
}

// storedEntryV1Of is a bank entry in version 1's fields.
func storedEntryV1Of(e camt.Entry) storedEntryV1 {
	return storedEntryV1{
		AmountMinor: e.AmountMinor, Currency: e.Currency, CreditDebit: string(e.CreditDebit), Reversal: e.Reversal,
		Status: string(e.Status), BookingDate: e.BookingDate, ValueDate: e.ValueDate, EntryRef: e.EntryRef,
		AcctSvcrRef: e.AcctSvcrRef, EndToEndID: e.EndToEndID, UETR: e.UETR, DebtorName: e.DebtorName,
		DebtorIBAN: e.DebtorIBAN, CreditorName: e.CreditorName, CreditorIBAN: e.CreditorIBAN,
		CreditorReference: e.CreditorReference, Unstructured: e.Unstructured, ReturnReason: e.ReturnReason,
	}
}

// storedEntryOf is a bank entry in the journal's own form.
func storedEntryOf(e camt.Entry) storedEntry {
	return storedEntry{
		storedEntryV1: storedEntryV1Of(e), Kind: string(e.Kind), Problem: e.Problem,
		TransactionAmountMinor: e.TransactionAmountMinor, InstructedAmountMinor: e.InstructedAmountMinor,
		InstructedCurrency: e.InstructedCurrency, ChargesMinor: e.ChargesMinor, ChargesCurrency: e.ChargesCurrency,
		References: e.References, AdditionalRemittance: e.AdditionalRemittance,
		DebtorOther: storedAccountOf(e.DebtorOther), CreditorOther: storedAccountOf(e.CreditorOther),
	}
}

// decodeRecord reads a stored record of any version this gateway knows. A record of
// version 0 or 1 gets its entry's kind from what those versions kept (direction,
// reversal indicator, return reason), as the reader classified entries then, and its
// one structured reference as its references.
func decodeRecord(b []byte) (Record, error) {
	var s storedRecord
	if err := json.Unmarshal(b, &s); err != nil {
		return Record{}, err
	}
	if s.Version > journalVersion {
		return Record{}, fmt.Errorf("record version %d is newer than this gateway's %d: upgrade the gateway", s.Version, journalVersion)
	}
	e := s.Entry
	if s.Version < 2 {
		e.Kind = string(legacyKind(e.storedEntryV1))
		if e.CreditorReference != "" {
			e.References = []string{e.CreditorReference}
		}
	}
	return Record{
		BankReference: s.BankReference, Source: s.Source, Status: s.Status, OrderID: s.OrderID, Reason: s.Reason,
		TxHash: s.TxHash, Height: s.Height, Attempts: s.Attempts, AutoRefund: s.AutoRefund, PayerSalt: s.PayerSalt, ReceivedAt: s.ReceivedAt, UpdatedAt: s.UpdatedAt,
		Entry: camt.Entry{
			AmountMinor: e.AmountMinor, Currency: e.Currency, CreditDebit: camt.CreditDebit(e.CreditDebit), Reversal: e.Reversal,
			Kind: camt.Kind(e.Kind), Status: camt.Status(e.Status), Problem: e.Problem,
			TransactionAmountMinor: e.TransactionAmountMinor, InstructedAmountMinor: e.InstructedAmountMinor,
			InstructedCurrency: e.InstructedCurrency, ChargesMinor: e.ChargesMinor, ChargesCurrency: e.ChargesCurrency,
			BookingDate: e.BookingDate, ValueDate: e.ValueDate, EntryRef: e.EntryRef,
			AcctSvcrRef: e.AcctSvcrRef, EndToEndID: e.EndToEndID, UETR: e.UETR, DebtorName: e.DebtorName,
			DebtorIBAN: e.DebtorIBAN, DebtorOther: e.DebtorOther.account(), CreditorName: e.CreditorName,
			CreditorIBAN: e.CreditorIBAN, CreditorOther: e.CreditorOther.account(), CreditorReference: e.CreditorReference, References: e.References, Unstructured: e.Unstructured,
			AdditionalRemittance: e.AdditionalRemittance, ReturnReason: e.ReturnReason,
		},
	}, nil
}

// legacyKind is the kind of an entry that a journal of version 0 or 1 kept: then, a
// return was a credit with a return reason and a reversal any entry with the reversal
// indicator, read by the ISO rule.
func legacyKind(e storedEntryV1) camt.Kind {
	credit := camt.CreditDebit(e.CreditDebit) == camt.Credit
	switch {
	case e.Reversal && credit:
		return camt.KindReversalOfDebit
	case e.Reversal:
		return camt.KindReversalOfCredit
	case credit && e.ReturnReason != "":
		return camt.KindReturn
	case credit:
		return camt.KindCredit
	}
	return camt.KindDebit
}
