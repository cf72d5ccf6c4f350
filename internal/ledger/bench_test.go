package ledger

import (
	"crypto/ed25519"
	"encoding/binary"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

const benchBlockTxs = 1000

// benchTransfers opens a state on pebble holding benchBlockTxs funded accounts and
// returns a block of transfers among them, decoded and ready to apply: account i pays
// account i+1.
func benchTransfers(b *testing.B) (*store.DB, []*txn.Signed) {
	b.Helper()
	db, err := store.Open(b.TempDir(), store.Options{Proven: Proven})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	keys := make([]ed25519.PrivateKey, benchBlockTxs)
	genesis := store.NewOverlay(db)
	for i := range keys {
		var seed [ed25519.SeedSize]byte
		binary.BigEndian.PutUint32(seed[:], uint32(i))
		keys[i] = ed25519.NewKeyFromSeed(seed[:])
		if err := mint(genesis, crypto.AddressOf(pub(keys[i])), 1_000_000); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Commit(db.Prepare(1, nil, genesis.Changes())); err != nil {
		b.Fatal(err)
	}
	txs := make([]*txn.Signed, benchBlockTxs)
	for i := range txs {
		to := crypto.AddressOf(pub(keys[(i+1)%len(keys)]))
		raw, err := txn.Sign(chainID, &txn.Transfer{To: to, AmountChips: 1}, keys[i], uint64(i+1), 100)
		if err != nil {
			b.Fatal(err)
		}
		tx, err := txn.Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		txs[i] = tx
	}
	return db, txs
}

// applyBlock applies txs as FinalizeBlock does, on an overlay of db.
func applyBlock(b *testing.B, db *store.DB, txs []*txn.Signed) *store.Overlay {
	blk := Block{ChainID: chainID, Height: 2}
	state := store.NewOverlay(db)
	BeginBlock(state, blk)
	for _, tx := range txs {
		if res := Apply(state, blk, tx); res.Code != txn.OK {
			b.Fatalf("%s: %s", res.Code, res.Log)
		}
	}
	return state
}

// BenchmarkApplyBlock1000Transfers is the state machine's part of a block of 1,000
// transfers: the replay guard, the balances, the events. Signatures are checked before.
func BenchmarkApplyBlock1000Transfers(b *testing.B) {
	db, txs := benchTransfers(b)
	for b.Loop() {
		applyBlock(b, db, txs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(txs)), "ns/tx")
}

// BenchmarkCommitBlock1000Transfers writes the changes of a block of 1,000 transfers to
// pebble, with their app hash, in one synced batch, as Commit does.
func BenchmarkCommitBlock1000Transfers(b *testing.B) {
	db, txs := benchTransfers(b)
	changes := applyBlock(b, db, txs).Changes()
	var prev []byte
	height := int64(1)
	for b.Loop() {
		height++
		blk := db.Prepare(height, prev, changes)
		prev = blk.AppHash()
		if err := db.Commit(blk); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(changes)), "writes/block")
}
