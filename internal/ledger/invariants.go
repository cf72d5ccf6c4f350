package ledger

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// CheckInvariants verifies the invariants of the state (docs/architecture.md §5,
// invariants 1–5 and 7). It reads the whole state, so callers run it in tests and behind
// a debug flag, not on every block of a production node.
func CheckInvariants(r store.Reader) error {
	checks := []func(store.Reader) error{checkSupply, checkOrders, checkBankReferences, checkPaidIndex, checkExpiryIndex}
	for _, check := range checks {
		if err := check(r); err != nil {
			return err
		}
	}
	return nil
}

func broken(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvariant, fmt.Sprintf(format, args...))
}

// checkSupply: balances sum to the supply (1), the supply is issued minus burned (2), no
// sum overflows (7).
func checkSupply(r store.Reader) error {
	var sum uint64
	var overflow error
	r.Scan([]byte(prefixAccount), func(key, value []byte) bool {
		var carry uint64
		sum, carry = bits.Add64(sum, binary.BigEndian.Uint64(value), 0)
		if carry != 0 {
			overflow = broken("sum of balances overflows at %x", key)
			return false
		}
		return true
	})
	if overflow != nil {
		return overflow
	}
	s := GetSupply(r)
	if sum != s.TotalChips {
		return broken("balances sum to %d chips, supply is %d", sum, s.TotalChips)
	}
	if s.IssuedChips < s.BurnedChips || s.TotalChips != s.IssuedChips-s.BurnedChips {
		return broken("supply %d is not issued %d - burned %d", s.TotalChips, s.IssuedChips, s.BurnedChips)
	}
	return nil
}

// orderSums are the chips of each operator's orders: issued, and issued then reversed.
type orderSums struct {
	issued, shortfall map[string]uint64
}

// checkOrders: each operator's issued chips are its issued orders' and within its cap
// (3), its shortfall the chips of its issued orders whose payment was reversed; each
// issued quantity is the rate of the amount received (5).
func checkOrders(r store.Reader) error {
	ops := make(map[string]txn.Operator)
	for _, op := range allOperators(r) {
		ops[op.ID] = op
	}
	sums := orderSums{issued: map[string]uint64{}, shortfall: map[string]uint64{}}
	var err error
	r.Scan([]byte(prefixOrder), func(_, value []byte) bool {
		var o txn.Order
		if derr := txn.DecodeRecord(value, &o); derr != nil {
			err = broken("order record: %v", derr)
			return false
		}
		err = checkOrder(o, ops, sums)
		return err == nil
	})
	if err != nil {
		return err
	}
	var sumIssued uint64
	for _, op := range allOperators(r) {
		var carry uint64
		if sumIssued, carry = bits.Add64(sumIssued, op.IssuedChips, 0); carry != 0 {
			return broken("operators' issued chips overflow")
		}
		if op.IssuedChips != sums.issued[op.ID] {
			return broken("operator %q issued %d chips, its orders %d", op.ID, op.IssuedChips, sums.issued[op.ID])
		}
		if op.ShortfallChips != sums.shortfall[op.ID] {
			return broken("operator %q is short %d chips, its reversed orders %d", op.ID, op.ShortfallChips, sums.shortfall[op.ID])
		}
		if op.BurnedChips > op.IssuedChips || op.OutstandingChips() > op.CapChips {
			return broken("operator %q outstanding %d-%d over cap %d", op.ID, op.IssuedChips, op.BurnedChips, op.CapChips)
		}
	}
	if s := GetSupply(r); s.IssuedChips != sumIssued {
		return broken("supply says %d chips issued, operators %d", s.IssuedChips, sumIssued)
	}
	return nil
}

