package abciapp

import (
	"log/slog"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// Version is the application's protocol version, reported in Info.
const Version uint64 = 1

// Options tune an App.
type Options struct {
	// CheckInvariants verifies the ledger's invariants after every Commit and panics when
	// one is broken. It reads the whole state: for tests and debugging.
	CheckInvariants bool
	Logger          *slog.Logger
	// BeforeCommit, when set, runs at the start of every Commit, before anything is
	// written: fault tests use it to kill the process between FinalizeBlock and Commit.
	BeforeCommit func(height int64)
}

// App is the chipmint ABCI application. CometBFT's local client serialises its calls.
type App struct {
	abci.BaseApplication

	db        *store.DB
	chainID   string
	opts      Options
	log       *slog.Logger
	committed store.Meta
	// mempool is the committed state plus the transactions CheckTx accepted since.
	mempool *store.Overlay
	// pending is the block FinalizeBlock executed and Commit will write.
	pending *pendingBlock
}

type pendingBlock struct {
	height  int64
	changes []store.Change
	appHash []byte
}

var _ abci.Application = (*App)(nil)

// New returns the application over db for the chain chainID.
func New(db *store.DB, chainID string, opts Options) *App {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &App{db: db, chainID: chainID, opts: opts, log: log, committed: db.Meta(), mempool: store.NewOverlay(db)}
}

// parseVerified decodes a transaction and verifies its signature for this chain.
func (a *App) parseVerified(b []byte) (*txn.Signed, error) {
	tx, err := txn.Parse(b)
	if err != nil {
		return nil, err
	}
	if err := tx.VerifySignature(a.chainID); err != nil {
		return nil, err
	}
	return tx, nil
}

// execute runs one transaction against kv, as CheckTx and FinalizeBlock both do.
func (a *App) execute(kv store.KV, b ledger.Block, raw []byte) ledger.Result {
	tx, err := a.parseVerified(raw)
	if err != nil {
		return ledger.Result{Code: txn.CodeOf(err), Log: txn.ReasonOf(err)}
	}
	res := ledger.Apply(kv, b, tx)
	if res.Code == txn.OK {
		res.Events = append(res.Events, ledger.Event{Type: "msg", Attrs: []ledger.Attr{
			{Key: "type", Value: tx.Type.String()}, {Key: "signer", Value: tx.Sender.String()},
		}})
	}
	return res
}

func toABCIEvents(events []ledger.Event) []abci.Event {
	out := make([]abci.Event, len(events))
	for i, e := range events {
		attrs := make([]abci.EventAttribute, len(e.Attrs))
		for j, at := range e.Attrs {
			attrs[j] = abci.EventAttribute{Key: at.Key, Value: at.Value, Index: true}
		}
		out[i] = abci.Event{Type: e.Type, Attributes: attrs}
	}
	return out
}
