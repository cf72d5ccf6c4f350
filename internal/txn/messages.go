package txn

import (
	"crypto/ed25519"
	"fmt"
	"math/bits"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/fiat"
)

// Type identifies a message. Numbers are part of the wire format and never change.
type Type uint8

// The message types.
const (
	TypeRegisterOperator Type = 1
	TypeBuyRequest       Type = 2
	TypeConfirmPayment   Type = 3
	TypeSubmitReceipt    Type = 4
	TypeIssue            Type = 5
	TypeTransfer         Type = 6
	TypeReversePayment   Type = 7
	// TypeRegisterOperatorAccount registers an operator whose account may have no IBAN.
	TypeRegisterOperatorAccount Type = 8
	// The types that take money back out of the chain and complete an order's life
	// (decision 0024).
	TypeRedeem            Type = 9
	TypePayoutInitiated   Type = 10
	TypeConfirmPayout     Type = 11
	TypeRejectRedemption  Type = 12
	TypeReturnPayout      Type = 13
	TypeRestoreRedemption Type = 14
	TypeRecordRefund      Type = 15
	TypeAcceptPartial     Type = 16
	TypeCancelOrder       Type = 17
	TypeHoldOrder         Type = 18
	TypeReleaseOrder      Type = 19
	// The issuers' threshold and controls (decision 0027).
	TypePropose            Type = 20
	TypeApprove            Type = 21
	TypePause              Type = 22
	TypeUnpause            Type = 23
	TypeFreeze             Type = 24
	TypeUnfreeze           Type = 25
	TypeUpdateOperator     Type = 26
	TypeRevokeOperator     Type = 27
	TypeAddIssuer          Type = 28
	TypeRemoveIssuer       Type = 29
	TypeSetIssuerThreshold Type = 30
	// The two steps of a key's hand-over of its role (decision 0029).
	TypeHandOver Type = 31
	TypeTakeOver Type = 32
	// TypeSetValidator changes the validator set (decision 0030).
	TypeSetValidator Type = 33
	// The auditors and their attestations of the reserves (decision 0037).
	TypeAddAuditor     Type = 34
	TypeRemoveAuditor  Type = 35
	TypeAttestReserves Type = 36
	// TypeCoverShortfall records the operator's own money paid in to back its
	// shortfall (decision 0039).
	TypeCoverShortfall Type = 37
)

var typeNames = map[Type]string{
	TypeRegisterOperator: "register_operator",
	TypeBuyRequest:       "buy_request",
	TypeConfirmPayment:   "confirm_payment",
	TypeSubmitReceipt:    "submit_receipt",
	TypeIssue:            "issue",
	TypeTransfer:         "transfer",
	TypeReversePayment:   "reverse_payment",

	TypeRegisterOperatorAccount: "register_operator_account",
	TypeRedeem:                  "redeem",
	TypePayoutInitiated:         "payout_initiated",
	TypeConfirmPayout:           "confirm_payout",
	TypeRejectRedemption:        "reject_redemption",
	TypeReturnPayout:            "return_payout",
	TypeRestoreRedemption:       "restore_redemption",
	TypeRecordRefund:            "record_refund",
	TypeAcceptPartial:           "accept_partial",
	TypeCancelOrder:             "cancel_order",
	TypeHoldOrder:               "hold_order",
	TypeReleaseOrder:            "release_order",
	TypePropose:                 "propose",
	TypeApprove:                 "approve",
	TypePause:                   "pause",
	TypeUnpause:                 "unpause",
	TypeFreeze:                  "freeze",
	TypeUnfreeze:                "unfreeze",
	TypeUpdateOperator:          "update_operator",
	TypeRevokeOperator:          "revoke_operator",
	TypeAddIssuer:               "add_issuer",
	TypeRemoveIssuer:            "remove_issuer",
	TypeSetIssuerThreshold:      "set_issuer_threshold",
	TypeHandOver:                "hand_over",
	TypeTakeOver:                "take_over",
	TypeSetValidator:            "set_validator",
	TypeAddAuditor:              "add_auditor",
	TypeRemoveAuditor:           "remove_auditor",
	TypeAttestReserves:          "attest_reserves",
	TypeCoverShortfall:          "cover_shortfall",
}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return "unknown"
}

// Msg is the body of a transaction.
type Msg interface {
	Type() Type
	// Validate checks what can be checked without state.
	Validate() error
}

// ChipDecimals is the number of decimals of a chip: one chip is 10^6 base units.
const ChipDecimals = 6

// Rate converts fiat to chips: Chips base units for every Minor minor units of fiat.
type Rate struct {
	_     struct{} `cbor:",toarray"`
	Chips uint64   `cbor:"chips" json:"chips,string"`
	Minor uint64   `cbor:"minor" json:"minor,string"`
}

