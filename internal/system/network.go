package system

import (
	"errors"
	"io"
	"log/slog"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

// NewApp returns the application a validator runs in place of chipmint's, given the
// validator's home, and what to close once the network has stopped (nil for nothing).
type NewApp func(home string) (abci.Application, io.Closer, error)

// NetworkConfig describes a network started in this process.
type NetworkConfig struct {
	// App, when set, is run by every validator in place of chipmint's application, on
	// the same node configuration: the bench's baselines.
	App        NewApp
	Validators int
	Dir        string
	ChainID    string
	Issuers    []txn.Issuer
	BlockTime  time.Duration
	Logger     *slog.Logger
	// API has every validator running chipmint's application serve its own HTTP API on
	// a free loopback port (node.Options.APIListen).
	API bool
}

// Network is validators running in this process.
type Network struct {
	RPC []string // each validator's RPC address
	// API is each validator's own HTTP API address, when NetworkConfig.API asked for it.
	API     []string
	nodes   []*node.Node
	closers []io.Closer
}

// StartNetwork generates the validators' homes with node.InitNetwork and starts them,
// each running chipmint's application or the one c.App returns.
func StartNetwork(c NetworkConfig) (*Network, error) {
	homes, err := node.InitNetwork(node.NetworkOptions{
		Dir: c.Dir, Validators: c.Validators, ChainID: c.ChainID, Issuers: c.Issuers, BlockTime: c.BlockTime,
	})
	if err != nil {
		return nil, err
	}
	n := &Network{}
	for i, home := range homes {
		o := node.Options{Logger: c.Logger.With("node", i)}
		var nd *node.Node
		if c.App == nil {
			if c.API {
				o.APIListen = "127.0.0.1:0"
			}
			nd, err = node.Start(home, o)
		} else {
			nd, err = n.startApp(home, c.App, o)
		}
		if err != nil {
			n.Stop()
			return nil, err
		}
		n.nodes = append(n.nodes, nd)
		n.RPC = append(n.RPC, nd.RPCAddress())
		if addr := nd.APIAddress(); addr != "" {
			n.API = append(n.API, addr)
		}
	}
	return n, nil
}

// startApp starts the node of home with the application newApp returns for it.
func (n *Network) startApp(home string, newApp NewApp, o node.Options) (*node.Node, error) {
	app, closer, err := newApp(home)
	if err != nil {
		return nil, err
	}
	nd, err := node.StartApp(home, app, o)
	if err != nil {
		if closer != nil {
			closer.Close()
		}
		return nil, err
	}
	if closer != nil {
		n.closers = append(n.closers, closer)
	}
	return nd, nil
}

// Stop stops every validator.
func (n *Network) Stop() error {
	var errs []error
	for _, nd := range n.nodes {
		errs = append(errs, nd.Stop())
	}
	for _, c := range n.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
