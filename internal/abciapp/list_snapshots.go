package abciapp

import (
	"context"
	"crypto/sha256"

	abci "github.com/cometbft/cometbft/abci/types"
)

// ListSnapshots offers the snapshots this node keeps to nodes that state-sync.
func (a *App) ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	res := &abci.ResponseListSnapshots{}
	for _, h := range a.snapshotHeights() {
		meta, err := a.snapshotFile(h, metadataFile)
		if err != nil {
			continue
		}
		var m snapshotMeta
		if err := jsonUnmarshal(meta, &m); err != nil {
			continue
		}
		hash := sha256.Sum256(meta)
		res.Snapshots = append(res.Snapshots, &abci.Snapshot{
			Height: uint64(h), Format: snapshotFormat, Chunks: uint32(len(m.ChunkHashes)), Hash: hash[:], Metadata: meta,
		})
	}
	return res, nil
}
