package abciapp

import (
	"context"
	"crypto/sha256"

	abci "github.com/cometbft/cometbft/abci/types"
)

// PrepareProposal proposes the mempool's transactions in the order CheckTx admitted
// them, then those of the request that the mempool does not hold (CometBFT's app-side
// mempool sends none) and that decode, and stops at the first that would pass the
// block's byte limit: a transaction is never proposed without those admitted before it.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	a.mu.Lock()
	m := a.mempool
	txs := m.ordered()
	mine := len(txs)
	for _, tx := range req.Txs {
		if !m.has(sha256.Sum256(tx)) {
			txs = append(txs, tx)
		}
	}
	a.mu.Unlock()
	out := txs[:0]
	var size int64
	for i, tx := range txs {
		if size+protoSize(len(tx)) > req.MaxTxBytes {
			break
		}
		if i >= mine && a.decode(tx) != nil {
			continue
		}
		size += protoSize(len(tx))
		out = append(out, tx)
	}
	return &abci.ResponsePrepareProposal{Txs: out}, nil
}
