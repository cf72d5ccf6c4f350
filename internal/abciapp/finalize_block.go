package abciapp

import (
	"context"
	"crypto/sha256"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// FinalizeBlock executes a decided block against the committed state, re-checking every
// transaction from its bytes, and computes the app hash. Nothing is written until
// Commit: after a crash CometBFT calls FinalizeBlock again for the same block.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	b := ledger.Block{ChainID: a.chainID, Height: req.Height, Time: req.Time}
	checked := a.verifyAll(req.Txs)
	state := store.NewOverlay(a.db)
	blockEvents := ledger.BeginBlock(state, b)
	steps := map[txn.OrderStatus]uint64{}
	countOrderSteps(steps, blockEvents)
	results := make([]*abci.ExecTxResult, len(req.Txs))
	hashes := make([][sha256.Size]byte, 0, len(req.Txs))
	for i, c := range checked {
		var res ledger.Result
		if c.err != nil {
			res = rejectedBy(c.err)
		} else {
			res = a.execute(state, b, c.tx)
			hashes = append(hashes, c.tx.Hash)
			countOrderSteps(steps, res.Events)
		}
		if res.Code != txn.OK {
			a.log.Info("transaction rejected", "height", req.Height, "index", i, "code", res.Code.String(), "reason", res.Log)
		}
		results[i] = &abci.ExecTxResult{
			Code: uint32(res.Code), Log: res.Log, Codespace: codespace(res.Code), Events: a.toABCIEvents(res.Events),
		}
	}
	changes := state.Changes()
	// The app hash commits to the block's changes, chained; to the digest of the whole
	// state; and to the root of the state tree. The digest and the tree follow every
	// block from its changes: their cost is the block's, whatever the size of the state.
	p := &pendingBlock{Block: a.db.Prepare(req.Height, a.lastCommitted().AppHash, changes), txs: hashes, orderSteps: steps}
	if n := a.params.CheckpointInterval; n > 0 && req.Height%n == 0 {
		// Every n blocks a snapshot is taken, provable against the hash the validators sign.
		c := p.Commitment
		p.checkpoint = &checkpoint{Chained: c.Chained, StateDigest: c.Digest, Root: c.Root[:]}
	}
	a.pending = p
	return &abci.ResponseFinalizeBlock{
		Events: a.toABCIEvents(blockEvents), TxResults: results, AppHash: p.AppHash(),
		ValidatorUpdates: validatorUpdates(changes),
	}, nil
}

// validatorUpdates are the block's changes of the validator set as CometBFT applies
// them: each key whose power changed once, with its final power, 0 for a removal.
func validatorUpdates(changes []store.Change) []abci.ValidatorUpdate {
	var out []abci.ValidatorUpdate
	for _, v := range ledger.ValidatorChanges(changes) {
		out = append(out, abci.Ed25519ValidatorUpdate(v.PublicKey, int64(v.Power)))
	}
	return out
}

// codespace names the result codes' namespace for clients, empty for success.
func codespace(c txn.Code) string {
	if c == txn.OK {
		return ""
	}
	return "chipmint"
}
