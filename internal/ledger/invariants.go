package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// CheckInvariants verifies the invariants of the state (docs/architecture.md §5): the
// supply and its escrow, each operator's sums, each order's and redemption's money
// against its status, the bank references and every index. It reads the whole state, so callers run it in tests and behind
// a debug flag, not on every block of a production node.
func CheckInvariants(r store.Reader) error {
	checks := []func(store.Reader) error{
		checkSupply, checkOrders, checkBankReferences, checkPaidIndex, checkExpiryIndex,
		checkOwedIndex, checkRemovalIndex, checkDeadlineIndex, checkRefunds, checkPayoutReferences,
		checkOpenOrderCounts, checkOperatorAccounts, checkOperatorKeys, checkValidators,
		checkIssuers, checkProposals, checkControls, checkAuditors, checkReserves, checkCovers,
	}
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

// checkSupply: balances and escrow sum to the supply (1), the supply is issued minus
// burned (2), no sum overflows (7).
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
	if held, carry := bits.Add64(sum, s.EscrowChips, 0); carry != 0 || held != s.TotalChips {
		return broken("balances sum to %d chips and escrow holds %d, supply is %d", sum, s.EscrowChips, s.TotalChips)
	}
	if s.IssuedChips < s.BurnedChips || s.TotalChips != s.IssuedChips-s.BurnedChips {
		return broken("supply %d is not issued %d - burned %d", s.TotalChips, s.IssuedChips, s.BurnedChips)
	}
	return nil
}

// orderSums are the chips of each operator's orders and redemptions: issued (orders
// issued, and burned redemptions minted again), issued then reversed (its shortfall and
// what of it the operator covered), burned, and in escrow.
type orderSums struct {
	issued, shortfall, burned, escrow, paid map[string]uint64
}

// add adds chips to the operator's sum in m.
func (orderSums) add(m map[string]uint64, operator string, chips uint64) error {
	var carry uint64
	if m[operator], carry = bits.Add64(m[operator], chips, 0); carry != 0 {
		return broken("operator %q chip sums overflow", operator)
	}
	return nil
}

// checkOrders: each operator's issued chips are its issued orders' (and its burned
// redemptions' minted again) and its outstanding chips within its cap (3); its
// shortfall and covered chips together the chips of its issued orders whose payment
// was reversed; its burned
// chips its paid-out redemptions', its escrow its escrowed ones'; each issued quantity
// is the rate of what was received, up to what was ordered (5); the supply's escrow is
// the operators'.
func checkOrders(r store.Reader) error {
	ops := make(map[string]txn.Operator)
	for _, op := range allOperators(r) {
		ops[op.ID] = op
	}
	sums := orderSums{issued: map[string]uint64{}, shortfall: map[string]uint64{}, burned: map[string]uint64{}, escrow: map[string]uint64{}, paid: map[string]uint64{}}
	if err := sumRedemptions(r, ops, sums); err != nil {
		return err
	}
	if err := eachRecord(r, prefixOrder, func(_ []byte, o txn.Order) error { return checkOrder(o, ops, sums) }); err != nil {
		return err
	}
	var sumIssued, sumBurned, sumEscrow uint64
	for _, op := range allOperators(r) {
		var c1, c2, c3 uint64
		sumIssued, c1 = bits.Add64(sumIssued, op.IssuedChips, 0)
		sumBurned, c2 = bits.Add64(sumBurned, op.BurnedChips, 0)
		sumEscrow, c3 = bits.Add64(sumEscrow, op.EscrowChips, 0)
		if c1|c2|c3 != 0 {
			return broken("operators' chip sums overflow")
		}
		if err := checkOperatorSums(op, sums); err != nil {
			return err
		}
	}
	if s := GetSupply(r); s.IssuedChips != sumIssued || s.BurnedChips != sumBurned || s.EscrowChips != sumEscrow {
		return broken("supply says %d chips issued, %d burned, %d in escrow; operators %d, %d, %d",
			s.IssuedChips, s.BurnedChips, s.EscrowChips, sumIssued, sumBurned, sumEscrow)
	}
	return nil
}

