package abciapp

import (
	"bytes"
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// InitChain writes the genesis state: the issuers. A genesis without issuers stops the
// node here rather than start a chain that can never mint.
//
// CometBFT calls it at every start while the last committed height is 0, so it may find
// the state this same genesis wrote (a node restarted before its first block), which it
// leaves as it is. Any other state it refuses: a chain started over entries no block
// wrote would serve them, and its app hash would part from the validators' at the next
// checkpoint.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId != a.chainID {
		return nil, fmt.Errorf("abciapp: genesis chain id %q, app configured for %q", req.ChainId, a.chainID)
	}
	g, err := ledger.ParseGenesis(req.AppStateBytes)
	if err != nil {
		return nil, fmt.Errorf("abciapp: init chain: %w", err)
	}
	genesis := store.NewOverlay(a.db)
	if err := ledger.InitGenesis(genesis, g); err != nil {
		return nil, fmt.Errorf("abciapp: init chain: %w", err)
	}
	vals := make([]txn.Validator, 0, len(req.Validators))
	for i, v := range req.Validators {
		pk := v.PubKey.GetEd25519()
		if pk == nil {
			return nil, fmt.Errorf("abciapp: init chain: validators[%d]: a key of type %T; the chain allows Ed25519 only", i, v.PubKey.Sum)
		}
		vals = append(vals, txn.Validator{PublicKey: pk, Power: uint64(v.Power)})
	}
	if err := ledger.InitValidators(genesis, vals); err != nil {
		return nil, fmt.Errorf("abciapp: init chain: %w", err)
	}
	changes := genesis.Changes()
	// On the state this genesis wrote, the block is the same as on the empty state: it
	// writes every value again.
	b := a.db.Prepare(req.InitialHeight-1, nil, changes)
	meta := store.Meta{Height: b.Height, AppHash: b.AppHash()}
	if err := a.checkNoOtherState(changes, meta); err != nil {
		return nil, err
	}
	if err := a.db.Commit(b); err != nil {
		return nil, err
	}
	a.setCommitted(meta)
	a.params = ledger.GetParams(a.db)
	return &abci.ResponseInitChain{AppHash: meta.AppHash}, nil
}

// checkNoOtherState checks that the committed state is empty, or is exactly the genesis
// state that changes and meta describe.
func (a *App) checkNoOtherState(changes []store.Change, meta store.Meta) error {
	n, differs := 0, []byte(nil)
	a.db.Scan(nil, func(k, v []byte) bool {
		if n == len(changes) || !bytes.Equal(k, changes[n].Key) || !bytes.Equal(v, changes[n].Value) {
			differs = k
			return false
		}
		n++
		return true
	})
	if n == 0 && differs == nil {
		return nil
	}
	committed := a.db.Meta()
	if differs == nil && n == len(changes) && committed.Height == meta.Height && bytes.Equal(committed.AppHash, meta.AppHash) {
		return nil
	}
	first := "the height and app hash"
	switch {
	case differs != nil:
		first = fmt.Sprintf("key %q", differs)
	case n < len(changes):
		first = fmt.Sprintf("key %q, missing", changes[n].Key)
	}
	return fmt.Errorf("abciapp: init chain: the state database already holds a state that this genesis did not write "+
		"(height %d; first difference: %s), left by an unfinished state sync of an older version, another chain or damage, "+
		"and chipmint does not start a chain over it. Stop the node, empty its data/ folder except priv_validator_state.json, "+
		"and start it again, with state sync or to replay from genesis (docs/operations.md, section 6)", committed.Height, first)
}
