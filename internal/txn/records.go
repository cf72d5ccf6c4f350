package txn

import "github.com/chipmint/chipmint/internal/crypto"

// OrderStatus is how far an order has come. Its values are stored in order records and
// named in events and queries, so they never change.
type OrderStatus string

// The order statuses.
const (
	StatusAwaitingPayment OrderStatus = "awaiting_payment"
	StatusPaid            OrderStatus = "paid"
	StatusIssued          OrderStatus = "issued"
	StatusExpired         OrderStatus = "expired"
	// StatusReversed is an order whose confirming payment the bank reversed: never
	// issued if it was paid; if it was issued (IssuedHeight set), its chips stay in
	// circulation and count in the operator's shortfall.
	StatusReversed OrderStatus = "reversed"
	// StatusUnderpaid is an order confirmed with less than it asked for: the buyer
	// accepts chips for what was received (AcceptPartial), or it expires and the money
	// is owed back.
	StatusUnderpaid OrderStatus = "underpaid"
	// StatusCancelled is an order its buyer withdrew before it was paid.
	StatusCancelled OrderStatus = "cancelled"
	// StatusHeld is a paid order an issuer holds: it is not issued until released.
	StatusHeld OrderStatus = "held"
)

// OrderStatuses are all the order statuses.
var OrderStatuses = []OrderStatus{
	StatusAwaitingPayment, StatusPaid, StatusIssued, StatusExpired, StatusReversed, StatusUnderpaid, StatusCancelled, StatusHeld,
}

// Confirmation is how an order's payment was confirmed. Its values are stored in order
// records, so they never change.
type Confirmation string

// The ways a payment is confirmed: the operator's account notice (claim 4A) or the
// operator's receipt countersigned by the buyer (claim 4B).
const (
	ConfirmedByNotice  Confirmation = "account_notice"
	ConfirmedByReceipt Confirmation = "receipt"
)

// The records below are the ledger's state as nodes store it (canonical CBOR) and as
// queries answer it (JSON). Every field names its CBOR key in its own cbor tag: without
// one the encoder falls back to the json tag, and renaming a field of the query answers
// would then change the stored bytes and the app hash. The nested BankAccount, Account,
// Rate and Party are arrays, whose bytes do not depend on names, and are tagged all the
// same.

// Issuer is a chip issuer, set in genesis.
type Issuer struct {
	ID        string         `cbor:"id" json:"id"`
	Address   crypto.Address `cbor:"address" json:"address"`
	PublicKey []byte         `cbor:"public_key" json:"public_key"`
}

// Auditor is an auditor of the reserves, set in genesis or added by the issuers: it
// attests the reserves reports it signed (AttestReserves).
type Auditor struct {
	ID        string         `cbor:"id" json:"id"`
	Address   crypto.Address `cbor:"address" json:"address"`
	PublicKey []byte         `cbor:"public_key" json:"public_key"`
}

