package ledger

import (
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// registerOperator is claim 2: an issuer signs the operator's address, bank account and
// key into the ledger.
func registerOperator(kv store.KV, b Block, signer crypto.Address, m *txn.RegisterOperator) ([]Event, error) {
	op := txn.Operator{
		ID: m.ID, Address: m.Address, PublicKey: m.PublicKey, Account: m.Account,
		Rate: m.Rate, CapChips: m.CapChips, RegisteredBy: signer, RegisteredHeight: b.Height,
	}
	if err := admitOperator(kv, signer, op); err != nil {
		return nil, err
	}
	return []Event{{Type: "operator", Attrs: []Attr{
		{"id", op.ID}, {"address", op.Address.String()}, {"iban", op.Account.IBAN},
		{"currency", op.Account.Currency}, {"cap_chips", u64(op.CapChips)}, {"action", "registered"},
	}}}, nil
}

// registerOperatorAccount is claim 2 for an account of any identification, which the
// operator's record keeps in its receiving account.
func registerOperatorAccount(kv store.KV, b Block, signer crypto.Address, m *txn.RegisterOperatorAccount) ([]Event, error) {
	account := m.Account
	op := txn.Operator{
		ID: m.ID, Address: m.Address, PublicKey: m.PublicKey, ReceivingAccount: &account,
		Rate: m.Rate, CapChips: m.CapChips, RegisteredBy: signer, RegisteredHeight: b.Height,
	}
	if err := admitOperator(kv, signer, op); err != nil {
		return nil, err
	}
	return []Event{{Type: "operator", Attrs: []Attr{
		{"id", op.ID}, {"address", op.Address.String()}, {"account", account.Identification()},
		{"currency", account.Currency}, {"cap_chips", u64(op.CapChips)}, {"action", "registered"},
	}}}, nil
}

// admitOperator checks that an issuer signed the registration and that neither the
// operator's id nor its key is taken, and writes the operator.
func admitOperator(kv store.KV, signer crypto.Address, op txn.Operator) error {
	if err := requireIssuer(kv, signer); err != nil {
		return err
	}
	if _, ok := GetOperator(kv, op.ID); ok {
		return txn.Errorf(txn.OperatorExists, "operator %q is already registered", op.ID)
	}
	if other, ok := operatorOf(kv, op.Address); ok {
		return txn.Errorf(txn.OperatorExists, "key %s is already operator %q", op.Address, other.ID)
	}
	if isIssuer(kv, op.Address) {
		return txn.Errorf(txn.WrongRole, "key %s is an issuer's; an operator needs its own key", op.Address)
	}
	acct := op.PaymentAccount()
	if other, taken := kv.Get(operatorAccountKey(acct)); taken {
		return txn.Errorf(txn.AccountTaken, "account %s is operator %q's: one account confirms one operator's payments", acct.Identification(), other)
	}
	putRecord(kv, operatorKey(op.ID), op)
	kv.Set(operatorByKey(op.Address), []byte(op.ID))
	kv.Set(operatorAccountKey(acct), []byte(op.ID))
	return nil
}
