package client

import (
	"context"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/txn"
)

// BlockOrderEvents reads the order events of the transactions the chain accepted in the
// committed block at height, in block order, from the node's transaction index (a
// validator keeps no block results, decision 0034). The block's own events, the
// expiries, are not among them: no order is paid or issued by one. A block the node does
// not hold (any more) is an error.
func (c *Client) BlockOrderEvents(ctx context.Context, height int64) ([]OrderEvent, error) {
	hashes, err := c.BlockTxHashes(ctx, height)
	if err != nil {
		return nil, err
	}
	results, err := c.blockTxResults(ctx, height, len(hashes))
	if err != nil {
		return nil, err
	}
	var out []OrderEvent
	for _, r := range results {
		if r.Code == uint32(txn.OK) {
			out = append(out, allOrderEvents(r.Events, height)...)
		}
	}
	return out, nil
}

// blockTxResults reads the results of the n transactions of the committed block at
// height from the node's transaction index, in block order. The index is written just
// after the block commits: it waits, until ctx ends, for the index to hold them all.
func (c *Client) blockTxResults(ctx context.Context, height int64, n int) ([]*abci.ExecTxResult, error) {
	if n == 0 {
		return nil, nil
	}
	q := fmt.Sprintf("tx.height = %d", height)
	for {
		out := make([]*abci.ExecTxResult, n)
		found, perPage := 0, 100
		for page := 1; found < n; page++ {
			res, err := c.rpc.TxSearch(ctx, q, false, &page, &perPage, "asc")
			if err != nil {
				return nil, fmt.Errorf("client: transactions of block %d: %w", height, err)
			}
			for _, tx := range res.Txs {
				if int(tx.Index) < n && out[tx.Index] == nil {
					out[tx.Index] = &tx.TxResult
					found++
				}
			}
			if len(res.Txs) < perPage || page*perPage >= res.TotalCount {
				break
			}
		}
		if found == n {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("client: transactions of block %d: %d of %d in the index: %w", height, found, n, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
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
// transactions is indexed whole (blockTxResults), so is everything before it.
func (c *Client) WaitTxIndexed(ctx context.Context, height int64) error {
	for top := height; top > 0; top -= 20 {
		info, err := c.rpc.BlockchainInfo(ctx, max(1, top-19), top)
		if err != nil {
			return fmt.Errorf("client: blockchain info up to %d: %w", top, err)
		}
		for _, m := range info.BlockMetas { // newest first
			if m.NumTxs > 0 {
				_, err := c.blockTxResults(ctx, m.Header.Height, m.NumTxs)
				return err
			}
		}
	}
	return nil
}
