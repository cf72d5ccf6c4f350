package store

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/bloom"

	"github.com/chipmint/chipmint/internal/merkle"
)

// metaKey holds the committed height and app hash. Application keys start with a
// printable prefix, so a key starting with 0x00 can never collide with one.
var metaKey = []byte("\x00meta")

// digestKey holds the digest of the application state (Digest.Bytes), written with every
// commit and restore.
var digestKey = []byte("\x00digest")

// Meta is what was last committed.
type Meta struct {
	Height  int64
	AppHash []byte
}

// DB is the committed state on disk, with a cache of the keys read and written
// recently. It is safe for concurrent use.
type DB struct {
	pdb   *pebble.DB
	dir   string
	opts  *pebble.Options
	cache *readCache
	nodes *nodeCache

	optsProven func(key []byte) bool
	history    int64

	mu sync.Mutex
	// digest is the digest of the committed state, as its record holds it.
	digest Digest
	// committed is the commitment of the committed state.
	committed merkle.Commitment
}

// Open opens or creates the state database in dir. What an unfinished restore left
// beside it is deleted: it was never part of the state (Restore). A state written by a
// version that kept no digest or no tree gets them here, computed once from the whole
// state.
func Open(dir string, o Options) (*DB, error) {
	opts := PebbleOptions().EnsureDefaults()
	pdb, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	d := &DB{
		pdb: pdb, dir: filepath.Clean(dir), opts: opts, cache: newReadCache(), nodes: newNodeCache(),
		optsProven: o.Proven, history: o.History,
	}
	if err := os.RemoveAll(d.restoreDir()); err != nil {
		return nil, errors.Join(fmt.Errorf("store: open %s: %w", dir, err), pdb.Close())
	}
	if err := errors.Join(d.loadDigest(), d.loadTree()); err != nil {
		return nil, errors.Join(fmt.Errorf("store: open %s: %w", dir, err), pdb.Close())
	}
	return d, nil
}

// loadDigest reads the digest record, or writes it for a state that has none.
func (d *DB) loadDigest() error {
	if b, ok := getPebble(d.pdb.Get, digestKey); ok {
		dg, err := ParseDigest(b)
		if err != nil {
			return err
		}
		d.digest = *dg
		return nil
	}
	if _, ok := d.lastKey(); !ok {
		return nil // the empty state, whose digest is zero
	}
	dg := DigestOf(d)
	if err := d.pdb.Set(digestKey, dg.Bytes(), pebble.Sync); err != nil {
		return err
	}
	d.digest = *dg
	return nil
}

// Digest returns the digest of the committed state.
func (d *DB) Digest() *Digest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.digest.Clone()
}

// PebbleOptions are the options of every pebble database of a node, CometBFT's and
// the state's: pebble's defaults without its informational logging, with a Bloom filter
// in every table (CheckTx and FinalizeBlock look up spent nonces, which are mostly
// absent: without a filter each miss reads a block of every level) and memtables of
// 64 MiB instead of 4 MiB, so that a busy chain flushes and compacts less often.
func PebbleOptions() *pebble.Options {
	o := &pebble.Options{Logger: quietLogger{}, MemTableSize: 64 << 20}
	o.Levels = make([]pebble.LevelOptions, 7)
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	return o
}

// quietLogger drops pebble's informational messages (WAL replay on every reopen) and
// keeps its fatal ones fatal.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("store: pebble: "+format, args...))
}

// Close closes the database.
func (d *DB) Close() error { return d.pdb.Close() }

// Get implements Reader.
func (d *DB) Get(key []byte) ([]byte, bool) {
	c, hit, epoch := d.cache.get(key)
	if !hit {
		c = d.read(key)
		d.cache.fill(key, c, epoch)
	}
	if !c.present {
		return nil, false
	}
	return append([]byte(nil), c.value...), true
}

// read asks pebble for key.
func (d *DB) read(key []byte) cached {
	v, ok := getPebble(d.pdb.Get, key)
	return cached{value: v, present: ok}
}

// Scan implements Reader.
func (d *DB) Scan(prefix []byte, fn func(key, value []byte) bool) {
	scanPebble(d.pdb.NewIter, prefix, nil, fn)
}

