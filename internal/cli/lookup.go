package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// readOrder reads an order, saying when one the state no longer holds was removed.
func readOrder(ctx context.Context, c *client.Client, node, id string) (txn.Order, error) {
	o, err := c.Order(ctx, id)
	if !errors.Is(err, client.ErrNotFound) {
		return o, err
	}
	removed, err := c.RemovedOrder(ctx, id)
	switch {
	case errors.Is(err, client.ErrNotFound):
		return txn.Order{}, fmt.Errorf("order %s is unknown to the node at %s", id, node)
	case err != nil:
		return txn.Order{}, err
	}
	return txn.Order{}, fmt.Errorf("order %s was closed with nothing received and removed at height %d", id, removed.Height)
}

// readRedemption reads a redemption, saying which node does not know it.
func readRedemption(ctx context.Context, c *client.Client, node, id string) (txn.Redemption, error) {
	r, err := c.Redemption(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		return r, fmt.Errorf("redemption %s is unknown to the node at %s", id, node)
	}
	return r, err
}

// redemptionNamed reads the redemption an argument names from the node, with the
// client it dialled.
func (g *Globals) redemptionNamed(ctx context.Context, name, arg string) (txn.Redemption, *client.Client, error) {
	id, err := redemptionIDArg(name, arg)
	if err != nil {
		return txn.Redemption{}, nil, err
	}
	c, err := g.dial(ctx)
	if err != nil {
		return txn.Redemption{}, nil, err
	}
	r, err := readRedemption(ctx, c, g.Node, id)
	return r, c, err
}

// readOperator reads a registered operator, saying so when none has the id.
func readOperator(ctx context.Context, c *client.Client, id string) (txn.Operator, error) {
	op, err := c.Operator(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		return op, fmt.Errorf("no operator %q is registered", id)
	}
	return op, err
}
