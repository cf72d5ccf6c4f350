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
// or two uses of one nonce do not both wait for a block. The mempool keeps it in that
// order: it is proposed after the transactions admitted before it.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	// Decoding and the signature need no lock, and run beside a block's execution.
	tx, err := a.parseVerified(req.Tx)
	if err != nil {
		return checkTxResponse(rejectedBy(err)), nil
	}
	return a.admit(req.Tx, tx), nil
}

// CheckTxOnly answers as CheckTx would, and keeps nothing: the transaction does not
// join the mempool. It serves the node's check_tx RPC, a dry run.
func (a *App) CheckTxOnly(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	tx, err := a.parseVerified(req.Tx)
	if err != nil {
		return checkTxResponse(rejectedBy(err)), nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.readyMempool()
	if m.has(tx.Hash) {
		return checkTxResponse(ledger.Result{Code: txn.OK}), nil
	}
	return checkTxResponse(a.execute(store.NewOverlay(m.state), a.mempoolBlock(), tx)), nil
}

// InsertTx admits a transaction a peer sent, as CheckTx does. A refusal is answered as
// "retry later", whatever its reason, so that CometBFT forgets the transaction and
// checks it again if it comes back: the state may have changed by then.
func (a *App) InsertTx(ctx context.Context, req *abci.RequestInsertTx) (*abci.ResponseInsertTx, error) {
	res, err := a.CheckTx(ctx, &abci.RequestCheckTx{Tx: req.Tx})
	if err != nil {
		return nil, err
	}
	if res.Code != uint32(txn.OK) {
		a.log.Debug("transaction from a peer refused", "code", res.Code, "codespace", res.Codespace, "reason", res.Log)
		return &abci.ResponseInsertTx{Code: abci.CodeTypeRetry}, nil
	}
	return &abci.ResponseInsertTx{Code: abci.CodeTypeOK}, nil
}

// ReapTxs hands CometBFT the transactions admitted since its last call, in their order,
// to send to the peers. CometBFT calls it every few milliseconds (the node's
// reap_interval), so after a block it is mostly ReapTxs that runs the mempool's
// transactions again, off the consensus path and before the next CheckTx needs them.
func (a *App) ReapTxs(_ context.Context, req *abci.RequestReapTxs) (*abci.ResponseReapTxs, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &abci.ResponseReapTxs{Txs: a.readyMempool().reap(req.MaxBytes)}, nil
}

func checkTxResponse(res ledger.Result) *abci.ResponseCheckTx {
	return &abci.ResponseCheckTx{Code: uint32(res.Code), Log: res.Log, Codespace: codespace(res.Code)}
}
