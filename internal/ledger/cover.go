package ledger

import (
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// coverShortfall is the operator recording that it paid its own money into its account
// to back chips of its shortfall (decision 0039): the chips the amount buys at its rate,
// rounded down, move from its shortfall to its covered chips. It pays at most what backs
// its shortfall, in its account's currency, by a credit no confirmation, refund or
// earlier cover named. A revoked operator still covers: the money comes in to back
// chips already out, not to mint any. No pause and no freeze applies: a cover moves no
// chips.
func coverShortfall(kv store.KV, b Block, signer crypto.Address, m *txn.CoverShortfall) ([]Event, error) {
	op, err := requireOperator(kv, signer)
	if err != nil {
		return nil, err
	}
	if currency := op.PaymentAccount().Currency; m.Currency != currency {
		return nil, txn.Errorf(txn.CurrencyMismatch, "operator %q's account is in %s, not %s", op.ID, currency, m.Currency)
	}
	chips, err := op.Rate.ChipsFor(m.AmountMinor)
	if err != nil {
		return nil, err
	}
	if err := checkCreditUnused(kv, op.ID, m.BankReference); err != nil {
		return nil, err
	}
	if op.ShortfallChips == 0 {
		return nil, txn.Errorf(txn.NoShortfall, "operator %q has no shortfall to cover", op.ID)
	}
	if chips > op.ShortfallChips {
		return nil, txn.Errorf(txn.CoverExceedsShortfall, "%d minor units buy %d chips at rate %d/%d, above operator %q's shortfall of %d",
			m.AmountMinor, chips, op.Rate.Chips, op.Rate.Minor, op.ID, op.ShortfallChips)
	}
	// CoveredChips cannot overflow: with ShortfallChips it is the chips of the
	// operator's reversed orders, whose sum fits (reversePayment checks it).
	op.ShortfallChips -= chips
	op.CoveredChips += chips
	putRecord(kv, operatorKey(op.ID), op)
	putRecord(kv, coverKey(op.ID, m.BankReference), txn.Cover{
		Operator: op.ID, BankReference: m.BankReference, AmountMinor: m.AmountMinor, Currency: m.Currency,
		Chips: chips, Height: b.Height,
	})
	return []Event{{Type: "cover", Attrs: []Attr{
		{"operator", op.ID}, {"bank_reference", m.BankReference}, {"amount_minor", u64(m.AmountMinor)},
		{"currency", m.Currency}, {"chips", u64(chips)},
	}}}, nil
}

// checkCreditUnused refuses a credit's bank reference that an operator's chain already
// accounts for: one that confirmed an order, was refunded as confirming none, or
// covered a shortfall. Each credit is named once.
func checkCreditUnused(r store.Reader, operator, ref string) error {
	if id, ok := r.Get(bankRefKey(operator, ref)); ok {
		return txn.Errorf(txn.BankReferenceUsed, "bank reference %q of operator %q already confirmed order %s", ref, operator, id)
	}
	return checkCreditFree(r, operator, ref)
}

// checkCreditFree refuses a credit's bank reference that was refunded as confirming no
// order, or covered the operator's shortfall: what a confirmation and a cover both
// refuse beside a credit that confirmed an order, which each tells apart its own way.
func checkCreditFree(r store.Reader, operator, ref string) error {
	if refund, ok := GetRefund(r, operator, ref); ok {
		return txn.Errorf(txn.BankReferenceUsed, "bank reference %q of operator %q was refunded at height %d", ref, operator, refund.Height)
	}
	return checkNotCovered(r, operator, ref)
}

// checkNotCovered refuses a credit's bank reference that covered the operator's
// shortfall: that money backs chips, and pays nothing else.
func checkNotCovered(r store.Reader, operator, ref string) error {
	if c, ok := GetCover(r, operator, ref); ok {
		return txn.Errorf(txn.BankReferenceUsed, "bank reference %q of operator %q covered its shortfall at height %d", ref, operator, c.Height)
	}
	return nil
}
