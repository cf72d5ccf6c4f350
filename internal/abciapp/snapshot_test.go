package abciapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/merkle"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// stateSync restores a fresh app from source's latest snapshot, as CometBFT's state
// sync does: offer it against the trusted app hash, then apply its chunks in order.
func stateSync(t *testing.T, source, target *App, trusted []byte, corrupt func(i int, chunk []byte) []byte) (*abci.Snapshot, abci.ResponseApplySnapshotChunk_Result) {
	t.Helper()
	ctx := context.Background()
	list, err := source.ListSnapshots(ctx, &abci.RequestListSnapshots{})
	if err != nil || len(list.Snapshots) == 0 {
		t.Fatalf("no snapshots: %v", err)
	}
	s := list.Snapshots[0]
	offer, err := target.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: s, AppHash: trusted})
	if err != nil {
		t.Fatal(err)
	}
	if offer.Result != abci.ResponseOfferSnapshot_ACCEPT {
		return s, abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT
	}
	result := abci.ResponseApplySnapshotChunk_UNKNOWN
	for i := uint32(0); i < s.Chunks; i++ {
		c, err := source.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{Height: s.Height, Format: s.Format, Chunk: i})
		if err != nil {
			t.Fatal(err)
		}
		chunk := c.Chunk
		if corrupt != nil {
			chunk = corrupt(int(i), bytes.Clone(chunk))
		}
		res, err := target.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: i, Chunk: chunk, Sender: "peer"})
		if err != nil {
			t.Fatal(err)
		}
		if result = res.Result; result != abci.ResponseApplySnapshotChunk_ACCEPT {
			break
		}
	}
	return s, result
}

// An app state-syncs from a checkpoint snapshot and goes on with the same hashes. The
// restored state replaces whatever the database held at height 0 (here the genesis state
// and an entry an older version's unfinished restore left).
func TestStateSyncRestoresTheSameState(t *testing.T) {
	const seed = 11
	src := newHarness(t)
	s := newScenario(seed)
	var blocks [][][]byte
	hashes := map[int64][]byte{}
	for height := int64(1); height <= 35; height++ {
		txs := s.block(height)
		blocks = append(blocks, txs)
		hashes[height] = src.finalize(txs...).AppHash
	}
	dst := newHarness(t)
	if err := dst.db.Commit(dst.db.Prepare(0, nil, []store.Change{{Key: []byte("zzz/stale"), Value: []byte("x")}})); err != nil {
		t.Fatal(err)
	}
	snap, result := stateSync(t, src.app, dst.app, hashes[30], nil)
	if snap.Height != 30 || result != abci.ResponseApplySnapshotChunk_ACCEPT {
		t.Fatalf("snapshot at %d: %v", snap.Height, result)
	}
	var m snapshotMeta
	if err := jsonUnmarshal(snap.Metadata, &m); err != nil {
		t.Fatal(err)
	}
	if got := store.StateDigest(dst.db); !bytes.Equal(got, m.StateDigest) {
		t.Fatalf("restored state's digest %X, the snapshot's %X", got, m.StateDigest)
	}
	info, _ := dst.app.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 30 || !bytes.Equal(info.LastBlockAppHash, hashes[30]) {
		t.Fatalf("restored height %d hash %X, want 30 %X", info.LastBlockHeight, info.LastBlockAppHash, hashes[30])
	}
	// The restored node goes on with the next blocks to the same hashes.
	dst.height = 30
	for height := int64(31); height <= 35; height++ {
		if got := dst.finalize(blocks[height-1]...).AppHash; !bytes.Equal(got, hashes[height]) {
			t.Fatalf("height %d: restored node %X, source %X", height, got, hashes[height])
		}
	}
}

