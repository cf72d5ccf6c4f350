package txn

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/chipmint/chipmint/internal/crypto"
)

// Redeem (holder) turns chips back into money: the operator pays AmountChips' worth at
// its rate, rounded down to a minor unit, in Currency (the operator's), into the account
// that Payee commits to, and the chips that amount buys back wait in escrow until the
// bank has booked the payout. Payee is a salted commitment (AccountOpening): the holder
// gives the opening to the operator's gateway, never to the chain.
type Redeem struct {
	_           struct{} `cbor:",toarray"`
	Operator    string   `json:"operator"`
	AmountChips uint64   `json:"amount_chips,string"`
	Currency    string   `json:"currency"`
	Payee       []byte   `json:"payee"`
}

// PayoutInitiated (operator) records that the operator is paying a redemption out,
// before any money leaves: from then on no deadline returns the chips. PayoutReference
// is the operator's reference of the payment order, such as the message id of the
// pain.001 file or the bank's id of the transfer.
type PayoutInitiated struct {
	_               struct{} `cbor:",toarray"`
	RedemptionID    string   `json:"redemption_id"`
	PayoutReference string   `json:"payout_reference"`
}

// ConfirmPayout (operator) records that the bank booked the redemption's payout, the
// debit with BankReference on the operator's account: the escrowed chips are burned.
type ConfirmPayout struct {
	_             struct{} `cbor:",toarray"`
	RedemptionID  string   `json:"redemption_id"`
	BankReference string   `json:"bank_reference"`
}

// RejectRedemption (operator) refuses a redemption no payout was initiated for; its
// chips go back to the holder.
type RejectRedemption struct {
	_            struct{} `cbor:",toarray"`
	RedemptionID string   `json:"redemption_id"`
	Reason       string   `json:"reason"`
}

// ReturnPayout (operator) records that a redemption's payout came back or was refused:
// BankReference is the return's booking, or the payout's own reference when the bank
// refused it outright. The chips go back to the holder only when an issuer restores the
// redemption.
type ReturnPayout struct {
	_             struct{} `cbor:",toarray"`
	RedemptionID  string   `json:"redemption_id"`
	BankReference string   `json:"bank_reference"`
	Reason        string   `json:"reason"`
}

// RestoreRedemption (issuer) gives a returned redemption's chips back to its holder.
type RestoreRedemption struct {
	_            struct{} `cbor:",toarray"`
	RedemptionID string   `json:"redemption_id"`
}

// RecordRefund (operator) records that the operator paid back money it was owed none
// of: AmountMinor of the credit booked with BankReference, paid back by the transfer
// RefundReference. For a credit that confirmed an order the amount is what the order
// owes back; for one that confirmed none it is the operator's word, checked by audit
// against its bank.
type RecordRefund struct {
	_               struct{} `cbor:",toarray"`
	BankReference   string   `json:"bank_reference"`
	AmountMinor     uint64   `json:"amount_minor,string"`
	Currency        string   `json:"currency"`
	RefundReference string   `json:"refund_reference"`
}

// AcceptPartial (buyer) takes chips for what an underpaid order received.
type AcceptPartial struct {
	_       struct{} `cbor:",toarray"`
	OrderID string   `json:"order_id"`
}

// CancelOrder (buyer) withdraws an order awaiting payment; a payment that arrives later
// is refunded.
type CancelOrder struct {
	_       struct{} `cbor:",toarray"`
	OrderID string   `json:"order_id"`
}

// HoldOrder (issuer) stops a paid order from being issued until it is released.
type HoldOrder struct {
	_       struct{} `cbor:",toarray"`
	OrderID string   `json:"order_id"`
	Reason  string   `json:"reason"`
}

// ReleaseOrder (issuer) lets a held order be issued again.
type ReleaseOrder struct {
	_       struct{} `cbor:",toarray"`
	OrderID string   `json:"order_id"`
}

// Type implements Msg.
func (Redeem) Type() Type { return TypeRedeem }

// Type implements Msg.
func (PayoutInitiated) Type() Type { return TypePayoutInitiated }

// Type implements Msg.
func (ConfirmPayout) Type() Type { return TypeConfirmPayout }

// Type implements Msg.
func (RejectRedemption) Type() Type { return TypeRejectRedemption }

// Type implements Msg.
func (ReturnPayout) Type() Type { return TypeReturnPayout }

// Type implements Msg.
func (RestoreRedemption) Type() Type { return TypeRestoreRedemption }

