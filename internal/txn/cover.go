package txn

// CoverShortfall (operator) records that the operator paid its own money into its
// account to back chips issued against payments the bank reversed: the credit booked
// with BankReference, of AmountMinor in Currency. The chips that amount buys at the
// operator's rate, rounded down, leave its shortfall.
type CoverShortfall struct {
	_             struct{} `cbor:",toarray"`
	BankReference string   `json:"bank_reference"`
	AmountMinor   uint64   `json:"amount_minor,string"`
	Currency      string   `json:"currency"`
}

// Type implements Msg.
func (CoverShortfall) Type() Type { return TypeCoverShortfall }

// Validate implements Msg.
func (m CoverShortfall) Validate() error {
	if err := checkText("bank_reference", m.BankReference, bankReferenceBytesMax); err != nil {
		return err
	}
	if m.AmountMinor == 0 {
		return Errorf(InvalidField, "amount_minor: must be positive")
	}
	return checkCurrency("currency", m.Currency)
}

// Cover is a credit of the operator's own money that backs chips of its shortfall, as
// CoverShortfall recorded it: Chips are what AmountMinor bought at the operator's rate
// at Height, and left its shortfall.
type Cover struct {
	Operator      string `cbor:"operator" json:"operator"`
	BankReference string `cbor:"bank_reference" json:"bank_reference"`
	AmountMinor   uint64 `cbor:"amount_minor" json:"amount_minor,string"`
	Currency      string `cbor:"currency" json:"currency"`
	Chips         uint64 `cbor:"chips" json:"chips,string"`
	Height        int64  `cbor:"height" json:"height"`
}
