package abciapp

import (
	"context"

	abci "github.com/cometbft/cometbft/abci/types"
)

// ListSnapshots offers the snapshots this node keeps to nodes that state-sync: only the
// complete ones, whose every chunk is on the disk and matches its hash. A snapshot this
// app did not write itself (one written before a restart) is read and checked once.
func (a *App) ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	res := &abci.ResponseListSnapshots{}
	for _, h := range a.snapshotHeights() {
		s, known := a.knownSnapshot(h)
		if !known {
			s = a.readSnapshot(h)
			a.rememberSnapshot(h, s)
		}
		if s != nil {
			res.Snapshots = append(res.Snapshots, s)
		}
	}
	return res, nil
}