func TestStateSyncRefusesWhatDoesNotProveTheTrustedHash(t *testing.T) {
	src := newHarness(t)
	s := newScenario(12)
	var trusted []byte
	for height := int64(1); height <= 20; height++ {
		trusted = src.finalize(s.block(height)...).AppHash
	}
	tests := []struct {
		name    string
		trusted []byte
		corrupt func(i int, chunk []byte) []byte
		want    abci.ResponseApplySnapshotChunk_Result
	}{
		{"another app hash", bytes.Repeat([]byte{7}, 32), nil, abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT},
		{"a tampered chunk", trusted, func(_ int, c []byte) []byte { c[len(c)-1] ^= 1; return c }, abci.ResponseApplySnapshotChunk_RETRY},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
			dst.open()
			defer dst.close()
			if _, got := stateSync(t, src.app, dst.app, tc.trusted, tc.corrupt); got != tc.want {
				t.Fatalf("result %v, want %v", got, tc.want)
			}
			if info, _ := dst.app.Info(context.Background(), &abci.RequestInfo{}); info.LastBlockHeight != 0 {
				t.Fatalf("refused snapshot left height %d", info.LastBlockHeight)
			}
		})
	}
}

// A peer that forges state and lists its forged chunks' hashes in otherwise genuine
// metadata passes the chunk checks, but not the digest of the rebuilt state: the
// restore is wiped and rejected.
func TestStateSyncRefusesForgedStateBehindGenuineMetadata(t *testing.T) {
	ctx := context.Background()
	trusted, snap, chunk := checkpointSnapshot(t, 13)
	forged := appendEntry(chunk, []byte("zzz/minted"), []byte("a million chips"))
	snap = relist(t, snap, forged)

	dst := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
	dst.open()
	defer dst.close()
	offer, _ := dst.app.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: &snap, AppHash: trusted})
	if offer.Result != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer %v: the metadata is genuine apart from the chunk hash", offer.Result)
	}
	res, _ := dst.app.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: 0, Chunk: forged, Sender: "forger"})
	if res.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
		t.Fatalf("forged state: %v", res.Result)
	}
	left := 0
	dst.db.Scan(nil, func(_, _ []byte) bool { left++; return true })
	if info, _ := dst.app.Info(ctx, &abci.RequestInfo{}); info.LastBlockHeight != 0 || left != 0 {
		t.Fatalf("forged state left behind: height %d, %d entries", info.LastBlockHeight, left)
	}
}

// A chunk that matches the hash its sender listed but breaks off in the middle of an
// entry, or holds entries out of key order, rejects the snapshot and its sender, and
// leaves nothing restored.
func TestStateSyncRejectsAMalformedChunk(t *testing.T) {
	ctx := context.Background()
	trusted, snap, chunk := checkpointSnapshot(t, 14)
	var entries [][2][]byte
	if err := readEntries(chunk, func(k, v []byte) error {
		entries = append(entries, [2][]byte{k, v})
		return nil
	}); err != nil || len(entries) < 2 {
		t.Fatalf("%d entries: %v", len(entries), err)
	}
	swapped := appendEntry(appendEntry(nil, entries[1][0], entries[1][1]), entries[0][0], entries[0][1])
	for _, e := range entries[2:] {
		swapped = appendEntry(swapped, e[0], e[1])
	}
	tests := []struct {
		name  string
		chunk []byte
	}{
		{"cut short", chunk[:len(chunk)-3]},
		{"two entries swapped", swapped},
		{"the meta record", append(appendEntry(nil, []byte("\x00meta"), []byte("forged")), chunk...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap := relist(t, snap, tc.chunk)
			dst := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
			dst.open()
			defer dst.close()
			if offer, _ := dst.app.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: &snap, AppHash: trusted}); offer.Result != abci.ResponseOfferSnapshot_ACCEPT {
				t.Fatalf("offer %v", offer.Result)
			}
			res, err := dst.app.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: 0, Chunk: tc.chunk, Sender: "cutter"})
			if err != nil || res.Result != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT || len(res.RejectSenders) != 1 {
				t.Fatalf("malformed chunk: %v %v", res, err)
			}
			left := 0
			dst.db.Scan(nil, func(_, _ []byte) bool { left++; return true })
			if info, _ := dst.app.Info(ctx, &abci.RequestInfo{}); info.LastBlockHeight != 0 || left != 0 {
				t.Fatalf("a rejected restore left height %d and %d entries", info.LastBlockHeight, left)
			}
		})
	}
}

