package abciapp

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"
)

// ProcessProposal rejects a block with a transaction that does not decode or fails its
// field validation (txn.Parse): an honest proposer never includes one. Everything else is judged in FinalizeBlock, where
// a rejected transaction gets its result code.
func (a *App) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	for _, tx := range req.Txs {
		if err := a.decode(tx); err != nil {
			a.log.Warn("rejecting proposal", "height", req.Height, "reason", err)
			return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}
