package txn

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Code is the stable result of a transaction. Codes are numbered once and never
// renumbered: clients, indexers and audits key on the number.
type Code uint32

// The result codes. New codes are appended; none is ever reused.
const (
	OK                      Code = 0
	Malformed               Code = 1
	NonCanonical            Code = 2
	UnknownType             Code = 3
	InvalidField            Code = 4
	BadSignature            Code = 5
	Expired                 Code = 6
	ValidityTooLong         Code = 7
	Replayed                Code = 8
	NotIssuer               Code = 9
	NotOperator             Code = 10
	WrongRole               Code = 11
	WrongOperator           Code = 12
	UnknownOperator         Code = 13
	OperatorExists          Code = 14
	UnknownOrder            Code = 15
	OrderExists             Code = 16
	OrderNotAwaitingPayment Code = 17
	OrderNotPaid            Code = 18
	OrderAlreadyIssued      Code = 19
	BankReferenceUsed       Code = 20
	BuyerMismatch           Code = 21
	CurrencyMismatch        Code = 22
	CapExceeded             Code = 23
	QuantityMismatch        Code = 24
	InsufficientFunds       Code = 25
	Overflow                Code = 26
	BadReceiptSignature     Code = 27
	ReceiptMismatch         Code = 28
	AlreadyConfirmed        Code = 29
	UnknownBankReference    Code = 30
	AlreadyReversed         Code = 31
	UnknownRedemption       Code = 32
	RedemptionNotRequested  Code = 33
	PayoutNotInitiated      Code = 34
	AlreadyPaidOut          Code = 35
	RedemptionNotReturned   Code = 36
	OutstandingExceeded     Code = 37
	OrderNotUnderpaid       Code = 38
	OrderHeld               Code = 39
	OrderNotHeld            Code = 40
	NothingOwed             Code = 41
	RefundMismatch          Code = 42
	AlreadyRefunded         Code = 43
	RefundReferenceUsed     Code = 44
	RedemptionExists        Code = 45
	AmountTooSmall          Code = 46
	WeakKey                 Code = 47
	AccountTaken            Code = 48
	TooManyOpenOrders       Code = 49
	NoHandOver              Code = 50
	// The codes of the issuers' threshold and controls (decision 0027).
	NeedsApproval        Code = 51
	UnknownProposal      Code = 52
	ProposalExists       Code = 53
	ProposalNotPending   Code = 54
	AlreadyApproved      Code = 55
	Paused               Code = 56
	NotPaused            Code = 57
	Frozen               Code = 58
	NotFrozen            Code = 59
	OperatorRevoked      Code = 60
	IssuerExists         Code = 61
	UnknownIssuer        Code = 62
	ThresholdUnreachable Code = 63
	// The validator set's (decision 0030).
	UnknownValidator      Code = 71
	LastValidator         Code = 72
	ValidatorPowerTooHigh Code = 73
	// The auditors' (decision 0037).
	NotAuditor      Code = 74
	AlreadyAttested Code = 75
	AuditorExists   Code = 76
	UnknownAuditor  Code = 77
	// The operator's cover of its shortfall (decision 0039).
	NoShortfall           Code = 78
	CoverExceedsShortfall Code = 79
)

type codeInfo struct {
	name    string
	meaning string
}

