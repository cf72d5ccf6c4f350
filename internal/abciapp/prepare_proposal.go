package abciapp

import (
	"context"
	"crypto/sha256"

	abci "github.com/cometbft/cometbft/abci/types"
)

// PrepareProposal proposes the mempool's transactions in the order CheckTx admitted
// them, then those of the request that the mempool does not hold (CometBFT's app-side
// mempool sends none) and that pass ProcessProposal's checks (they decode and their
// signature verifies), and stops at the first that would pass the block's byte limit:
// a transaction is never proposed without those admitted before it.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	a.mu.Lock()
	m := a.mempool
	txs := m.ordered()
	var others [][]byte
	for _, tx := range req.Txs {
		if !m.has(sha256.Sum256(tx)) {
			others = append(others, tx)
		}
	}
	a.mu.Unlock()
	for i, c := range a.verifyAll(others) {
		if c.err == nil {
			txs = append(txs, others[i])
		}
	}
	out := txs[:0]
	var size int64
	for _, tx := range txs {
		if size+protoSize(len(tx)) > req.MaxTxBytes {
			break
		}
		size += protoSize(len(tx))
		out = append(out, tx)
	}
	return &abci.ResponsePrepareProposal{Txs: out}, nil
}
