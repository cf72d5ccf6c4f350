package ledger

import (
	"math/bits"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// redeem is a holder turning chips back into money through an operator: the operator
// owes ⌊chips × rate.minor / rate.chips⌋ minor units, and the chips that amount buys back
// leave the holder's balance for escrow. The escrow stays in the supply and in the
// operator's outstanding chips until the payout is booked.
func redeem(kv store.KV, b Block, tx *txn.Signed, m *txn.Redeem) ([]Event, error) {
	if err := checkPaused(kv, txn.OperationRedeem); err != nil {
		return nil, err
	}
	if err := checkFrozen(kv, "holder", tx.Sender); err != nil {
		return nil, err
	}
	op, ok := GetOperator(kv, m.Operator)
	if !ok {
		return nil, txn.Errorf(txn.UnknownOperator, "operator %q is not registered", m.Operator)
	}
	if currency := op.PaymentAccount().Currency; m.Currency != currency {
		return nil, txn.Errorf(txn.CurrencyMismatch, "operator %q pays out %s, not %s", op.ID, currency, m.Currency)
	}
	balance := Balance(kv, tx.Sender)
	if balance < m.AmountChips {
		return nil, txn.Errorf(txn.InsufficientFunds, "%s holds %d chips, not %d", tx.Sender, balance, m.AmountChips)
	}
	if redeemable := op.RedeemableChips(); m.AmountChips > redeemable {
		return nil, txn.Errorf(txn.OutstandingExceeded, "operator %q has %d chips outstanding outside escrow, not %d", op.ID, redeemable, m.AmountChips)
	}
	minor, ok := txn.Rate{Chips: op.Rate.Minor, Minor: op.Rate.Chips}.Apply(m.AmountChips)
	if !ok {
		return nil, txn.Errorf(txn.Overflow, "%d chips at rate %d/%d overflow", m.AmountChips, op.Rate.Chips, op.Rate.Minor)
	}
	if minor == 0 {
		return nil, txn.Errorf(txn.AmountTooSmall, "amount_chips: %d chips are worth less than one minor unit at rate %d/%d", m.AmountChips, op.Rate.Chips, op.Rate.Minor)
	}
	chips, ok := op.Rate.Apply(minor)
	if !ok || chips == 0 {
		return nil, txn.Errorf(txn.AmountTooSmall, "amount_chips: %d chips are worth %d minor units at rate %d/%d, which buy back no chips", m.AmountChips, minor, op.Rate.Chips, op.Rate.Minor)
	}
	id := txn.RedemptionID(tx.Sender, tx.Nonce)
	if _, exists := GetRedemption(kv, id); exists {
		return nil, txn.Errorf(txn.RedemptionExists, "redemption %s already exists: use another nonce", id)
	}
	// No sum below can overflow: chips ≤ the operator's redeemable chips, so its escrow
	// stays within its outstanding chips and the supply's within the supply.
	setBalance(kv, tx.Sender, balance-chips)
	op.EscrowChips += chips
	putRecord(kv, operatorKey(op.ID), op)
	s := GetSupply(kv)
	s.EscrowChips += chips
	putRecord(kv, []byte(keySupply), s)
	r := txn.Redemption{
		ID: id, Holder: tx.Sender, Operator: op.ID, Chips: chips, AmountMinor: minor, Currency: m.Currency,
		Payee: m.Payee, Status: txn.RedemptionRequested, CreatedHeight: b.Height,
		DeadlineHeight: b.Height + GetParams(kv).RedemptionTTLBlocks,
	}
	putRecord(kv, redemptionKey(id), r)
	kv.Set(deadlineKey(r.DeadlineHeight, id), nil)
	kv.Set(openRedemptionKey(op.ID, id), nil)
	return []Event{redemptionEvent(r)}, nil
}

// operatorsRedemption is the redemption id, which the signing operator must be the
// operator of.
func operatorsRedemption(r store.Reader, signer crypto.Address, id string) (txn.Redemption, txn.Operator, error) {
	op, err := requireOperator(r, signer)
	if err != nil {
		return txn.Redemption{}, txn.Operator{}, err
	}
	red, ok := GetRedemption(r, id)
	if !ok {
		return txn.Redemption{}, txn.Operator{}, txn.Errorf(txn.UnknownRedemption, "redemption %s does not exist", id)
	}
	if red.Operator != op.ID {
		return txn.Redemption{}, txn.Operator{}, txn.Errorf(txn.WrongOperator, "redemption %s is through operator %q, not %q", id, red.Operator, op.ID)
	}
	return red, op, nil
}

// awaitingPayout refuses a redemption that no longer awaits its payout, or whose
// deadline passed before this block (which the mempool, running no block start, learns
// here).
func awaitingPayout(red txn.Redemption, b Block) error {
	if red.Status != txn.RedemptionRequested {
		return txn.Errorf(txn.RedemptionNotRequested, "redemption %s is %s", red.ID, red.Status)
	}
	if red.DeadlineHeight < b.Height {
		return txn.Errorf(txn.RedemptionNotRequested, "redemption %s passed its deadline at height %d", red.ID, red.DeadlineHeight)
	}
	return nil
}

// payoutInitiated is the operator saying it is paying a redemption out. It is recorded
// before the money leaves, so that no deadline can give the chips back to a holder who
// is being paid.
func payoutInitiated(kv store.KV, b Block, signer crypto.Address, m *txn.PayoutInitiated) ([]Event, error) {
	red, _, err := operatorsRedemption(kv, signer, m.RedemptionID)
	if err != nil {
		return nil, err
	}
	if err := awaitingPayout(red, b); err != nil {
		return nil, err
	}
	kv.Delete(deadlineKey(red.DeadlineHeight, red.ID))
	red.Status, red.PayoutReference, red.InitiatedHeight = txn.RedemptionPayoutInitiated, m.PayoutReference, b.Height
	putRecord(kv, redemptionKey(red.ID), red)
	return []Event{redemptionEvent(red)}, nil
}

// confirmPayout is the operator's bank having booked the payout: the escrowed chips are
// burned, and the supply and the operator's outstanding chips fall. A payout booked
// with no PayoutInitiated recorded (paid by hand) is confirmed too, before its
// deadline.
func confirmPayout(kv store.KV, b Block, signer crypto.Address, m *txn.ConfirmPayout) ([]Event, error) {
	red, op, err := operatorsRedemption(kv, signer, m.RedemptionID)
	if err != nil {
		return nil, err
	}
	switch red.Status {
	case txn.RedemptionPaidOut:
		return nil, txn.Errorf(txn.AlreadyPaidOut, "redemption %s was paid out at height %d by bank reference %q", red.ID, red.PaidHeight, red.BankReference)
	case txn.RedemptionPayoutInitiated, txn.RedemptionRequested:
	default:
		return nil, txn.Errorf(txn.PayoutNotInitiated, "redemption %s is %s", red.ID, red.Status)
	}
	if used, ok := kv.Get(payoutRefKey(op.ID, m.BankReference)); ok {
		return nil, txn.Errorf(txn.BankReferenceUsed, "bank reference %q of operator %q already confirmed the payout of redemption %s", m.BankReference, op.ID, used)
	}
	if red.Status == txn.RedemptionRequested {
		if err := awaitingPayout(red, b); err != nil {
			return nil, txn.Errorf(txn.PayoutNotInitiated, "%s", txn.ReasonOf(err))
		}
		kv.Delete(deadlineKey(red.DeadlineHeight, red.ID))
	}
	leaveEscrow(kv, red, true)
	kv.Set(payoutRefKey(op.ID, m.BankReference), []byte(red.ID))
	kv.Delete(openRedemptionKey(op.ID, red.ID))
	red.Status, red.BankReference, red.PaidHeight = txn.RedemptionPaidOut, m.BankReference, b.Height
	putRecord(kv, redemptionKey(red.ID), red)
	return []Event{redemptionEvent(red)}, nil
}

// rejectRedemption is the operator refusing a redemption it has not begun to pay: the
// chips go back to the holder.
func rejectRedemption(kv store.KV, b Block, signer crypto.Address, m *txn.RejectRedemption) ([]Event, error) {
	red, _, err := operatorsRedemption(kv, signer, m.RedemptionID)
	if err != nil {
		return nil, err
	}
	if err := awaitingPayout(red, b); err != nil {
		return nil, err
	}
	kv.Delete(deadlineKey(red.DeadlineHeight, red.ID))
	return []Event{redemptionEvent(giveBack(kv, b, red, txn.RedemptionRejected, m.Reason))}, nil
}

// expireRedemptions gives back the chips of the redemptions whose deadline passed
// before this height with no payout initiated.
func expireRedemptions(kv store.KV, b Block) []Event {
	var events []Event
	for _, key := range dueKeys(kv, prefixDeadline, b.Height) {
		kv.Delete(key)
		red, ok := GetRedemption(kv, string(key[len(prefixDeadline)+8:]))
		if !ok || red.Status != txn.RedemptionRequested {
			continue
		}
		events = append(events, redemptionEvent(giveBack(kv, b, red, txn.RedemptionExpired, "no payout initiated by the deadline")))
	}
	return events
}

// giveBack closes a redemption with status, moving its escrowed chips back to the
// holder. The holder's balance cannot overflow: balances and escrow sum to the supply.
func giveBack(kv store.KV, b Block, red txn.Redemption, status txn.RedemptionStatus, reason string) txn.Redemption {
	leaveEscrow(kv, red, false)
	kv.Delete(openRedemptionKey(red.Operator, red.ID))
	red.Status, red.ClosedHeight, red.Reason = status, b.Height, reason
	putRecord(kv, redemptionKey(red.ID), red)
	return red
}

// leaveEscrow takes a redemption's chips out of its operator's and the supply's escrow:
// burned, when its payout is booked, or back to its holder.
func leaveEscrow(kv store.KV, red txn.Redemption, burn bool) {
	op, _ := GetOperator(kv, red.Operator)
	s := GetSupply(kv)
	op.EscrowChips -= red.Chips
	s.EscrowChips -= red.Chips
	if burn {
		op.BurnedChips += red.Chips
		s.TotalChips -= red.Chips
		s.BurnedChips += red.Chips
	} else {
		setBalance(kv, red.Holder, Balance(kv, red.Holder)+red.Chips)
	}
	putRecord(kv, operatorKey(op.ID), op)
	putRecord(kv, []byte(keySupply), s)
}

// returnPayout is the operator recording that a payout came back, or that its bank
// refused it: the chips, in escrow or burned, wait for an issuer to restore them.
func returnPayout(kv store.KV, b Block, signer crypto.Address, m *txn.ReturnPayout) ([]Event, error) {
	red, _, err := operatorsRedemption(kv, signer, m.RedemptionID)
	if err != nil {
		return nil, err
	}
	if red.Status != txn.RedemptionPayoutInitiated && red.Status != txn.RedemptionPaidOut {
		return nil, txn.Errorf(txn.PayoutNotInitiated, "redemption %s is %s", red.ID, red.Status)
	}
	kv.Delete(openRedemptionKey(red.Operator, red.ID))
	red.Status, red.ReturnReference, red.Reason, red.ClosedHeight = txn.RedemptionReturned, m.BankReference, m.Reason, b.Height
	putRecord(kv, redemptionKey(red.ID), red)
	return []Event{redemptionEvent(red)}, nil
}

// restoreRedemption is an issuer giving a returned redemption's chips back to its
// holder: out of escrow, or, if they were burned, minted again through the operator,
// whose account holds the money once more.
func restoreRedemption(kv store.KV, b Block, signer crypto.Address, m *txn.RestoreRedemption) ([]Event, error) {
	if err := requireIssuer(kv, signer); err != nil {
		return nil, err
	}
	red, ok := GetRedemption(kv, m.RedemptionID)
	if !ok {
		return nil, txn.Errorf(txn.UnknownRedemption, "redemption %s does not exist", m.RedemptionID)
	}
	if red.Status != txn.RedemptionReturned {
		return nil, txn.Errorf(txn.RedemptionNotReturned, "redemption %s is %s", red.ID, red.Status)
	}
	if red.InEscrow() {
		leaveEscrow(kv, red, false)
	} else {
		op, _ := GetOperator(kv, red.Operator)
		if err := checkCap(op, red.Chips); err != nil {
			return nil, err
		}
		issued, carry := bits.Add64(op.IssuedChips, red.Chips, 0)
		if carry != 0 {
			return nil, txn.Errorf(txn.Overflow, "operator %q issued chips would overflow", op.ID)
		}
		if err := mint(kv, red.Holder, red.Chips); err != nil {
			return nil, err
		}
		op.IssuedChips = issued
		putRecord(kv, operatorKey(op.ID), op)
	}
	red.Status, red.RestoredHeight = txn.RedemptionRestored, b.Height
	putRecord(kv, redemptionKey(red.ID), red)
	return []Event{redemptionEvent(red)}, nil
}

func redemptionEvent(r txn.Redemption) Event {
	return Event{Type: "redemption", Attrs: []Attr{
		{"id", r.ID}, {"status", string(r.Status)}, {"holder", r.Holder.String()}, {"operator", r.Operator},
		{"chips", u64(r.Chips)}, {"amount_minor", u64(r.AmountMinor)}, {"currency", r.Currency},
	}}
}

// OpenRedemptions lists at most limit of an operator's redemptions whose payout is to be
// made or confirmed, by id, those after the id after, and whether more follow.
func OpenRedemptions(r store.Reader, operator, after string, limit int) ([]txn.Redemption, bool) {
	var out []txn.Redemption
	prefix := prefixOpenRedeem + operator + "\x00"
	more := scanPage(r, prefix, []byte(after), limit, func(key, _ []byte) {
		if red, ok := GetRedemption(r, string(key[len(prefix):])); ok {
			out = append(out, red)
		}
	})
	return out, more
}