func checkOrder(o txn.Order, ops map[string]txn.Operator, sums orderSums) error {
	op, ok := ops[o.Operator]
	if !ok {
		return broken("order %s names unknown operator %q", o.ID, o.Operator)
	}
	switch o.Status {
	case txn.StatusAwaitingPayment, txn.StatusExpired:
		if o.BankReference != "" || o.Chips != 0 {
			return broken("order %s is %s but has a payment", o.ID, o.Status)
		}
		return nil
	case txn.StatusPaid, txn.StatusIssued, txn.StatusReversed:
	default:
		return broken("order %s has unknown status %q", o.ID, o.Status)
	}
	if want, err := op.Rate.ChipsFor(o.ReceivedMinor); err != nil || want != o.Chips {
		return broken("order %s: %d chips for %d minor units at rate %d/%d", o.ID, o.Chips, o.ReceivedMinor, op.Rate.Chips, op.Rate.Minor)
	}
	if (o.Status == txn.StatusIssued) != (o.IssuedHeight > 0) && o.Status != txn.StatusReversed {
		return broken("order %s is %s with issued height %d", o.ID, o.Status, o.IssuedHeight)
	}
	if (o.Status == txn.StatusReversed) != (o.ReversedHeight > 0) {
		return broken("order %s is %s with reversed height %d", o.ID, o.Status, o.ReversedHeight)
	}
	if o.IssuedHeight == 0 {
		return nil
	}
	var carry uint64
	if sums.issued[o.Operator], carry = bits.Add64(sums.issued[o.Operator], o.Chips, 0); carry != 0 {
		return broken("operator %q issued chips overflow", o.Operator)
	}
	if o.Status == txn.StatusReversed {
		if sums.shortfall[o.Operator], carry = bits.Add64(sums.shortfall[o.Operator], o.Chips, 0); carry != 0 {
			return broken("operator %q shortfall overflows", o.Operator)
		}
	}
	return nil
}

// checkBankReferences: every paid order's bank reference points back to it, and every
// recorded reference to a paid order carrying it (4).
func checkBankReferences(r store.Reader) error {
	refs := 0
	var err error
	r.Scan([]byte(prefixBankRef), func(key, value []byte) bool {
		refs++
		o, ok := GetOrder(r, string(value))
		if !ok || o.BankReference == "" || string(bankRefKey(o.Operator, o.BankReference)) != string(key) {
			err = broken("bank reference %q points to order %s, which does not carry it", key, value)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	paid := 0
	r.Scan([]byte(prefixOrder), func(_, value []byte) bool {
		var o txn.Order
		if txn.DecodeRecord(value, &o) == nil && o.BankReference != "" {
			paid++
		}
		return true
	})
	if paid != refs {
		return broken("%d paid or issued orders but %d bank references", paid, refs)
	}
	return nil
}

// checkPaidIndex: the index the issuer works from lists exactly the paid orders.
func checkPaidIndex(r store.Reader) error {
	return checkOrderIndex(r, "paid", prefixPaid, txn.StatusPaid, func(o txn.Order) []byte { return paidKey(o.ID) })
}

// checkExpiryIndex: the index that expires orders lists exactly the orders awaiting
// payment, each at its last height to be paid.
func checkExpiryIndex(r store.Reader) error {
	return checkOrderIndex(r, "expiry", prefixOrderExpiry, txn.StatusAwaitingPayment, func(o txn.Order) []byte {
		return orderExpiryKey(o.ExpiresHeight, o.ID)
	})
}

// checkOrderIndex checks that the index under prefix holds exactly one key, keyOf(o),
// for every order o of status, and nothing else.
func checkOrderIndex(r store.Reader, name, prefix string, status txn.OrderStatus, keyOf func(txn.Order) []byte) error {
	want := make(map[string]bool)
	var err error
	r.Scan([]byte(prefixOrder), func(key, value []byte) bool {
		var o txn.Order
		if derr := txn.DecodeRecord(value, &o); derr != nil {
			err = broken("order record %q: %v", key, derr)
			return false
		}
		if o.Status == status {
			want[string(keyOf(o))] = true
		}
		return true
	})
	if err != nil {
		return err
	}
	indexed := 0
	r.Scan([]byte(prefix), func(key, _ []byte) bool {
		indexed++
		if !want[string(key)] {
			err = broken("%s index lists %q, which is no %s order's entry", name, key, status)
			return false
		}
		return true
	})
	if err == nil && indexed != len(want) {
		err = broken("%d %s orders but %d entries in the %s index", len(want), status, indexed, name)
	}
	return err
}