// Operator is a registered financial operator and what has been issued through it.
type Operator struct {
	ID        string         `cbor:"id" json:"id"`
	Address   crypto.Address `cbor:"address" json:"address"`
	PublicKey []byte         `cbor:"public_key" json:"public_key"`
	// Account is the account of an operator registered by RegisterOperator. One
	// registered by RegisterOperatorAccount has its account in ReceivingAccount, and
	// this one empty: PaymentAccount gives either.
	Account          BankAccount    `cbor:"account" json:"account,omitzero"`
	Rate             Rate           `cbor:"rate" json:"rate"`
	CapChips         uint64         `cbor:"cap_chips" json:"cap_chips,string"`
	IssuedChips      uint64         `cbor:"issued_chips" json:"issued_chips,string"`
	BurnedChips      uint64         `cbor:"burned_chips" json:"burned_chips,string"`
	RegisteredBy     crypto.Address `cbor:"registered_by" json:"registered_by"`
	RegisteredHeight int64          `cbor:"registered_height" json:"registered_height"`
	// ShortfallChips are the chips issued against payments the bank reversed since: in
	// circulation through the operator with no money behind them.
	ShortfallChips uint64 `cbor:"shortfall_chips,omitempty" json:"shortfall_chips,omitempty,string"`
	// CoveredChips are the chips of its shortfall the operator backed since with its own
	// money (CoverShortfall): with ShortfallChips, the chips issued against payments the
	// bank reversed.
	CoveredChips uint64 `cbor:"covered_chips,omitempty" json:"covered_chips,omitempty,string"`
	// EscrowChips are the chips of the operator's redemptions that wait for their
	// payout to be booked: still outstanding, no longer anybody's balance.
	EscrowChips uint64 `cbor:"escrow_chips,omitempty" json:"escrow_chips,omitempty,string"`
	// PaidChips are the chips of the operator's orders paid and not yet issued (held
	// ones included): with its outstanding chips, what its cap bounds.
	PaidChips uint64 `cbor:"paid_chips,omitempty" json:"paid_chips,omitempty,string"`
	// ReceivingAccount is the account of an operator registered by
	// RegisterOperatorAccount, which may have no IBAN. It is absent from the records of
	// the operators registered by RegisterOperator, whose bytes it leaves unchanged.
	ReceivingAccount *Account `cbor:"receiving_account,omitempty" json:"receiving_account,omitempty"`
	// PastRates are the rates the operator had before UpdateOperator changed it, oldest
	// first: the chips of its earlier orders and redemptions were fixed at one of them.
	PastRates []Rate `cbor:"past_rates,omitempty" json:"past_rates,omitempty"`
	// RevokedHeight and RevokeReason say when and why the issuers revoked the operator:
	// from then on it takes no money in.
	RevokedHeight int64  `cbor:"revoked_height,omitempty" json:"revoked_height,omitempty"`
	RevokeReason  string `cbor:"revoke_reason,omitempty" json:"revoke_reason,omitempty"`
}

// OutstandingChips is what is in circulation through the operator, escrow included.
func (o *Operator) OutstandingChips() uint64 { return o.IssuedChips - o.BurnedChips }

// RedeemableChips is what of the operator's outstanding chips is not yet in escrow.
func (o *Operator) RedeemableChips() uint64 { return o.OutstandingChips() - o.EscrowChips }

// PaymentAccount is the account buyers pay the operator into, whichever message
// registered it.
func (o *Operator) PaymentAccount() Account {
	if o.ReceivingAccount != nil {
		return *o.ReceivingAccount
	}
	return o.Account.Account()
}

// Order is a buy request and how far it has come.
type Order struct {
	ID               string       `cbor:"id" json:"id"`
	PaymentReference string       `cbor:"payment_reference" json:"payment_reference"`
	Buyer            Party        `cbor:"buyer" json:"buyer"`
	Operator         string       `cbor:"operator" json:"operator"`
	AmountMinor      uint64       `cbor:"amount_minor" json:"amount_minor,string"`
	Currency         string       `cbor:"currency" json:"currency"`
	Status           OrderStatus  `cbor:"status" json:"status"`
	ReceivedMinor    uint64       `cbor:"received_minor,omitempty" json:"received_minor,omitempty,string"`
	BankReference    string       `cbor:"bank_reference,omitempty" json:"bank_reference,omitempty"`
	ConfirmedBy      Confirmation `cbor:"confirmed_by,omitempty" json:"confirmed_by,omitempty"`
	// PayerCommitment is the salted commitment to the account a receipt says the
	// payment came from (AccountOpening): never the account itself.
	PayerCommitment []byte `cbor:"payer_commitment,omitempty" json:"payer_commitment,omitempty"`
	Chips           uint64 `cbor:"chips,omitempty" json:"chips,omitempty,string"`
	CreatedHeight   int64  `cbor:"created_height" json:"created_height"`
	PaidHeight      int64  `cbor:"paid_height,omitempty" json:"paid_height,omitempty"`
	IssuedHeight    int64  `cbor:"issued_height,omitempty" json:"issued_height,omitempty"`
	// ExpiresHeight is the last height at which the order can be paid; an order still
	// awaiting payment after it expires.
	ExpiresHeight int64 `cbor:"expires_height,omitempty" json:"expires_height,omitempty"`
	// ReversedHeight and ReversalReason say when and why the bank reversed the payment.
	ReversedHeight int64  `cbor:"reversed_height,omitempty" json:"reversed_height,omitempty"`
	ReversalReason string `cbor:"reversal_reason,omitempty" json:"reversal_reason,omitempty"`
	// OwedMinor is what of ReceivedMinor the operator owes back: the surplus over what
	// was ordered, or, for an underpaid order that expired, all of it.
	OwedMinor uint64 `cbor:"owed_minor,omitempty" json:"owed_minor,omitempty,string"`
	// RefundReference and RefundedHeight say how and when the money owed back was paid.
	RefundReference string `cbor:"refund_reference,omitempty" json:"refund_reference,omitempty"`
	RefundedHeight  int64  `cbor:"refunded_height,omitempty" json:"refunded_height,omitempty"`
	// ClosedHeight is when an order expired or was cancelled; RemoveHeight when such an
	// order with nothing received leaves the state, a tombstone keeping its id.
	ClosedHeight int64 `cbor:"closed_height,omitempty" json:"closed_height,omitempty"`
	RemoveHeight int64 `cbor:"remove_height,omitempty" json:"remove_height,omitempty"`
	// HoldReason is why an issuer holds the order.
	HoldReason string `cbor:"hold_reason,omitempty" json:"hold_reason,omitempty"`
}