// checkpointSnapshot runs a scenario past the checkpoint at height 20 and returns the
// app hash there, its snapshot and the snapshot's only chunk.
func checkpointSnapshot(t *testing.T, seed uint64) ([]byte, abci.Snapshot, []byte) {
	t.Helper()
	src := newHarness(t)
	s := newScenario(seed)
	var trusted []byte
	for height := int64(1); height <= 20; height++ {
		trusted = src.finalize(s.block(height)...).AppHash
	}
	ctx := context.Background()
	list, _ := src.app.ListSnapshots(ctx, &abci.RequestListSnapshots{})
	snap := *list.Snapshots[0]
	chunk, _ := src.app.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{Height: snap.Height, Format: snap.Format, Chunk: 0})
	if snap.Height != 20 || snap.Chunks != 1 {
		t.Fatalf("snapshot at %d with %d chunks, want one at 20", snap.Height, snap.Chunks)
	}
	return trusted, snap, bytes.Clone(chunk.Chunk)
}

// relist is what a dishonest peer sends: the snapshot's genuine metadata, but listing
// the hashes of chunks in place of the real ones'.
func relist(t *testing.T, snap abci.Snapshot, chunks ...[]byte) abci.Snapshot {
	t.Helper()
	var m snapshotMeta
	if err := jsonUnmarshal(snap.Metadata, &m); err != nil {
		t.Fatal(err)
	}
	m.ChunkHashes = nil
	for _, c := range chunks {
		sum := sha256.Sum256(c)
		m.ChunkHashes = append(m.ChunkHashes, sum[:])
	}
	snap.Chunks = uint32(len(chunks))
	snap.Metadata, _ = json.Marshal(m)
	metaSum := sha256.Sum256(snap.Metadata)
	snap.Hash = metaSum[:]
	return snap
}

// A forger sends genuine metadata listing the hashes of its own two chunks, the first of
// which credits stranger with a million chips. The node stops after that chunk, before
// the last one is checked, and starts again without state sync: CometBFT runs InitChain,
// since the last committed height is still 0. Nothing of the forged chunk is ever
// served, neither during the restore nor after.
func TestInterruptedForgedRestoreIsNeverServed(t *testing.T) {
	ctx := context.Background()
	trusted, snap, chunk := checkpointSnapshot(t, 15)
	const million = 1_000_000 * 1_000_000
	forged := appendEntry(nil, append([]byte("acct/"), stranger.addr[:]...), binary.BigEndian.AppendUint64(nil, million))
	snap = relist(t, snap, forged, chunk)

	dst := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
	dst.open()
	t.Cleanup(dst.close)
	if offer, _ := dst.app.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: &snap, AppHash: trusted}); offer.Result != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer %v: the metadata is genuine apart from the chunk hashes", offer.Result)
	}
	res, err := dst.app.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: 0, Chunk: forged, Sender: "forger"})
	if err != nil || res.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
		t.Fatalf("first chunk: %v %v; it matches the hash listed, and a chunk is still to come", res.GetResult(), err)
	}
	if got := dst.balance(stranger); got != 0 {
		t.Fatalf("a restore under way serves the forged balance %d", got)
	}

	dst.restart()
	if _, err := dst.initChain(); err != nil {
		t.Fatalf("InitChain after the interrupted restore: %v", err)
	}
	if got := dst.balance(stranger); got != 0 {
		t.Fatalf("after the restart the node serves the forged balance %d", got)
	}
	spend := dst.sign(stranger, &txn.Transfer{To: bob.addr, AmountChips: 1_000_000})
	if c := txn.Code(dst.checkTx(spend).Code); c != txn.InsufficientFunds {
		t.Fatalf("CheckTx of a spend of the forged chips: %s, want %s", c, txn.InsufficientFunds)
	}
	if inv := dst.app.Invariants(); !inv.OK {
		t.Fatalf("invariants after the restart: %+v", inv)
	}
}

// CometBFT never offers a snapshot without chunks, but the application does not rely on
// it: one whose metadata proves the trusted app hash is still refused.
func TestSnapshotWithoutChunksIsRejected(t *testing.T) {
	chained, empty := bytes.Repeat([]byte{9}, 32), store.NewDigest().Sum()
	meta, err := json.Marshal(snapshotMeta{checkpoint: checkpoint{Chained: chained, StateDigest: empty, Root: merkle.Empty[:]}})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(meta)
	snap := &abci.Snapshot{Height: 20, Format: snapshotFormat, Chunks: 0, Hash: sum[:], Metadata: meta}

	dst := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
	dst.open()
	defer dst.close()
	offer, err := dst.app.OfferSnapshot(context.Background(), &abci.RequestOfferSnapshot{Snapshot: snap, AppHash: merkle.Commitment{Chained: chained, Digest: empty}.AppHash()})
	if err != nil || offer.Result != abci.ResponseOfferSnapshot_REJECT {
		t.Fatalf("offer of a snapshot without chunks: %v %v, want REJECT", offer.GetResult(), err)
	}
}

