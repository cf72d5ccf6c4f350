package abciapp

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"
)

// PrepareProposal keeps the mempool's order, drops what does not decode or whose
// signature does not verify (ProcessProposal would reject the block), and stops at the
// block's byte limit. The mempool's transactions were verified by CheckTx, so they are
// found in the cache.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	txs := make([][]byte, 0, len(req.Txs))
	var size int64
	for i, c := range a.verifyAll(req.Txs) {
		tx := req.Txs[i]
		if size+int64(len(tx)) > req.MaxTxBytes {
			break
		}
		if c.err != nil {
			continue
		}
		size += int64(len(tx))
		txs = append(txs, tx)
	}
	return &abci.ResponsePrepareProposal{Txs: txs}, nil
}
