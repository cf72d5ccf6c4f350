package abciapp

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Snapshots are the committed state at a checkpoint height, cut into chunks of whole
// entries in key order: each entry is a uvarint key length, the key, a uvarint value
// length and the value. The metadata lists each chunk's SHA-256 and the two parts of
// the checkpoint's app hash, so that a restoring node can check every chunk as it
// arrives and the whole state against the app hash it trusts.
const (
	snapshotFormat     = 1
	snapshotChunkBytes = 1 << 20
	snapshotsKept      = 2
	metadataFile       = "metadata.json"
)

// snapshotMeta is a snapshot's metadata, carried in abci.Snapshot.Metadata.
type snapshotMeta struct {
	checkpoint
	ChunkHashes [][]byte `json:"chunk_hashes"`
}

// takeSnapshot writes the committed state at height into SnapshotDir/<height>.
func (a *App) takeSnapshot(height int64, cp checkpoint) error {
	tmp := filepath.Join(a.opts.SnapshotDir, fmt.Sprintf("%d.tmp", height))
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return err
	}
	meta := snapshotMeta{checkpoint: cp}
	var chunk []byte
	var werr error
	flush := func() {
		sum := sha256.Sum256(chunk)
		meta.ChunkHashes = append(meta.ChunkHashes, sum[:])
		name := filepath.Join(tmp, strconv.Itoa(len(meta.ChunkHashes)-1))
		werr = errors.Join(werr, os.WriteFile(name, chunk, 0o600))
		chunk = chunk[:0]
	}
	a.db.Scan(nil, func(k, v []byte) bool {
		chunk = appendEntry(chunk, k, v)
		if len(chunk) >= snapshotChunkBytes {
			flush()
		}
		return werr == nil
	})
	if len(chunk) > 0 || len(meta.ChunkHashes) == 0 {
		flush()
	}
	if werr != nil {
		return werr
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, metadataFile), b, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(a.opts.SnapshotDir, strconv.FormatInt(height, 10))); err != nil {
		return err
	}
	return a.pruneSnapshots()
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
	}
	return nil
}

func (a *App) snapshotFile(height int64, name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(a.opts.SnapshotDir, strconv.FormatInt(height, 10), name))
}
