package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
	"github.com/spf13/viper"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/txn"
)

// ErrHomeExists is an init over a home that already holds a node.
var ErrHomeExists = errors.New("node: home already initialised")

// InitOptions set up a new single-validator home.
type InitOptions struct {
	Home    string
	ChainID string
	Moniker string
	Issuers []txn.Issuer
	// Auditors attest the reserves; there may be none.
	Auditors []txn.Auditor
	// CheckpointInterval is the genesis's checkpoint interval; zero takes the default.
	CheckpointInterval int64
	// OrderTTLBlocks is the genesis's order time to live; zero takes the default.
	OrderTTLBlocks int64
	// RedemptionTTLBlocks and OrderRetentionBlocks are the genesis's redemption
	// deadline and order retention; zero takes the defaults.
	RedemptionTTLBlocks  int64
	OrderRetentionBlocks int64
	// IssuerThreshold is how many issuers approve a controlled action, and
	// IssueApprovalChips the most chips one issuer issues alone when that is above 1;
	// zero takes the defaults (1, no limit).
	IssuerThreshold    int64
	IssueApprovalChips uint64
	BlockTime          time.Duration
	RPCListen          string // host:port
	P2PListen          string // host:port
	// Alone is a chain of one validator that never has peers (dev, the demo, tests): it
	// runs without peer exchange, whose address book a lone node does not need.
	Alone bool
	// Retention is what the node keeps of the chain's history, written to
	// config/chipmint.toml; nil writes DefaultRetention.
	Retention *Retention
}

// StateDir is where the application state lives inside a home.
func StateDir(home string) string { return filepath.Join(home, "data", "chipmint.db") }

// KeysDir is where the keystore lives inside a home.
func KeysDir(home string) string { return filepath.Join(home, "keys") }

// Init creates a home with CometBFT's configuration, a validator key, a node key and a
// genesis listing the issuers and this node as the only validator.
func Init(o InitOptions) error {
	conf := DefaultConfig(o.Home)
	if _, err := os.Stat(conf.GenesisFile()); err == nil {
		return fmt.Errorf("%w: %s", ErrHomeExists, conf.GenesisFile())
	}
	if err := o.genesis().Validate(); err != nil {
		return err
	}
	v, err := writeHome(conf, o)
	if err != nil {
		return err
	}
	return writeGenesis(conf.GenesisFile(), o.ChainID, o.genesis(), []types.GenesisValidator{v.validator})
}

// homeKeys is what a new home contributes to a network: its validator and its peer id.
type homeKeys struct {
	validator types.GenesisValidator
	nodeID    p2p.ID
}

// writeHome writes the configuration, the node key and the validator key of a home,
// everything but its genesis.
func writeHome(conf *cfg.Config, o InitOptions) (homeKeys, error) {
	if o.BlockTime > 0 {
		conf.Consensus.TimeoutCommit = o.BlockTime
	}
	if o.RPCListen != "" {
		conf.RPC.ListenAddress = "tcp://" + o.RPCListen
	}
	if o.P2PListen != "" {
		conf.P2P.ListenAddress = "tcp://" + o.P2PListen
	}
	conf.Moniker = o.Moniker
	if o.Alone {
		conf.P2P.PexReactor = false
	}
	for _, dir := range []string{"config", "data"} {
		if err := os.MkdirAll(filepath.Join(o.Home, dir), 0o700); err != nil {
			return homeKeys{}, fmt.Errorf("node: init: %w", err)
		}
	}
	cfg.WriteConfigFile(filepath.Join(o.Home, "config", "config.toml"), conf)
	retention := DefaultRetention()
	if o.Retention != nil {
		retention = *o.Retention
	}
	if err := WriteRetention(o.Home, retention); err != nil {
		return homeKeys{}, err
	}
	nodeKey, err := p2p.LoadOrGenNodeKey(conf.NodeKeyFile())
	if err != nil {
		return homeKeys{}, fmt.Errorf("node: init node key: %w", err)
	}
	pv := privval.LoadOrGenFilePV(conf.PrivValidatorKeyFile(), conf.PrivValidatorStateFile())
	pub, err := pv.GetPubKey()
	if err != nil {
		return homeKeys{}, fmt.Errorf("node: init validator key: %w", err)
	}
	v := types.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: 10, Name: o.Moniker}
	return homeKeys{validator: v, nodeID: nodeKey.ID()}, nil
}