// Type implements Msg.
func (RecordRefund) Type() Type { return TypeRecordRefund }

// Type implements Msg.
func (AcceptPartial) Type() Type { return TypeAcceptPartial }

// Type implements Msg.
func (CancelOrder) Type() Type { return TypeCancelOrder }

// Type implements Msg.
func (HoldOrder) Type() Type { return TypeHoldOrder }

// Type implements Msg.
func (ReleaseOrder) Type() Type { return TypeReleaseOrder }

// Validate implements Msg.
func (m Redeem) Validate() error {
	if err := checkOperatorID("operator", m.Operator); err != nil {
		return err
	}
	if m.AmountChips == 0 {
		return Errorf(InvalidField, "amount_chips: must be positive")
	}
	if err := checkCurrency("currency", m.Currency); err != nil {
		return err
	}
	return checkCommitment("payee", m.Payee)
}

// Validate implements Msg.
func (m PayoutInitiated) Validate() error {
	if err := checkRedemptionID("redemption_id", m.RedemptionID); err != nil {
		return err
	}
	return checkText("payout_reference", m.PayoutReference, bankReferenceBytesMax)
}

// Validate implements Msg.
func (m ConfirmPayout) Validate() error {
	if err := checkRedemptionID("redemption_id", m.RedemptionID); err != nil {
		return err
	}
	return checkText("bank_reference", m.BankReference, bankReferenceBytesMax)
}

// Validate implements Msg.
func (m RejectRedemption) Validate() error {
	if err := checkRedemptionID("redemption_id", m.RedemptionID); err != nil {
		return err
	}
	return checkText("reason", m.Reason, reasonBytesMax)
}

// Validate implements Msg.
func (m ReturnPayout) Validate() error {
	if err := checkRedemptionID("redemption_id", m.RedemptionID); err != nil {
		return err
	}
	if err := checkText("bank_reference", m.BankReference, bankReferenceBytesMax); err != nil {
		return err
	}
	return checkText("reason", m.Reason, reasonBytesMax)
}

// Validate implements Msg.
func (m RestoreRedemption) Validate() error {
	return checkRedemptionID("redemption_id", m.RedemptionID)
}

// Validate implements Msg.
func (m RecordRefund) Validate() error {
	if err := checkText("bank_reference", m.BankReference, bankReferenceBytesMax); err != nil {
		return err
	}
	if m.AmountMinor == 0 {
		return Errorf(InvalidField, "amount_minor: must be positive")
	}
	if err := checkCurrency("currency", m.Currency); err != nil {
		return err
	}
	return checkText("refund_reference", m.RefundReference, bankReferenceBytesMax)
}

// Validate implements Msg.
func (m AcceptPartial) Validate() error { return checkOrderID("order_id", m.OrderID) }

// Validate implements Msg.
func (m CancelOrder) Validate() error { return checkOrderID("order_id", m.OrderID) }

// Validate implements Msg.
func (m HoldOrder) Validate() error {
	if err := checkOrderID("order_id", m.OrderID); err != nil {
		return err
	}
	return checkText("reason", m.Reason, reasonBytesMax)
}

// Validate implements Msg.
func (m ReleaseOrder) Validate() error { return checkOrderID("order_id", m.OrderID) }

// RedemptionID is the id of the redemption created by a Redeem from holder with nonce:
// twenty upper-case hexadecimal characters, like an order's, so that it fits a bank
// payment's end-to-end id (35 characters at most), which carries it.
func RedemptionID(holder crypto.Address, nonce uint64) string {
	h := sha256.New()
	h.Write([]byte(redemptionDomain))
	h.Write(holder[:])
	h.Write(binary.BigEndian.AppendUint64(nil, nonce))
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)[:orderIDChars/2]))
}

// ParseRedemptionID reads a redemption id in any letter case and returns it in
// canonical form.
func ParseRedemptionID(s string) (string, error) {
	if id, ok := canonicalOrderID(s); ok {
		return id, nil
	}
	return "", Errorf(InvalidField, "redemption id %q: want %d hexadecimal characters", s, orderIDChars)
}

func checkRedemptionID(field, id string) error {
	canonical, err := ParseRedemptionID(id)
	if err != nil {
		return Errorf(InvalidField, "%s: %v", field, ReasonOf(err))
	}
	if canonical != id {
		return Errorf(InvalidField, "%s: %q is not in canonical form %q", field, id, canonical)
	}
	return nil
}
