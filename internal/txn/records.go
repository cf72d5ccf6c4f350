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
)

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
	// ReceivingAccount is the account of an operator registered by
	// RegisterOperatorAccount, which may have no IBAN. It is absent from the records of
	// the operators registered by RegisterOperator, whose bytes it leaves unchanged.
	ReceivingAccount *Account `cbor:"receiving_account,omitempty" json:"receiving_account,omitempty"`
}

// OutstandingChips is what is in circulation through the operator.
func (o *Operator) OutstandingChips() uint64 { return o.IssuedChips - o.BurnedChips }

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
	PayerIBAN        string       `cbor:"payer_iban,omitempty" json:"payer_iban,omitempty"`
	Chips            uint64       `cbor:"chips,omitempty" json:"chips,omitempty,string"`
	CreatedHeight    int64        `cbor:"created_height" json:"created_height"`
	PaidHeight       int64        `cbor:"paid_height,omitempty" json:"paid_height,omitempty"`
	IssuedHeight     int64        `cbor:"issued_height,omitempty" json:"issued_height,omitempty"`
	// ExpiresHeight is the last height at which the order can be paid; an order still
	// awaiting payment after it expires.
	ExpiresHeight int64 `cbor:"expires_height,omitempty" json:"expires_height,omitempty"`
	// ReversedHeight and ReversalReason say when and why the bank reversed the payment.
	ReversedHeight int64  `cbor:"reversed_height,omitempty" json:"reversed_height,omitempty"`
	ReversalReason string `cbor:"reversal_reason,omitempty" json:"reversal_reason,omitempty"`
}

// Supply is the chip totals of the chain.
type Supply struct {
	TotalChips  uint64 `cbor:"total_chips" json:"total_chips,string"`
	IssuedChips uint64 `cbor:"issued_chips" json:"issued_chips,string"`
	BurnedChips uint64 `cbor:"burned_chips" json:"burned_chips,string"`
}
