package ledger

import (
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// recordRefund is the operator recording that it paid back a credit, or the part of
// one, that it is owed none of. A credit that confirmed an order is refunded exactly
// what the order owes back, once; one that confirmed none (it matched no order, came
// too late, or in another currency) is refunded once, for the amount the operator
// states, and can never confirm an order afterwards. A refund's own reference is used
// once. A credit of the operator's own money that covered its shortfall is not
// refunded: it backs chips.
func recordRefund(kv store.KV, b Block, signer crypto.Address, m *txn.RecordRefund) ([]Event, error) {
	op, err := requireOperator(kv, signer)
	if err != nil {
		return nil, err
	}
	if credit, used := kv.Get(refundRefKey(op.ID, m.RefundReference)); used {
		return nil, txn.Errorf(txn.RefundReferenceUsed, "refund reference %q of operator %q already refunded bank reference %q", m.RefundReference, op.ID, credit)
	}
	if err := checkNotCovered(kv, op.ID, m.BankReference); err != nil {
		return nil, err
	}
	if o, ok := OrderByBankReference(kv, op.ID, m.BankReference); ok {
		if err := refundOrder(kv, b, o, m); err != nil {
			return nil, err
		}
	} else {
		if earlier, ok := GetRefund(kv, op.ID, m.BankReference); ok {
			return nil, txn.Errorf(txn.AlreadyRefunded, "bank reference %q was refunded at height %d by %q", m.BankReference, earlier.Height, earlier.RefundReference)
		}
		putRecord(kv, refundKey(op.ID, m.BankReference), txn.Refund{
			Operator: op.ID, BankReference: m.BankReference, AmountMinor: m.AmountMinor, Currency: m.Currency,
			RefundReference: m.RefundReference, Height: b.Height,
		})
	}
	kv.Set(refundRefKey(op.ID, m.RefundReference), []byte(m.BankReference))
	return []Event{{Type: "refund", Attrs: []Attr{
		{"operator", op.ID}, {"bank_reference", m.BankReference}, {"amount_minor", u64(m.AmountMinor)},
		{"currency", m.Currency}, {"refund_reference", m.RefundReference},
	}}}, nil
}

// refundOrder records the refund of what order o owes back.
func refundOrder(kv store.KV, b Block, o txn.Order, m *txn.RecordRefund) error {
	switch {
	case o.RefundedHeight > 0:
		return txn.Errorf(txn.AlreadyRefunded, "order %s's %d %s owed back were refunded at height %d by %q", o.ID, o.OwedMinor, o.Currency, o.RefundedHeight, o.RefundReference)
	case o.OwedMinor == 0:
		return txn.Errorf(txn.NothingOwed, "order %s is %s and owes nothing of bank reference %q back", o.ID, o.Status, m.BankReference)
	case m.Currency != o.Currency:
		return txn.Errorf(txn.CurrencyMismatch, "order %s was paid in %s, not %s", o.ID, o.Currency, m.Currency)
	case m.AmountMinor != o.OwedMinor:
		return txn.Errorf(txn.RefundMismatch, "order %s owes %d minor units back, not %d", o.ID, o.OwedMinor, m.AmountMinor)
	}
	o.RefundReference, o.RefundedHeight = m.RefundReference, b.Height
	putRecord(kv, orderKey(o.ID), o)
	kv.Delete(owedKey(o.Operator, o.ID))
	return nil
}

// OwedOrders lists at most limit of an operator's orders that owe money back with no
// refund recorded, by id, those after the id after, and whether more follow.
func OwedOrders(r store.Reader, operator, after string, limit int) ([]txn.Order, bool) {
	var out []txn.Order
	prefix := prefixOwed + operator + "\x00"
	more := scanPage(r, prefix, []byte(after), limit, func(key, _ []byte) {
		if o, ok := GetOrder(r, string(key[len(prefix):])); ok {
			out = append(out, o)
		}
	})
	return out, more
}