func checkOperatorSums(op txn.Operator, sums orderSums) error {
	if op.IssuedChips != sums.issued[op.ID] {
		return broken("operator %q issued %d chips, its orders and restored redemptions %d", op.ID, op.IssuedChips, sums.issued[op.ID])
	}
	if reversed, carry := bits.Add64(op.ShortfallChips, op.CoveredChips, 0); carry != 0 || reversed != sums.shortfall[op.ID] {
		return broken("operator %q is short %d chips and covered %d, its reversed orders %d", op.ID, op.ShortfallChips, op.CoveredChips, sums.shortfall[op.ID])
	}
	if op.BurnedChips != sums.burned[op.ID] {
		return broken("operator %q burned %d chips, its paid-out redemptions %d", op.ID, op.BurnedChips, sums.burned[op.ID])
	}
	if op.PaidChips != sums.paid[op.ID] {
		return broken("operator %q counts %d chips paid and not issued, its orders %d", op.ID, op.PaidChips, sums.paid[op.ID])
	}
	if op.EscrowChips != sums.escrow[op.ID] {
		return broken("operator %q holds %d chips in escrow, its redemptions %d", op.ID, op.EscrowChips, sums.escrow[op.ID])
	}
	if op.BurnedChips > op.IssuedChips || op.OutstandingChips() > op.CapChips || op.EscrowChips > op.OutstandingChips() {
		return broken("operator %q outstanding %d-%d (escrow %d) over cap %d", op.ID, op.IssuedChips, op.BurnedChips, op.EscrowChips, op.CapChips)
	}
	return nil
}

// sumRedemptions adds every redemption's chips to its operator's sums, checking each
// against its status and its operator's rate.
func sumRedemptions(r store.Reader, ops map[string]txn.Operator, sums orderSums) error {
	return eachRecord(r, prefixRedemption, func(_ []byte, red txn.Redemption) error { return checkRedemption(red, ops, sums) })
}

// eachRecord decodes every record under prefix, in key order, and passes it to fn until
// fn fails; a record that does not decode is a broken invariant.
func eachRecord[R any](r store.Reader, prefix string, fn func(key []byte, v R) error) error {
	var err error
	r.Scan([]byte(prefix), func(key, value []byte) bool {
		var v R
		if derr := txn.DecodeRecord(value, &v); derr != nil {
			err = broken("record %q: %v", key, derr)
			return false
		}
		err = fn(key, v)
		return err == nil
	})
	return err
}

func checkRedemption(red txn.Redemption, ops map[string]txn.Operator, sums orderSums) error {
	op, ok := ops[red.Operator]
	if !ok {
		return broken("redemption %s names unknown operator %q", red.ID, red.Operator)
	}
	if !atOperatorsRate(op, red.AmountMinor, red.Chips) {
		return broken("redemption %s: %d chips for %d minor units at rate %d/%d", red.ID, red.Chips, red.AmountMinor, op.Rate.Chips, op.Rate.Minor)
	}
	switch red.Status {
	case txn.RedemptionRequested, txn.RedemptionPayoutInitiated, txn.RedemptionPaidOut, txn.RedemptionRejected,
		txn.RedemptionExpired, txn.RedemptionReturned, txn.RedemptionRestored:
	default:
		return broken("redemption %s has unknown status %q", red.ID, red.Status)
	}
	if (red.PaidHeight > 0) != (red.BankReference != "") || red.Status == txn.RedemptionPaidOut && red.PaidHeight == 0 {
		return broken("redemption %s is %s with payout %q at height %d", red.ID, red.Status, red.BankReference, red.PaidHeight)
	}
	if (red.Status == txn.RedemptionReturned || red.Status == txn.RedemptionRestored) && (red.ReturnReference == "" || red.ClosedHeight == 0) {
		return broken("redemption %s is %s with no return recorded", red.ID, red.Status)
	}
	if (red.Status == txn.RedemptionRestored) != (red.RestoredHeight > 0) {
		return broken("redemption %s is %s with restored height %d", red.ID, red.Status, red.RestoredHeight)
	}
	if red.InEscrow() {
		return sums.add(sums.escrow, red.Operator, red.Chips)
	}
	if red.PaidHeight == 0 {
		return nil
	}
	if err := sums.add(sums.burned, red.Operator, red.Chips); err != nil {
		return err
	}
	if red.Status == txn.RedemptionRestored {
		return sums.add(sums.issued, red.Operator, red.Chips)
	}
	return nil
}

