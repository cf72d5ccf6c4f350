package client

import (
	"context"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/txn"
)

// BlockOrderEvents reads the order events of the committed block at height, in block
// order: those of the transactions the chain accepted, then the block's own (the
// expiries). Hash is empty for the block's own. A block whose results the node does not
// hold (yet, or any more) is an error.
func (c *Client) BlockOrderEvents(ctx context.Context, height int64) ([]OrderEvent, error) {
	res, err := c.rpc.BlockResults(ctx, &height)
	if err != nil {
		return nil, fmt.Errorf("client: results of block %d: %w", height, err)
	}
	var out []OrderEvent
	for _, r := range res.TxsResults {
		if r.Code == uint32(txn.OK) {
			out = append(out, allOrderEvents(r.Events, height)...)
		}
	}
	return append(out, allOrderEvents(res.FinalizeBlockEvents, height)...), nil
}

// allOrderEvents are the order events among events.
func allOrderEvents(events []abci.Event, height int64) []OrderEvent {
	var out []OrderEvent
	for _, ev := range events {
		if ev.Type != "order" {
			continue
		}
		attrs := make(map[string]string, len(ev.Attributes))
		for _, a := range ev.Attributes {
			attrs[a.Key] = a.Value
		}
		out = append(out, OrderEvent{Height: height, Attrs: attrs})
	}
	return out
}

// CommittedHeight is the last height whose block the node's application committed: its
// state, which the queries and the check of new transactions read, holds the block's
// changes. The latest height (Height) may be one more, a block stored and not yet
// executed, whose results are already there or soon.
func (c *Client) CommittedHeight(ctx context.Context) (int64, error) {
	res, err := c.rpc.ABCIInfo(ctx)
	if err != nil {
		return 0, fmt.Errorf("client: abci_info: %w", err)
	}
	return res.Response.LastBlockHeight, nil
}

// WaitTxIndexed waits until the node's transaction index holds every block up to height:
// the index is written after a block commits, so a search just after a commit may miss
// it. The index takes blocks in order, so once the last block up to height with
// transactions is indexed whole, so is everything before it.
func (c *Client) WaitTxIndexed(ctx context.Context, height int64) error {
	last, txs := int64(0), 0
	for top := height; top > 0 && last == 0; top -= 20 {
		info, err := c.rpc.BlockchainInfo(ctx, max(1, top-19), top)
		if err != nil {
			return fmt.Errorf("client: blockchain info up to %d: %w", top, err)
		}
		for _, m := range info.BlockMetas { // newest first
			if m.NumTxs > 0 {
				last, txs = m.Header.Height, m.NumTxs
				break
			}
		}
	}
	if last == 0 {
		return nil
	}
	page, perPage := 1, 1
	for {
		res, err := c.rpc.TxSearch(ctx, fmt.Sprintf("tx.height = %d", last), false, &page, &perPage, "asc")
		if err != nil {
			return fmt.Errorf("client: tx index at %d: %w", last, err)
		}
		if res.TotalCount >= txs {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("client: tx index at %d: %w", last, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
