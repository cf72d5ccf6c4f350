package ledger

import (
	"encoding/binary"
	"fmt"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// The validator set is kept in the state from InitChain on, one key a validator
// (`val/` + its Ed25519 key, its power as uint64), so that the ledger refuses any
// change CometBFT would not apply: an approved change never halts the chain.

func validatorKey(pub []byte) []byte { return append([]byte(prefixValidator), pub...) }

// InitValidators writes the genesis validators. Only Ed25519 keys of 32 bytes are
// allowed, as the chain's consensus parameters allow only them.
func InitValidators(kv store.KV, vals []txn.Validator) error {
	var total uint64
	for i, v := range vals {
		if len(v.PublicKey) != crypto.PublicKeyBytes {
			return fmt.Errorf("%w: validators[%d]: want an Ed25519 key of %d bytes, got %d", ErrGenesis, i, crypto.PublicKeyBytes, len(v.PublicKey))
		}
		if v.Power == 0 || v.Power > txn.ValidatorPowerMax-total {
			return fmt.Errorf("%w: validators[%d]: power %d is zero, or the set's power passes %d", ErrGenesis, i, v.Power, uint64(txn.ValidatorPowerMax))
		}
		total += v.Power
		kv.Set(validatorKey(v.PublicKey), binary.BigEndian.AppendUint64(nil, v.Power))
	}
	return nil
}

// Validators lists the validator set, by key.
func Validators(r store.Reader) []txn.Validator {
	var out []txn.Validator
	r.Scan([]byte(prefixValidator), func(key, value []byte) bool {
		out = append(out, txn.Validator{PublicKey: append([]byte(nil), key[len(prefixValidator):]...), Power: binary.BigEndian.Uint64(value)})
		return true
	})
	return out
}

// ValidatorChanges are the validators whose power the changes of a block set, each
// with its final power (0: removed), by key: the updates CometBFT applies.
func ValidatorChanges(changes []store.Change) []txn.Validator {
	var out []txn.Validator
	for _, c := range changes {
		if len(c.Key) != len(prefixValidator)+crypto.PublicKeyBytes || string(c.Key[:len(prefixValidator)]) != prefixValidator {
			continue
		}
		v := txn.Validator{PublicKey: append([]byte(nil), c.Key[len(prefixValidator):]...)}
		if c.Value != nil {
			v.Power = binary.BigEndian.Uint64(c.Value)
		}
		out = append(out, v)
	}
	return out
}

// setValidator is the issuers changing a validator's power, adding or removing it (a
// controlled action: its signers were checked).
func setValidator(kv store.KV, m *txn.SetValidator) ([]Event, error) {
	vals := Validators(kv)
	var current, total uint64
	for _, v := range vals {
		total += v.Power
		if string(v.PublicKey) == string(m.PublicKey) {
			current = v.Power
		}
	}
	switch {
	case m.Power == 0 && current == 0:
		return nil, txn.Errorf(txn.UnknownValidator, "no validator has key %x", m.PublicKey)
	case m.Power == 0 && len(vals) == 1:
		return nil, txn.Errorf(txn.LastValidator, "validator %x is the chain's last", m.PublicKey)
	case m.Power > txn.ValidatorPowerMax-(total-current):
		return nil, txn.Errorf(txn.ValidatorPowerTooHigh, "the other validators hold %d; %d more passes %d", total-current, m.Power, uint64(txn.ValidatorPowerMax))
	}
	if m.Power == 0 {
		kv.Delete(validatorKey(m.PublicKey))
	} else {
		kv.Set(validatorKey(m.PublicKey), binary.BigEndian.AppendUint64(nil, m.Power))
	}
	addr := crypto.AddressOf(m.PublicKey)
	return []Event{{Type: "validator", Attrs: []Attr{
		{"public_key", fmt.Sprintf("%X", m.PublicKey)}, {"address", fmt.Sprintf("%X", addr[:])},
		{"power", u64(m.Power)}, {"was", u64(current)},
	}}}, nil
}