// Apply returns the chips for amountMinor, rounded down; ok is false on overflow. It
// is the arithmetic alone: ChipsFor is the rule.
func (r Rate) Apply(amountMinor uint64) (chips uint64, ok bool) {
	hi, lo := bits.Mul64(amountMinor, r.Chips)
	if r.Minor == 0 || hi >= r.Minor {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, r.Minor)
	return q, true
}

// ChipsFor is the chips a payment of amountMinor is owed at this rate, the one rule
// that buy requests, confirmations, receipts and the ledger's invariants apply: Apply's
// quotient, rounded down, refused with Overflow if it does not fit in 64 bits (or the
// rate has no minor units) and with InvalidField if it is zero, an amount that buys
// nothing.
func (r Rate) ChipsFor(amountMinor uint64) (uint64, error) {
	chips, ok := r.Apply(amountMinor)
	if !ok {
		return 0, Errorf(Overflow, "%d minor units at rate %d/%d overflow", amountMinor, r.Chips, r.Minor)
	}
	if chips == 0 {
		return 0, Errorf(InvalidField, "amount_minor: %d buys no chips at rate %d/%d", amountMinor, r.Chips, r.Minor)
	}
	return chips, nil
}

// ParseRate reads a rate as people write it, chips per whole unit of cur with up to
// ChipDecimals decimals ("1", "0.5"), into the ratio the ledger keeps: that many chip
// base units for 10^MinorDigits minor units. The ratio is not reduced: 1 chip per EUR
// is 1000000/100.
func ParseRate(s string, cur fiat.Currency) (Rate, error) {
	chips, err := fiat.ParseDecimal(s, ChipDecimals)
	if err != nil || chips == 0 {
		return Rate{}, fmt.Errorf("want a positive number of chips per %s with at most %d decimals, e.g. 1 or 0.5, got %q", cur.Code(), ChipDecimals, s)
	}
	minor := uint64(1)
	for range cur.MinorDigits() {
		minor *= 10
	}
	return Rate{Chips: chips, Minor: minor}, nil
}

// BankAccount is an operator's real account, where buyers pay, as RegisterOperator
// names it: always by an IBAN and the bank's BIC. Account names any account.
type BankAccount struct {
	_        struct{} `cbor:",toarray"`
	IBAN     string   `cbor:"iban" json:"iban"`
	BIC      string   `cbor:"bic" json:"bic"`
	Holder   string   `cbor:"holder" json:"holder"`
	Currency string   `cbor:"currency" json:"currency"`
}

// Account is the same account in the form that names any account.
func (a BankAccount) Account() Account {
	return Account{IBAN: a.IBAN, BIC: a.BIC, Holder: a.Holder, Currency: a.Currency}
}

// Account is an operator's real account, where buyers pay, as RegisterOperatorAccount
// names it: by its IBAN, or, at a bank that uses none, by another identification (ISO
// 20022 Acct/Id/Othr: OtherID under Scheme, such as a national account number under
// BBAN, and optionally the Issuer of the id); then, both optional, the bank's BIC and
// its clearing system member id (ClrSysMmbId: ClearingSystem, such as CNAPS, and
// ClearingMember, such as 102100099996); the holder and the currency. Every field is in
// its one canonical form (Validate), so that one account has one spelling on the chain.
type Account struct {
	_              struct{} `cbor:",toarray"`
	IBAN           string   `cbor:"iban" json:"iban,omitempty"`
	OtherID        string   `cbor:"other_id" json:"other_id,omitempty"`
	Scheme         string   `cbor:"scheme" json:"scheme,omitempty"`
	Issuer         string   `cbor:"issuer" json:"issuer,omitempty"`
	BIC            string   `cbor:"bic" json:"bic,omitempty"`
	ClearingSystem string   `cbor:"clearing_system" json:"clearing_system,omitempty"`
	ClearingMember string   `cbor:"clearing_member" json:"clearing_member,omitempty"`
	Holder         string   `cbor:"holder" json:"holder"`
	Currency       string   `cbor:"currency" json:"currency"`
}

// Identification is the account's identification in canonical form: its IBAN, or its
// other identification as fiat.OtherAccount writes it ("6222021001000000001 (scheme
// BBAN)"). It is the name the sandbox bank gives the account, and the one that
// camt.Account's String gives the same account read from a bank file.
func (a Account) Identification() string {
	if a.IBAN != "" {
		return a.IBAN
	}
	return fiat.OtherAccount{ID: a.OtherID, Scheme: a.Scheme, Issuer: a.Issuer}.String()
}

