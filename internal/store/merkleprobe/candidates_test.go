package merkleprobe

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"

	corestore "cosmossdk.io/core/store"
	"github.com/cockroachdb/pebble"
	"github.com/cosmos/iavl"
	iavldb "github.com/cosmos/iavl/db"
	"github.com/pokt-network/smt"
	"github.com/pokt-network/smt/kvstore"
	"github.com/pokt-network/smt/kvstore/simplemap"

	"github.com/chipmint/chipmint/internal/store"
)

// candidate is a state commitment fed the changes of each block, in key order, and
// committed once per block, as Commit would.
type candidate interface {
	// block applies a block's changes at height and commits them; it returns the root
	// (or, for the status quo, the app hash) that the block's commitment would carry.
	block(height int64, changes []store.Change) ([]byte, error)
	close() error
}

// retainBlocks is how many past heights the candidates with history keep queryable: the
// retention window, pruned every block, so that pruning is part of each block's cost.
const retainBlocks = 10

// ---- the status quo ----

// chainHash is the app hash of decision 0002 alone: one SHA-256 over the block's
// changes, chained to the previous hash. It proves nothing about a single key.
type chainHash struct{ prev []byte }

func (c *chainHash) block(height int64, changes []store.Change) ([]byte, error) {
	c.prev = store.AppHash(c.prev, height, changes)
	return c.prev, nil
}

func (c *chainHash) close() error { return nil }

// storeCommit is everything the store does with a block after the ledger ran it: the
// chained hash, the LtHash16 digest and the state tree's update in FinalizeBlock
// (Prepare), then Commit's synced pebble batch of the changes, the digest, the tree's
// rows and the meta record. With proven nil the tree holds every key; noTree holds
// none, which is the store as it was before the tree (decision 0031's baseline).
type storeCommit struct {
	db   *store.DB
	prev []byte
}

func noTree([]byte) bool { return false }

func newStoreCommit(dir string, w *workload, proven func([]byte) bool) (*storeCommit, error) {
	db, err := store.Open(dir, store.Options{Proven: proven, History: retainBlocks})
	if err != nil {
		return nil, err
	}
	if err := db.Commit(db.Prepare(w.startH, nil, w.initial)); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return &storeCommit{db: db}, nil
}

// storeHashes is the part of storeCommit that FinalizeBlock does, on the consensus
// path before any write: Prepare, which reads the values the changes replace (mostly
// from the store's read cache) and the tree's nodes on the changed paths.
type storeHashes struct{ storeCommit }

func (s *storeHashes) block(height int64, changes []store.Change) ([]byte, error) {
	return s.db.Prepare(height, s.prev, changes).AppHash(), nil
}

func (s *storeCommit) block(height int64, changes []store.Change) ([]byte, error) {
	b := s.db.Prepare(height, s.prev, changes)
	s.prev = b.AppHash()
	return s.prev, s.db.Commit(b)
}

func (s *storeCommit) close() error { return s.db.Close() }

// ---- cosmos/iavl v1 ----

// iavlTree is an IAVL+ tree (an AVL tree of the keys, each node hashed with its
// version) saved once per block, keeping retainBlocks versions. Its fast index (a second
// copy of every value for reads at the latest version) is off: the store keeps the
// values, and the tree would only commit to them.
type iavlTree struct {
	tree *iavl.MutableTree
	db   iavldb.DB
	// keepAll keeps every version: no pruning, as an archive node would.
	keepAll bool
}

func newIAVL(db iavldb.DB, w *workload) (*iavlTree, error) {
	t := &iavlTree{tree: iavl.NewMutableTree(db, 100_000, true, iavl.NewNopLogger(), iavl.SyncOption(true)), db: db}
	t.tree.SetInitialVersion(uint64(w.startH))
	if _, err := t.block(w.startH, w.initial); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *iavlTree) block(height int64, changes []store.Change) ([]byte, error) {
	for _, c := range changes {
		if c.Deleted {
			if _, _, err := t.tree.Remove(c.Key); err != nil {
				return nil, err
			}
			continue
		}
		// IAVL refuses a nil value; the state has empty ones (a nonce's expiry entry).
		if _, err := t.tree.Set(c.Key, nonNil(c.Value)); err != nil {
			return nil, err
		}
	}
	root, version, err := t.tree.SaveVersion()
	if err != nil {
		return nil, err
	}
	if version != height {
		return nil, fmt.Errorf("iavl saved version %d at height %d", version, height)
	}
	if old := height - retainBlocks; !t.keepAll && t.tree.VersionExists(old) {
		if err := t.tree.DeleteVersionsTo(old); err != nil {
			return nil, err
		}
	}
	return root, nil
}

