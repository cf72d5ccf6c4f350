package abciapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/store"
)

// Snapshots are the committed state at a checkpoint height, cut into chunks of whole
// entries in key order: each entry is a uvarint key length, the key, a uvarint value
// length and the value. The metadata lists each chunk's SHA-256 and the three parts of
// the checkpoint's app hash, so that a restoring node can check every chunk as it
// arrives and the whole state against the app hash it trusts. Format 3 is format 2's
// chunks, and its metadata with the root of the state tree (decision 0032): a node
// refuses another format before it fetches a chunk of a snapshot it could not check.
const (
	snapshotFormat     = 3
	snapshotChunkBytes = 1 << 20
	snapshotsKept      = 2
	metadataFile       = "metadata.json"
)

// snapshotMeta is a snapshot's metadata, carried in abci.Snapshot.Metadata.
type snapshotMeta struct {
	checkpoint
	ChunkHashes [][]byte `json:"chunk_hashes"`
}

// startSnapshot begins the snapshot of the state just committed at height: it opens a
// view of that state at once, before Commit returns and another block can commit, and
// writes the snapshot from it in the background, off the consensus path. One snapshot
// is written at a time: a checkpoint reached while the one before is still being
// written gets none, which costs new nodes a fresher snapshot, not consensus.
func (a *App) startSnapshot(height int64, cp checkpoint) {
	a.writerMu.Lock()
	defer a.writerMu.Unlock()
	if a.writerCtx.Err() != nil {
		return // closed
	}
	if a.writing != nil {
		select {
		case <-a.writing:
		default:
			a.log.Warn("no snapshot at this checkpoint: the one before is still being written", "height", height)
			return
		}
	}
	view := a.db.View()
	done := make(chan struct{})
	a.writing = done
	go func() {
		defer close(done)
		defer view.Close()
		if a.beforeSnapshotWrite != nil {
			a.beforeSnapshotWrite(height)
		}
		switch err := a.takeSnapshot(a.writerCtx, view, height, cp); {
		case err != nil && a.writerCtx.Err() != nil:
			a.log.Info("snapshot left unfinished: the node is stopping", "height", height)
		case err != nil:
			// A missing snapshot costs new nodes a longer sync, not consensus.
			a.log.Error("snapshot failed", "height", height, "err", err)
		}
	}()
}

// waitSnapshot waits until no snapshot is being written.
func (a *App) waitSnapshot() {
	a.writerMu.Lock()
	w := a.writing
	a.writerMu.Unlock()
	if w != nil {
		<-w
	}
}

// Close stops the snapshot being written, if any, and waits for it to stop: what it
// wrote stays under its temporary name, which the next snapshot deletes. The app
// writes no snapshot afterwards. Close it before the database it runs on.
func (a *App) Close() error {
	a.writerMu.Lock()
	a.stopWriter()
	a.writerMu.Unlock()
	a.waitSnapshot()
	return nil
}

// takeSnapshot writes the state that view sees, the committed state at height, into
// SnapshotDir/<height>. It writes the files under a temporary name and syncs each, then
// the directory, before giving it its final name and syncing that too: a crash at any
// point leaves under a height's name a complete snapshot or none, never a torn one. It
// stops, leaving the temporary name, once ctx is done.
func (a *App) takeSnapshot(ctx context.Context, view *store.View, height int64, cp checkpoint) error {
	if got := view.Meta().Height; got != height {
		return fmt.Errorf("abciapp: snapshot of height %d from a view of height %d", height, got)
	}
	if err := os.MkdirAll(a.opts.SnapshotDir, 0o700); err != nil {
		return err
	}
	if err := a.removeUnfinishedSnapshots(); err != nil {
		return err
	}
	tmp := filepath.Join(a.opts.SnapshotDir, fmt.Sprintf("%d.tmp", height))
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return err
	}
	meta := snapshotMeta{checkpoint: cp}
	var chunk []byte
	var werr error
	flush := func() {
		sum := sha256.Sum256(chunk)
		meta.ChunkHashes = append(meta.ChunkHashes, sum[:])
		name := filepath.Join(tmp, strconv.Itoa(len(meta.ChunkHashes)-1))
		werr = errors.Join(werr, writeFileSynced(name, chunk), ctx.Err())
		chunk = chunk[:0]
	}
	view.Scan(nil, func(k, v []byte) bool {
		chunk = appendEntry(chunk, k, v)
		if len(chunk) >= snapshotChunkBytes {
			flush()
		}
		return werr == nil
	})
	if werr == nil && (len(chunk) > 0 || len(meta.ChunkHashes) == 0) {
		flush()
	}
	if werr != nil {
		return werr
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	if err := writeFileSynced(filepath.Join(tmp, metadataFile), b); err != nil {
		return err
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(a.opts.SnapshotDir, strconv.FormatInt(height, 10))); err != nil {
		return err
	}
	if err := syncDir(a.opts.SnapshotDir); err != nil {
		return err
	}
	a.rememberSnapshot(height, abciSnapshot(height, b, len(meta.ChunkHashes)))
	return a.pruneSnapshots()
}

