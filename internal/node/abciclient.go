package node

import (
	"context"
	"sync"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/service"
	"github.com/cometbft/cometbft/proxy"
)

// unsyncClientCreator hands CometBFT a local ABCI client that takes no lock: CheckTx
// calls from many RPC requests run at once, on every core, beside FinalizeBlock and
// Query. CometBFT's own local clients hold a mutex around every call, of the whole app
// or of one connection. The application must guard its own state (chipmint's App does:
// see abciapp.App, which also keeps the mempool), and the consensus connection calls
// one method at a time.
type unsyncClientCreator struct{ app abci.Application }

func (c unsyncClientCreator) NewABCIClient() (abcicli.Client, error) {
	cl := &unsyncClient{Application: c.app}
	cl.BaseService = *service.NewBaseService(nil, "unsyncLocalClient", cl)
	return cl, nil
}

var _ proxy.ClientCreator = unsyncClientCreator{}

// unsyncClient is an abcicli.Client that calls the application directly.
type unsyncClient struct {
	service.BaseService
	abci.Application

	mu sync.Mutex // guards cb
	cb abcicli.Callback
}

func (c *unsyncClient) SetResponseCallback(cb abcicli.Callback) {
	c.mu.Lock()
	c.cb = cb
	c.mu.Unlock()
}

// appMempool is an application that keeps the mempool itself, as chipmint's does: its
// CheckTx admits a transaction to it, and CheckTxOnly checks one without admitting it.
// CometBFT runs it with its app-side mempool.
type appMempool interface {
	CheckTxOnly(context.Context, *abci.RequestCheckTx) (*abci.ResponseCheckTx, error)
}

// CheckTx admits the transaction when CometBFT's app-side mempool asks: it calls with
// its lock-free context. The check_tx RPC calls without it; it promises a dry run, so
// the transaction must not join the application's mempool.
func (c *unsyncClient) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if d, ok := c.Application.(appMempool); ok && !abcicli.IsLockFreeContext(ctx) {
		return d.CheckTxOnly(ctx, req)
	}
	return c.Application.CheckTx(ctx, req)
}

// CheckTxAsync checks the transaction at once and answers as done, as CometBFT's local
// client does: the mempool's callbacks run before it returns.
func (c *unsyncClient) CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx) (*abcicli.ReqRes, error) {
	res, err := c.Application.CheckTx(ctx, req)
	if err != nil {
		return nil, err
	}
	rr := abcicli.NewReqRes(abci.ToRequestCheckTx(req))
	rr.Response = abci.ToResponseCheckTx(res)
	c.mu.Lock()
	cb := c.cb
	c.mu.Unlock()
	if cb != nil {
		cb(rr.Request, rr.Response)
	}
	rr.InvokeCallback() // no callback yet: marks it done, so that SetCallback calls at once
	return rr, nil
}

func (*unsyncClient) Error() error                { return nil }
func (*unsyncClient) Flush(context.Context) error { return nil }
func (*unsyncClient) Echo(_ context.Context, msg string) (*abci.ResponseEcho, error) {
	return &abci.ResponseEcho{Message: msg}, nil
}