// String is the account for people: its IBAN in print form or its other
// identification, then the bank's BIC and clearing system member id when given, such as
// "DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX" or
// "6222021001000000001 (scheme BBAN), clearing CNAPS:102100099996".
func (a Account) String() string {
	s := a.Identification()
	if a.IBAN != "" {
		s = fiat.IBAN(a.IBAN).Print()
	}
	if a.BIC != "" {
		s += ", BIC " + a.BIC
	}
	if a.ClearingSystem != "" {
		s += ", clearing " + fiat.ClearingMember{System: a.ClearingSystem, Member: a.ClearingMember}.String()
	}
	return s
}

// Party is the buyer as the order knows it: an id chosen at the buy request (for
// example the operator's customer number), its address and its public key.
type Party struct {
	_         struct{}       `cbor:",toarray"`
	ID        string         `cbor:"id" json:"id"`
	Address   crypto.Address `cbor:"address" json:"address"`
	PublicKey []byte         `cbor:"public_key" json:"public_key"`
}

// RegisterOperator (issuer) admits a financial operator and its bank account.
type RegisterOperator struct {
	_         struct{}       `cbor:",toarray"`
	ID        string         `json:"id"`
	Address   crypto.Address `json:"address"`
	PublicKey []byte         `json:"public_key"`
	Account   BankAccount    `json:"account"`
	Rate      Rate           `json:"rate"`
	CapChips  uint64         `json:"cap_chips,string"`
}

// RegisterOperatorAccount (issuer) admits a financial operator as RegisterOperator does,
// with an account of any identification: an IBAN, or another identification at a bank
// that uses no IBANs.
type RegisterOperatorAccount struct {
	_         struct{}       `cbor:",toarray"`
	ID        string         `json:"id"`
	Address   crypto.Address `json:"address"`
	PublicKey []byte         `json:"public_key"`
	Account   Account        `json:"account"`
	Rate      Rate           `json:"rate"`
	CapChips  uint64         `json:"cap_chips,string"`
}

// BuyRequest (buyer) asks an operator for chips against a payment of AmountMinor.
type BuyRequest struct {
	_           struct{} `cbor:",toarray"`
	Operator    string   `json:"operator"`
	BuyerID     string   `json:"buyer_id"`
	AmountMinor uint64   `json:"amount_minor,string"`
	Currency    string   `json:"currency"`
}

// ConfirmPayment (operator) is the account notice of claim 4A: the operator received
// AmountMinor for the order, identified at its bank by BankReference.
type ConfirmPayment struct {
	_             struct{} `cbor:",toarray"`
	OrderID       string   `json:"order_id"`
	Buyer         Party    `json:"buyer"`
	AmountMinor   uint64   `json:"amount_minor,string"`
	Currency      string   `json:"currency"`
	BankReference string   `json:"bank_reference"`
}

// Receipt is what the operator gives the buyer in claim 4B: the operator's bank
// account, the payer's as a salted commitment (AccountOpening), both parties, the amount
// and the chips it buys.
type Receipt struct {
	_               struct{}       `cbor:",toarray"`
	OrderID         string         `json:"order_id"`
	OperatorID      string         `json:"operator_id"`
	OperatorAddress crypto.Address `json:"operator_address"`
	OperatorIBAN    string         `json:"operator_iban"`
	PayerCommitment []byte         `json:"payer_commitment"`
	Buyer           Party          `json:"buyer"`
	AmountMinor     uint64         `json:"amount_minor,string"`
	Currency        string         `json:"currency"`
	Chips           uint64         `json:"chips,string"`
	BankReference   string         `json:"bank_reference"`
}

// SubmitReceipt (buyer) carries the operator-signed receipt; the buyer's signature on
// the transaction is the countersignature.
type SubmitReceipt struct {
	_                 struct{} `cbor:",toarray"`
	Receipt           Receipt  `json:"receipt"`
	OperatorSignature []byte   `json:"operator_signature"`
}

// Issue (issuer) mints the order's chips to its buyer.
type Issue struct {
	_       struct{} `cbor:",toarray"`
	OrderID string   `json:"order_id"`
	Chips   uint64   `json:"chips,string"`
}

// Transfer (holder) moves chips to another account.
type Transfer struct {
	_           struct{}       `cbor:",toarray"`
	To          crypto.Address `json:"to"`
	AmountChips uint64         `json:"amount_chips,string"`
}

// ReversePayment (operator) records that the bank reversed the credit that confirmed an
// order, identified by the bank reference the confirmation recorded: a paid order is then
// never issued, and an issued one leaves the operator short of its chips.
type ReversePayment struct {
	_             struct{} `cbor:",toarray"`
	BankReference string   `json:"bank_reference"`
	// Reason is the bank's reason, such as an ISO 20022 return reason code (AC04) or
	// its text.
	Reason string `json:"reason"`
}

