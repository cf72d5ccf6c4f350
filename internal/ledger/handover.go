package ledger

import (
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// handOverKey is where a key's offer of its role waits, under the offering address.
func handOverKey(from crypto.Address) []byte { return addressKey(prefixHandOver, from, 0) }

// handOver is a key offering its role, operator, issuer or auditor, to another key: the
// first step of a rotation. A second offer replaces the first.
func handOver(kv store.KV, b Block, signer crypto.Address, m *txn.HandOver) ([]Event, error) {
	switch m.Role {
	case txn.RoleOperator:
		if _, err := requireOperator(kv, signer); err != nil {
			return nil, err
		}
	case txn.RoleAuditor:
		if _, err := requireAuditor(kv, signer); err != nil {
			return nil, err
		}
	default:
		if err := requireIssuer(kv, signer); err != nil {
			return nil, err
		}
	}
	if err := roleFree(kv, m.To); err != nil {
		return nil, err
	}
	putRecord(kv, handOverKey(signer), txn.PendingHandOver{Role: m.Role, To: m.To, PublicKey: m.PublicKey, Height: b.Height})
	return []Event{handOverEvent("offered", m.Role, signer, m.To)}, nil
}

// roleFree refuses a key that already holds a role.
func roleFree(r store.Reader, a crypto.Address) error {
	if other, ok := operatorOf(r, a); ok {
		return txn.Errorf(txn.OperatorExists, "key %s is already operator %q", a, other.ID)
	}
	if isIssuer(r, a) {
		return txn.Errorf(txn.WrongRole, "key %s is already an issuer's", a)
	}
	if au, ok := auditorOf(r, a); ok {
		return txn.Errorf(txn.WrongRole, "key %s is already auditor %q's", a, au.ID)
	}
	return nil
}

// takeOver is the new key taking over the role offered to it: the role's record moves
// to the new key, and from this block on the old key holds no role.
func takeOver(kv store.KV, tx *txn.Signed, m *txn.TakeOver) ([]Event, error) {
	var p txn.PendingHandOver
	if !getRecord(kv, handOverKey(m.From), &p) || p.To != tx.Sender {
		return nil, txn.Errorf(txn.NoHandOver, "%s offered no role to %s", m.From, tx.Sender)
	}
	if err := roleFree(kv, tx.Sender); err != nil {
		return nil, err
	}
	switch p.Role {
	case txn.RoleOperator:
		op, ok := operatorOf(kv, m.From)
		if !ok {
			return nil, txn.Errorf(txn.NoHandOver, "%s is no longer an operator's key", m.From)
		}
		op.Address, op.PublicKey = p.To, p.PublicKey
		putRecord(kv, operatorKey(op.ID), op)
		kv.Delete(operatorByKey(m.From))
		kv.Set(operatorByKey(p.To), []byte(op.ID))
	case txn.RoleAuditor:
		au, ok := auditorOf(kv, m.From)
		if !ok {
			return nil, txn.Errorf(txn.NoHandOver, "%s is no longer an auditor's key", m.From)
		}
		au.Address, au.PublicKey = p.To, p.PublicKey
		kv.Delete(auditorKey(m.From))
		putRecord(kv, auditorKey(p.To), au)
	default:
		var is txn.Issuer
		if !getRecord(kv, issuerKey(m.From), &is) {
			return nil, txn.Errorf(txn.NoHandOver, "%s is no longer an issuer's key", m.From)
		}
		is.Address, is.PublicKey = p.To, p.PublicKey
		kv.Delete(issuerKey(m.From))
		putRecord(kv, issuerKey(p.To), is)
	}
	kv.Delete(handOverKey(m.From))
	return []Event{handOverEvent("taken_over", p.Role, m.From, p.To)}, nil
}

func handOverEvent(action, role string, from, to crypto.Address) Event {
	return Event{Type: "hand_over", Attrs: []Attr{
		{"action", action}, {"role", role}, {"from", from.String()}, {"to", to.String()},
	}}
}
