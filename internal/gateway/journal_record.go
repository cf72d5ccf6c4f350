package gateway

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// journalVersion is the version of the journal's stored records. Version 1 is the first
// to say so; a record without a version was written before, in the same fields.
const journalVersion = 1

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
	ReceivedAt    time.Time   `json:"received_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

// storedEntry is the bank entry of a stored record.
type storedEntry struct {
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

func encodeRecord(r Record) ([]byte, error) {
	return json.Marshal(storedRecord{
		Version: journalVersion, BankReference: r.BankReference, Source: r.Source, Status: r.Status,
		OrderID: r.OrderID, Reason: r.Reason, TxHash: r.TxHash, Height: r.Height, Attempts: r.Attempts,
		ReceivedAt: r.ReceivedAt, UpdatedAt: r.UpdatedAt, Entry: storedEntryOf(r.Entry),
	})
}

// storedEntryOf is a bank entry in the journal's own form.
func storedEntryOf(e camt.Entry) storedEntry {
	return storedEntry{
		AmountMinor: e.AmountMinor, Currency: e.Currency, CreditDebit: string(e.CreditDebit), Reversal: e.Reversal,
		Status: string(e.Status), BookingDate: e.BookingDate, ValueDate: e.ValueDate, EntryRef: e.EntryRef,
		AcctSvcrRef: e.AcctSvcrRef, EndToEndID: e.EndToEndID, UETR: e.UETR, DebtorName: e.DebtorName,
		DebtorIBAN: e.DebtorIBAN, CreditorName: e.CreditorName, CreditorIBAN: e.CreditorIBAN,
		CreditorReference: e.CreditorReference, Unstructured: e.Unstructured, ReturnReason: e.ReturnReason,
	}
}

// decodeRecord reads a stored record of any version this gateway knows.
func decodeRecord(b []byte) (Record, error) {
	var s storedRecord
	if err := json.Unmarshal(b, &s); err != nil {
		return Record{}, err
	}
	if s.Version > journalVersion {
		return Record{}, fmt.Errorf("record version %d is newer than this gateway's %d: upgrade the gateway", s.Version, journalVersion)
	}
	e := s.Entry
	return Record{
		BankReference: s.BankReference, Source: s.Source, Status: s.Status, OrderID: s.OrderID, Reason: s.Reason,
		TxHash: s.TxHash, Height: s.Height, Attempts: s.Attempts, ReceivedAt: s.ReceivedAt, UpdatedAt: s.UpdatedAt,
		Entry: camt.Entry{
			AmountMinor: e.AmountMinor, Currency: e.Currency, CreditDebit: camt.CreditDebit(e.CreditDebit), Reversal: e.Reversal,
			Status: camt.Status(e.Status), BookingDate: e.BookingDate, ValueDate: e.ValueDate, EntryRef: e.EntryRef,
			AcctSvcrRef: e.AcctSvcrRef, EndToEndID: e.EndToEndID, UETR: e.UETR, DebtorName: e.DebtorName,
			DebtorIBAN: e.DebtorIBAN, CreditorName: e.CreditorName, CreditorIBAN: e.CreditorIBAN,
			CreditorReference: e.CreditorReference, Unstructured: e.Unstructured, ReturnReason: e.ReturnReason,
		},
	}, nil
}
