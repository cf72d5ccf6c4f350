package abciapp

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"slices"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/merkle"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// Version is the application's protocol version, reported in Info. It changes with
// every change of what consensus accepts or stores: 2 added ReversePayment, the
// reversed order status and the operator's shortfall (decision 0018), and, in the same
// release, RegisterOperatorAccount (type 8), an operator's account without an IBAN
// (decision 0020), and a state digest of a checkpoint's app hash kept from block to
// block as a multiset hash (LtHash16, under the checkpoint tag "chipmint/checkpoint/v2",
// snapshot format 2; decision 0023). 3 takes money back out (decision 0024): redemptions
// and their payouts (types 9 to 14), refunds recorded (15), the amount rule with
// underpaid orders and the buyer's acceptance (16), cancelled (17) and held (18, 19)
// orders, tombstones of removed orders, the escrow in the supply and the operators, and
// two genesis parameters. 4 refuses weak keys, gives one account to one operator,
// counts paid orders against the cap and bounds open orders (decision 0028). 5 gives the
// issuers a threshold, proposals and controls (types 20 to 30, decision 0027), hands a
// role over from one key to another (types 31 and 32, decision 0029), and keeps the
// validator set, which the issuers change (type 33, decision 0030). 6 commits to the
// state in a Merkle tree whose root is in every app hash, with the state digest, so that
// queries are proved and snapshots taken at any height (decision 0032; snapshot format 3).
// 7 adds the auditors (types 34 and 35) and their attestations of the reserves (type
// 36), and lets a role's hand-over carry the auditor's (decision 0037); and the
// operator's cover of its shortfall with its own money (type 37, decision 0039). 8
// puts a payer's account on the chain only as a salted commitment: a receipt's and its
// order's payer_commitment in place of payer_iban (decision 0042).
const Version uint64 = 8

// Options tune an App.
type Options struct {
	// CheckInvariants verifies the ledger's invariants after every Commit and panics when
	// one is broken. It reads the whole state: for tests and debugging.
	CheckInvariants bool
	Logger          *slog.Logger
	// SnapshotDir, when set, receives a snapshot of the state at every checkpoint height,
	// which new nodes can state-sync from. It is written in the background after the
	// checkpoint's Commit, from a view of the state at that height.
	SnapshotDir string
	// SnapshotsKept is how many snapshots are kept; zero means 2.
	SnapshotsKept int
	// BeforeCommit, when set, runs at the start of every Commit, before anything is
	// written: fault tests use it to kill the process between FinalizeBlock and Commit.
	BeforeCommit func(height int64)
	// MempoolMaxTxs and MempoolMaxBytes bound the mempool; zero takes
	// DefaultMempoolMaxTxs and DefaultMempoolMaxBytes.
	MempoolMaxTxs   int
	MempoolMaxBytes int64
	// RetainBlocks is how many of the latest blocks CometBFT keeps: Commit asks it to
	// prune the blocks below them, but never those after the oldest snapshot the node
	// may offer (retain.go). Zero keeps every block.
	RetainBlocks int64
	// IndexAllEvents marks every event attribute for CometBFT's index, as an archive
	// node does; otherwise only those clients search are (query.Indexed).
	IndexAllEvents bool
}

// App is the chipmint ABCI application. CometBFT may call it on its connections at the
// same time (CheckTx during FinalizeBlock, Query during either): mu guards the mempool,
// which the application keeps itself (mempool.go) and both connections reach;
// committedMu the last committed height and app hash; the block being executed lives
// in FinalizeBlock's own overlay until Commit.
type App struct {
	abci.BaseApplication

	db      *store.DB
	chainID string
	opts    Options
	log     *slog.Logger
	// verified caches the transactions that decoded and verified, by hash.
	verified *verifiedTxs

	mu sync.Mutex
	// mempool is the transactions CheckTx admitted that no block has committed yet, in
	// order, and the state they leave.
	mempool *mempool

	committedMu sync.Mutex
	committed   store.Meta
	// orderSteps counts the orders the blocks this application committed since it
	// started moved to each status (Figures).
	orderSteps map[txn.OrderStatus]uint64

	// pending is the block FinalizeBlock executed and Commit will write.
	pending *pendingBlock
	params  ledger.Params
	// restore is a snapshot being applied by state sync.
	restore *restoring

	snapshotsMu sync.Mutex
	// snapshots holds what ListSnapshots or takeSnapshot found of each snapshot on the
	// disk, by height: the snapshot as offered, or nil for one that is not complete.
	snapshots map[int64]*abci.Snapshot

	// writerMu guards the snapshot written in the background: writing is closed once
	// it is done, and writerCtx is cancelled by Close.
	writerMu   sync.Mutex
	writing    chan struct{}
	writerCtx  context.Context
	stopWriter context.CancelFunc
	// beforeSnapshotWrite, set by tests, runs in the background before a snapshot's
	// first file is written.
	beforeSnapshotWrite func(height int64)
}

