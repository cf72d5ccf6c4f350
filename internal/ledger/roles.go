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

func auditorOf(r store.Reader, a crypto.Address) (txn.Auditor, bool) {
	var au txn.Auditor
	ok := getRecord(r, auditorKey(a), &au)
	return au, ok
}

// requireIssuer, requireOperator and requireAuditor refuse a signer without the role,
// naming its other role, if it has one, in the rejection.
func requireIssuer(r store.Reader, signer crypto.Address) error {
	if isIssuer(r, signer) {
		return nil
	}
	return notInRole(r, signer, "an issuer", txn.NotIssuer, "an issuer")
}

func requireOperator(r store.Reader, signer crypto.Address) (txn.Operator, error) {
	if op, ok := operatorOf(r, signer); ok {
		return op, nil
	}
	return txn.Operator{}, notInRole(r, signer, "an operator", txn.NotOperator, "a registered operator")
}

func requireAuditor(r store.Reader, signer crypto.Address) (txn.Auditor, error) {
	if au, ok := auditorOf(r, signer); ok {
		return au, nil
	}
	return txn.Auditor{}, notInRole(r, signer, "an auditor", txn.NotAuditor, "an auditor")
}

// notInRole is the refusal of a signer that is not want: WrongRole naming the role it
// has, or code when it has none.
func notInRole(r store.Reader, signer crypto.Address, want string, code txn.Code, none string) error {
	has := ""
	if isIssuer(r, signer) {
		has = "an issuer"
	} else if op, ok := operatorOf(r, signer); ok {
		has = fmt.Sprintf("operator %q", op.ID)
	} else if au, ok := auditorOf(r, signer); ok {
		has = fmt.Sprintf("auditor %q", au.ID)
	}
	if has == "" {
		return txn.Errorf(code, "signer %s is not %s", signer, none)
	}
	return txn.Errorf(txn.WrongRole, "signer %s is %s, not %s", signer, has, want)
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
	if au, ok := auditorOf(kv, m.Address); ok {
		return nil, txn.Errorf(txn.WrongRole, "key %s is auditor %q's; an issuer needs its own key", m.Address, au.ID)
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

// allAuditors lists every auditor by address.
func allAuditors(r store.Reader) []txn.Auditor {
	var out []txn.Auditor
	r.Scan([]byte(prefixAuditor), func(key, value []byte) bool {
		out = append(out, decodeAuditor(key, value))
		return true
	})
	return out
}

// Auditors lists at most limit auditors by address, those after the address after (from
// the first when after is nil), and whether more follow.
func Auditors(r store.Reader, after *crypto.Address, limit int) ([]txn.Auditor, bool) {
	var from []byte
	if after != nil {
		from = after[:]
	}
	var out []txn.Auditor
	more := scanPage(r, prefixAuditor, from, limit, func(key, value []byte) {
		out = append(out, decodeAuditor(key, value))
	})
	return out, more
}

func decodeAuditor(key, value []byte) txn.Auditor {
	var au txn.Auditor
	if err := txn.DecodeRecord(value, &au); err != nil {
		panic(fmt.Sprintf("ledger: corrupt auditor at %q: %v", key, err))
	}
	return au
}

// addAuditor is the issuers making a key an auditor's: a key of no other role, under an
// id no other auditor has.
func addAuditor(kv store.KV, m *txn.AddAuditor) ([]Event, error) {
	if au, ok := auditorOf(kv, m.Address); ok {
		return nil, txn.Errorf(txn.AuditorExists, "key %s is already auditor %q's", m.Address, au.ID)
	}
	for _, au := range allAuditors(kv) {
		if au.ID == m.ID {
			return nil, txn.Errorf(txn.AuditorExists, "auditor id %q is already %s's", m.ID, au.Address)
		}
	}
	if isIssuer(kv, m.Address) {
		return nil, txn.Errorf(txn.WrongRole, "key %s is an issuer's; an auditor needs its own key", m.Address)
	}
	if op, ok := operatorOf(kv, m.Address); ok {
		return nil, txn.Errorf(txn.WrongRole, "key %s is operator %q's; an auditor needs its own key", m.Address, op.ID)
	}
	au := txn.Auditor{ID: m.ID, Address: m.Address, PublicKey: m.PublicKey}
	putRecord(kv, auditorKey(au.Address), au)
	return []Event{auditorEvent(au, "added")}, nil
}

// removeAuditor is the issuers taking an auditor's role away; what it attested stays.
func removeAuditor(kv store.KV, m *txn.RemoveAuditor) ([]Event, error) {
	au, ok := auditorOf(kv, m.Address)
	if !ok {
		return nil, txn.Errorf(txn.UnknownAuditor, "%s is not an auditor", m.Address)
	}
	kv.Delete(auditorKey(m.Address))
	return []Event{auditorEvent(au, "removed")}, nil
}

func auditorEvent(au txn.Auditor, action string) Event {
	return Event{Type: "auditor", Attrs: []Attr{{"id", au.ID}, {"address", au.Address.String()}, {"action", action}}}
}
