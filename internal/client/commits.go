package client

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// Commits waits for the blocks of many transactions at once. Where Broadcast asks the
// node for its one transaction every 50 ms, Commits reads each new block once, while
// anyone waits, and answers every transaction it holds: a service that sends many
// transactions sends them all, and their waits cost the reading of the blocks, not a
// request per transaction and per poll.
type Commits struct {
	c  *Client
	mu sync.Mutex
	// waiting are the transactions waited for, by hash.
	waiting map[[sha256.Size]byte][]waiter
	// next is the next height to read, while following is true.
	next      int64
	following bool
}

// waiter is one caller waiting for a transaction's block, until validUntil at most.
type waiter struct {
	done       chan blockAnswer
	validUntil uint64
}

// blockAnswer is what the block that holds a transaction says of it.
type blockAnswer struct {
	height int64
	code   txn.Code
	log    string
	err    error
}

// NewCommits returns a waiter for the blocks of c's transactions.
func NewCommits(c *Client) *Commits {
	return &Commits{c: c, waiting: make(map[[sha256.Size]byte][]waiter)}
}

// Submit is Client.Submit with its wait served by the shared reading of the blocks.
func (w *Commits) Submit(ctx context.Context, msg txn.Msg, key crypto.Signer) (Committed, error) {
	nonce, err := NewNonce()
	if err != nil {
		return Committed{}, err
	}
	raw, err := w.c.Sign(ctx, msg, key, nonce)
	if err != nil {
		return Committed{}, err
	}
	return w.Broadcast(ctx, raw)
}

// Broadcast is Client.Broadcast with its wait served by the shared reading of the
// blocks. A transaction still in no block once the chain is past its valid_until is
// ErrNotCommitted: it never will be.
func (w *Commits) Broadcast(ctx context.Context, raw []byte) (Committed, error) {
	tx, err := txn.Parse(raw)
	if err != nil {
		return Committed{}, err
	}
	// The wait is registered before the broadcast: the block that holds the
	// transaction is read after it.
	done, err := w.register(ctx, tx.Hash, tx.ValidUntil)
	if err != nil {
		return Committed{}, err
	}
	defer w.unregister(tx.Hash, done)
	committed := Committed{Hash: fmt.Sprintf("%X", tx.Hash), Nonce: tx.Nonce}
	seen, err := w.c.broadcastSync(ctx, raw)
	if err != nil {
		return Committed{}, err
	}
	if seen {
		// The same bytes were sent before and may be in a block read already.
		committed.Height, err = w.c.WaitCommitted(ctx, tx.Hash[:])
		return committed, err
	}
	select {
	case a := <-done:
		committed.Height = a.height
		switch {
		case a.err != nil:
			return Committed{}, a.err
		case a.code != txn.OK:
			return committed, &txn.Error{Code: a.code, Reason: a.log}
		}
		return committed, nil
	case <-ctx.Done():
		return Committed{}, fmt.Errorf("%w: %X: %w", ErrNotCommitted, tx.Hash, ctx.Err())
	}
}

// register adds a wait for the transaction with hash, and starts reading the blocks
// from the next one if no one was waiting.
func (w *Commits) register(ctx context.Context, hash [sha256.Size]byte, validUntil uint64) (chan blockAnswer, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.following {
		h, err := w.c.Height(ctx)
		if err != nil {
			return nil, err
		}
		w.next, w.following = h+1, true
		go w.follow()
	}
	done := make(chan blockAnswer, 1)
	w.waiting[hash] = append(w.waiting[hash], waiter{done: done, validUntil: validUntil})
	return done, nil
}

// unregister drops the wait done, answered or given up.
func (w *Commits) unregister(hash [sha256.Size]byte, done chan blockAnswer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws := w.waiting[hash]
	for i, x := range ws {
		if x.done == done {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(w.waiting, hash)
	} else {
		w.waiting[hash] = ws
	}
}

// follow reads the blocks as the application commits them while anyone waits: a
// transaction is answered once the state holds it. A block it
// cannot read yet (its results not stored yet, the node away) is read again at the
// next round.
func (w *Commits) follow() {
	for {
		w.mu.Lock()
		if len(w.waiting) == 0 {
			w.following = false
			w.mu.Unlock()
			return
		}
		next := w.next
		w.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		latest, err := w.c.CommittedHeight(ctx)
		for h := next; err == nil && h <= latest; h++ {
			if err = w.read(ctx, h); err == nil {
				w.mu.Lock()
				w.next = h + 1
				w.expire(uint64(h))
				w.mu.Unlock()
			}
		}
		cancel()
		if err != nil || latest < next {
			time.Sleep(pollInterval)
		}
	}
}

// read answers the waits for the transactions of the block at height.
func (w *Commits) read(ctx context.Context, height int64) error {
	hashes, err := w.c.BlockTxHashes(ctx, height)
	if err != nil {
		return err
	}
	w.mu.Lock()
	var found []int
	for i, h := range hashes {
		if _, ok := w.waiting[[sha256.Size]byte(h)]; ok {
			found = append(found, i)
		}
	}
	w.mu.Unlock()
	if len(found) == 0 {
		return nil
	}
	results, err := w.c.blockTxResults(ctx, height, len(hashes))
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, i := range found {
		r := results[i]
		w.answer([sha256.Size]byte(hashes[i]), blockAnswer{height: height, code: txn.Code(r.Code), log: r.Log})
	}
	return nil
}

// expire answers the waits for transactions that can no longer reach a block: the
// chain has read height, and they were valid up to it at most.
func (w *Commits) expire(height uint64) {
	for hash, ws := range w.waiting {
		for _, x := range ws {
			if x.validUntil <= height {
				w.answer(hash, blockAnswer{err: fmt.Errorf("%w: %X: in no block up to its last height %d", ErrNotCommitted, hash, x.validUntil)})
				break
			}
		}
	}
}

// answer hands a to every wait for hash and forgets them.
func (w *Commits) answer(hash [sha256.Size]byte, a blockAnswer) {
	for _, x := range w.waiting[hash] {
		x.done <- a
	}
	delete(w.waiting, hash)
}