type pendingBlock struct {
	*store.Block
	// checkpoint is set at a checkpoint height: the parts of the app hash.
	checkpoint *checkpoint
	// txs are the hashes of the block's transactions that decoded: Commit takes them
	// out of the mempool.
	txs [][sha256.Size]byte
	// orderSteps counts the block's order events by status.
	orderSteps map[txn.OrderStatus]uint64
}

// countOrderSteps adds the order events among events to counts, by status.
func countOrderSteps(counts map[txn.OrderStatus]uint64, events []ledger.Event) {
	for _, e := range events {
		if e.Type != "order" {
			continue
		}
		for _, at := range e.Attrs {
			if at.Key == "status" {
				counts[txn.OrderStatus(at.Value)]++
			}
		}
	}
}

// checkpoint is what the app hash of a snapshot's height is made of.
type checkpoint struct {
	Chained     []byte `json:"chained"`
	StateDigest []byte `json:"state_digest"`
	Root        []byte `json:"root"`
}

// commitment is the commitment the checkpoint describes, if it is one.
func (c checkpoint) commitment() (merkle.Commitment, bool) {
	var m merkle.Commitment
	if len(c.Chained) != sha256.Size || len(c.StateDigest) != sha256.Size || len(c.Root) != len(m.Root) {
		return m, false
	}
	m.Chained, m.Digest = c.Chained, c.StateDigest
	copy(m.Root[:], c.Root)
	return m, true
}

var _ abci.Application = (*App)(nil)

// New returns the application over db for the chain chainID. Close it before db.
func New(db *store.DB, chainID string, opts Options) *App {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	meta := db.Meta()
	ctx, cancel := context.WithCancel(context.Background())
	return &App{
		db: db, chainID: chainID, opts: opts, log: log, committed: meta, orderSteps: map[txn.OrderStatus]uint64{},
		params: ledger.GetParams(db), verified: newVerifiedTxs(verifiedTxsMax), snapshots: make(map[int64]*abci.Snapshot),
		writerCtx: ctx, stopWriter: cancel,
		mempool: newMempool(db, meta.Height+1, opts.MempoolMaxTxs, opts.MempoolMaxBytes),
	}
}

// lastCommitted is the height and app hash of the last committed block.
func (a *App) lastCommitted() store.Meta {
	a.committedMu.Lock()
	defer a.committedMu.Unlock()
	return a.committed
}

// setCommitted records a committed state that no block led to (the genesis, a state
// sync) and starts an empty mempool on it.
func (a *App) setCommitted(meta store.Meta) {
	a.committedMu.Lock()
	a.committed = meta
	a.committedMu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mempool = newMempool(a.db, meta.Height+1, a.opts.MempoolMaxTxs, a.opts.MempoolMaxBytes)
}

// commitBlock writes a block's changes and records it: its transactions leave the
// mempool, and the others are to run again on the new state (mempool.go). The mempool
// is locked meanwhile, so that no CheckTx sees the new state under the old mempool.
func (a *App) commitBlock(b *store.Block, txs [][sha256.Size]byte, steps map[txn.OrderStatus]uint64) error {
	meta := store.Meta{Height: b.Height, AppHash: b.AppHash()}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.db.Commit(b); err != nil {
		return err
	}
	a.committedMu.Lock()
	a.committed = meta
	for status, n := range steps {
		a.orderSteps[status] += n
	}
	a.committedMu.Unlock()
	a.mempool.removeBlock(txs, meta.Height+1)
	return nil
}

// rejectedBy is the result of a transaction that did not decode or verify.
func rejectedBy(err error) ledger.Result {
	return ledger.Result{Code: txn.CodeOf(err), Log: txn.ReasonOf(err)}
}

// execute runs one verified transaction against kv, as CheckTx and FinalizeBlock both do.
// Accepted or refused, it names its type and signer (the signature verified): a signer
// finds its refused transactions, which spent their nonce, in the node's index too.
func (a *App) execute(kv store.KV, b ledger.Block, tx *txn.Signed) ledger.Result {
	res := ledger.Apply(kv, b, tx)
	res.Events = append(res.Events, ledger.Event{Type: "msg", Attrs: []ledger.Attr{
		{Key: "type", Value: tx.Type.String()}, {Key: "signer", Value: tx.Sender.String()},
	}})
	return res
}

// toABCIEvents are the ledger's events as CometBFT takes them, each attribute marked
// for its index if clients search by it, or if the node indexes everything. The marks
// are not consensus: the results hash covers a transaction's code and data, never its
// events.
func (a *App) toABCIEvents(events []ledger.Event) []abci.Event {
	out := make([]abci.Event, len(events))
	for i, e := range events {
		attrs := make([]abci.EventAttribute, len(e.Attrs))
		for j, at := range e.Attrs {
			index := a.opts.IndexAllEvents || slices.Contains(query.Indexed, e.Type+"."+at.Key)
			attrs[j] = abci.EventAttribute{Key: at.Key, Value: at.Value, Index: index}
		}
		out[i] = abci.Event{Type: e.Type, Attributes: attrs}
	}
	return out
}
