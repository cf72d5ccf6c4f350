package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble"

	"github.com/chipmint/chipmint/internal/merkle"
)

// The state tree's records, beside the application's keys (which start above 0x00) and
// the DB's own meta and digest. A node is stored once per version that changed it, and
// read at a version as the newest row not after it: the versions are the heights.
var (
	// nodePrefix + position + the complement of the version: a node, from that version
	// on. The complement puts a position's newest row first.
	nodePrefix = []byte("\x00n")
	// stalePrefix + version + node key: a node row that the version replaced, which no
	// height from that version on reads.
	stalePrefix = []byte("\x00s")
	// commitPrefix + height: the Commitment of the state after that height.
	commitPrefix = []byte("\x00c")
	// floorKey holds the oldest height whose tree is still whole.
	floorKey = []byte("\x00floor")
)

// Errors of reads at a height.
var (
	// ErrHeightUnavailable is a height that is not kept: pruned, before the tree began,
	// or not committed yet.
	ErrHeightUnavailable = errors.New("store: height not available")
	// ErrNotProven is a key that the state tree does not hold (Options.Proven).
	ErrNotProven = errors.New("store: key not in the state tree")
)

// Options are a DB's settings.
type Options struct {
	// Proven says which application keys the state tree holds: those whose values and
	// absence queries can prove, and read at past heights. nil: every key. It must be
	// the same on every node of a chain, for the tree's root is in the app hash.
	Proven func(key []byte) bool
	// History is how many heights before the last one the tree keeps readable; 0 keeps
	// every height.
	History int64
}

func (d *DB) proven(key []byte) bool { return d.optsProven == nil || d.optsProven(key) }

func nodeKey(b []byte, pos merkle.Position, version uint64) []byte {
	b = append(b, nodePrefix...)
	b = pos.AppendKey(b)
	return binary.BigEndian.AppendUint64(b, ^version)
}

func heightKey(prefix []byte, height int64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(prefix), uint64(height))
}

func encodeCommitment(c merkle.Commitment) []byte {
	return slices.Concat(c.Chained, c.Digest, c.Root[:])
}

func parseCommitment(b []byte) (merkle.Commitment, error) {
	if len(b) != 96 {
		return merkle.Commitment{}, fmt.Errorf("store: commitment record of %d bytes", len(b))
	}
	c := merkle.Commitment{Chained: bytes.Clone(b[:32]), Digest: bytes.Clone(b[32:64])}
	copy(c.Root[:], b[64:])
	return c, nil
}

// nodeReader reads the nodes of one version of the tree from a pebble iterator over the
// node rows, and from the cache of the latest tree's nodes when it reads that version.
type nodeReader struct {
	it      *pebble.Iterator
	version uint64
	cache   *nodeCache
	key     []byte
}

func newNodeIter(newIter func(*pebble.IterOptions) (*pebble.Iterator, error)) *pebble.Iterator {
	it, err := newIter(&pebble.IterOptions{LowerBound: nodePrefix, UpperBound: prefixEnd(nodePrefix)})
	if err != nil {
		panic(fmt.Sprintf("store: tree: %v", err))
	}
	return it
}

// Node implements merkle.Reader.
func (r *nodeReader) Node(pos merkle.Position) *merkle.Node {
	r.key = nodeKey(r.key[:0], pos, r.version)
	at := r.key[:len(r.key)-8]
	posKey := at[len(nodePrefix):] // the cache's key: the position alone
	if r.cache != nil {
		if n, ok := r.cache.get(posKey); ok {
			return n
		}
	}
	if !r.it.SeekGE(r.key) || !bytes.HasPrefix(r.it.Key(), at) || len(r.it.Key()) != len(r.key) {
		panic(fmt.Sprintf("store: tree: no node at depth %d for version %d: %v", pos.Depth, r.version, r.it.Error()))
	}
	n, err := merkle.ParseNode(r.it.Value(), ^binary.BigEndian.Uint64(r.it.Key()[len(at):]))
	if err != nil || n == nil {
		panic(fmt.Sprintf("store: tree: node at depth %d for version %d: %v", pos.Depth, r.version, err))
	}
	if r.cache != nil {
		r.cache.put(string(posKey), n)
	}
	return n
}

