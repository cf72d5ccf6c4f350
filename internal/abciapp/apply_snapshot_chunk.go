package abciapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
)

// ApplySnapshotChunk writes one checked chunk of the accepted snapshot. After the last
// one, the rebuilt state must have the snapshot's digest, or all of it is wiped and the
// snapshot rejected.
func (a *App) ApplySnapshotChunk(_ context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	r := a.restore
	if r == nil {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ABORT}, nil
	}
	if req.Index != r.next {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{r.next}}, nil
	}
	if sum := sha256.Sum256(req.Chunk); !bytes.Equal(sum[:], r.meta.ChunkHashes[req.Index]) {
		a.log.Warn("snapshot chunk does not match its hash", "index", req.Index, "sender", req.Sender)
		return &abci.ResponseApplySnapshotChunk{
			Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{req.Index}, RejectSenders: []string{req.Sender},
		}, nil
	}
	var changes []store.Change
	err := readEntries(req.Chunk, func(k, v []byte) {
		r.digest.Add(k, v)
		changes = append(changes, store.Change{Key: bytes.Clone(k), Value: bytes.Clone(v)})
	})
	if err != nil {
		// The chunk matches the hash its sender listed but does not hold whole entries:
		// the snapshot is worthless, and what was restored of it goes.
		a.log.Warn("snapshot chunk is malformed; rejecting the snapshot", "index", req.Index, "sender", req.Sender, "err", err)
		a.restore = nil
		if werr := a.wipe(); werr != nil {
			return nil, werr
		}
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT, RejectSenders: []string{req.Sender}}, nil
	}
	if err := a.db.Commit(changes, store.Meta{}); err != nil {
		return nil, err
	}
	r.next++
	if int(r.next) < len(r.meta.ChunkHashes) {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
	}
	return a.finishRestore()
}

// finishRestore checks the whole rebuilt state against the snapshot's digest and makes
// it the committed state.
func (a *App) finishRestore() (*abci.ResponseApplySnapshotChunk, error) {
	r := a.restore
	a.restore = nil
	if !bytes.Equal(r.digest.Sum(), r.meta.StateDigest) {
		a.log.Warn("restored state does not match the snapshot's digest; wiping it", "height", r.snapshot.Height)
		if err := a.wipe(); err != nil {
			return nil, err
		}
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
	}
	meta := store.Meta{Height: int64(r.snapshot.Height), AppHash: r.appHash}
	if err := a.db.Commit(nil, meta); err != nil {
		return nil, fmt.Errorf("abciapp: restore: %w", err)
	}
	a.params = ledger.GetParams(a.db)
	a.setCommitted(meta)
	a.log.Info("state restored from snapshot", "height", meta.Height)
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
}

// wipe deletes every application entry.
func (a *App) wipe() error {
	var changes []store.Change
	a.db.Scan(nil, func(k, _ []byte) bool {
		changes = append(changes, store.Change{Key: k, Deleted: true})
		return true
	})
	return a.db.Commit(changes, store.Meta{})
}
