package abciapp

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"
)

// ProcessProposal rejects a block holding a transaction that does not decode, fails its
// field validation (txn.Parse) or whose signature does not verify: an honest proposer
// never includes one, and a block of them would cost every node its space and its
// verification for nothing. Signatures come from the verified cache, so a transaction
// CheckTx saw costs nothing here, and the others are verified on every core and found
// by FinalizeBlock. Everything else is judged in FinalizeBlock, where a rejected
// transaction gets its result code.
func (a *App) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	for i, c := range a.verifyAll(req.Txs) {
		if c.err != nil {
			a.log.Warn("rejecting proposal", "height", req.Height, "index", i, "reason", c.err)
			return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}
