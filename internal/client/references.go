package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// References lists an operator's bank references of a kind, by reference, reading every
// page.
func (c *Client) References(ctx context.Context, kind query.ReferenceKind, operator string) ([]query.Reference, error) {
	return listAll[query.Reference](ctx, c, query.PathReferences+string(kind)+"/"+operator)
}

// OperatorAt reads an operator as the state held it after height.
func (c *Client) OperatorAt(ctx context.Context, id string, height int64) (txn.Operator, error) {
	var op txn.Operator
	return op, c.queryAt(ctx, query.PathOperator, id, height, &op)
}

// OrderAt reads an order as the state held it after height.
func (c *Client) OrderAt(ctx context.Context, id string, height int64) (txn.Order, error) {
	var o txn.Order
	return o, c.queryAt(ctx, query.PathOrder, id, height, &o)
}

// BlockTime returns the time of the block at height, as its header gives it.
func (c *Client) BlockTime(ctx context.Context, height int64) (time.Time, error) {
	res, err := c.rpc.Header(ctx, &height)
	if err != nil {
		return time.Time{}, blockError("header", height, err)
	}
	return res.Header.Time, nil
}

// ErrBeforeChain is a time before the first block the node has.
var ErrBeforeChain = errors.New("client: no block the node has is that old")

// LastHeightAt returns the last committed height whose block time is not after t, and
// that block's time: the state a reader at t saw. A block's time is set from the votes
// of the block before, so a block committed after t may still carry an earlier time:
// the answer is final only once a block of a later time is committed, which it waits
// for. A time before the node's earliest block is ErrBeforeChain.
func (c *Client) LastHeightAt(ctx context.Context, t time.Time) (int64, time.Time, error) {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var lo, hi int64
	for {
		st, err := c.rpc.Status(ctx)
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("client: status: %w", err)
		}
		lo, hi = st.SyncInfo.EarliestBlockHeight, st.SyncInfo.LatestBlockHeight
		if st.SyncInfo.LatestBlockTime.After(t) {
			break
		}
		select {
		case <-ctx.Done():
			return 0, time.Time{}, fmt.Errorf("client: waiting for a block after %s: %w", t.UTC().Format(time.RFC3339Nano), ctx.Err())
		case <-tick.C:
		}
	}
	first, err := c.BlockTime(ctx, lo)
	if err != nil {
		return 0, time.Time{}, err
	}
	if first.After(t) {
		return 0, time.Time{}, fmt.Errorf("%w: its earliest block, %d, is of %s, after %s", ErrBeforeChain, lo, first.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
	}
	// Block times never decrease: the last height not after t is found by halving.
	at := first
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		bt, err := c.BlockTime(ctx, mid)
		if err != nil {
			return 0, time.Time{}, err
		}
		if bt.After(t) {
			hi = mid - 1
		} else {
			lo, at = mid, bt
		}
	}
	return lo, at, nil
}