func (o InitOptions) genesis() ledger.Genesis {
	return ledger.Genesis{
		Issuers: o.Issuers, Auditors: o.Auditors, CheckpointInterval: o.CheckpointInterval, OrderTTLBlocks: o.OrderTTLBlocks,
		RedemptionTTLBlocks: o.RedemptionTTLBlocks, OrderRetentionBlocks: o.OrderRetentionBlocks,
		IssuerThreshold: o.IssuerThreshold, IssueApprovalChips: o.IssueApprovalChips,
	}
}

func writeGenesis(file, chainID string, g ledger.Genesis, validators []types.GenesisValidator) error {
	appState, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("node: genesis app state: %w", err)
	}
	doc := &types.GenesisDoc{
		ChainID:         chainID,
		GenesisTime:     time.Now().UTC().Truncate(time.Millisecond),
		ConsensusParams: types.DefaultConsensusParams(),
		Validators:      validators,
		AppState:        appState,
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return fmt.Errorf("node: genesis: %w", err)
	}
	return doc.SaveAs(file)
}

// DefaultConfig is CometBFT's configuration as chipmint sets it: pebble storage, RPC
// and p2p on loopback, the kv indexer, one-second blocks, no ABCI results kept.
func DefaultConfig(home string) *cfg.Config {
	conf := cfg.DefaultConfig()
	conf.SetRoot(home)
	conf.DBBackend = "pebbledb"
	conf.RPC.ListenAddress = "tcp://127.0.0.1:26657"
	conf.P2P.ListenAddress = "tcp://127.0.0.1:26656"
	conf.P2P.AllowDuplicateIP = true
	conf.TxIndex.Indexer = "kv"
	// A block's ABCI results are kept only by an archive (config/chipmint.toml, which
	// sets this back at every start): the transactions' results and events are in the
	// index, and the blocks' own events are found by it (decision 0034).
	conf.Storage.DiscardABCIResponses = true
	conf.Instrumentation.Prometheus = false
	// A mempool of 50,000 transactions (CometBFT's default is 5,000) holds several blocks
	// of a busy chain: at 10,000 tx/s and a block every few hundred milliseconds, 5,000
	// fill up between two blocks and clients get "mempool is full". Its cache of seen
	// transactions grows with it.
	conf.Mempool.Size = 50_000
	conf.Mempool.CacheSize = 100_000
	// The application keeps the mempool (abciapp/mempool.go, decision 0022); CometBFT
	// asks it every 10 ms (its default is 500 ms) for the transactions to send to the
	// peers, so that they reach the other validators as soon as its own mempool would
	// have sent them.
	setAppMempool(conf)
	conf.Mempool.ReapInterval = 10 * time.Millisecond
	// Validators tell each other about block parts and votes every 10 ms instead of
	// 100 ms, and may send 20 MB/s to a peer instead of 5: blocks of thousands of
	// transactions reach the other validators sooner (docs/performance.md).
	conf.Consensus.PeerGossipSleepDuration = 10 * time.Millisecond
	conf.P2P.SendRate, conf.P2P.RecvRate = 20<<20, 20<<20
	return conf
}

// setAppMempool sets what the application's mempool needs, whatever the home's
// config.toml says: CometBFT's app-side mempool, and a refused transaction forgotten at
// once, so that the same bytes sent again are checked afresh and answer their real
// reason (docs/protocol.md §4; CometBFT asks for a positive delay).
func setAppMempool(conf *cfg.Config) {
	conf.Mempool.Type = cfg.MempoolTypeApp
	conf.Mempool.CheckTxRetryDelay = time.Nanosecond
}

// LoadConfig reads the home's config.toml over the defaults.
func LoadConfig(home string) (*cfg.Config, error) {
	file := filepath.Join(home, "config", "config.toml")
	v := viper.New()
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("node: read %s: %w", file, err)
	}
	conf := DefaultConfig(home)
	if err := v.Unmarshal(conf); err != nil {
		return nil, fmt.Errorf("node: parse %s: %w", file, err)
	}
	conf.SetRoot(home)
	if err := conf.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("node: %s: %w", file, err)
	}
	return conf, nil
}
