package ledger

import (
	"math/bits"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// mint credits chips to an account and the supply, refusing any overflow.
func mint(kv store.KV, to crypto.Address, chips uint64) error {
	s := GetSupply(kv)
	total, c1 := bits.Add64(s.TotalChips, chips, 0)
	issued, c2 := bits.Add64(s.IssuedChips, chips, 0)
	balance, c3 := bits.Add64(Balance(kv, to), chips, 0)
	if c1|c2|c3 != 0 {
		return txn.Errorf(txn.Overflow, "minting %d chips to %s would overflow", chips, to)
	}
	s.TotalChips, s.IssuedChips = total, issued
	putRecord(kv, []byte(keySupply), s)
	setBalance(kv, to, balance)
	return nil
}

// transfer moves chips between two accounts.
func transfer(kv store.KV, from crypto.Address, m *txn.Transfer) ([]Event, error) {
	if err := checkPaused(kv, txn.OperationTransfer); err != nil {
		return nil, err
	}
	if m.To == from {
		return nil, txn.Errorf(txn.InvalidField, "to: %s is the sender", from)
	}
	if err := checkFrozen(kv, "sender", from); err != nil {
		return nil, err
	}
	if err := checkFrozen(kv, "recipient", m.To); err != nil {
		return nil, err
	}
	fromBalance := Balance(kv, from)
	if fromBalance < m.AmountChips {
		return nil, txn.Errorf(txn.InsufficientFunds, "%s holds %d chips, not %d", from, fromBalance, m.AmountChips)
	}
	toBalance, carry := bits.Add64(Balance(kv, m.To), m.AmountChips, 0)
	if carry != 0 {
		return nil, txn.Errorf(txn.Overflow, "crediting %d chips to %s would overflow", m.AmountChips, m.To)
	}
	setBalance(kv, from, fromBalance-m.AmountChips)
	setBalance(kv, m.To, toBalance)
	return []Event{{Type: "transfer", Attrs: []Attr{
		{"from", from.String()}, {"to", m.To.String()}, {"amount_chips", u64(m.AmountChips)},
	}}}, nil
}