// nodeCacheMax bounds the cache of the latest tree's nodes.
const nodeCacheMax = 1 << 20

// nodeCache holds nodes of the latest tree by position: a block's update reads the
// nodes on every changed path, most of them the same from block to block. It is exact:
// Commit replaces the nodes a block replaced. Two generations bound it.
type nodeCache struct {
	mu        sync.Mutex
	cur, prev map[string]*merkle.Node
}

func newNodeCache() *nodeCache { return &nodeCache{cur: make(map[string]*merkle.Node)} }

func (c *nodeCache) get(pos []byte) (*merkle.Node, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.cur[string(pos)]; ok {
		return n, true
	}
	n, ok := c.prev[string(pos)]
	return n, ok
}

func (c *nodeCache) put(pos string, n *merkle.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(pos, n)
}

func (c *nodeCache) putLocked(pos string, n *merkle.Node) {
	if _, ok := c.cur[pos]; !ok && len(c.cur) >= nodeCacheMax/2 {
		c.prev, c.cur = c.cur, make(map[string]*merkle.Node, nodeCacheMax/2)
	}
	delete(c.prev, pos)
	c.cur[pos] = n
}

// committed replaces what a version changed.
func (c *nodeCache) committed(u *merkle.Update, version uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var key []byte
	for _, s := range u.Stale {
		key = s.Pos.AppendKey(key[:0])
		delete(c.cur, string(key))
		delete(c.prev, string(key))
	}
	for _, w := range u.Writes {
		if w.Node == nil {
			continue // an empty root: the tree has no node
		}
		n := *w.Node
		n.Version = version
		c.putLocked(string(w.Pos.AppendKey(nil)), &n)
	}
}

func (c *nodeCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur, c.prev = make(map[string]*merkle.Node), nil
}

// treeChanges are the changes of the keys the tree holds.
func (d *DB) treeChanges(changes []Change) []Change {
	out := make([]Change, 0, len(changes))
	for _, c := range changes {
		if d.proven(c.Key) {
			out = append(out, c)
		}
	}
	return out
}

// updateTree computes the tree after changes, from the committed one.
func (d *DB) updateTree(changes []Change) *merkle.Update {
	it := newNodeIter(d.pdb.NewIter)
	defer it.Close()
	r := &nodeReader{it: it, version: ^uint64(0), cache: d.nodes}
	return merkle.Apply(r, d.commitment().Root, d.treeChanges(changes))
}

// writeTree adds to b the rows of a version of the tree: its nodes, the index of the
// rows they replace, its commitment; and drops what falls out of the history kept.
func (d *DB) writeTree(b *pebble.Batch, height int64, u *merkle.Update, c merkle.Commitment) error {
	version := uint64(height)
	// The batch copies what it is given: one key and one value buffer do for every row.
	var key, value []byte
	for _, w := range u.Writes {
		key, value = nodeKey(key[:0], w.Pos, version), merkle.AppendNode(value[:0], w.Node)
		if err := b.Set(key, value, nil); err != nil {
			return err
		}
	}
	staleAt := heightKey(stalePrefix, height)
	for _, s := range u.Stale {
		key = nodeKey(append(key[:0], staleAt...), s.Pos, s.Version)
		if err := b.Set(key, nil, nil); err != nil {
			return err
		}
	}
	if err := b.Set(heightKey(commitPrefix, height), encodeCommitment(c), nil); err != nil {
		return err
	}
	floor, ok := d.floor()
	if !ok {
		return b.Set(floorKey, binary.BigEndian.AppendUint64(nil, uint64(height)), nil)
	}
	if d.history == 0 || height-d.history <= floor {
		return nil
	}
	return d.prune(b, height-d.history)
}

