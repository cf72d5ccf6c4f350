package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/txn"
)

// readRedemption reads a redemption, saying which node does not know it.
func readRedemption(ctx context.Context, c *client.Client, node, id string) (txn.Redemption, error) {
	r, err := c.Redemption(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		return r, fmt.Errorf("redemption %s is unknown to the node at %s", id, node)
	}
	return r, err
}

// readOperator reads a registered operator, saying so when none has the id.
func readOperator(ctx context.Context, c *client.Client, id string) (txn.Operator, error) {
	op, err := c.Operator(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		return op, fmt.Errorf("no operator %q is registered", id)
	}
	return op, err
}
