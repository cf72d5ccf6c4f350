package node

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	cfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"

	"github.com/chipmint/chipmint/internal/abciapp"
	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
)

// Options tune a running node.
type Options struct {
	// Logger receives CometBFT's and the application's logs; nil discards them.
	Logger *slog.Logger
	// CheckInvariants verifies the ledger's invariants after every block.
	CheckInvariants bool
	// AdminListen, when set, is the host:port where the node serves its operator the
	// check of the ledger's invariants (query.AdminPathInvariants), which reads the
	// whole state and which the public RPC refuses. Keep it on loopback or a private
	// network; port 0 takes a free port (AdminAddress).
	AdminListen string
	// APIListen, when set, is the host:port of the node's own HTTP API (package api),
	// beside CometBFT's RPC: the bulk submission of signed transactions, the read API
	// (JSON answers from the committed state, described by OpenAPI) and the metrics of
	// the application (api.PathMetrics). It is unauthenticated, like the RPC: keep it on
	// loopback or behind a proxy; port 0 takes a free port (APIAddress). Served by
	// chipmint's application only (Start).
	APIListen string
	// SignerWait bounds the wait for the remote signer to connect when the home's
	// config.toml sets priv_validator_laddr; zero takes DefaultSignerWait.
	SignerWait time.Duration
}

// OpenState opens the state database of a home, keeping the state history its
// retention asks for.
func OpenState(home string, r Retention) (*store.DB, error) {
	return store.Open(StateDir(home), store.Options{Proven: ledger.Proven, History: r.stateHistory()})
}

// Node is a running chipmint node.
type Node struct {
	Config *cfg.Config
	cmt    *cmtnode.Node
	// signer is the remote signer's endpoint, when the home sets priv_validator_laddr.
	signer *privval.SignerListenerEndpoint
	app    *abciapp.App
	admin  *admin
	api    *apiServer
	db     *store.DB
	// lock is the home's lock, held until the node stops.
	lock *os.File
	// stopping is set once Stop begins.
	stopping atomic.Bool
}

// Start loads the home's configuration and genesis and starts the node.
func Start(home string, o Options) (*Node, error) {
	conf, gen, retention, err := loadHome(home)
	if err != nil {
		return nil, err
	}
	lock, err := lockHome(home)
	if err != nil {
		return nil, err
	}
	db, err := OpenState(home, retention)
	if err != nil {
		return nil, errors.Join(err, lock.Close())
	}
	n, err := start(conf, gen, retention, db, o)
	if err != nil {
		return nil, errors.Join(err, db.Close(), lock.Close())
	}
	n.lock = lock
	return n, nil
}

// loadHome reads a home's configuration, genesis and retention. An archive keeps its
// blocks' ABCI results whatever config.toml says.
func loadHome(home string) (*cfg.Config, *types.GenesisDoc, Retention, error) {
	conf, err := LoadConfig(home)
	if err != nil {
		return nil, nil, Retention{}, err
	}
	gen, err := types.GenesisDocFromFile(conf.GenesisFile())
	if err != nil {
		return nil, nil, Retention{}, fmt.Errorf("node: %w", err)
	}
	retention, err := LoadRetention(home)
	if err != nil {
		return nil, nil, Retention{}, err
	}
	if retention.Archive {
		conf.Storage.DiscardABCIResponses = false
	}
	return conf, gen, retention, nil
}

// logger is the options' logger, or one that discards.
func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func start(conf *cfg.Config, gen *types.GenesisDoc, retention Retention, db *store.DB, o Options) (*Node, error) {
	logger := o.logger()
	retainBlocks := retention.RetainBlocks
	if retention.Archive {
		retainBlocks = 0
	}
	app := abciapp.New(db, gen.ChainID, abciapp.Options{
		RetainBlocks: retainBlocks, IndexAllEvents: retention.Archive,
		CheckInvariants: o.CheckInvariants, Logger: logger.With("module", "app"), BeforeCommit: crashBeforeCommit(logger),
		SnapshotDir:   filepath.Join(conf.RootDir, "data", "snapshots"),
		MempoolMaxTxs: conf.Mempool.Size, MempoolMaxBytes: conf.Mempool.MaxTxsBytes,
	})
	logger.Info("history kept", "archive", retention.Archive, "retain_blocks", retainBlocks,
		"abci_results", !conf.Storage.DiscardABCIResponses)
	n := &Node{Config: conf, app: app, db: db}
	var apiListener net.Listener
	var err error
	if o.APIListen != "" {
		if apiListener, err = listenAPI(o.APIListen); err != nil {
			return nil, errors.Join(err, app.Close())
		}
	}
	if o.AdminListen != "" {
		if n.admin, err = startAdmin(o.AdminListen, app, logger.With("module", "admin")); err != nil {
			return nil, errors.Join(err, app.Close(), closeListener(apiListener))
		}
	}
	if n.cmt, n.signer, err = startCometBFT(conf, gen, app, o, &n.stopping); err != nil {
		// Replaying blocks at the start may have begun a snapshot.
		err = errors.Join(err, app.Close(), closeListener(apiListener))
		if n.admin != nil {
			err = errors.Join(err, n.admin.stop())
		}
		return nil, err
	}
	if apiListener != nil {
		if n.api, err = serveAPI(apiListener, n.cmt, app, conf.Mempool, logger.With("module", "api")); err != nil {
			return nil, errors.Join(err, closeListener(apiListener), n.Stop())
		}
	}
	return n, nil
}

