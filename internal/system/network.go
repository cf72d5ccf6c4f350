package system

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/abci/example/kvstore"

	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// The applications a network can run.
const (
	AppChipmint = "chipmint"
	AppKVStore  = "kvstore"
)

// NetworkConfig describes a network started in this process.
type NetworkConfig struct {
	App        string
	Validators int
	Dir        string
	ChainID    string
	Issuers    []txn.Issuer
	BlockTime  time.Duration
	Logger     *slog.Logger
}

// Network is validators running in this process.
type Network struct {
	RPC     []string // each validator's RPC address
	nodes   []*node.Node
	closers []io.Closer
}

// StartNetwork generates the validators' homes with node.InitNetwork and starts them,
// each running app: chipmint's ledger or CometBFT's example kvstore.
func StartNetwork(c NetworkConfig) (*Network, error) {
	if c.App != AppChipmint && c.App != AppKVStore {
		return nil, fmt.Errorf("system: application %q: want %s or %s", c.App, AppChipmint, AppKVStore)
	}
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
		if c.App == AppChipmint {
			nd, err = node.Start(home, o)
		} else {
			nd, err = n.startKVStore(home, o)
		}
		if err != nil {
			n.Stop()
			return nil, err
		}
		n.nodes = append(n.nodes, nd)
		n.RPC = append(n.RPC, nd.RPCAddress())
	}
	return n, nil
}

// startKVStore runs CometBFT's example kvstore on pebble, as chipmint's state is.
func (n *Network) startKVStore(home string, o node.Options) (*node.Node, error) {
	db, err := dbm.NewPebbleDBWithOpts("kvstore", filepath.Join(home, "data"), store.PebbleOptions())
	if err != nil {
		return nil, fmt.Errorf("system: kvstore state: %w", err)
	}
	nd, err := node.StartApp(home, kvstore.NewApplication(db), o)
	if err != nil {
		db.Close()
		return nil, err
	}
	n.closers = append(n.closers, db)
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
