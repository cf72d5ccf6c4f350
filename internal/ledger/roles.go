package ledger

import (
	"fmt"

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

// allIssuers lists every issuer by address.
func allIssuers(r store.Reader) []txn.Issuer {
	var out []txn.Issuer
	r.Scan([]byte(prefixIssuer), func(key, value []byte) bool {
		var is txn.Issuer
		if err := txn.DecodeRecord(value, &is); err != nil {
			panic(fmt.Sprintf("ledger: corrupt issuer at %q: %v", key, err))
		}
		out = append(out, is)
		return true
	})
	return out
}

// addIssuer is the issuers making a key an issuer's.
func addIssuer(kv store.KV, m *txn.AddIssuer) ([]Event, error) {
	if isIssuer(kv, m.Address) {
		return nil, txn.Errorf(txn.IssuerExists, "key %s is already an issuer's", m.Address)
	}
	for _, is := range allIssuers(kv) {
		if is.ID == m.ID {
			return nil, txn.Errorf(txn.IssuerExists, "issuer id %q is already %s's", m.ID, is.Address)
		}
	}
	if op, ok := operatorOf(kv, m.Address); ok {
		return nil, txn.Errorf(txn.WrongRole, "key %s is operator %q's; an issuer needs its own key", m.Address, op.ID)
	}
	is := txn.Issuer{ID: m.ID, Address: m.Address, PublicKey: m.PublicKey}
	putRecord(kv, issuerKey(is.Address), is)
	return []Event{issuerEvent(is, "added")}, nil
}

// removeIssuer is the issuers taking an issuer's role away, never leaving fewer issuers
// than the threshold.
func removeIssuer(kv store.KV, m *txn.RemoveIssuer) ([]Event, error) {
	var is txn.Issuer
	if !getRecord(kv, issuerKey(m.Address), &is) {
		return nil, txn.Errorf(txn.UnknownIssuer, "%s is not an issuer", m.Address)
	}
	if n, threshold := int64(len(allIssuers(kv))), GetParams(kv).IssuerThreshold; n-1 < threshold {
		return nil, txn.Errorf(txn.ThresholdUnreachable, "removing issuer %q leaves %d issuers, below the threshold of %d", is.ID, n-1, threshold)
	}
	kv.Delete(issuerKey(m.Address))
	return []Event{issuerEvent(is, "removed")}, nil
}

// setIssuerThreshold is the issuers setting how many of them approve a controlled
// action.
func setIssuerThreshold(kv store.KV, m *txn.SetIssuerThreshold) ([]Event, error) {
	if n := uint64(len(allIssuers(kv))); m.Threshold > n {
		return nil, txn.Errorf(txn.ThresholdUnreachable, "threshold %d is above the %d issuers", m.Threshold, n)
	}
	p := GetParams(kv)
	p.IssuerThreshold = int64(m.Threshold)
	putRecord(kv, []byte(keyParams), p)
	return []Event{{Type: "issuer_threshold", Attrs: []Attr{{"threshold", u64(m.Threshold)}}}}, nil
}

func issuerEvent(is txn.Issuer, action string) Event {
	return Event{Type: "issuer", Attrs: []Attr{{"id", is.ID}, {"address", is.Address.String()}, {"action", action}}}
}
