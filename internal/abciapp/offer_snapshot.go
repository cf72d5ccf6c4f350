package abciapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/store"
)

// restoring is a snapshot being applied, chunk by chunk, in order. Its entries go to a
// staged restore (store.Restore) that nothing reads until the whole state has been
// checked against the snapshot's digest.
type restoring struct {
	snapshot *abci.Snapshot
	meta     snapshotMeta
	appHash  []byte
	next     uint32
	state    *store.Restore
}

// OfferSnapshot accepts a snapshot only if its metadata proves it against the app hash
// that CometBFT's light client trusts: the app hash made of its chained part, its
// state digest and its tree root. The chunks are then checked against the metadata one by one, and
// the state rebuilt from them against the digest, out of sight until it is proven.
func (a *App) OfferSnapshot(_ context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	reject := func(r abci.ResponseOfferSnapshot_Result, why string) (*abci.ResponseOfferSnapshot, error) {
		a.log.Warn("snapshot refused", "height", req.Snapshot.GetHeight(), "reason", why)
		return &abci.ResponseOfferSnapshot{Result: r}, nil
	}
	s := req.Snapshot
	switch {
	case s == nil:
		return reject(abci.ResponseOfferSnapshot_REJECT, "no snapshot")
	case s.Format != snapshotFormat:
		return reject(abci.ResponseOfferSnapshot_REJECT_FORMAT, "unknown format")
	case s.Chunks == 0:
		// Every state has at least one chunk, even an empty one: CometBFT filters such
		// snapshots out, but the application does not rely on it.
		return reject(abci.ResponseOfferSnapshot_REJECT, "no chunks")
	case a.lastCommitted().Height != 0:
		return reject(abci.ResponseOfferSnapshot_ABORT, "this node already has state")
	}
	var m snapshotMeta
	if err := jsonUnmarshal(s.Metadata, &m); err != nil {
		return reject(abci.ResponseOfferSnapshot_REJECT, "metadata does not decode")
	}
	if sum := sha256.Sum256(s.Metadata); !bytes.Equal(sum[:], s.Hash) || uint32(len(m.ChunkHashes)) != s.Chunks {
		return reject(abci.ResponseOfferSnapshot_REJECT, "metadata does not match the snapshot")
	}
	commitment, ok := m.commitment()
	if !ok || !bytes.Equal(commitment.AppHash(), req.AppHash) {
		return reject(abci.ResponseOfferSnapshot_REJECT, "metadata does not prove the trusted app hash")
	}
	// Whatever an earlier, unfinished restore staged goes: the state is rebuilt from
	// this snapshot alone.
	if err := a.dropRestore(); err != nil {
		return nil, err
	}
	state, err := a.db.BeginRestore(store.Meta{Height: int64(s.Height), AppHash: req.AppHash}, commitment)
	if err != nil {
		return nil, err
	}
	a.restore = &restoring{snapshot: s, meta: m, appHash: req.AppHash, state: state}
	return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ACCEPT}, nil
}

// dropRestore abandons the restore under way, if any, and what it staged.
func (a *App) dropRestore() error {
	r := a.restore
	a.restore = nil
	if r == nil {
		return nil
	}
	return r.state.Abort()
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
