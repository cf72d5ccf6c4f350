package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble"

	"github.com/chipmint/chipmint/internal/camt"
)

// Kinds of outgoing payments.
const (
	KindPayout = "payout"
	KindRefund = "refund"
)

// Statuses of an outgoing payment. Initiating: the gateway decided to pay and has not
// had the bank's answer; ordered: the bank took the payment order; booked: the bank
// booked the debit and the chain recorded it; returned: it came back, or the bank
// refused it, and the chain recorded that.
const (
	OutgoingInitiating = "initiating"
	OutgoingOrdered    = "ordered"
	OutgoingBooked     = "booked"
	OutgoingReturned   = "returned"
)

// Outgoing is a payment from the operator's account that the gateway makes, a
// redemption's payout or a refund, and how far it has come.
type Outgoing struct {
	EndToEndID string `json:"end_to_end_id"`
	Kind       string `json:"kind"`
	// RedemptionID is the redemption a payout pays.
	RedemptionID string `json:"redemption_id,omitempty"`
	// Credit is the journal key of the credit a refund pays back, CreditReference its
	// bank reference as the chain knows it, and OrderID the order that owes it, if any.
	Credit          string       `json:"credit,omitempty"`
	CreditReference string       `json:"credit_reference,omitempty"`
	OrderID         string       `json:"order_id,omitempty"`
	AmountMinor     uint64       `json:"amount_minor"`
	Currency        string       `json:"currency"`
	PayeeName       string       `json:"payee_name,omitempty"`
	Payee           camt.Account `json:"payee"`
	PayeeBIC        string       `json:"payee_bic,omitempty"`
	Remittance      string       `json:"remittance,omitempty"`
	Status          string       `json:"status"`
	// PaymentReference is the bank's (or the payment file's) reference of the payment
	// order; BankReference the booked debit's, or the return's.
	PaymentReference string    `json:"payment_reference,omitempty"`
	BankReference    string    `json:"bank_reference,omitempty"`
	Reason           string    `json:"reason,omitempty"`
	TxHash           string    `json:"tx_hash,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// payment is what the payer is asked to pay.
func (o Outgoing) payment() Payment {
	return Payment{
		EndToEndID: o.EndToEndID, AmountMinor: o.AmountMinor, Currency: o.Currency,
		PayeeName: o.PayeeName, Payee: o.Payee, PayeeBIC: o.PayeeBIC, Remittance: o.Remittance,
	}
}

// outgoingVersion is the version of the journal's stored outgoing payments.
const outgoingVersion = 1

// storedOutgoing is an Outgoing as the journal stores it: the journal's own type, so
// that a change to the admin API's JSON never changes what a journal on disk means.
type storedOutgoing struct {
	Version          int       `json:"v"`
	EndToEndID       string    `json:"end_to_end_id"`
	Kind             string    `json:"kind"`
	RedemptionID     string    `json:"redemption_id,omitempty"`
	Credit           string    `json:"credit,omitempty"`
	CreditReference  string    `json:"credit_reference,omitempty"`
	OrderID          string    `json:"order_id,omitempty"`
	AmountMinor      uint64    `json:"amount_minor"`
	Currency         string    `json:"currency"`
	PayeeName        string    `json:"payee_name,omitempty"`
	PayeeIBAN        string    `json:"payee_iban,omitempty"`
	PayeeOther       string    `json:"payee_other,omitempty"`
	PayeeScheme      string    `json:"payee_scheme,omitempty"`
	PayeeIssuer      string    `json:"payee_issuer,omitempty"`
	PayeeBIC         string    `json:"payee_bic,omitempty"`
	Remittance       string    `json:"remittance,omitempty"`
	Status           string    `json:"status"`
	PaymentReference string    `json:"payment_reference,omitempty"`
	BankReference    string    `json:"bank_reference,omitempty"`
	Reason           string    `json:"reason,omitempty"`
	TxHash           string    `json:"tx_hash,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

const prefixOutgoing = "out/"

// PutOutgoing writes an outgoing payment durably; a refund not yet ordered from the bank
// is on the list of refunds to make (RefundsDue), one ordered is off it.
func (j *Journal) PutOutgoing(o Outgoing) error {
	b, err := json.Marshal(storedOutgoing{
		Version: outgoingVersion, EndToEndID: o.EndToEndID, Kind: o.Kind, RedemptionID: o.RedemptionID,
		Credit: o.Credit, CreditReference: o.CreditReference, OrderID: o.OrderID,
		AmountMinor: o.AmountMinor, Currency: o.Currency, PayeeName: o.PayeeName,
		PayeeIBAN: o.Payee.IBAN, PayeeOther: o.Payee.Other, PayeeScheme: o.Payee.Scheme, PayeeIssuer: o.Payee.Issuer,
		PayeeBIC: o.PayeeBIC, Remittance: o.Remittance, Status: o.Status, PaymentReference: o.PaymentReference,
		BankReference: o.BankReference, Reason: o.Reason, TxHash: o.TxHash, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	})
	if err != nil {
		return err
	}
	batch := j.db.NewBatch()
	defer batch.Close()
	if err := batch.Set([]byte(prefixOutgoing+o.EndToEndID), b, nil); err != nil {
		return err
	}
	if o.Kind == KindRefund {
		if err := markRefundDue(batch, o.Credit, o.Status == OutgoingInitiating); err != nil {
			return err
		}
	}
	if err := batch.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("gateway: journal write %s: %w", o.EndToEndID, err)
	}
	return nil
}

// OutgoingPayment returns the outgoing payment with an end-to-end id.
func (j *Journal) OutgoingPayment(endToEndID string) (Outgoing, bool, error) {
	v, closer, err := j.db.Get([]byte(prefixOutgoing + endToEndID))
	if errors.Is(err, pebble.ErrNotFound) {
		return Outgoing{}, false, nil
	}
	if err != nil {
		return Outgoing{}, false, fmt.Errorf("gateway: journal read %s: %w", endToEndID, err)
	}
	defer closer.Close()
	o, err := decodeOutgoing(v)
	return o, err == nil, err
}

// OutgoingPayments lists the outgoing payments by end-to-end id.
func (j *Journal) OutgoingPayments() ([]Outgoing, error) {
	var out []Outgoing
	err := j.each(prefixOutgoing, func(key, value []byte) error {
		o, err := decodeOutgoing(value)
		if err != nil {
			return fmt.Errorf("gateway: journal outgoing %q: %w", key, err)
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func decodeOutgoing(b []byte) (Outgoing, error) {
	var s storedOutgoing
	if err := json.Unmarshal(b, &s); err != nil {
		return Outgoing{}, err
	}
	if s.Version > outgoingVersion {
		return Outgoing{}, fmt.Errorf("outgoing payment version %d is newer than this gateway's %d: upgrade the gateway", s.Version, outgoingVersion)
	}
	return Outgoing{
		EndToEndID: s.EndToEndID, Kind: s.Kind, RedemptionID: s.RedemptionID, Credit: s.Credit,
		CreditReference: s.CreditReference, OrderID: s.OrderID, AmountMinor: s.AmountMinor, Currency: s.Currency,
		PayeeName: s.PayeeName, Payee: camt.Account{IBAN: s.PayeeIBAN, Other: s.PayeeOther, Scheme: s.PayeeScheme, Issuer: s.PayeeIssuer},
		PayeeBIC: s.PayeeBIC, Remittance: s.Remittance, Status: s.Status, PaymentReference: s.PaymentReference,
		BankReference: s.BankReference, Reason: s.Reason, TxHash: s.TxHash, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}, nil
}