// A crash can leave a snapshot half written: its files cut short or missing, or the
// directory not yet renamed. After a restart ListSnapshots offers only the complete
// snapshots, each of whose chunks loads and matches its hash, and the next snapshot
// clears what the crash left.
func TestTornSnapshotsAreNotOffered(t *testing.T) {
	truncate := func(name string, keep func(size int64) int64) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			path := filepath.Join(dir, name)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, keep(fi.Size())); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name string
		tear func(t *testing.T, dir string)
	}{
		{"a chunk cut short", truncate("0", func(n int64) int64 { return n / 2 })},
		{"a chunk empty", truncate("0", func(int64) int64 { return 0 })},
		{"a chunk missing", remove("0")},
		{"the metadata cut short", truncate(metadataFile, func(n int64) int64 { return n / 2 })},
		{"the metadata missing", remove(metadataFile)},
		{"not renamed yet", func(t *testing.T, dir string) {
			if err := os.Rename(dir, dir+".tmp"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			s := newScenario(16)
			var trusted []byte
			for height := int64(1); height <= 20; height++ {
				if res := h.finalize(s.block(height)...); height == 10 {
					trusted = res.AppHash
				}
			}
			if got := offeredHeights(t, h.app); !slices.Equal(got, []uint64{20, 10}) {
				t.Fatalf("snapshots %v before the crash, want [20 10]", got)
			}
			tc.tear(t, filepath.Join(h.app.opts.SnapshotDir, "20"))
			h.restart()
			if got := offeredHeights(t, h.app); !slices.Equal(got, []uint64{10}) {
				t.Fatalf("after the crash the node offers the snapshots %v, want [10]", got)
			}
			// What it offers is usable: a fresh node restores it.
			dst := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
			dst.open()
			defer dst.close()
			if snap, result := stateSync(t, h.app, dst.app, trusted, nil); snap.Height != 10 || result != abci.ResponseApplySnapshotChunk_ACCEPT {
				t.Fatalf("restore from the snapshot at %d: %v", snap.Height, result)
			}
			for height := int64(21); height <= 30; height++ {
				h.finalize(s.block(height)...)
			}
			if got := offeredHeights(t, h.app); len(got) == 0 || got[0] != 30 {
				t.Fatalf("snapshots %v after the next checkpoint, want 30 first", got)
			}
			entries, err := os.ReadDir(h.app.opts.SnapshotDir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("%s is left after the next snapshot", e.Name())
				}
			}
		})
	}
}

// offeredHeights lists app's snapshots, checking that every chunk of each loads and
// matches its hash in the metadata.
func offeredHeights(t *testing.T, app *App) []uint64 {
	t.Helper()
	ctx := context.Background()
	list, err := app.ListSnapshots(ctx, &abci.RequestListSnapshots{})
	if err != nil {
		t.Fatal(err)
	}
	var heights []uint64
	for _, s := range list.Snapshots {
		var m snapshotMeta
		if err := jsonUnmarshal(s.Metadata, &m); err != nil {
			t.Fatalf("snapshot %d: %v", s.Height, err)
		}
		for i := range s.Chunks {
			c, err := app.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{Height: s.Height, Format: s.Format, Chunk: i})
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(c.Chunk); !bytes.Equal(sum[:], m.ChunkHashes[i]) {
				t.Errorf("snapshot %d is offered, but its chunk %d does not match its hash", s.Height, i)
			}
		}
		heights = append(heights, s.Height)
	}
	return heights
}