// RedemptionStatus is how far a redemption has come. Its values are stored and named in
// events and queries, so they never change.
type RedemptionStatus string

// The redemption statuses.
const (
	// RedemptionRequested: the chips are in escrow, no payout initiated.
	RedemptionRequested RedemptionStatus = "requested"
	// RedemptionPayoutInitiated: the operator is paying out; no deadline returns the
	// chips any more.
	RedemptionPayoutInitiated RedemptionStatus = "payout_initiated"
	// RedemptionPaidOut: the bank booked the payout and the chips were burned.
	RedemptionPaidOut RedemptionStatus = "paid_out"
	// RedemptionRejected: the operator refused it; the chips went back to the holder.
	RedemptionRejected RedemptionStatus = "rejected"
	// RedemptionExpired: its deadline passed with no payout initiated; the chips went
	// back to the holder.
	RedemptionExpired RedemptionStatus = "expired"
	// RedemptionReturned: the payout came back; the chips wait for an issuer.
	RedemptionReturned RedemptionStatus = "returned"
	// RedemptionRestored: an issuer gave a returned redemption's chips back.
	RedemptionRestored RedemptionStatus = "restored"
)

// Redemption is a holder's request to turn chips back into money, and how far it has
// come.
type Redemption struct {
	ID       string         `cbor:"id" json:"id"`
	Holder   crypto.Address `cbor:"holder" json:"holder"`
	Operator string         `cbor:"operator" json:"operator"`
	// Chips are the chips the payout buys back, in escrow until it is booked: the
	// amount asked for rounded down to what AmountMinor buys.
	Chips       uint64 `cbor:"chips" json:"chips,string"`
	AmountMinor uint64 `cbor:"amount_minor" json:"amount_minor,string"`
	Currency    string `cbor:"currency" json:"currency"`
	// Payee is the salted commitment to the account the payout goes to
	// (AccountOpening): never the account itself.
	Payee  []byte           `cbor:"payee" json:"payee"`
	Status RedemptionStatus `cbor:"status" json:"status"`
	// CreatedHeight is the Redeem's block; DeadlineHeight the last at which a payout
	// may be initiated.
	CreatedHeight  int64 `cbor:"created_height" json:"created_height"`
	DeadlineHeight int64 `cbor:"deadline_height" json:"deadline_height"`
	// PayoutReference and InitiatedHeight: the operator's payment order and when it
	// was recorded.
	PayoutReference string `cbor:"payout_reference,omitempty" json:"payout_reference,omitempty"`
	InitiatedHeight int64  `cbor:"initiated_height,omitempty" json:"initiated_height,omitempty"`
	// BankReference and PaidHeight: the booked debit and when its chips were burned.
	BankReference string `cbor:"bank_reference,omitempty" json:"bank_reference,omitempty"`
	PaidHeight    int64  `cbor:"paid_height,omitempty" json:"paid_height,omitempty"`
	// ClosedHeight and Reason: when and why it was rejected, expired or returned.
	ClosedHeight int64  `cbor:"closed_height,omitempty" json:"closed_height,omitempty"`
	Reason       string `cbor:"reason,omitempty" json:"reason,omitempty"`
	// ReturnReference is the booking of a returned payout; RestoredHeight when an
	// issuer gave the chips back.
	ReturnReference string `cbor:"return_reference,omitempty" json:"return_reference,omitempty"`
	RestoredHeight  int64  `cbor:"restored_height,omitempty" json:"restored_height,omitempty"`
}

