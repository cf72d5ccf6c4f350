package txn

import "github.com/chipmint/chipmint/internal/crypto"

// ReceiptFile is an operator-signed receipt as it travels to the buyer (claim 4B), who
// checks it, countersigns it and submits it. Payer is the opening of the receipt's
// payer commitment: the buyer keeps it, the chain never sees it.
type ReceiptFile struct {
	ChainID           string         `json:"chain_id"`
	Receipt           Receipt        `json:"receipt"`
	OperatorSignature []byte         `json:"operator_signature"`
	Payer             AccountOpening `json:"payer"`
}

// NewReceipt is the receipt of a payment of amountMinor for order o, received by
// operator op from the account the opening payer hides, under the bank's reference
// bankRef. A receipt names the operator's IBAN: an operator whose account has none
// confirms its payments by account notice (ConfirmPayment), and its receipts are
// refused as ReceiptMismatch, here as on the chain.
func NewReceipt(o Order, op Operator, amountMinor uint64, bankRef string, payer AccountOpening) (Receipt, error) {
	acct := op.PaymentAccount()
	if acct.IBAN == "" {
		return Receipt{}, ErrorReceiptWithoutIBAN(op.ID, acct)
	}
	// The amount rule: the chips of what was received, up to what was ordered.
	chips, err := op.Rate.ChipsFor(min(amountMinor, o.AmountMinor))
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{
		OrderID: o.ID, OperatorID: op.ID, OperatorAddress: op.Address, OperatorIBAN: acct.IBAN,
		PayerCommitment: payer.Commitment(), Buyer: o.Buyer, AmountMinor: amountMinor, Currency: o.Currency,
		Chips: chips, BankReference: bankRef,
	}, nil
}

// IssueReceipt signs r as the operator, for the buyer who also gets the payer's
// opening.
func IssueReceipt(chainID string, r Receipt, payer AccountOpening, operator crypto.Signer) (ReceiptFile, error) {
	sig, err := SignReceipt(chainID, r, operator)
	if err != nil {
		return ReceiptFile{}, err
	}
	return ReceiptFile{ChainID: chainID, Receipt: r, OperatorSignature: sig, Payer: payer}, nil
}

// ErrorReceiptWithoutIBAN is the refusal of a receipt for operator id, whose account
// has no IBAN for the receipt to name.
func ErrorReceiptWithoutIBAN(id string, acct Account) error {
	return Errorf(ReceiptMismatch, "operator %q's account %s has no IBAN for a receipt to name: its payments are confirmed by account notice", id, acct.Identification())
}
