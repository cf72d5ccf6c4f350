package txn

import "github.com/chipmint/chipmint/internal/crypto"

// ReceiptFile is an operator-signed receipt as it travels to the buyer (claim 4B), who
// checks it, countersigns it and submits it.
type ReceiptFile struct {
	ChainID           string  `json:"chain_id"`
	Receipt           Receipt `json:"receipt"`
	OperatorSignature []byte  `json:"operator_signature"`
}

// NewReceipt is the receipt of a payment of amountMinor for order o, received by
// operator op from payerIBAN under the bank's reference bankRef.
func NewReceipt(o Order, op Operator, amountMinor uint64, bankRef, payerIBAN string) (Receipt, error) {
	chips, err := op.Rate.ChipsFor(amountMinor)
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{
		OrderID: o.ID, OperatorID: op.ID, OperatorAddress: op.Address, OperatorIBAN: op.Account.IBAN,
		PayerIBAN: payerIBAN, Buyer: o.Buyer, AmountMinor: amountMinor, Currency: o.Currency,
		Chips: chips, BankReference: bankRef,
	}, nil
}

// IssueReceipt signs r as the operator.
func IssueReceipt(chainID string, r Receipt, operator crypto.Signer) (ReceiptFile, error) {
	sig, err := SignReceipt(chainID, r, operator)
	if err != nil {
		return ReceiptFile{}, err
	}
	return ReceiptFile{ChainID: chainID, Receipt: r, OperatorSignature: sig}, nil
}