func checkOrder(o txn.Order, ops map[string]txn.Operator, sums orderSums) error {
	op, ok := ops[o.Operator]
	if !ok {
		return broken("order %s names unknown operator %q", o.ID, o.Operator)
	}
	if err := checkOrderMoney(o); err != nil {
		return err
	}
	switch o.Status {
	case txn.StatusAwaitingPayment, txn.StatusCancelled, txn.StatusExpired, txn.StatusUnderpaid:
		return nil
	case txn.StatusPaid, txn.StatusHeld, txn.StatusIssued, txn.StatusReversed:
	default:
		return broken("order %s has unknown status %q", o.ID, o.Status)
	}
	if (o.Status == txn.StatusReversed) != (o.ReversedHeight > 0) {
		return broken("order %s is %s with reversed height %d", o.ID, o.Status, o.ReversedHeight)
	}
	if o.Status == txn.StatusReversed && o.Chips == 0 && o.IssuedHeight == 0 {
		return nil // reversed while underpaid
	}
	if !atOperatorsRate(op, min(o.ReceivedMinor, o.AmountMinor), o.Chips) {
		return broken("order %s: %d chips for %d minor units received of %d at rate %d/%d", o.ID, o.Chips, o.ReceivedMinor, o.AmountMinor, op.Rate.Chips, op.Rate.Minor)
	}
	if (o.Status == txn.StatusIssued) != (o.IssuedHeight > 0) && o.Status != txn.StatusReversed {
		return broken("order %s is %s with issued height %d", o.ID, o.Status, o.IssuedHeight)
	}
	if o.Status == txn.StatusPaid || o.Status == txn.StatusHeld {
		return sums.add(sums.paid, o.Operator, o.Chips)
	}
	if o.IssuedHeight == 0 {
		return nil
	}
	if err := sums.add(sums.issued, o.Operator, o.Chips); err != nil {
		return err
	}
	if o.Status == txn.StatusReversed {
		return sums.add(sums.shortfall, o.Operator, o.Chips)
	}
	return nil
}

// checkOrderMoney: an order's payment, chips and money owed back agree with its status
// (the amount rule): no payment before one is confirmed; an underpaid order received
// less than it asked and has no chips yet; what is owed back is the surplus over the
// order, or, for an underpaid order that expired, all it received; a refund settles
// what is owed.
func checkOrderMoney(o txn.Order) error {
	paid := o.BankReference != ""
	if paid != (o.ReceivedMinor > 0) {
		return broken("order %s received %d minor units with bank reference %q", o.ID, o.ReceivedMinor, o.BankReference)
	}
	var owed uint64
	switch o.Status {
	case txn.StatusAwaitingPayment, txn.StatusCancelled:
		if paid || o.Chips != 0 {
			return broken("order %s is %s but has a payment", o.ID, o.Status)
		}
	case txn.StatusUnderpaid, txn.StatusExpired:
		underpaid := o.Status == txn.StatusUnderpaid
		if o.Chips != 0 || underpaid && (!paid || o.ReceivedMinor >= o.AmountMinor) {
			return broken("order %s is %s with %d chips for %d of %d minor units", o.ID, o.Status, o.Chips, o.ReceivedMinor, o.AmountMinor)
		}
		if o.Status == txn.StatusExpired {
			owed = o.ReceivedMinor
		}
	case txn.StatusReversed:
		if o.OwedMinor > o.ReceivedMinor || o.OwedMinor > 0 && o.RefundedHeight == 0 {
			return broken("order %s is reversed and owes %d minor units not refunded", o.ID, o.OwedMinor)
		}
		return nil
	default:
		if o.ReceivedMinor > o.AmountMinor {
			owed = o.ReceivedMinor - o.AmountMinor
		}
	}
	if o.OwedMinor != owed {
		return broken("order %s is %s with %d of %d minor units received and owes %d back, not %d", o.ID, o.Status, o.ReceivedMinor, o.AmountMinor, o.OwedMinor, owed)
	}
	if (o.RefundedHeight > 0) != (o.RefundReference != "") || o.RefundedHeight > 0 && o.OwedMinor == 0 {
		return broken("order %s has refund %q at height %d owing %d", o.ID, o.RefundReference, o.RefundedHeight, o.OwedMinor)
	}
	return nil
}

