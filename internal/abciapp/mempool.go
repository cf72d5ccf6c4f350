package abciapp

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// The mempool's default limits, CometBFT's flood mempool's as chipmint configures it.
const (
	DefaultMempoolMaxTxs   = 50_000
	DefaultMempoolMaxBytes = 1 << 30
)

// mempoolCodespace is the codespace of the one answer that is the node's and not the
// ledger's: a full mempool. Its code is CometBFT's "retry later".
const mempoolCodespace = "mempool"

// mempool is what CheckTx admitted and no block has committed yet, in the order it was
// admitted, and the state that order leaves: the committed state with each of them
// applied in turn. The application keeps it itself (CometBFT's mempool type "app"), so
// that the order in which CheckTx judged transactions is the order in which they are
// proposed, gossiped and run again after every block. CometBFT's own mempool inserted
// a transaction only after the application had admitted it, outside its lock, so two
// transactions admitted at the same time could be proposed the other way round, or the
// later one dropped by the recheck after a block (decision 0022). The App's mu guards
// it.
type mempool struct {
	// height is the height CheckTx runs transactions at: the last committed one + 1.
	height int64
	// state is the committed state plus every transaction of txs applied in order, once
	// stale is false. After a block stale is set, and the first call that needs the
	// mempool runs them again (App.readyMempool), as CometBFT's recheck ran after
	// Commit: consensus goes on meanwhile.
	state *store.Overlay
	stale bool
	txs   []*mempoolTx
	// byHash finds a transaction of txs by its hash.
	byHash map[[sha256.Size]byte]*mempoolTx
	bytes  int64
	// gossiped is how many of txs, from the first, ReapTxs handed to CometBFT to send
	// to the peers: always the oldest ones.
	gossiped int

	maxTxs   int
	maxBytes int64
}

type mempoolTx struct {
	raw []byte
	tx  *txn.Signed
	// gossiped is set once ReapTxs handed it out.
	gossiped bool
}

// newMempool is an empty mempool over the committed state, at height.
func newMempool(committed store.Reader, height int64, maxTxs int, maxBytes int64) *mempool {
	if maxTxs <= 0 {
		maxTxs = DefaultMempoolMaxTxs
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMempoolMaxBytes
	}
	return &mempool{
		height: height, state: store.NewOverlay(committed),
		byHash: make(map[[sha256.Size]byte]*mempoolTx), maxTxs: maxTxs, maxBytes: maxBytes,
	}
}

// full says why the mempool cannot take raw, or "".
func (m *mempool) full(raw []byte) string {
	if len(m.txs) >= m.maxTxs || m.bytes+int64(len(raw)) > m.maxBytes {
		return fmt.Sprintf("mempool is full: %d transactions of %d bytes (at most %d, %d bytes); try again later", len(m.txs), m.bytes, m.maxTxs, m.maxBytes)
	}
	return ""
}

func (m *mempool) add(raw []byte, tx *txn.Signed) {
	e := &mempoolTx{raw: raw, tx: tx}
	m.txs = append(m.txs, e)
	m.byHash[tx.Hash] = e
	m.bytes += int64(len(raw))
}

// admit runs a verified transaction on a scratch copy of the mempool state and, if it
// applies, adds it at the end, its writes joining the mempool state. A transaction the
// mempool holds already is admitted again without being run: its effects are there. A
// rejected one leaves no trace, not even its nonce: resent, it gets its real reason
// again.
func (a *App) admit(raw []byte, tx *txn.Signed) *abci.ResponseCheckTx {
	a.mu.Lock()
	defer a.mu.Unlock()
	m := a.readyMempool()
	if _, ok := m.byHash[tx.Hash]; ok {
		return checkTxResponse(ledger.Result{Code: txn.OK})
	}
	if reason := m.full(raw); reason != "" {
		return &abci.ResponseCheckTx{Code: abci.CodeTypeRetry, Codespace: mempoolCodespace, Log: reason}
	}
	pending := store.NewOverlay(m.state)
	res := a.execute(pending, a.mempoolBlock(), tx)
	if res.Code == txn.OK {
		pending.WriteTo(m.state)
		m.add(raw, tx)
	}
	return checkTxResponse(res)
}

// mempoolBlock is the block the mempool's transactions run in: the next one, without
// its start (no expiry, no nonce pruning), as docs/protocol.md §4 says.
func (a *App) mempoolBlock() ledger.Block {
	return ledger.Block{ChainID: a.chainID, Height: a.mempool.height}
}

// removeBlock takes the transactions of a committed block out of the mempool, which
// now runs at height: the others are to run again on the new committed state.
func (m *mempool) removeBlock(inBlock [][sha256.Size]byte, height int64) {
	for _, h := range inBlock {
		if e, ok := m.byHash[h]; ok {
			delete(m.byHash, h)
			m.bytes -= int64(len(e.raw))
			e.raw = nil
		}
	}
	kept, gossiped := m.txs[:0], 0
	for _, e := range m.txs {
		if e.raw == nil {
			continue
		}
		kept = append(kept, e)
		if e.gossiped {
			gossiped++
		}
	}
	clear(m.txs[len(kept):])
	m.txs, m.gossiped = kept, gossiped
	m.height, m.stale = height, true
}

// readyMempool returns the mempool, having run its transactions again, in their order,
// on the committed state if a block was committed since, as the next block will run
// them. One that no longer applies stays, in its place, with what a block keeps of it
// (its nonce, if it got that far): it is proposed like the others, and its block gives
// its client the reason. Nothing admitted leaves the mempool but in a block. mu must be
// held.
func (a *App) readyMempool() *mempool {
	m := a.mempool
	if !m.stale {
		return m
	}
	m.state, m.stale = store.NewOverlay(a.db), false
	b := a.mempoolBlock()
	for _, e := range m.txs {
		if res := a.execute(m.state, b, e.tx); res.Code != txn.OK {
			a.log.Debug("transaction in the mempool no longer applies; its block will refuse it",
				"hash", fmt.Sprintf("%X", e.tx.Hash), "height", b.Height, "code", res.Code.String(), "reason", res.Log)
		}
	}
	return m
}

// reap hands out, oldest first, the transactions not handed out before, up to
// maxBytes (0: no limit; at least one).
func (m *mempool) reap(maxBytes uint64) [][]byte {
	var out [][]byte
	var size uint64
	for _, e := range m.txs[m.gossiped:] {
		if maxBytes > 0 && len(out) > 0 && size+uint64(len(e.raw)) > maxBytes {
			break
		}
		size += uint64(len(e.raw))
		out = append(out, e.raw)
		e.gossiped = true
		m.gossiped++
	}
	return out
}

// ordered is the mempool's transactions in the order they were admitted.
func (m *mempool) ordered() [][]byte {
	out := make([][]byte, len(m.txs))
	for i, e := range m.txs {
		out[i] = e.raw
	}
	return out
}

// has says whether the mempool holds the transaction with hash h.
func (m *mempool) has(h [sha256.Size]byte) bool {
	_, ok := m.byHash[h]
	return ok
}

// protoSize is what a transaction of n bytes takes in a block's data, as CometBFT
// counts it against the proposal's byte limit: a field tag, its length, its bytes.
func protoSize(n int) int64 {
	var buf [binary.MaxVarintLen64]byte
	return int64(1 + binary.PutUvarint(buf[:], uint64(n)) + n)
}
