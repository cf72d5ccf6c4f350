package abciapp

import (
	"context"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"
)

// LoadSnapshotChunk hands a chunk of one of this node's snapshots to a syncing node.
func (a *App) LoadSnapshotChunk(_ context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	if req.Format != snapshotFormat {
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	chunk, err := a.snapshotFile(int64(req.Height), strconv.FormatUint(uint64(req.Chunk), 10))
	if err != nil {
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	return &abci.ResponseLoadSnapshotChunk{Chunk: chunk}, nil
}
