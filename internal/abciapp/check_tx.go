package abciapp

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// CheckTx admits a transaction to the mempool if it would apply on top of the committed
// state and the transactions admitted before it, so that two spends of the same chips
// or two uses of one nonce do not both wait for a block.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	// Decoding and the signature need no lock, and run beside a block's execution. A
	// recheck after a block finds them done, in the cache.
	tx, err := a.parseVerified(req.Tx)
	if err != nil {
		return checkTxResponse(rejectedBy(err)), nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	b := ledger.Block{ChainID: a.chainID, Height: a.committed.Height + 1}
	// A rejected transaction leaves no trace in the mempool state, not even its nonce:
	// resent, it gets its real reason again.
	pending := store.NewOverlay(a.mempool)
	res := a.execute(pending, b, tx)
	if res.Code == txn.OK {
		pending.WriteTo(a.mempool)
	}
	return checkTxResponse(res), nil
}

func checkTxResponse(res ledger.Result) *abci.ResponseCheckTx {
	return &abci.ResponseCheckTx{Code: uint32(res.Code), Log: res.Log, Codespace: codespace(res.Code)}
}
