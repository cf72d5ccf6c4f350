package abciapp

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"
)

// PrepareProposal keeps the mempool's order, drops what does not decode, and stops at
// the block's byte limit.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	txs := make([][]byte, 0, len(req.Txs))
	var size int64
	for _, tx := range req.Txs {
		if size+int64(len(tx)) > req.MaxTxBytes {
			break
		}
		if err := a.decode(tx); err != nil {
			continue
		}
		size += int64(len(tx))
		txs = append(txs, tx)
	}
	return &abci.ResponsePrepareProposal{Txs: txs}, nil
}