// removeUnfinishedSnapshots deletes the snapshots a crash interrupted before their
// rename: they are of no use.
func (a *App) removeUnfinishedSnapshots() error {
	entries, err := os.ReadDir(a.opts.SnapshotDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			if err := os.RemoveAll(filepath.Join(a.opts.SnapshotDir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeFileSynced writes a new file and syncs it to the disk.
func writeFileSynced(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// syncDir syncs a directory, so that the names it holds are on the disk.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// abciSnapshot is the snapshot at height, of metadata meta listing chunks chunks, as
// ListSnapshots offers it.
func abciSnapshot(height int64, meta []byte, chunks int) *abci.Snapshot {
	hash := sha256.Sum256(meta)
	return &abci.Snapshot{Height: uint64(height), Format: snapshotFormat, Chunks: uint32(chunks), Hash: hash[:], Metadata: meta}
}

// readSnapshot reads the snapshot at height from the disk and checks that it is
// complete: its metadata decodes and lists at least one chunk, and every chunk is there
// and matches its hash. It returns nil for one that is not.
func (a *App) readSnapshot(height int64) *abci.Snapshot {
	meta, err := a.snapshotFile(height, metadataFile)
	if err != nil {
		return nil
	}
	var m snapshotMeta
	if err := jsonUnmarshal(meta, &m); err != nil || len(m.ChunkHashes) == 0 {
		return nil
	}
	for i, want := range m.ChunkHashes {
		chunk, err := a.snapshotFile(height, strconv.Itoa(i))
		if err != nil {
			return nil
		}
		if sum := sha256.Sum256(chunk); !bytes.Equal(sum[:], want) {
			return nil
		}
	}
	return abciSnapshot(height, meta, len(m.ChunkHashes))
}

// knownSnapshot is what the app found of the snapshot at height, if it looked: the
// snapshot, or nil for one that is not complete.
func (a *App) knownSnapshot(height int64) (*abci.Snapshot, bool) {
	a.snapshotsMu.Lock()
	defer a.snapshotsMu.Unlock()
	s, ok := a.snapshots[height]
	return s, ok
}

// rememberSnapshot records what the app found of the snapshot at height, so that each
// snapshot is read and checked once: a complete one stays complete, and one torn by a
// crash never becomes complete under its final name.
func (a *App) rememberSnapshot(height int64, s *abci.Snapshot) {
	a.snapshotsMu.Lock()
	defer a.snapshotsMu.Unlock()
	a.snapshots[height] = s
}

func appendEntry(b, k, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(k)))
	b = append(b, k...)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// errTruncatedChunk is a chunk whose last entry runs past its end.
var errTruncatedChunk = errors.New("abciapp: snapshot chunk is truncated")

// readEntries splits a chunk into its entries, stopping at the first error fn returns.
func readEntries(chunk []byte, fn func(k, v []byte) error) error {
	for len(chunk) > 0 {
		k, rest, err := readField(chunk)
		if err != nil {
			return err
		}
		v, rest, err := readField(rest)
		if err != nil {
			return err
		}
		if err := fn(k, v); err != nil {
			return err
		}
		chunk = rest
	}
	return nil
}

func readField(b []byte) ([]byte, []byte, error) {
	n, used := binary.Uvarint(b)
	if used <= 0 || uint64(len(b)-used) < n {
		return nil, nil, errTruncatedChunk
	}
	return b[used : used+int(n)], b[used+int(n):], nil
}

// snapshotHeights lists the complete snapshots, newest first.
func (a *App) snapshotHeights() []int64 {
	entries, err := os.ReadDir(a.opts.SnapshotDir)
	if err != nil {
		return nil
	}
	var heights []int64
	for _, e := range entries {
		if h, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && e.IsDir() {
			heights = append(heights, h)
		}
	}
	slices.Sort(heights)
	slices.Reverse(heights)
	return heights
}

func (a *App) pruneSnapshots() error {
	kept := a.opts.SnapshotsKept
	if kept <= 0 {
		kept = snapshotsKept
	}
	heights := a.snapshotHeights()
	for _, h := range heights[min(kept, len(heights)):] {
		if err := os.RemoveAll(filepath.Join(a.opts.SnapshotDir, strconv.FormatInt(h, 10))); err != nil {
			return err
		}
		a.snapshotsMu.Lock()
		delete(a.snapshots, h)
		a.snapshotsMu.Unlock()
	}
	return nil
}

func (a *App) snapshotFile(height int64, name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(a.opts.SnapshotDir, strconv.FormatInt(height, 10), name))
}
