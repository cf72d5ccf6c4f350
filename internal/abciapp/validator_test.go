package abciapp

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// validatorRejections are the changes of the validator set that CometBFT would not
// apply, or that the wrong key signs.
func validatorRejections() []rejectionCase {
	return []rejectionCase{
		{"removal of a key that is no validator", txn.UnknownValidator, func(h *harness) []byte {
			return h.sign(issuerA, &txn.SetValidator{PublicKey: validatorB.pub})
		}},
		{"removal of the last validator", txn.LastValidator, func(h *harness) []byte {
			return h.sign(issuerA, &txn.SetValidator{PublicKey: validatorA.pub})
		}},
		{"validator power beyond CometBFT's total", txn.ValidatorPowerTooHigh, func(h *harness) []byte {
			return h.sign(issuerA, &txn.SetValidator{PublicKey: validatorB.pub, Power: txn.ValidatorPowerMax})
		}},
		{"validator set by an operator", txn.WrongRole, func(h *harness) []byte {
			return h.sign(operatorA, &txn.SetValidator{PublicKey: validatorB.pub, Power: 10})
		}},
		{"validator set by a stranger", txn.NotIssuer, func(h *harness) []byte {
			return h.sign(stranger, &txn.SetValidator{PublicKey: validatorB.pub, Power: 10})
		}},
		{"validator of a small-order key", txn.WeakKey, func(h *harness) []byte {
			return h.sign(issuerA, &txn.SetValidator{PublicKey: identityPoint, Power: 10})
		}},
		{"validator power above CometBFT's most", txn.InvalidField, func(h *harness) []byte {
			return h.sign(issuerA, &txn.SetValidator{PublicKey: validatorB.pub, Power: txn.ValidatorPowerMax + 1})
		}},
	}
}

// An issuer's change of the validator set reaches CometBFT as one update a key, with
// the key's final power; a removal is power 0; the set is kept in the state.
func TestValidatorChangesReachCometBFT(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	res := h.finalize(
		h.sign(issuerA, &txn.SetValidator{PublicKey: validatorB.pub, Power: 5}),
		h.sign(issuerA, &txn.SetValidator{PublicKey: validatorB.pub, Power: 7}),
	)
	want := abci.Ed25519ValidatorUpdate(validatorB.pub, 7)
	if len(res.ValidatorUpdates) != 1 || !res.ValidatorUpdates[0].PubKey.Equal(want.PubKey) || res.ValidatorUpdates[0].Power != 7 {
		t.Fatalf("validator updates %v, want one of power 7", res.ValidatorUpdates)
	}
	var vals []txn.Validator
	h.query(query.PathValidators, "", &vals)
	if len(vals) != 2 {
		t.Fatalf("validators %+v, want the genesis one and the new one", vals)
	}
	res = h.finalize(h.sign(issuerA, &txn.SetValidator{PublicKey: validatorA.pub}))
	if len(res.ValidatorUpdates) != 1 || res.ValidatorUpdates[0].Power != 0 {
		t.Fatalf("removal: validator updates %v, want one of power 0", res.ValidatorUpdates)
	}
	if res := h.finalize(); len(res.ValidatorUpdates) != 0 {
		t.Fatalf("a block without changes updates %v", res.ValidatorUpdates)
	}
	// The one left cannot be removed: the chain would halt.
	if res := h.block(h.sign(issuerA, &txn.SetValidator{PublicKey: validatorB.pub})); txn.Code(res[0].Code) != txn.LastValidator {
		t.Fatalf("removal of the last: %s", txn.Code(res[0].Code))
	}
}
