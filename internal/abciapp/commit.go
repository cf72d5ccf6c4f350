package abciapp

import (
	"context"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
)

// Commit is the only place the state is written: the pending block's changes, the
// digest of the state they leave, and its height and app hash, in one durable batch.
// The block's transactions leave the mempool, and the others run again on the new
// state. At a checkpoint it begins a snapshot, which is written after it returns. It
// tells CometBFT which blocks it may prune (retainHeight).
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	p := a.pending
	if p == nil {
		return nil, errors.New("abciapp: commit without a finalized block")
	}
	if a.opts.BeforeCommit != nil {
		a.opts.BeforeCommit(p.Height)
	}
	meta := store.Meta{Height: p.Height, AppHash: p.AppHash()}
	if err := a.commitBlock(p.Block, p.txs, p.orderSteps); err != nil {
		return nil, err
	}
	a.pending = nil
	if p.checkpoint != nil && a.opts.SnapshotDir != "" {
		// Written in the background, from a view of this state; offered once complete.
		a.startSnapshot(meta.Height, *p.checkpoint)
	}
	if a.opts.CheckInvariants {
		if err := ledger.CheckInvariants(a.db); err != nil {
			panic(fmt.Sprintf("abciapp: after height %d: %v", meta.Height, err))
		}
	}
	return &abci.ResponseCommit{RetainHeight: a.retainHeight(meta.Height)}, nil
}
