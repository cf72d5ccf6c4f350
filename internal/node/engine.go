package node

import (
	"errors"
	"fmt"
	"sync/atomic"

	abci "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
)

// startCometBFT runs CometBFT over app with the home's keys, or with the remote signer
// that connects to priv_validator_laddr; it returns that signer's endpoint, if any, for
// the node to close once CometBFT has stopped. Once stopping is set, CometBFT's errors
// are logged at debug level: closing its listeners and connections makes it report
// errors that are no fault.
func startCometBFT(conf *cfg.Config, gen *types.GenesisDoc, app abci.Application, o Options, stopping *atomic.Bool) (*cmtnode.Node, *privval.SignerListenerEndpoint, error) {
	logger := o.logger()
	if _, ok := app.(appMempool); ok {
		if conf.Mempool.Type != cfg.MempoolTypeApp {
			logger.Warn(`config.toml: chipmint keeps its own mempool: [mempool] type is "app" whatever the file says`, "type", conf.Mempool.Type)
		}
		setAppMempool(conf)
		if !conf.Consensus.CreateEmptyBlocks {
			// CometBFT's app-side mempool never tells consensus that transactions wait.
			return nil, nil, errors.New("node: config.toml: [consensus] create_empty_blocks = false is not supported: no block would ever be made")
		}
	} else {
		// An application that keeps no mempool, such as the benchmark's kvstore, runs
		// with CometBFT's.
		conf.Mempool.Type = cfg.MempoolTypeFlood
	}
	nodeKey, err := p2p.LoadNodeKey(conf.NodeKeyFile())
	if err != nil {
		return nil, nil, fmt.Errorf("node: %w", err)
	}
	pv, signer, err := privValidator(conf, gen.ChainID, nodeKey, o.signerWait(), logger, cometLogger(logger, stopping))
	if err != nil {
		return nil, nil, err
	}
	// CometBFT would listen on priv_validator_laddr again: the signer is connected.
	cmtConf := *conf
	cmtConf.PrivValidatorListenAddr = ""
	cmt, err := cmtnode.NewNode(&cmtConf, pv, nodeKey, unsyncClientCreator{app},
		func() (*types.GenesisDoc, error) { return gen, nil },
		dbProvider, cmtnode.DefaultMetricsProvider(conf.Instrumentation),
		cometLogger(logger, stopping))
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("node: create: %w", err), stopSigner(signer))
	}
	if err := cmt.Start(); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("node: start: %w", err), stopSigner(signer))
	}
	return cmt, signer, nil
}

// StartApp starts the node of home with app in place of chipmint's application, on the
// same configuration: the benchmark runs CometBFT's example kvstore so, to measure the
// engine's ceiling on the settings chipmint runs with, and tests wrap chipmint's. The
// genesis's app state is chipmint's; an application that ignores it, as kvstore does,
// runs on it unchanged. An application that keeps no mempool of its own runs with
// CometBFT's.
func StartApp(home string, app abci.Application, o Options) (*Node, error) {
	conf, gen, _, err := loadHome(home)
	if err != nil {
		return nil, err
	}
	lock, err := lockHome(home)
	if err != nil {
		return nil, err
	}
	n := &Node{Config: conf, lock: lock}
	if n.cmt, n.signer, err = startCometBFT(conf, gen, app, o, &n.stopping); err != nil {
		return nil, errors.Join(err, lock.Close())
	}
	return n, nil
}
