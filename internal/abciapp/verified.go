package abciapp

import (
	"crypto/sha256"
	"runtime"
	"sync"

	"github.com/chipmint/chipmint/internal/txn"
)

// verifiedTxsMax bounds the verified-transaction cache: four times the mempool of
// chipmint's configuration (node.DefaultConfig), so that a transaction CheckTx admitted
// is still there when its block comes.
const verifiedTxsMax = 200_000

// verifiedTxs remembers the transactions that decoded and whose signature verified for
// this chain, by the SHA-256 of their exact bytes: CheckTx does the work once, and the
// proposal steps and FinalizeBlock find the result (the mempool keeps what it decoded
// for its own runs after each block). A lookup hashes the bytes it is given, so the
// cache can only answer for bytes it verified itself. It holds at most max entries in
// two generations: when the current one is full it becomes the previous one, and the
// previous one is dropped. It is safe for concurrent use.
type verifiedTxs struct {
	mu        sync.Mutex
	cur, prev map[[sha256.Size]byte]*txn.Signed
	max       int
}

func newVerifiedTxs(max int) *verifiedTxs {
	return &verifiedTxs{cur: make(map[[sha256.Size]byte]*txn.Signed), max: max}
}

func (c *verifiedTxs) get(h [sha256.Size]byte) (*txn.Signed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if tx, ok := c.cur[h]; ok {
		return tx, true
	}
	tx, ok := c.prev[h]
	return tx, ok
}

func (c *verifiedTxs) add(tx *txn.Signed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cur) >= c.max/2 {
		c.prev, c.cur = c.cur, make(map[[sha256.Size]byte]*txn.Signed, c.max/2)
	}
	c.cur[tx.Hash] = tx
}

// parseVerified decodes a transaction and verifies its signature for this chain, or
// finds that it did so before for the same bytes. The *txn.Signed it returns is shared:
// callers only read it.
func (a *App) parseVerified(b []byte) (*txn.Signed, error) {
	if tx, ok := a.verified.get(sha256.Sum256(b)); ok {
		return tx, nil
	}
	tx, err := txn.Parse(b)
	if err != nil {
		return nil, err
	}
	if err := tx.VerifySignature(a.chainID); err != nil {
		return nil, err
	}
	a.verified.add(tx)
	return tx, nil
}

// checkedTx is a transaction of a block, decoded and verified, or why it is not.
type checkedTx struct {
	tx  *txn.Signed
	err error
}

// verifyAll decodes and verifies the transactions of a proposal or a block: from the
// cache for those CheckTx saw, on every core for the others, such as those of a block
// proposed by another validator before they reached this node's mempool.
func (a *App) verifyAll(txs [][]byte) []checkedTx {
	out := make([]checkedTx, len(txs))
	var misses []int
	for i, b := range txs {
		if tx, ok := a.verified.get(sha256.Sum256(b)); ok {
			out[i].tx = tx
		} else {
			misses = append(misses, i)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(misses))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := w; k < len(misses); k += workers {
				i := misses[k]
				out[i].tx, out[i].err = a.parseVerified(txs[i])
			}
		})
	}
	wg.Wait()
	return out
}