// checkBankReferences: every paid order's bank reference points back to it, and every
// recorded reference to an order carrying it; no credit both confirmed an order and was
// refunded as confirming none (4).
func checkBankReferences(r store.Reader) error {
	err := checkReferences(r, "order", prefixBankRef, prefixOrder, GetOrder, func(o txn.Order) []byte {
		if o.BankReference == "" {
			return nil
		}
		return bankRefKey(o.Operator, o.BankReference)
	})
	if err != nil {
		return err
	}
	r.Scan([]byte(prefixRefund), func(key, _ []byte) bool {
		if _, ok := r.Get(append([]byte(prefixBankRef), key[len(prefixRefund):]...)); ok {
			err = broken("credit %q both confirmed an order and was refunded as confirming none", key)
			return false
		}
		return true
	})
	return err
}

// checkPayoutReferences: every payout's bank reference points to the redemption it
// paid out, which carries it, and every redemption paid out has its reference recorded.
func checkPayoutReferences(r store.Reader) error {
	return checkReferences(r, "redemption", prefixPayoutRef, prefixRedemption, GetRedemption, func(red txn.Redemption) []byte {
		if red.BankReference == "" {
			return nil
		}
		return payoutRefKey(red.Operator, red.BankReference)
	})
}

// checkReferences checks an index of bank references: every key under prefix names a
// record, read by get, whose own reference gives exactly that key (keyOf, nil for a
// record that carries none), and as many records under recordPrefix carry one.
func checkReferences[R any](r store.Reader, what, prefix, recordPrefix string, get func(store.Reader, string) (R, bool), keyOf func(R) []byte) error {
	n := 0
	var err error
	r.Scan([]byte(prefix), func(key, value []byte) bool {
		n++
		rec, ok := get(r, string(value))
		if k := keyOf(rec); !ok || k == nil || string(k) != string(key) {
			err = broken("bank reference %q points to %s %s, which does not carry it", key, what, value)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	carrying := 0
	err = eachRecord(r, recordPrefix, func(_ []byte, rec R) error {
		if keyOf(rec) != nil {
			carrying++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if carrying != n {
		return broken("%d %ss carry a bank reference but %d references are recorded", carrying, what, n)
	}
	return nil
}

// checkRefunds: every refund reference names a refund recorded of an order or of a
// credit that confirmed none, and every recorded refund has its reference.
func checkRefunds(r store.Reader) error {
	want := make(map[string]bool)
	err := eachRecord(r, prefixRefund, func(_ []byte, f txn.Refund) error {
		want[string(refundRefKey(f.Operator, f.RefundReference))] = true
		return nil
	})
	if err == nil {
		err = eachRecord(r, prefixOrder, func(_ []byte, o txn.Order) error {
			if o.RefundReference != "" {
				want[string(refundRefKey(o.Operator, o.RefundReference))] = true
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	n := 0
	r.Scan([]byte(prefixRefundRef), func(key, _ []byte) bool {
		n++
		if !want[string(key)] {
			err = broken("refund reference %q names no recorded refund", key)
			return false
		}
		return true
	})
	if err == nil && n != len(want) {
		err = broken("%d refunds recorded but %d refund references", len(want), n)
	}
	return err
}

// checkPaidIndex: the index the issuer works from lists exactly the paid orders.
func checkPaidIndex(r store.Reader) error {
	return checkIndex(r, "paid", prefixPaid, func(o txn.Order) []byte {
		if o.Status != txn.StatusPaid {
			return nil
		}
		return paidKey(o.ID)
	})
}

// checkExpiryIndex: the index that expires orders lists exactly the orders awaiting
// payment or underpaid, each at its last height to be paid.
func checkExpiryIndex(r store.Reader) error {
	return checkIndex(r, "expiry", prefixOrderExpiry, func(o txn.Order) []byte {
		if o.Status != txn.StatusAwaitingPayment && o.Status != txn.StatusUnderpaid {
			return nil
		}
		return orderExpiryKey(o.ExpiresHeight, o.ID)
	})
}

// checkOwedIndex: the index of refunds due lists exactly the orders that owe money back
// with no refund recorded.
func checkOwedIndex(r store.Reader) error {
	return checkIndex(r, "owed", prefixOwed, func(o txn.Order) []byte {
		if o.OwedMinor == 0 || o.RefundedHeight > 0 {
			return nil
		}
		return owedKey(o.Operator, o.ID)
	})
}

// checkRemovalIndex: the removal index lists exactly the orders closed with nothing
// received, at their removal height, and no order has a tombstone.
func checkRemovalIndex(r store.Reader) error {
	err := checkIndex(r, "removal", prefixOrderRemoval, func(o txn.Order) []byte {
		closed := o.Status == txn.StatusExpired || o.Status == txn.StatusCancelled
		if !closed || o.ReceivedMinor > 0 {
			return nil
		}
		return orderRemovalKey(o.RemoveHeight, o.ID)
	})
	if err != nil {
		return err
	}
	r.Scan([]byte(prefixTombstone), func(key, _ []byte) bool {
		if _, ok := r.Get(orderKey(string(key[len(prefixTombstone):]))); ok {
			err = broken("order %s has a tombstone and a record", key[len(prefixTombstone):])
			return false
		}
		return true
	})
	return err
}

// checkDeadlineIndex: the deadline index lists exactly the redemptions awaiting a
// payout, each at its deadline, and the open index those requested or with a payout
// initiated.
func checkDeadlineIndex(r store.Reader) error {
	deadlines, open := make(map[string]bool), make(map[string]bool)
	err := eachRecord(r, prefixRedemption, func(_ []byte, red txn.Redemption) error {
		if red.Status == txn.RedemptionRequested {
			deadlines[string(deadlineKey(red.DeadlineHeight, red.ID))] = true
		}
		if red.Status == txn.RedemptionRequested || red.Status == txn.RedemptionPayoutInitiated {
			open[string(openRedemptionKey(red.Operator, red.ID))] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := checkIndexKeys(r, "deadline", prefixDeadline, deadlines); err != nil {
		return err
	}
	return checkIndexKeys(r, "open redemptions", prefixOpenRedeem, open)
}

// checkIndex checks that the index under prefix holds exactly the keys keyOf gives the
// orders (nil for an order the index leaves out), and nothing else.
func checkIndex(r store.Reader, name, prefix string, keyOf func(txn.Order) []byte) error {
	want := make(map[string]bool)
	err := eachRecord(r, prefixOrder, func(_ []byte, o txn.Order) error {
		if k := keyOf(o); k != nil {
			want[string(k)] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	return checkIndexKeys(r, name, prefix, want)
}

// checkIndexKeys checks that the index under prefix holds exactly the keys in want.
func checkIndexKeys(r store.Reader, name, prefix string, want map[string]bool) error {
	indexed := 0
	var err error
	r.Scan([]byte(prefix), func(key, _ []byte) bool {
		indexed++
		if !want[string(key)] {
			err = broken("%s index lists %q, which it should not", name, key)
			return false
		}
		return true
	})
	if err == nil && indexed != len(want) {
		err = broken("%d entries due in the %s index but %d in it", len(want), name, indexed)
	}
	return err
}

// checkOpenOrderCounts: the counts of orders awaiting payment, by operator and by
// buyer, are the orders' own.
func checkOpenOrderCounts(r store.Reader) error {
	want := make(map[string]uint64)
	err := eachRecord(r, prefixOrder, func(_ []byte, o txn.Order) error {
		if o.Status == txn.StatusAwaitingPayment {
			want[string(openByOperatorKey(o.Operator))]++
			want[string(openByBuyerKey(o.Buyer.Address))]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	n := 0
	for _, prefix := range []string{prefixOpenByOperator, prefixOpenByBuyer} {
		r.Scan([]byte(prefix), func(key, value []byte) bool {
			n++
			if got := binary.BigEndian.Uint64(value); got != want[string(key)] {
				err = broken("%q counts %d orders awaiting payment, the orders %d", key, got, want[string(key)])
				return false
			}
			return true
		})
	}
	if err == nil && n != len(want) {
		err = broken("%d counts of orders awaiting payment kept, %d due", n, len(want))
	}
	return err
}

// checkOperatorAccounts: each operator's account names it, and no account names
// another.
func checkOperatorAccounts(r store.Reader) error {
	ops := allOperators(r)
	for _, op := range ops {
		if id, ok := r.Get(operatorAccountKey(op.PaymentAccount())); !ok || string(id) != op.ID {
			return broken("operator %q's account %s names operator %q", op.ID, op.PaymentAccount().Identification(), id)
		}
	}
	n := 0
	r.Scan([]byte(prefixOperatorAccount), func(_, _ []byte) bool { n++; return true })
	if n != len(ops) {
		return broken("%d operators but %d accounts registered", len(ops), n)
	}
	return nil
}

// checkOperatorKeys: each operator's key names it, and no key names another: a key
// handed over leaves nothing behind.
func checkOperatorKeys(r store.Reader) error {
	ops := allOperators(r)
	for _, op := range ops {
		if id, ok := r.Get(operatorByKey(op.Address)); !ok || string(id) != op.ID {
			return broken("operator %q's key %s names operator %q", op.ID, op.Address, id)
		}
		if crypto.AddressOf(op.PublicKey) != op.Address {
			return broken("operator %q's address %s is not its key's", op.ID, op.Address)
		}
	}
	n := 0
	r.Scan([]byte(prefixOperatorKey), func(_, _ []byte) bool { n++; return true })
	if n != len(ops) {
		return broken("%d operators but %d operator keys", len(ops), n)
	}
	return nil
}

// checkValidators: every validator has an Ed25519 key and a power, and their power
// together is within what CometBFT allows.
func checkValidators(r store.Reader) error {
	var total uint64
	var err error
	r.Scan([]byte(prefixValidator), func(key, value []byte) bool {
		power := binary.BigEndian.Uint64(value)
		if len(key) != len(prefixValidator)+crypto.PublicKeyBytes || len(value) != 8 || power == 0 || power > txn.ValidatorPowerMax-total {
			err = broken("validator %x with power %d: not a key, no power, or the set's power passes %d", key[len(prefixValidator):], power, uint64(txn.ValidatorPowerMax))
			return false
		}
		total += power
		return true
	})
	return err
}

// atOperatorsRate reports whether chips are what amountMinor buys at the operator's
// rate, or at one of its past rates, which fixed the chips of its earlier orders and
// redemptions.
func atOperatorsRate(op txn.Operator, amountMinor, chips uint64) bool {
	for _, rate := range append([]txn.Rate{op.Rate}, op.PastRates...) {
		if want, err := rate.ChipsFor(amountMinor); err == nil && want == chips {
			return true
		}
	}
	return false
}

// checkIssuers: the threshold is at least 1 and at most the number of issuers, every
// issuer's record sits under its own address, and no key is both an issuer's and an
// operator's; a revoked operator says why, and its past rates are not its rate.
func checkIssuers(r store.Reader) error {
	issuers := allIssuers(r)
	if m := GetParams(r).IssuerThreshold; m < 1 || m > int64(len(issuers)) {
		return broken("issuer threshold %d with %d issuers", m, len(issuers))
	}
	for _, is := range issuers {
		if crypto.AddressOf(is.PublicKey) != is.Address {
			return broken("issuer %q's address %s is not derived from its key", is.ID, is.Address)
		}
		if op, ok := operatorOf(r, is.Address); ok {
			return broken("key %s is issuer %q's and operator %q's", is.Address, is.ID, op.ID)
		}
	}
	for _, op := range allOperators(r) {
		if (op.RevokedHeight > 0) != (op.RevokeReason != "") || slices.Contains(op.PastRates, op.Rate) {
			return broken("operator %q revoked at height %d (%q), rate %v among its past rates %v", op.ID, op.RevokedHeight, op.RevokeReason, op.Rate, op.PastRates)
		}
	}
	return nil
}

// checkProposals: every proposal carries a valid controlled action, its approvals start
// with its proposer and name nobody twice, it is closed exactly when it is not pending,
// and the expiry index lists exactly the pending proposals, each at its expires_height.
func checkProposals(r store.Reader) error {
	due := make(map[string]bool)
	err := eachRecord(r, prefixProposal, func(key []byte, p txn.Proposal) error {
		if p.Status == txn.ProposalPending {
			due[string(proposalExpiryKey(p.ExpiresHeight, p.ID))] = true
		}
		return checkProposal(p, string(key[len(prefixProposal):]))
	})
	if err != nil {
		return err
	}
	return checkIndexKeys(r, "proposal expiry", prefixProposalExpiry, due)
}

func checkProposal(p txn.Proposal, id string) error {
	if p.ID != id {
		return broken("proposal %s is stored under %s", p.ID, id)
	}
	if _, err := (txn.Propose{Action: p.Action, Body: p.Body}).Message(); err != nil {
		return broken("proposal %s: %v", p.ID, err)
	}
	if len(p.Approvals) == 0 || p.Approvals[0] != p.Proposer {
		return broken("proposal %s's approvals %v do not start with its proposer %s", p.ID, p.Approvals, p.Proposer)
	}
	for i, a := range p.Approvals {
		if slices.Contains(p.Approvals[:i], a) {
			return broken("proposal %s is approved twice by %s", p.ID, a)
		}
	}
	switch p.Status {
	case txn.ProposalPending:
		if p.ClosedHeight != 0 {
			return broken("proposal %s is pending and closed at height %d", p.ID, p.ClosedHeight)
		}
	case txn.ProposalExecuted, txn.ProposalExpired:
		if p.ClosedHeight == 0 {
			return broken("proposal %s is %s with no closed height", p.ID, p.Status)
		}
	default:
		return broken("proposal %s has unknown status %q", p.ID, p.Status)
	}
	return nil
}

// checkControls: every paused operation is one an issuer may pause, recorded under its
// own name, and every frozen account under its own address.
func checkControls(r store.Reader) error {
	var err error
	r.Scan([]byte(prefixPaused), func(key, value []byte) bool {
		var p txn.PausedOperation
		if derr := txn.DecodeRecord(value, &p); derr != nil || string(pausedKey(p.Operation)) != string(key) ||
			(txn.Unpause{Operation: p.Operation}).Validate() != nil || p.Reason == "" {
			err = broken("paused operation record %q: %+v", key, p)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	r.Scan([]byte(prefixFrozen), func(key, value []byte) bool {
		var f txn.FrozenAccount
		if derr := txn.DecodeRecord(value, &f); derr != nil || string(frozenKey(f.Address)) != string(key) || f.Reason == "" {
			err = broken("frozen account record %q: %+v", key, f)
			return false
		}
		return true
	})
	return err
}

// checkAuditors: every auditor's record sits under its own address, derived from its
// key, no two auditors share an id, and no auditor's key is an issuer's or an
// operator's.
func checkAuditors(r store.Reader) error {
	ids := make(map[string]bool)
	var err error
	r.Scan([]byte(prefixAuditor), func(key, value []byte) bool {
		var au txn.Auditor
		if derr := txn.DecodeRecord(value, &au); derr != nil || string(auditorKey(au.Address)) != string(key) ||
			crypto.AddressOf(au.PublicKey) != au.Address || au.ID == "" || ids[au.ID] {
			err = broken("auditor record %q: %+v: not under its key's address, or its id empty or another auditor's", key, au)
			return false
		}
		ids[au.ID] = true
		if isIssuer(r, au.Address) {
			err = broken("key %s is auditor %q's and an issuer's", au.Address, au.ID)
		} else if op, ok := operatorOf(r, au.Address); ok {
			err = broken("key %s is auditor %q's and operator %q's", au.Address, au.ID, op.ID)
		}
		return err == nil
	})
	return err
}

// checkReserves: every attestation sits under its operator and height, names a
// registered operator in that operator's currency, a report read before it was attested
// and a backing its figures show; and the digest index lists exactly the attestations,
// each by its report's digest and operator, at its height.
func checkReserves(r store.Reader) error {
	due := make(map[string]int64)
	err := eachRecord(r, prefixReserves, func(key []byte, a txn.ReservesAttestation) error {
		if string(reservesKey(a.Operator, a.Height)) != string(key) {
			return broken("attestation of %q at height %d is stored under %q", a.Operator, a.Height, key)
		}
		op, ok := GetOperator(r, a.Operator)
		if !ok || op.PaymentAccount().Currency != a.Currency {
			return broken("attestation of %q at height %d in %s: no such operator, or not its currency", a.Operator, a.Height, a.Currency)
		}
		o := txn.OperatorReserves{BalanceMinor: a.BalanceMinor, LiabilitiesMinor: a.LiabilitiesMinor, Unexplained: a.Unexplained}
		if len(a.ReportDigest) != sha256.Size || a.ReportHeight < 1 || a.ReportHeight >= a.Height || a.Backed && !o.Covered() {
			return broken("attestation of %q at height %d: digest %x, report height %d, backed %v with %+v", a.Operator, a.Height, a.ReportDigest, a.ReportHeight, a.Backed, o)
		}
		due[string(reservesDigestKey(a.ReportDigest, a.Operator))] = a.Height
		return nil
	})
	if err != nil {
		return err
	}
	n := 0
	r.Scan([]byte(prefixReservesDigest), func(key, value []byte) bool {
		n++
		if h, ok := due[string(key)]; !ok || len(value) != 8 || int64(binary.BigEndian.Uint64(value)) != h {
			err = broken("the digest index lists %q at %x, which no attestation is", key, value)
		}
		return err == nil
	})
	if err == nil && n != len(due) {
		err = broken("%d attestations but %d entries in the digest index", len(due), n)
	}
	return err
}

// checkCovers: every cover of a shortfall sits under its operator and bank reference,
// names a registered operator in its account currency, and its chips are what its
// amount buys at the operator's rate (or a past one); each operator's covered chips are
// the sum of its covers'; and no credit that covered a shortfall also confirmed an
// order or was refunded (4).
func checkCovers(r store.Reader) error {
	all := allOperators(r)
	ops := make(map[string]txn.Operator, len(all))
	for _, op := range all {
		ops[op.ID] = op
	}
	covered := make(map[string]uint64)
	err := eachRecord(r, prefixCover, func(key []byte, c txn.Cover) error {
		if string(coverKey(c.Operator, c.BankReference)) != string(key) {
			return broken("cover of %q by %q is stored under %q", c.Operator, c.BankReference, key)
		}
		op, ok := ops[c.Operator]
		if !ok || op.PaymentAccount().Currency != c.Currency || c.Height < 1 || !atOperatorsRate(op, c.AmountMinor, c.Chips) {
			return broken("cover %q: %d chips for %d %s at height %d: no such operator, not its currency or not its rate", key, c.Chips, c.AmountMinor, c.Currency, c.Height)
		}
		suffix := key[len(prefixCover):]
		for _, other := range []string{prefixBankRef, prefixRefund} {
			if _, ok := r.Get(append([]byte(other), suffix...)); ok {
				return broken("credit %q both covered a shortfall and is recorded under %s", key, other)
			}
		}
		var carry uint64
		if covered[c.Operator], carry = bits.Add64(covered[c.Operator], c.Chips, 0); carry != 0 {
			return broken("operator %q's covers overflow", c.Operator)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, op := range all {
		if op.CoveredChips != covered[op.ID] {
			return broken("operator %q covered %d chips, its covers %d", op.ID, op.CoveredChips, covered[op.ID])
		}
	}
	return nil
}
