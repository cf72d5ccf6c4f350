package abciapp

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

const benchTxs = 1000

// benchChain is an app whose chain holds benchTxs funded accounts, and a block of
// signed transfers among them, account i to account i+1.
type benchChain struct {
	app    *App
	db     *store.DB
	height int64
	block  [][]byte
}

func newBenchChain(b *testing.B) *benchChain {
	b.Helper()
	db, err := store.Open(b.TempDir(), store.Options{Proven: ledger.Proven})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	c := &benchChain{app: New(db, testChainID, Options{}), db: db}
	gen, _ := json.Marshal(ledger.Genesis{Issuers: []txn.Issuer{{ID: "issuer", Address: issuerA.addr, PublicKey: issuerA.pub}}})
	if _, err := c.app.InitChain(context.Background(), &abci.RequestInitChain{ChainId: testChainID, AppStateBytes: gen, InitialHeight: 1}); err != nil {
		b.Fatal(err)
	}
	keys := make([]ed25519.PrivateKey, benchTxs)
	for i := range keys {
		var seed [ed25519.SeedSize]byte
		binary.BigEndian.PutUint32(seed[:], uint32(i))
		keys[i] = ed25519.NewKeyFromSeed(seed[:])
	}
	addr := func(i int) crypto.Address { return crypto.AddressOf(keys[i%benchTxs].Public().(ed25519.PublicKey)) }
	// The issuer registers acme, alice buys a million chips, acme confirms, the issuer
	// issues, alice pays every account.
	c.mustBlock(b, mustSign(testChainID, registerMsg(operatorA, "acme"), issuerA.priv, 1, 100))
	c.mustBlock(b, mustSign(testChainID, &txn.BuyRequest{Operator: "acme", BuyerID: "alice", AmountMinor: 100_000, Currency: "EUR"}, alice.priv, 1, 100))
	id := txn.OrderID(alice.addr, 1)
	c.mustBlock(b, mustSign(testChainID, confirmMsg(id, alice, 100_000, "BENCH"), operatorA.priv, 1, 100))
	c.mustBlock(b, mustSign(testChainID, &txn.Issue{OrderID: id, Chips: 1_000_000_000}, issuerA.priv, 2, 100))
	funding := make([][]byte, benchTxs)
	for i := range funding {
		funding[i] = mustSign(testChainID, &txn.Transfer{To: addr(i), AmountChips: 1_000_000}, alice.priv, uint64(i+2), 100)
	}
	c.mustBlock(b, funding...)
	c.block = make([][]byte, benchTxs)
	for i := range c.block {
		c.block[i] = mustSign(testChainID, &txn.Transfer{To: addr(i + 1), AmountChips: 1}, keys[i], 1, 100)
	}
	return c
}

func (c *benchChain) finalize(b *testing.B, txs [][]byte) *abci.ResponseFinalizeBlock {
	res, err := c.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Txs: txs, Height: c.height + 1, Time: blockTime(c.height + 1)})
	if err != nil {
		b.Fatal(err)
	}
	for i, r := range res.TxResults {
		if r.Code != uint32(txn.OK) {
			b.Fatalf("tx %d: %s: %s", i, txn.Code(r.Code), r.Log)
		}
	}
	return res
}

func (c *benchChain) mustBlock(b *testing.B, txs ...[]byte) {
	c.finalize(b, txs)
	if _, err := c.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		b.Fatal(err)
	}
	c.height++
}

func perTx(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchTxs), "ns/tx")
}

// BenchmarkFinalizeBlock1000TransfersUnseen executes a block whose transactions this
// node never checked: each is decoded and its signature verified (on every core), then
// applied.
func BenchmarkFinalizeBlock1000TransfersUnseen(b *testing.B) {
	c := newBenchChain(b)
	for b.Loop() {
		c.app.verified = newVerifiedTxs(verifiedTxsMax)
		c.finalize(b, c.block)
	}
	perTx(b)
}

// BenchmarkFinalizeBlock1000TransfersChecked executes a block whose transactions passed
// CheckTx on this node, as most do: decoding and signatures come from the cache.
func BenchmarkFinalizeBlock1000TransfersChecked(b *testing.B) {
	c := newBenchChain(b)
	c.app.verifyAll(c.block)
	for b.Loop() {
		c.finalize(b, c.block)
	}
	perTx(b)
}

// BenchmarkCommitBlock1000Transfers writes an executed block of 1,000 transfers to
// pebble in one synced batch, with its height and app hash. Every iteration writes the
// same changes again at the next height.
func BenchmarkCommitBlock1000Transfers(b *testing.B) {
	c := newBenchChain(b)
	c.app.verifyAll(c.block)
	c.finalize(b, c.block)
	executed := *c.app.pending
	for b.Loop() {
		c.height++
		blk := *executed.Block
		blk.Height = c.height
		p := executed
		p.Block = &blk
		c.app.pending = &p
		if _, err := c.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
			b.Fatal(err)
		}
	}
	perTx(b)
}

// BenchmarkDigestOfBlock1000Transfers updates the state digest with the changes of a
// block of 1,000 transfers (1,001 balances, 1,000 nonces and their expiry entries), as
// FinalizeBlock does: the part of its cost that decision 0023 added. With -cpu 1 it is
// the processor time the digest takes per transfer.
func BenchmarkDigestOfBlock1000Transfers(b *testing.B) {
	c := newBenchChain(b)
	c.app.verifyAll(c.block)
	c.finalize(b, c.block)
	changes := c.app.pending.Changes
	for b.Loop() {
		c.db.Digest().Apply(c.db, changes)
	}
	perTx(b)
}

// BenchmarkCheckTxTransfer admits transfers to the mempool: decoding, the signature and
// the state check against the mempool's state.
func BenchmarkCheckTxTransfer(b *testing.B) {
	c := newBenchChain(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if i == len(c.block) {
			b.StopTimer()
			c.app.setCommitted(c.app.lastCommitted()) // an empty mempool again
			c.app.verified = newVerifiedTxs(verifiedTxsMax)
			i = 0
			b.StartTimer()
		}
		res, err := c.app.CheckTx(ctx, &abci.RequestCheckTx{Tx: c.block[i], Type: abci.CheckTxType_New})
		if err != nil || res.Code != uint32(txn.OK) {
			b.Fatalf("CheckTx: %v %s", err, res.GetLog())
		}
		i++
	}
}

// BenchmarkMempoolRunAfterBlock1000Transfers runs a mempool of 1,000 transfers again on
// the committed state, as the first call after each block does: what the recheck
// cost before the application kept the mempool.
func BenchmarkMempoolRunAfterBlock1000Transfers(b *testing.B) {
	c := newBenchChain(b)
	ctx := context.Background()
	for i := range c.block {
		res, err := c.app.CheckTx(ctx, &abci.RequestCheckTx{Tx: c.block[i]})
		if err != nil || res.Code != uint32(txn.OK) {
			b.Fatalf("CheckTx: %v %s", err, res.GetLog())
		}
	}
	for b.Loop() {
		c.app.mu.Lock()
		c.app.mempool.removeBlock(nil, c.app.mempool.height)
		c.app.readyMempool()
		c.app.mu.Unlock()
	}
	perTx(b)
}
