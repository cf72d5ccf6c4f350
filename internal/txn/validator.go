package txn

import (
	"math"

	"github.com/chipmint/chipmint/internal/crypto"
)

// ValidatorPowerMax is the most voting power the validators may hold together, and so
// one of them: CometBFT's MaxTotalVotingPower (math.MaxInt64 / 8), beyond which it
// refuses the change and halts the chain.
const ValidatorPowerMax = math.MaxInt64 / 8

// SetValidator (issuers) gives a validator its voting power: a new key joins the
// validator set, a known one changes its power, and power 0 removes it. The key is the
// node's consensus key (its priv_validator_key.json), Ed25519, the only type the chain
// allows.
type SetValidator struct {
	_         struct{} `cbor:",toarray"`
	PublicKey []byte   `json:"public_key"`
	Power     uint64   `json:"power,string"`
}

// Type implements Msg.
func (SetValidator) Type() Type { return TypeSetValidator }

// Validate implements Msg.
func (m SetValidator) Validate() error {
	if len(m.PublicKey) != crypto.PublicKeyBytes {
		return Errorf(InvalidField, "public_key: want an Ed25519 key of %d bytes, got %d", crypto.PublicKeyBytes, len(m.PublicKey))
	}
	if err := crypto.CheckPublicKey(m.PublicKey); err != nil {
		return Errorf(WeakKey, "public_key: %v", err)
	}
	if m.Power > ValidatorPowerMax {
		return Errorf(InvalidField, "power: %d is above the most the validators may hold together, %d", m.Power, uint64(ValidatorPowerMax))
	}
	return nil
}

// Validator is a member of the validator set, as the ledger keeps it.
type Validator struct {
	PublicKey []byte `cbor:"public_key" json:"public_key"`
	Power     uint64 `cbor:"power" json:"power,string"`
}
