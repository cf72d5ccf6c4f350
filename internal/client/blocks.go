package client

import (
	"context"
	"fmt"

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
