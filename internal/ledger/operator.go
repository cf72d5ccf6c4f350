package ledger

import (
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// registerOperator is claim 2: an issuer signs the operator's address, bank account and
// key into the ledger.
func registerOperator(kv store.KV, b Block, signer crypto.Address, m *txn.RegisterOperator) ([]Event, error) {
	if err := requireIssuer(kv, signer); err != nil {
		return nil, err
	}
	if _, ok := GetOperator(kv, m.ID); ok {
		return nil, txn.Errorf(txn.OperatorExists, "operator %q is already registered", m.ID)
	}
	if other, ok := operatorOf(kv, m.Address); ok {
		return nil, txn.Errorf(txn.OperatorExists, "key %s is already operator %q", m.Address, other.ID)
	}
	if isIssuer(kv, m.Address) {
		return nil, txn.Errorf(txn.WrongRole, "key %s is an issuer's; an operator needs its own key", m.Address)
	}
	op := txn.Operator{
		ID: m.ID, Address: m.Address, PublicKey: m.PublicKey, Account: m.Account,
		Rate: m.Rate, CapChips: m.CapChips, RegisteredBy: signer, RegisteredHeight: b.Height,
	}
	putRecord(kv, operatorKey(op.ID), op)
	kv.Set(operatorByKey(op.Address), []byte(op.ID))
	return []Event{{Type: "operator", Attrs: []Attr{
		{"id", op.ID}, {"address", op.Address.String()}, {"iban", op.Account.IBAN},
		{"currency", op.Account.Currency}, {"cap_chips", u64(op.CapChips)}, {"action", "registered"},
	}}}, nil
}
