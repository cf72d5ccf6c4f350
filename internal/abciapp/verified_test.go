package abciapp

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// fundAlice gives alice 100 chips through the usual flow.
func (h *harness) fundAlice() {
	h.setupOperator()
	id := h.paidOrder("BANKREF-FUND")
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: 100_000_000}))
}

func TestVerifiedCacheAnswersOnlyForTheBytesItVerified(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	good := h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1})
	if res := h.checkTx(good); res.Code != uint32(txn.OK) {
		t.Fatalf("CheckTx: %s", res.Log)
	}
	if _, ok := h.app.verified.get(sha256.Sum256(good)); !ok {
		t.Fatal("a transaction CheckTx verified is not in the cache")
	}
	forged := append([]byte(nil), good...)
	forged[len(forged)-1] ^= 1 // the last byte of the signature
	tests := []struct {
		name string
		run  func() uint32
		want txn.Code
	}{
		{"CheckTx", func() uint32 { return h.checkTx(forged).Code }, txn.BadSignature},
		{"FinalizeBlock", func() uint32 { return h.finalize(forged).TxResults[0].Code }, txn.BadSignature},
		{"FinalizeBlock of the genuine bytes", func() uint32 { return h.finalize(good).TxResults[0].Code }, txn.OK},
	}
	for _, tt := range tests {
		if got := txn.Code(tt.run()); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestVerifiedCacheIsBounded(t *testing.T) {
	c := newVerifiedTxs(4)
	var hashes [][sha256.Size]byte
	for i := range 10 {
		tx := &txn.Signed{}
		tx.Hash[0] = byte(i)
		c.add(tx)
		hashes = append(hashes, tx.Hash)
		if n := len(c.cur) + len(c.prev); n > 4 {
			t.Fatalf("after %d additions the cache holds %d, more than 4", i+1, n)
		}
	}
	if _, ok := c.get(hashes[9]); !ok {
		t.Error("the latest addition is gone")
	}
	if _, ok := c.get(hashes[0]); ok {
		t.Error("the oldest addition is still there")
	}
}

// TestConcurrentConnections drives CheckTx, Query and Info from other goroutines while
// blocks execute and commit, as CometBFT does with a connection-concurrent client. Run
// it with -race.
func TestConcurrentConnections(t *testing.T) {
	h := newHarness(t)
	h.fundAlice()
	const n = 200
	mempoolTxs := make([][]byte, n)
	blockTxs := make([][]byte, n)
	for i := range n {
		mempoolTxs[i] = h.sign(alice, &txn.Transfer{To: bob.addr, AmountChips: 1})
		blockTxs[i] = h.sign(alice, &txn.Transfer{To: stranger.addr, AmountChips: 1})
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				if _, err := h.app.CheckTx(ctx, &abci.RequestCheckTx{Tx: mempoolTxs[i], Type: abci.CheckTxType_New}); err != nil {
					t.Errorf("CheckTx: %v", err)
				}
				if _, err := h.app.Info(ctx, &abci.RequestInfo{}); err != nil {
					t.Errorf("Info: %v", err)
				}
				if _, err := h.app.Query(ctx, &abci.RequestQuery{Path: query.PathBalance, Data: []byte(alice.addr.String())}); err != nil {
					t.Errorf("Query: %v", err)
				}
			}
		})
	}
	for i := 0; i < n; i += 20 {
		for j, r := range h.block(blockTxs[i : i+20]...) {
			if r.Code != uint32(txn.OK) {
				t.Fatalf("height %d tx %d: %s", h.height, j, r.Log)
			}
		}
	}
	wg.Wait()
	if got := h.balance(stranger); got != n {
		t.Errorf("stranger holds %d, want %d", got, n)
	}
}