// ScanFrom implements Reader.
func (d *DB) ScanFrom(prefix, start []byte, fn func(key, value []byte) bool) {
	scanPebble(d.pdb.NewIter, prefix, start, fn)
}

// prefixEnd is the first key after every key with prefix, or nil if there is none.
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Block is a block's changes and what they commit to, computed from the committed state
// before anything is written (Prepare), then written by Commit.
type Block struct {
	Height     int64
	Changes    []Change
	Commitment merkle.Commitment
	digest     *Digest
	tree       *merkle.Update
}

// AppHash is the app hash of the state the block leaves.
func (b *Block) AppHash() []byte { return b.Commitment.AppHash() }

// Prepare computes what the block of changes at height commits to, on the committed
// state: its changes chained onto prev, the previous app hash; the digest of the state
// it leaves; the root of the state tree it leaves. It writes nothing.
func (d *DB) Prepare(height int64, prev []byte, changes []Change) *Block {
	b := &Block{Height: height, Changes: changes, digest: d.Digest()}
	// The digest and the tree read different things and share nothing: on two cores
	// they take the time of the longer one.
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.digest.Apply(d, changes)
	}()
	b.tree = d.updateTree(changes)
	<-done
	b.Commitment = merkle.Commitment{Chained: AppHash(prev, height, changes), Digest: b.digest.Sum(), Root: b.tree.Root}
	return b
}

// Commit writes a prepared block, the first after the committed state, atomically and
// durably: its changes, the digest and the tree of the state they leave, its height and
// app hash.
func (d *DB) Commit(blk *Block) error {
	meta := Meta{Height: blk.Height, AppHash: blk.AppHash()}
	b := d.pdb.NewBatch()
	defer b.Close()
	for _, c := range blk.Changes {
		var err error
		if c.Deleted {
			err = b.Delete(c.Key, nil)
		} else {
			err = b.Set(c.Key, c.Value, nil)
		}
		if err != nil {
			return fmt.Errorf("store: commit height %d: %w", meta.Height, err)
		}
	}
	records := []Change{{Key: digestKey, Value: blk.digest.Bytes()}, {Key: metaKey, Value: encodeMeta(meta)}}
	for _, r := range records {
		if err := b.Set(r.Key, r.Value, nil); err != nil {
			return fmt.Errorf("store: commit height %d: %w", meta.Height, err)
		}
	}
	if err := d.writeTree(b, blk.Height, blk.tree, blk.Commitment); err != nil {
		return fmt.Errorf("store: commit height %d: %w", meta.Height, err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("store: commit height %d: %w", meta.Height, err)
	}
	d.cache.committed(blk.Changes, records)
	d.nodes.committed(blk.tree, uint64(blk.Height))
	d.mu.Lock()
	defer d.mu.Unlock()
	d.digest = *blk.digest
	d.committed = blk.Commitment
	return nil
}

// commitment is the commitment of the committed state.
func (d *DB) commitment() merkle.Commitment {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.committed
}

// Meta returns the last committed height and app hash; zero before the first commit.
func (d *DB) Meta() Meta {
	v, ok := d.Get(metaKey)
	if !ok {
		return Meta{}
	}
	if len(v) < 8 {
		panic(fmt.Sprintf("store: meta record is %d bytes", len(v)))
	}
	return Meta{Height: int64(binary.BigEndian.Uint64(v)), AppHash: v[8:]}
}

func encodeMeta(m Meta) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(m.Height)), m.AppHash...)
}

// AppHash chains a block's changes onto the previous app hash. Two nodes that applied
// the same blocks have the same hash; a single differing write changes every later one.
func AppHash(prev []byte, height int64, changes []Change) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(height)))
	var buf []byte
	for _, c := range changes {
		buf = binary.AppendUvarint(buf[:0], uint64(len(c.Key)))
		buf = append(buf, c.Key...)
		if c.Deleted {
			buf = append(buf, 0)
		} else {
			buf = append(buf, 1)
			buf = binary.AppendUvarint(buf, uint64(len(c.Value)))
			buf = append(buf, c.Value...)
		}
		h.Write(buf)
	}
	return h.Sum(nil)
}