// InEscrow reports whether the redemption's chips are in escrow: redeemed, not yet
// burned by a booked payout nor given back.
func (r *Redemption) InEscrow() bool {
	switch r.Status {
	case RedemptionRequested, RedemptionPayoutInitiated:
		return true
	case RedemptionReturned:
		return r.PaidHeight == 0
	}
	return false
}

// Refund is a refund of a credit that confirmed no order, as RecordRefund recorded it.
type Refund struct {
	Operator        string `cbor:"operator" json:"operator"`
	BankReference   string `cbor:"bank_reference" json:"bank_reference"`
	AmountMinor     uint64 `cbor:"amount_minor" json:"amount_minor,string"`
	Currency        string `cbor:"currency" json:"currency"`
	RefundReference string `cbor:"refund_reference" json:"refund_reference"`
	Height          int64  `cbor:"height" json:"height"`
}

// Supply is the chip totals of the chain.
type Supply struct {
	TotalChips  uint64 `cbor:"total_chips" json:"total_chips,string"`
	IssuedChips uint64 `cbor:"issued_chips" json:"issued_chips,string"`
	BurnedChips uint64 `cbor:"burned_chips" json:"burned_chips,string"`
	// EscrowChips are the redeemed chips waiting for their payout: the supply is the
	// balances and the escrow.
	EscrowChips uint64 `cbor:"escrow_chips,omitempty" json:"escrow_chips,omitempty,string"`
}

// ProposalStatus is how far an issuers' proposal has come. Its values are stored and
// named in events, so they never change.
type ProposalStatus string

// The proposal statuses.
const (
	// ProposalPending waits for approvals until it expires.
	ProposalPending ProposalStatus = "pending"
	// ProposalExecuted reached the threshold and its action was applied.
	ProposalExecuted ProposalStatus = "executed"
	// ProposalExpired did not reach the threshold by its expires_height.
	ProposalExpired ProposalStatus = "expired"
)

// Proposal is a controlled action an issuer proposed, and the issuers who approved it.
type Proposal struct {
	ID       string         `cbor:"id" json:"id"`
	Proposer crypto.Address `cbor:"proposer" json:"proposer"`
	// Action and Body are the proposed message's type and canonical encoding.
	Action Type   `cbor:"action" json:"action"`
	Body   []byte `cbor:"body" json:"body"`
	// Approvals are the issuers who approved it, the proposer first, in the order they
	// did; only those still issuers count.
	Approvals     []crypto.Address `cbor:"approvals" json:"approvals"`
	Status        ProposalStatus   `cbor:"status" json:"status"`
	CreatedHeight int64            `cbor:"created_height" json:"created_height"`
	// ExpiresHeight is the last height at which it may be approved.
	ExpiresHeight int64 `cbor:"expires_height" json:"expires_height"`
	// ClosedHeight is when it was executed or expired.
	ClosedHeight int64 `cbor:"closed_height,omitempty" json:"closed_height,omitempty"`
}

// PausedOperation is an operation an issuer paused.
type PausedOperation struct {
	Operation string         `cbor:"operation" json:"operation"`
	Reason    string         `cbor:"reason" json:"reason"`
	By        crypto.Address `cbor:"by" json:"by"`
	Height    int64          `cbor:"height" json:"height"`
}

// FrozenAccount is an account an issuer froze.
type FrozenAccount struct {
	Address crypto.Address `cbor:"address" json:"address"`
	Reason  string         `cbor:"reason" json:"reason"`
	By      crypto.Address `cbor:"by" json:"by"`
	Height  int64          `cbor:"height" json:"height"`
}
