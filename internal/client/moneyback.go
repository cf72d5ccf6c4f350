package client

import (
	"context"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// Redemption reads a redemption.
func (c *Client) Redemption(ctx context.Context, id string) (txn.Redemption, error) {
	var r txn.Redemption
	return r, c.query(ctx, query.PathRedemption, id, &r)
}

// OpenRedemptions lists an operator's redemptions whose payout is to be made or
// confirmed, by id, reading every page.
func (c *Client) OpenRedemptions(ctx context.Context, operator string) ([]txn.Redemption, error) {
	return listAll[txn.Redemption](ctx, c, query.PathOpenRedemptions+operator)
}

// OwedOrders lists an operator's orders that owe money back with no refund recorded,
// by id, reading every page.
func (c *Client) OwedOrders(ctx context.Context, operator string) ([]txn.Order, error) {
	return listAll[txn.Order](ctx, c, query.PathOwedOrders+operator)
}

// Refund reads the refund recorded of an operator's credit that confirmed no order.
func (c *Client) Refund(ctx context.Context, operator, bankRef string) (txn.Refund, error) {
	var f txn.Refund
	return f, c.query(ctx, query.PathRefund, operator+"/"+bankRef, &f)
}

// Cover reads the cover of an operator's shortfall recorded of its credit with bank
// reference ref (in any case).
func (c *Client) Cover(ctx context.Context, operator, ref string) (txn.Cover, error) {
	var v txn.Cover
	return v, c.query(ctx, query.PathCover, operator+"/"+ref, &v)
}

// RemovedOrder reads when an order closed with nothing received left the state.
func (c *Client) RemovedOrder(ctx context.Context, id string) (query.RemovedOrder, error) {
	var r query.RemovedOrder
	return r, c.query(ctx, query.PathRemovedOrder, id, &r)
}