// Type implements Msg.
func (RegisterOperator) Type() Type { return TypeRegisterOperator }

// Type implements Msg.
func (BuyRequest) Type() Type { return TypeBuyRequest }

// Type implements Msg.
func (ConfirmPayment) Type() Type { return TypeConfirmPayment }

// Type implements Msg.
func (SubmitReceipt) Type() Type { return TypeSubmitReceipt }

// Type implements Msg.
func (Issue) Type() Type { return TypeIssue }

// Type implements Msg.
func (Transfer) Type() Type { return TypeTransfer }

// Type implements Msg.
func (ReversePayment) Type() Type { return TypeReversePayment }

// Type implements Msg.
func (RegisterOperatorAccount) Type() Type { return TypeRegisterOperatorAccount }

// newMsg returns an empty message of type t to decode into.
func newMsg(t Type) (Msg, bool) {
	switch t {
	case TypeRegisterOperator:
		return &RegisterOperator{}, true
	case TypeBuyRequest:
		return &BuyRequest{}, true
	case TypeConfirmPayment:
		return &ConfirmPayment{}, true
	case TypeSubmitReceipt:
		return &SubmitReceipt{}, true
	case TypeIssue:
		return &Issue{}, true
	case TypeTransfer:
		return &Transfer{}, true
	case TypeReversePayment:
		return &ReversePayment{}, true
	case TypeRegisterOperatorAccount:
		return &RegisterOperatorAccount{}, true
	case TypeRedeem:
		return &Redeem{}, true
	case TypePayoutInitiated:
		return &PayoutInitiated{}, true
	case TypeConfirmPayout:
		return &ConfirmPayout{}, true
	case TypeRejectRedemption:
		return &RejectRedemption{}, true
	case TypeReturnPayout:
		return &ReturnPayout{}, true
	case TypeRestoreRedemption:
		return &RestoreRedemption{}, true
	case TypeRecordRefund:
		return &RecordRefund{}, true
	case TypeAcceptPartial:
		return &AcceptPartial{}, true
	case TypeCancelOrder:
		return &CancelOrder{}, true
	case TypeHoldOrder:
		return &HoldOrder{}, true
	case TypeReleaseOrder:
		return &ReleaseOrder{}, true
	case TypePropose:
		return &Propose{}, true
	case TypeApprove:
		return &Approve{}, true
	case TypePause:
		return &Pause{}, true
	case TypeUnpause:
		return &Unpause{}, true
	case TypeFreeze:
		return &Freeze{}, true
	case TypeUnfreeze:
		return &Unfreeze{}, true
	case TypeUpdateOperator:
		return &UpdateOperator{}, true
	case TypeRevokeOperator:
		return &RevokeOperator{}, true
	case TypeAddIssuer:
		return &AddIssuer{}, true
	case TypeRemoveIssuer:
		return &RemoveIssuer{}, true
	case TypeSetIssuerThreshold:
		return &SetIssuerThreshold{}, true
	case TypeHandOver:
		return &HandOver{}, true
	case TypeTakeOver:
		return &TakeOver{}, true
	case TypeSetValidator:
		return &SetValidator{}, true
	case TypeAddAuditor:
		return &AddAuditor{}, true
	case TypeRemoveAuditor:
		return &RemoveAuditor{}, true
	case TypeAttestReserves:
		return &AttestReserves{}, true
	case TypeCoverShortfall:
		return &CoverShortfall{}, true
	}
	return nil, false
}

// PartyOf is the Party for a key and id.
func PartyOf(id string, pub ed25519.PublicKey) Party {
	return Party{ID: id, Address: crypto.AddressOf(pub), PublicKey: append([]byte(nil), pub...)}
}

// NewRegisterOperator is the registration of operator id, whose key is pub, with its
// bank account, rate and cap.
func NewRegisterOperator(id string, pub ed25519.PublicKey, account BankAccount, rate Rate, capChips uint64) *RegisterOperator {
	return &RegisterOperator{
		ID: id, Address: crypto.AddressOf(pub), PublicKey: append([]byte(nil), pub...),
		Account: account, Rate: rate, CapChips: capChips,
	}
}

// NewRegisterOperatorAccount is the registration of operator id, whose key is pub, with
// an account of any identification, its rate and cap.
func NewRegisterOperatorAccount(id string, pub ed25519.PublicKey, account Account, rate Rate, capChips uint64) *RegisterOperatorAccount {
	return &RegisterOperatorAccount{
		ID: id, Address: crypto.AddressOf(pub), PublicKey: append([]byte(nil), pub...),
		Account: account, Rate: rate, CapChips: capChips,
	}
}