// prune drops the rows that no height from floor on reads: the nodes that versions up to
// floor replaced, and the commitments before it.
func (d *DB) prune(b *pebble.Batch, floor int64) error {
	end := heightKey(stalePrefix, floor+1)
	it, err := d.pdb.NewIter(&pebble.IterOptions{LowerBound: stalePrefix, UpperBound: end})
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		if err := b.Delete(it.Key()[len(stalePrefix)+8:], nil); err != nil {
			return errors.Join(err, it.Close())
		}
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return err
	}
	return errors.Join(
		b.DeleteRange(stalePrefix, end, nil),
		b.DeleteRange(commitPrefix, heightKey(commitPrefix, floor), nil),
		b.Set(floorKey, binary.BigEndian.AppendUint64(nil, uint64(floor)), nil),
	)
}

// floor is the oldest height whose tree reads whole, if the tree has begun.
func (d *DB) floor() (int64, bool) { return readFloor(d.pdb.Get) }

func readFloor(get func([]byte) ([]byte, io.Closer, error)) (int64, bool) {
	b, ok := getPebble(get, floorKey)
	if !ok || len(b) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b)), true
}

// loadTree reads the commitment of the committed state, or builds the tree of a state
// that has none.
func (d *DB) loadTree() error {
	meta := d.Meta()
	if _, ok := d.floor(); !ok {
		if _, any := d.lastKey(); !any && meta.Height == 0 {
			return nil // the empty state: the tree begins with the first commit
		}
		return d.buildTree(meta.Height)
	}
	b, ok := getPebble(d.pdb.Get, heightKey(commitPrefix, meta.Height))
	if !ok {
		return fmt.Errorf("store: no commitment recorded for height %d", meta.Height)
	}
	c, err := parseCommitment(b)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.committed = c
	return nil
}

// buildTree writes the tree of the whole committed state at height, as the only version
// kept, and drops every other. If a commitment of height is recorded (a restore wrote
// it), the tree must have its root; if none is (a state written before the tree), one is
// recorded with the app hash as the chained part, and heights are readable from the next
// one on, whose commitment is whole.
func (d *DB) buildTree(height int64) error {
	var changes []merkle.Change
	d.Scan(nil, func(k, v []byte) bool {
		if d.proven(k) {
			changes = append(changes, merkle.Change{Key: k, Value: v})
		}
		return true
	})
	u := merkle.Build(changes)
	floor := height
	var c merkle.Commitment
	if rec, ok := getPebble(d.pdb.Get, heightKey(commitPrefix, height)); ok {
		var err error
		if c, err = parseCommitment(rec); err != nil {
			return err
		}
		if c.Root != u.Root {
			return fmt.Errorf("store: tree: the state at height %d has root %x, its commitment records %x", height, u.Root, c.Root)
		}
	} else {
		c = merkle.Commitment{Chained: d.Meta().AppHash, Digest: d.Digest().Sum(), Root: u.Root}
		floor = height + 1
	}
	b := d.pdb.NewBatch()
	defer b.Close()
	err := errors.Join(
		b.DeleteRange(nodePrefix, prefixEnd(nodePrefix), nil),
		b.DeleteRange(stalePrefix, prefixEnd(stalePrefix), nil),
		b.DeleteRange(commitPrefix, prefixEnd(commitPrefix), nil),
		b.Set(heightKey(commitPrefix, height), encodeCommitment(c), nil),
		b.Set(floorKey, binary.BigEndian.AppendUint64(nil, uint64(floor)), nil),
	)
	var key []byte
	for _, w := range u.Writes {
		err = errors.Join(err, b.Set(nodeKey(key[:0], w.Pos, uint64(height)), merkle.AppendNode(nil, w.Node), nil))
	}
	if err = errors.Join(err, b.Commit(pebble.Sync)); err != nil {
		return fmt.Errorf("store: tree: %w", err)
	}
	d.nodes.reset()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.committed = c
	return nil
}