var codeTable = map[Code]codeInfo{
	OK:                      {"ok", "the transaction was applied"},
	Malformed:               {"malformed", "the bytes are not a chipmint transaction"},
	NonCanonical:            {"non_canonical", "the transaction is not in canonical CBOR encoding"},
	UnknownType:             {"unknown_type", "the message type is not known"},
	InvalidField:            {"invalid_field", "a field is missing, out of range or badly formed"},
	BadSignature:            {"bad_signature", "the signature does not verify for this signer and chain"},
	Expired:                 {"expired", "the transaction's valid_until height has passed"},
	ValidityTooLong:         {"validity_too_long", "valid_until is further ahead than the allowed window"},
	Replayed:                {"replayed", "this signer has already used this nonce"},
	NotIssuer:               {"not_issuer", "the signer is not an issuer of this chain"},
	NotOperator:             {"not_operator", "the signer is not a registered operator"},
	WrongRole:               {"wrong_role", "the signer holds another role than this transaction needs"},
	WrongOperator:           {"wrong_operator", "the signing operator is not the order's or the redemption's operator"},
	UnknownOperator:         {"unknown_operator", "no operator has this id"},
	OperatorExists:          {"operator_exists", "an operator with this id, key or address is already registered"},
	UnknownOrder:            {"unknown_order", "no order has this id"},
	OrderExists:             {"order_exists", "an order with this id already exists"},
	OrderNotAwaitingPayment: {"order_not_awaiting_payment", "the order is not awaiting payment"},
	OrderNotPaid:            {"order_not_paid", "the order has no confirmed payment"},
	OrderAlreadyIssued:      {"order_already_issued", "the order's chips were already issued"},
	BankReferenceUsed:       {"bank_reference_used", "this operator's bank reference already confirmed an order or a payout, or was refunded or covered a shortfall"},
	BuyerMismatch:           {"buyer_mismatch", "the buyer's id, address or key differs from the order's"},
	CurrencyMismatch:        {"currency_mismatch", "the currency differs from the operator's account currency or the order's"},
	CapExceeded:             {"cap_exceeded", "the operator's outstanding chips would exceed its cap"},
	QuantityMismatch:        {"quantity_mismatch", "the chip quantity is not the operator's rate applied to the amount received"},
	InsufficientFunds:       {"insufficient_funds", "the balance is lower than the amount"},
	Overflow:                {"overflow", "an amount would overflow"},
	BadReceiptSignature:     {"bad_receipt_signature", "the operator's signature on the receipt does not verify"},
	ReceiptMismatch:         {"receipt_mismatch", "the receipt does not match the order or the operator's account"},
	AlreadyConfirmed:        {"already_confirmed", "this bank reference already confirmed this order: nothing to do"},
	UnknownBankReference:    {"unknown_bank_reference", "this operator's bank reference confirmed no order"},
	AlreadyReversed:         {"already_reversed", "the payment that confirmed this order was already reversed"},
	UnknownRedemption:       {"unknown_redemption", "no redemption has this id"},
	RedemptionNotRequested:  {"redemption_not_requested", "the redemption no longer awaits a payout: one was initiated, or it was closed"},
	PayoutNotInitiated:      {"payout_not_initiated", "the redemption has no payout under way to confirm or return"},
	AlreadyPaidOut:          {"already_paid_out", "the redemption's payout was already confirmed"},
	RedemptionNotReturned:   {"redemption_not_returned", "the redemption's payout did not come back: nothing to restore"},
	OutstandingExceeded:     {"outstanding_exceeded", "the operator has fewer chips outstanding than the redemption asks for"},
	OrderNotUnderpaid:       {"order_not_underpaid", "the order did not receive less than it asked for"},
	OrderHeld:               {"order_held", "an issuer holds the order: it is not issued until released"},
	OrderNotHeld:            {"order_not_held", "the order is not held"},
	NothingOwed:             {"nothing_owed", "the operator owes nothing back of this credit"},
	RefundMismatch:          {"refund_mismatch", "the refund differs from what the credit's order owes back"},
	AlreadyRefunded:         {"already_refunded", "a refund of this credit was already recorded"},
	RefundReferenceUsed:     {"refund_reference_used", "this operator's refund reference already recorded a refund"},
	RedemptionExists:        {"redemption_exists", "a redemption with this id already exists"},
	AmountTooSmall:          {"amount_too_small", "the chips are worth less than one minor unit at the operator's rate"},
	WeakKey:                 {"weak_key", "the public key is a small-order point or a non-canonical encoding: anyone could sign for it"},
	AccountTaken:            {"account_taken", "another operator has registered this bank account"},
	TooManyOpenOrders:       {"too_many_open_orders", "the operator or the buyer has as many orders awaiting payment as the chain allows"},
	NoHandOver:              {"no_hand_over", "no hand-over of a role from this key to the signer is pending"},
	NeedsApproval:           {"needs_approval", "the action needs the approval of issuer_threshold issuers: propose it"},
	UnknownProposal:         {"unknown_proposal", "no proposal has this id"},
	ProposalExists:          {"proposal_exists", "a proposal with this id already exists"},
	ProposalNotPending:      {"proposal_not_pending", "the proposal was executed or expired"},
	AlreadyApproved:         {"already_approved", "this issuer already approved the proposal"},
	Paused:                  {"paused", "an issuer paused this operation"},
	NotPaused:               {"not_paused", "the operation is not paused"},
	Frozen:                  {"frozen", "an issuer froze this account"},
	NotFrozen:               {"not_frozen", "the account is not frozen"},
	OperatorRevoked:         {"operator_revoked", "the operator is revoked: it takes no money in"},
	IssuerExists:            {"issuer_exists", "an issuer with this id or key already exists"},
	UnknownIssuer:           {"unknown_issuer", "no issuer has this address"},
	ThresholdUnreachable:    {"threshold_unreachable", "fewer issuers than the threshold would remain"},
	UnknownValidator:        {"unknown_validator", "no validator has this key: there is nothing to remove"},
	LastValidator:           {"last_validator", "the change would leave the chain without a validator"},
	ValidatorPowerTooHigh:   {"validator_power_too_high", "the validators' power together would pass what CometBFT allows"},
	NotAuditor:              {"not_auditor", "the signer is not an auditor of this chain"},
	AlreadyAttested:         {"already_attested", "this report, or an attestation of one of its operators at this height, is already on the chain"},
	AuditorExists:           {"auditor_exists", "an auditor with this id or key already exists"},
	UnknownAuditor:          {"unknown_auditor", "no auditor has this address"},
	NoShortfall:             {"no_shortfall", "the operator has no shortfall to cover"},
	CoverExceedsShortfall:   {"cover_exceeds_shortfall", "the chips the amount buys exceed the operator's shortfall"},
}

// String is the code's stable name, such as "replayed".
func (c Code) String() string {
	if info, ok := codeTable[c]; ok {
		return info.name
	}
	return fmt.Sprintf("code_%d", uint32(c))
}

// Meaning is a one-line explanation of the code for people.
func (c Code) Meaning() string {
	if info, ok := codeTable[c]; ok {
		return info.meaning
	}
	return "unknown result code"
}

// Codes lists every defined code in numeric order. The numbers have gaps: a range may
// be kept for codes being added elsewhere.
func Codes() []Code {
	return slices.Sorted(maps.Keys(codeTable))
}

// Error is a rejection with its code and a reason naming what is wrong.
type Error struct {
	Code   Code
	Reason string
}

func (e *Error) Error() string { return e.Code.String() + ": " + e.Reason }

// Errorf builds a rejection with a formatted reason.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// CodeOf maps an error to its result code: nil is OK, a rejection carries its own code,
// and anything else is Malformed.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Malformed
}

// ReasonOf is the reason of a rejection without its code name, for result logs that
// carry the code beside it.
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return err.Error()
}
