package abciapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
)

// ApplySnapshotChunk stages one checked chunk of the accepted snapshot, adding its
// entries to the digest of the state rebuilt so far. After the last one, the rebuilt
// state must have the snapshot's digest: then it becomes the committed
// state in one step, or else it is dropped and the snapshot rejected. Nothing staged is
// read before that.
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
	err := readEntries(req.Chunk, r.state.Add)
	switch {
	case errors.Is(err, errTruncatedChunk) || errors.Is(err, store.ErrRestoreOrder):
		// The chunk matches the hash its sender listed but does not hold whole entries
		// in key order: the snapshot is worthless, and what was staged of it goes.
		a.log.Warn("snapshot chunk is malformed; rejecting the snapshot", "index", req.Index, "sender", req.Sender, "err", err)
		if err := a.dropRestore(); err != nil {
			return nil, err
		}
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT, RejectSenders: []string{req.Sender}}, nil
	case err != nil:
		return nil, err
	}
	r.next++
	if int(r.next) < len(r.meta.ChunkHashes) {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
	}
	return a.finishRestore()
}

// finishRestore checks the whole rebuilt state against the snapshot's digest and makes
// it, with the snapshot's height and the trusted app hash, the committed state.
func (a *App) finishRestore() (*abci.ResponseApplySnapshotChunk, error) {
	r := a.restore
	if !bytes.Equal(r.state.Digest().Sum(), r.meta.StateDigest) {
		a.log.Warn("restored state does not match the snapshot's digest; dropping it", "height", r.snapshot.Height)
		if err := a.dropRestore(); err != nil {
			return nil, err
		}
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
	}
	a.restore = nil
	if err := r.state.Finish(); err != nil {
		return nil, fmt.Errorf("abciapp: restore: %w", err)
	}
	meta := store.Meta{Height: int64(r.snapshot.Height), AppHash: r.appHash}
	a.params = ledger.GetParams(a.db)
	a.setCommitted(meta)
	a.log.Info("state restored from snapshot", "height", meta.Height)
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
}