func (t *iavlTree) close() error { return errors.Join(t.tree.Close(), t.db.Close()) }

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// ---- a sparse Merkle trie (pokt-network/smt) ----

// sparseTrie is a sparse Merkle trie over SHA-256 paths of the keys, holding the
// SHA-256 of each value, committed once per block. The library deletes the nodes a
// commit orphans at once: it keeps the latest root only.
type sparseTrie struct {
	tree   *smt.SMT
	nodes  kvstore.MapStore
	flush  func() error // makes a commit's node writes durable, if on disk
	close_ func() error
}

func newSMT(nodes kvstore.MapStore, flush, closeFn func() error, w *workload) (*sparseTrie, error) {
	t := &sparseTrie{tree: smt.NewSparseMerkleTrie(nodes, sha256.New()), nodes: nodes, flush: flush, close_: closeFn}
	if _, err := t.block(w.startH, w.initial); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *sparseTrie) block(_ int64, changes []store.Change) ([]byte, error) {
	for _, c := range changes {
		if c.Deleted {
			if err := t.tree.Delete(c.Key); err != nil && !errors.Is(err, smt.ErrKeyNotFound) {
				return nil, err
			}
			continue
		}
		if err := t.tree.Update(c.Key, c.Value); err != nil {
			return nil, err
		}
	}
	if err := t.tree.Commit(); err != nil {
		return nil, err
	}
	if t.flush != nil {
		if err := t.flush(); err != nil {
			return nil, err
		}
	}
	return t.tree.Root(), nil
}

func (t *sparseTrie) close() error {
	if t.close_ != nil {
		return t.close_()
	}
	return nil
}

func newSMTInMemory(w *workload) (*sparseTrie, error) {
	return newSMT(simplemap.NewSimpleMap(), nil, nil, w)
}

func newSMTOnPebble(dir string, w *workload) (*sparseTrie, error) {
	p, err := openPebble(dir)
	if err != nil {
		return nil, err
	}
	m := &pebbleMap{db: p, batch: p.NewBatch()}
	return newSMT(m, m.flush, m.close, w)
}

// ---- pebble underneath the candidates ----

// openPebble opens a pebble database with the node's own options (store.PebbleOptions).
func openPebble(dir string) (*pebble.DB, error) {
	return pebble.Open(filepath.Clean(dir), store.PebbleOptions().EnsureDefaults())
}

// pebbleMap is the trie's node store on pebble: a commit's writes gather in a batch,
// written with one sync by flush, as the store's Commit writes a block.
type pebbleMap struct {
	db    *pebble.DB
	batch *pebble.Batch
}

// Get returns an error for a missing node, as the library's own stores do: given nil,
// the trie panics.
func (m *pebbleMap) Get(key []byte) ([]byte, error) {
	v, closer, err := m.db.Get(key)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return bytes.Clone(v), nil
}

func (m *pebbleMap) Set(key, value []byte) error { return m.batch.Set(key, value, nil) }
func (m *pebbleMap) Delete(key []byte) error     { return m.batch.Delete(key, nil) }
func (m *pebbleMap) Len() (int, error)           { return 0, errors.New("pebbleMap: Len is not kept") }
func (m *pebbleMap) ClearAll() error             { return errors.New("pebbleMap: ClearAll is not supported") }

func (m *pebbleMap) flush() error {
	if err := m.batch.Commit(pebble.Sync); err != nil {
		return err
	}
	m.batch = m.db.NewBatch()
	return nil
}

func (m *pebbleMap) close() error { return errors.Join(m.batch.Close(), m.db.Close()) }

