package bench

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/txn"
)

// txHash is a transaction's id: the SHA-256 of its bytes, as CometBFT's.
type txHash = [sha256.Size]byte

// outcome is what became of one submitted transaction: seen in a block, refused before
// one (Code says why), or never seen (Lost).
type outcome struct {
	Committed time.Time
	Code      string
	Lost      bool
}

func (o outcome) String() string {
	switch {
	case o.Lost:
		return "lost"
	case o.Code != "":
		return o.Code
	}
	return "committed"
}

// inFlight is a transaction submitted and not yet seen in a block.
type inFlight struct {
	sent     time.Time
	measured bool // submitted inside the measurement window
	done     func(outcome)
}

// blockSeen is one committed block as the follower saw it.
type blockSeen struct {
	Height int64
	At     time.Time
	Txs    int
	// measured are the hashes of the block's measured transactions, whose results
	// settle reads after the run.
	measured []txHash
}

// tracker matches the transactions the load generator sent with the blocks the
// follower sees, and counts what happened to them. It is safe for concurrent use.
type tracker struct {
	mu      sync.Mutex
	pending map[txHash]inFlight
	orders  map[string]func(time.Time) // order id -> called when the order is issued
	blocks  []blockSeen
	latency []time.Duration
	// checkLatency is from submit (or due) to the node's answer after CheckTx.
	checkLatency []time.Duration
	// What became of the measured transactions: committed with success, rejected (at
	// CheckTx, in a block, or refused by the node before CheckTx) or never seen.
	ok    int
	codes map[string]int
	lost  int
}

func newTracker() *tracker {
	return &tracker{pending: make(map[txHash]inFlight), orders: make(map[string]func(time.Time)), codes: make(map[string]int)}
}

// expect registers a transaction before it is sent, so that a block can never hold it
// before the tracker knows it. done, if not nil, is called once with its outcome.
func (t *tracker) expect(h txHash, sent time.Time, measured bool, done func(outcome)) {
	t.mu.Lock()
	t.pending[h] = inFlight{sent: sent, measured: measured, done: done}
	t.mu.Unlock()
}

// answered records when the node answered transactions sent (or due) at sent.
func (t *tracker) answered(sent []time.Time, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range sent {
		t.checkLatency = append(t.checkLatency, at.Sub(s))
	}
}

// refused records a transaction that CheckTx or the node turned away: it will not be in
// a block.
func (t *tracker) refused(h txHash, code string) {
	t.mu.Lock()
	f, ok := t.pending[h]
	delete(t.pending, h)
	if f.measured {
		t.codes["check:"+code]++
	}
	t.mu.Unlock()
	if ok && f.done != nil {
		f.done(outcome{Code: code})
	}
}

// awaitIssue calls done when a block issues the order.
func (t *tracker) awaitIssue(orderID string, done func(time.Time)) {
	t.mu.Lock()
	t.orders[orderID] = done
	t.mu.Unlock()
}

// issued reports orders issued by a block seen at at.
func (t *tracker) issued(ids []string, at time.Time) {
	for _, id := range ids {
		t.mu.Lock()
		done, ok := t.orders[id]
		delete(t.orders, id)
		t.mu.Unlock()
		if ok {
			done(at)
		}
	}
}

// block records a committed block, seen at at, holding the transactions with hashes.
// Its measured transactions count as committed with success until settle says otherwise.
func (t *tracker) block(height int64, at time.Time, hashes []txHash) {
	var calls []func()
	t.mu.Lock()
	b := blockSeen{Height: height, At: at, Txs: len(hashes)}
	for _, h := range hashes {
		f, ok := t.pending[h]
		if !ok {
			continue // a service's transaction, or another client's
		}
		delete(t.pending, h)
		if f.measured {
			t.ok++
			t.latency = append(t.latency, at.Sub(f.sent))
			b.measured = append(b.measured, h)
		}
		if f.done != nil {
			calls = append(calls, func() { f.done(outcome{Committed: at}) })
		}
	}
	t.blocks = append(t.blocks, b)
	t.mu.Unlock()
	for _, c := range calls {
		c()
	}
}

// measuredTxs are the hashes of the measured transactions seen in blocks.
func (t *tracker) measuredTxs() []txHash {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []txHash
	for _, b := range t.blocks {
		out = append(out, b.measured...)
	}
	return out
}

// settle applies the result a block gave a measured transaction: until now it counted
// as committed with success.
func (t *tracker) settle(code string) {
	if code == "ok" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ok--
	t.codes["block:"+code]++
}

// expire gives up on the transactions sent before cutoff: they are counted lost.
func (t *tracker) expire(cutoff time.Time) {
	var calls []func()
	t.mu.Lock()
	for h, f := range t.pending {
		if f.sent.Before(cutoff) {
			delete(t.pending, h)
			if f.measured {
				t.lost++
			}
			if f.done != nil {
				calls = append(calls, func() { f.done(outcome{Lost: true}) })
			}
		}
	}
	t.mu.Unlock()
	for _, c := range calls {
		c()
	}
}

// inFlightCount is how many sent transactions have not been seen in a block.
func (t *tracker) inFlightCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.pending)
}

// codeName names a result code for the report.
func codeName(code uint32, codespace string) string {
	switch {
	case code == 0:
		return "ok"
	case codespace == "chipmint":
		return txn.Code(code).String()
	case codespace == "mempool":
		return "mempool_full"
	case codespace == "":
		return fmt.Sprintf("code_%d", code)
	}
	return fmt.Sprintf("%s_%d", codespace, code)
}
