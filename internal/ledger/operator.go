package ledger

import (
	"fmt"
	"slices"

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
	if au, ok := auditorOf(kv, op.Address); ok {
		return txn.Errorf(txn.WrongRole, "key %s is auditor %q's; an operator needs its own key", op.Address, au.ID)
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

// updateOperator is the issuers replacing an operator's account, rate and cap. The
// account keeps its currency, which the operator's orders and redemptions are in; the
// cap may fall to the operator's outstanding chips, not below. The rate it had joins
// its past rates, at which its earlier orders and redemptions were fixed; a rate it
// takes again leaves them.
func updateOperator(kv store.KV, m *txn.UpdateOperator) ([]Event, error) {
	op, err := liveOperator(kv, m.ID)
	if err != nil {
		return nil, err
	}
	if currency := op.PaymentAccount().Currency; m.Account.Currency != currency {
		return nil, txn.Errorf(txn.CurrencyMismatch, "operator %q's account is in %s, not %s", op.ID, currency, m.Account.Currency)
	}
	if outstanding := op.OutstandingChips(); m.CapChips < outstanding {
		return nil, txn.Errorf(txn.CapExceeded, "operator %q has %d chips outstanding, above cap %d", op.ID, outstanding, m.CapChips)
	}
	if m.Rate != op.Rate {
		op.PastRates = append(slices.DeleteFunc(op.PastRates, func(r txn.Rate) bool { return r == m.Rate }), op.Rate)
	}
	account := m.Account
	op.Account, op.ReceivingAccount, op.Rate, op.CapChips = txn.BankAccount{}, &account, m.Rate, m.CapChips
	putRecord(kv, operatorKey(op.ID), op)
	return []Event{{Type: "operator", Attrs: []Attr{
		{"id", op.ID}, {"address", op.Address.String()}, {"account", account.Identification()},
		{"currency", account.Currency}, {"cap_chips", u64(op.CapChips)},
		{"rate", fmt.Sprintf("%d/%d", op.Rate.Chips, op.Rate.Minor)}, {"action", "updated"},
	}}}, nil
}

// revokeOperator is the issuers stopping an operator from taking money in. Its
// outstanding chips stay redeemable, and it still pays out, refunds and records
// reversals.
func revokeOperator(kv store.KV, b Block, m *txn.RevokeOperator) ([]Event, error) {
	op, err := liveOperator(kv, m.ID)
	if err != nil {
		return nil, err
	}
	op.RevokedHeight, op.RevokeReason = b.Height, m.Reason
	putRecord(kv, operatorKey(op.ID), op)
	return []Event{{Type: "operator", Attrs: []Attr{
		{"id", op.ID}, {"address", op.Address.String()}, {"action", "revoked"},
	}}}, nil
}

// liveOperator is the operator with id, which must not be revoked.
func liveOperator(r store.Reader, id string) (txn.Operator, error) {
	op, ok := GetOperator(r, id)
	if !ok {
		return txn.Operator{}, txn.Errorf(txn.UnknownOperator, "operator %q is not registered", id)
	}
	return op, checkRevoked(op)
}

// checkRevoked refuses money in through a revoked operator.
func checkRevoked(op txn.Operator) error {
	if op.RevokedHeight > 0 {
		return txn.Errorf(txn.OperatorRevoked, "operator %q was revoked at height %d: %s", op.ID, op.RevokedHeight, op.RevokeReason)
	}
	return nil
}
