package system

import (
	"context"
	"errors"
	"fmt"

	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/node"
)

// Chain is a node running in this process and a client connected to it.
type Chain struct {
	Node   *node.Node
	Client *client.Client
	// Admin is the node's admin address, when it serves one (node.Options.AdminListen).
	Admin *client.Admin
}

// StartChain starts the node of an initialised home and connects to it.
func StartChain(ctx context.Context, home string, o node.Options) (*Chain, error) {
	n, err := node.Start(home, o)
	if err != nil {
		return nil, err
	}
	return connect(ctx, n)
}

// StartLocalChain initialises home as a single validator on free loopback ports and
// starts it: the throwaway chain of the demo and of tests.
func StartLocalChain(ctx context.Context, home string, o node.LocalOptions) (*Chain, error) {
	n, err := node.StartLocal(home, o)
	if err != nil {
		return nil, err
	}
	return connect(ctx, n)
}

func connect(ctx context.Context, n *node.Node) (*Chain, error) {
	c, err := client.Dial(ctx, n.RPCAddress())
	if err != nil {
		return nil, errors.Join(err, n.Stop())
	}
	ch := &Chain{Node: n, Client: c}
	if addr := n.AdminAddress(); addr != "" {
		ch.Admin = client.NewAdmin(addr)
	}
	return ch, nil
}

// Stop stops the node, then closes the client: a client that hung up first would make
// the node log an error for the connection it could no longer close.
func (c *Chain) Stop() error {
	return errors.Join(c.Node.Stop(), c.Client.Close())
}

// RunNode runs the node of home until ctx is done; ready is told the running node, for
// its addresses.
func RunNode(ctx context.Context, home string, o node.Options, ready func(*node.Node)) error {
	n, err := node.Start(home, o)
	if err != nil {
		return err
	}
	ready(n)
	<-ctx.Done()
	if err := n.Stop(); err != nil {
		return fmt.Errorf("stop node: %w", err)
	}
	return nil
}
