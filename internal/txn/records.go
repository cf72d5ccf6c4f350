package txn

import "github.com/chipmint/chipmint/internal/crypto"

// Order statuses and how a payment was confirmed.
const (
	StatusAwaitingPayment = "awaiting_payment"
	StatusPaid            = "paid"
	StatusIssued          = "issued"
	StatusExpired         = "expired"
	ConfirmedByNotice     = "account_notice"
	ConfirmedByReceipt    = "receipt"
)

// The records below are the ledger's state as nodes store it (canonical CBOR) and as
// queries answer it (JSON).

// Issuer is a chip issuer, set in genesis.
type Issuer struct {
	ID        string         `json:"id"`
	Address   crypto.Address `json:"address"`
	PublicKey []byte         `json:"public_key"`
}

// Operator is a registered financial operator and what has been issued through it.
type Operator struct {
	ID               string         `json:"id"`
	Address          crypto.Address `json:"address"`
	PublicKey        []byte         `json:"public_key"`
	Account          BankAccount    `json:"account"`
	Rate             Rate           `json:"rate"`
	CapChips         uint64         `json:"cap_chips"`
	IssuedChips      uint64         `json:"issued_chips"`
	BurnedChips      uint64         `json:"burned_chips"`
	RegisteredBy     crypto.Address `json:"registered_by"`
	RegisteredHeight int64          `json:"registered_height"`
}

// OutstandingChips is what is in circulation through the operator.
func (o *Operator) OutstandingChips() uint64 { return o.IssuedChips - o.BurnedChips }

// Order is a buy request and how far it has come.
type Order struct {
	ID               string `json:"id"`
	PaymentReference string `json:"payment_reference"`
	Buyer            Party  `json:"buyer"`
	Operator         string `json:"operator"`
	AmountMinor      uint64 `json:"amount_minor"`
	Currency         string `json:"currency"`
	Status           string `json:"status"`
	ReceivedMinor    uint64 `json:"received_minor,omitempty"`
	BankReference    string `json:"bank_reference,omitempty"`
	ConfirmedBy      string `json:"confirmed_by,omitempty"`
	PayerIBAN        string `json:"payer_iban,omitempty"`
	Chips            uint64 `json:"chips,omitempty"`
	CreatedHeight    int64  `json:"created_height"`
	PaidHeight       int64  `json:"paid_height,omitempty"`
	IssuedHeight     int64  `json:"issued_height,omitempty"`
	// ExpiresHeight is the last height at which the order can be paid; an order still
	// awaiting payment after it expires.
	ExpiresHeight int64 `json:"expires_height,omitempty"`
}

// Supply is the chip totals of the chain.
type Supply struct {
	TotalChips  uint64 `json:"total_chips"`
	IssuedChips uint64 `json:"issued_chips"`
	BurnedChips uint64 `json:"burned_chips"`
}