// closeListener closes l, if there is one.
func closeListener(l net.Listener) error {
	if l == nil {
		return nil
	}
	return l.Close()
}

// dbProvider opens CometBFT's databases, with pebble as chipmint's own state is.
func dbProvider(ctx *cfg.DBContext) (dbm.DB, error) {
	if ctx.Config.DBBackend == string(dbm.PebbleDBBackend) {
		return dbm.NewPebbleDBWithOpts(ctx.ID, ctx.Config.DBDir(), store.PebbleOptions())
	}
	return cfg.DefaultDBProvider(ctx)
}

// CrashBeforeCommitEnv names the fault-injection variable: CHIPMINT_CRASH_BEFORE_COMMIT=N
// makes the process exit at its N-th Commit, after FinalizeBlock and before the state
// is written, as CometBFT's FAIL_TEST_INDEX does at its own crash points. For tests.
const CrashBeforeCommitEnv = "CHIPMINT_CRASH_BEFORE_COMMIT"

func crashBeforeCommit(logger *slog.Logger) func(int64) {
	n, err := strconv.Atoi(os.Getenv(CrashBeforeCommitEnv))
	if err != nil || n < 1 {
		return nil
	}
	commits := 0
	return func(height int64) {
		if commits++; commits == n {
			logger.Error("crashing before commit, as "+CrashBeforeCommitEnv+" asks", "height", height)
			os.Exit(3)
		}
	}
}

// RPCAddress is the node's RPC address as a client dials it, such as
// "http://127.0.0.1:26657".
func (n *Node) RPCAddress() string {
	return "http://" + trimScheme(n.Config.RPC.ListenAddress)
}

// AdminAddress is the address of the node's admin API as a client dials it, such as
// "http://127.0.0.1:26659", or "" when it serves none (Options.AdminListen).
func (n *Node) AdminAddress() string {
	if n.admin == nil {
		return ""
	}
	return n.admin.addr
}

// APIAddress is the address of the node's own HTTP API as a client dials it, such as
// "http://127.0.0.1:26660", or "" when it serves none (Options.APIListen).
func (n *Node) APIAddress() string {
	if n.api == nil {
		return ""
	}
	return n.api.addr
}

// Stop stops the node and closes its state.
func (n *Node) Stop() error {
	n.stopping.Store(true)
	var err error
	if n.api != nil {
		err = n.api.stop()
	}
	if n.admin != nil {
		err = errors.Join(err, n.admin.stop())
	}
	if err := n.cmt.Stop(); err != nil {
		return fmt.Errorf("node: stop: %w", err)
	}
	n.cmt.Wait()
	// CometBFT closes the signer's connection, not its listener.
	err = errors.Join(err, stopSigner(n.signer))
	if n.app != nil {
		// A snapshot being written stops before its database closes.
		err = errors.Join(err, n.app.Close())
	}
	if n.db != nil {
		err = errors.Join(err, n.db.Close())
	}
	return errors.Join(err, n.lock.Close())
}

func trimScheme(addr string) string {
	for _, scheme := range []string{"tcp://", "http://"} {
		if len(addr) > len(scheme) && addr[:len(scheme)] == scheme {
			return addr[len(scheme):]
		}
	}
	return addr
}

// cometLogger sends CometBFT's logs at info level and above to slog; its errors go at
// debug level once the node is stopping.
func cometLogger(l *slog.Logger, stopping *atomic.Bool) cmtlog.Logger {
	return cmtlog.NewFilter(slogAdapter{l, stopping}, cmtlog.AllowInfo())
}

type slogAdapter struct {
	l        *slog.Logger
	stopping *atomic.Bool
}

func (a slogAdapter) Debug(msg string, kv ...any) { a.l.Debug(msg, kv...) }
func (a slogAdapter) Info(msg string, kv ...any)  { a.l.Info(msg, kv...) }
func (a slogAdapter) Warn(msg string, kv ...any)  { a.l.Warn(msg, kv...) }
func (a slogAdapter) Error(msg string, kv ...any) {
	if a.stopping.Load() {
		a.l.Debug(msg, kv...)
		return
	}
	a.l.Error(msg, kv...)
}
func (a slogAdapter) With(kv ...any) cmtlog.Logger {
	return slogAdapter{a.l.With(kv...), a.stopping}
}