// A checkpoint's Commit returns before any file of its snapshot is written: the snapshot
// is written afterwards, in the background, from a view of the state at the checkpoint,
// while later blocks commit. It is offered only once complete, and it restores that
// state exactly.
func TestSnapshotIsWrittenAfterCommitFromTheCheckpointsState(t *testing.T) {
	ctx := context.Background()
	src := newHarness(t)
	started, release := make(chan int64, 1), make(chan struct{})
	src.app.beforeSnapshotWrite = func(height int64) {
		started <- height
		<-release
	}
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
	})
	s := newScenario(17)
	// commit runs a block through FinalizeBlock and Commit only: the harness's finalize
	// would wait for the snapshot.
	commit := func(height int64) []byte {
		t.Helper()
		src.height = height
		res, err := src.app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Txs: s.block(height), Height: height, Time: blockTime(height)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.app.Commit(ctx, &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
		return res.AppHash
	}
	var trusted []byte
	for height := int64(1); height <= testCheckpointInterval; height++ {
		trusted = commit(height)
	}
	// Commit has returned; the writer has started and waits on the hook.
	if h := <-started; h != testCheckpointInterval {
		t.Fatalf("snapshot of height %d started, want %d", h, testCheckpointInterval)
	}
	atCheckpoint := wholeState(src.db)
	entries, err := os.ReadDir(src.app.opts.SnapshotDir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("Commit returned with snapshot files already written: %v", entries)
	}
	if list, _ := src.app.ListSnapshots(ctx, &abci.RequestListSnapshots{}); len(list.Snapshots) != 0 {
		t.Fatalf("a snapshot not yet written is offered: %v", list.Snapshots)
	}
	// Later blocks commit while the snapshot waits, changing the state, up to the next
	// checkpoint, which gets no snapshot: one is written at a time.
	for height := int64(testCheckpointInterval + 1); height <= 2*testCheckpointInterval; height++ {
		commit(height)
	}
	if reflect.DeepEqual(wholeState(src.db), atCheckpoint) {
		t.Fatal("the later blocks changed nothing: the test proves too little")
	}
	released = true
	close(release)
	src.app.waitSnapshot()
	if got := offeredHeights(t, src.app); !slices.Equal(got, []uint64{testCheckpointInterval}) {
		t.Fatalf("snapshots %v once written, want [%d]", got, testCheckpointInterval)
	}

	dst := &harness{t: t, dir: t.TempDir(), genesis: oneIssuerGenesis()}
	dst.open()
	defer dst.close()
	if snap, result := stateSync(t, src.app, dst.app, trusted, nil); snap.Height != testCheckpointInterval || result != abci.ResponseApplySnapshotChunk_ACCEPT {
		t.Fatalf("restore from the snapshot at %d: %v", snap.Height, result)
	}
	if got := wholeState(dst.db); !reflect.DeepEqual(got, atCheckpoint) {
		t.Fatalf("restored state differs from the state at the checkpoint:\n%q\nwant\n%q", got, atCheckpoint)
	}
	if !dst.db.Digest().Equal(store.DigestOf(dst.db)) {
		t.Fatal("the restored state's digest is not its entries'")
	}
}

// wholeState is every application entry of db.
func wholeState(db *store.DB) map[string]string {
	out := make(map[string]string)
	db.Scan(nil, func(k, v []byte) bool {
		out[string(k)] = string(v)
		return true
	})
	return out
}

// Closing the app while a snapshot is being written stops the writer before the
// database closes: the snapshot is left unfinished, under its temporary name, and is
// neither offered nor kept under its height's name.
func TestCloseStopsTheSnapshotBeingWritten(t *testing.T) {
	h := newHarness(t)
	started := make(chan int64, 1)
	// The writer goes on once Close has begun to stop it.
	h.app.beforeSnapshotWrite = func(height int64) {
		started <- height
		<-h.app.writerCtx.Done()
	}
	s := newScenario(18)
	ctx := context.Background()
	for height := int64(1); height <= testCheckpointInterval; height++ {
		h.height = height
		if _, err := h.app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Txs: s.block(height), Height: height, Time: blockTime(height)}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.app.Commit(ctx, &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
	}
	<-started
	if err := h.app.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(h.app.opts.SnapshotDir, strconv.Itoa(testCheckpointInterval))); !os.IsNotExist(err) {
		t.Fatalf("a snapshot stopped by Close is under its height's name: %v", err)
	}
	if list, _ := h.app.ListSnapshots(ctx, &abci.RequestListSnapshots{}); len(list.Snapshots) != 0 {
		t.Fatalf("a snapshot stopped by Close is offered: %v", list.Snapshots)
	}
}