// pebbleIAVL is IAVL's database interface on pebble.
type pebbleIAVL struct{ db *pebble.DB }

var _ iavldb.DB = pebbleIAVL{}

func (p pebbleIAVL) Get(key []byte) ([]byte, error) {
	v, closer, err := p.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return bytes.Clone(v), nil
}

func (p pebbleIAVL) Has(key []byte) (bool, error) {
	v, err := p.Get(key)
	return v != nil, err
}

func (p pebbleIAVL) Iterator(start, end []byte) (corestore.Iterator, error) {
	return p.iter(start, end, false)
}

func (p pebbleIAVL) ReverseIterator(start, end []byte) (corestore.Iterator, error) {
	return p.iter(start, end, true)
}

func (p pebbleIAVL) iter(start, end []byte, reverse bool) (corestore.Iterator, error) {
	it, err := p.db.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return nil, err
	}
	if reverse {
		it.Last()
	} else {
		it.First()
	}
	return &pebbleIter{it: it, start: start, end: end, reverse: reverse}, nil
}

func (p pebbleIAVL) Close() error                         { return p.db.Close() }
func (p pebbleIAVL) NewBatch() corestore.Batch            { return &pebbleBatch{db: p.db, b: p.db.NewBatch()} }
func (p pebbleIAVL) NewBatchWithSize(int) corestore.Batch { return p.NewBatch() }

type pebbleIter struct {
	it         *pebble.Iterator
	start, end []byte
	reverse    bool
}

func (i *pebbleIter) Domain() ([]byte, []byte) { return i.start, i.end }
func (i *pebbleIter) Valid() bool              { return i.it.Valid() }
func (i *pebbleIter) Key() []byte              { return bytes.Clone(i.it.Key()) }
func (i *pebbleIter) Value() []byte            { return bytes.Clone(i.it.Value()) }
func (i *pebbleIter) Error() error             { return i.it.Error() }
func (i *pebbleIter) Close() error             { return i.it.Close() }
func (i *pebbleIter) Next() {
	if i.reverse {
		i.it.Prev()
	} else {
		i.it.Next()
	}
}

type pebbleBatch struct {
	db *pebble.DB
	b  *pebble.Batch
}

func (b *pebbleBatch) Set(key, value []byte) error { return b.b.Set(key, value, nil) }
func (b *pebbleBatch) Delete(key []byte) error     { return b.b.Delete(key, nil) }
func (b *pebbleBatch) Write() error                { return b.b.Commit(pebble.NoSync) }
func (b *pebbleBatch) WriteSync() error            { return b.b.Commit(pebble.Sync) }
func (b *pebbleBatch) Close() error                { return b.b.Close() }
func (b *pebbleBatch) GetByteSize() (int, error)   { return len(b.b.Repr()), nil }

func newIAVLOnPebble(dir string, w *workload) (*iavlTree, error) {
	p, err := openPebble(dir)
	if err != nil {
		return nil, err
	}
	return newIAVL(pebbleIAVL{db: p}, w)
}

func newIAVLInMemory(w *workload) (*iavlTree, error) { return newIAVL(iavldb.NewMemDB(), w) }

// ---- a commitment to what light clients ask about ----

// queriedPrefixes are the keys a light client asks about: balances, orders, operators,
// the supply and the parameters. Spent nonces and the expiry index are not among them,
// yet they are most of a block's changes.
var queriedPrefixes = []string{"acct/", "ord/", "op/", "supply", "params"}

// queried passes to its candidate only the changes of queried keys.
type queried struct{ candidate }

func (q queried) block(height int64, changes []store.Change) ([]byte, error) {
	return q.candidate.block(height, onlyQueried(changes))
}

func onlyQueried(changes []store.Change) []store.Change {
	out := make([]store.Change, 0, len(changes)/2)
	for _, c := range changes {
		for _, p := range queriedPrefixes {
			if bytes.HasPrefix(c.Key, []byte(p)) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// queriedWorkload is w with only the queried keys in its initial state.
func queriedWorkload(w *workload) *workload {
	q := *w
	q.initial = onlyQueried(w.initial)
	return &q
}
