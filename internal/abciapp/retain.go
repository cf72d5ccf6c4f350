package abciapp

// retainHeight is the lowest height whose block CometBFT keeps after the block at
// height, as Commit answers it: the latest RetainBlocks blocks, and every block since
// the oldest snapshot the node may still offer, since a node that restores it from
// state sync takes the blocks after it from its peers. Zero keeps every block.
func (a *App) retainHeight(height int64) int64 {
	n := a.opts.RetainBlocks
	if n <= 0 {
		return 0
	}
	retain := height - n + 1
	if c := a.params.CheckpointInterval; c > 0 && a.opts.SnapshotDir != "" {
		// The kept snapshots are the latest ones at checkpoint heights; one more interval
		// covers a snapshot still being written after the previous ones were kept.
		kept := int64(a.opts.SnapshotsKept)
		if kept <= 0 {
			kept = snapshotsKept
		}
		retain = min(retain, (height/c-kept)*c)
	}
	return max(retain, 0)
}
