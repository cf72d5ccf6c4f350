package ledger

import (
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

func isIssuer(r store.Reader, a crypto.Address) bool {
	_, ok := r.Get(issuerKey(a))
	return ok
}

func operatorOf(r store.Reader, a crypto.Address) (txn.Operator, bool) {
	id, ok := r.Get(operatorByKey(a))
	if !ok {
		return txn.Operator{}, false
	}
	return GetOperator(r, string(id))
}

// requireIssuer names the signer's other role, if it has one, in the rejection.
func requireIssuer(r store.Reader, signer crypto.Address) error {
	if isIssuer(r, signer) {
		return nil
	}
	if op, ok := operatorOf(r, signer); ok {
		return txn.Errorf(txn.WrongRole, "signer %s is operator %q, not an issuer", signer, op.ID)
	}
	return txn.Errorf(txn.NotIssuer, "signer %s is not an issuer", signer)
}

func requireOperator(r store.Reader, signer crypto.Address) (txn.Operator, error) {
	if op, ok := operatorOf(r, signer); ok {
		return op, nil
	}
	if isIssuer(r, signer) {
		return txn.Operator{}, txn.Errorf(txn.WrongRole, "signer %s is an issuer, not an operator", signer)
	}
	return txn.Operator{}, txn.Errorf(txn.NotOperator, "signer %s is not a registered operator", signer)
}
