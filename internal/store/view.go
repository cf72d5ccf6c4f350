package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cockroachdb/pebble"

	"github.com/chipmint/chipmint/internal/merkle"
)

// View is a consistent read of the committed state at one moment, whatever commits
// meanwhile: a query that reads several keys, or scans the whole state, sees one
// height. Close it when done.
type View struct {
	d    *DB
	snap *pebble.Snapshot
	// iters are the iterators of the readers At made, closed with the view.
	iters []*pebble.Iterator
}

// View opens a consistent read of the committed state.
func (d *DB) View() *View { return &View{d: d, snap: d.pdb.NewSnapshot()} }

// Close releases the view and what its readers hold.
func (v *View) Close() error {
	var err error
	for _, it := range v.iters {
		err = errors.Join(err, it.Close())
	}
	return errors.Join(err, v.snap.Close())
}

// Get implements Reader.
func (v *View) Get(key []byte) ([]byte, bool) { return getPebble(v.snap.Get, key) }

// getPebble reads key from a pebble reader, copying the value out.
func getPebble(get func([]byte) ([]byte, io.Closer, error), key []byte) ([]byte, bool) {
	val, closer, err := get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false
	}
	if err != nil {
		panic(fmt.Sprintf("store: read %q: %v", key, err))
	}
	defer closer.Close()
	return append([]byte(nil), val...), true
}

// Scan implements Reader.
func (v *View) Scan(prefix []byte, fn func(key, value []byte) bool) {
	scanPebble(v.snap.NewIter, prefix, nil, fn)
}

// ScanFrom implements Reader.
func (v *View) ScanFrom(prefix, start []byte, fn func(key, value []byte) bool) {
	scanPebble(v.snap.NewIter, prefix, start, fn)
}

// scanPebble iterates the application keys with prefix of a pebble reader, from start
// on, in order.
func scanPebble(newIter func(*pebble.IterOptions) (*pebble.Iterator, error), prefix, start []byte, fn func(key, value []byte) bool) {
	lower := prefix
	if len(lower) == 0 {
		lower = []byte{0x01} // past the meta key: a scan sees application keys only
	}
	if bytes.Compare(start, lower) > 0 {
		lower = start
	}
	upper := prefixEnd(prefix)
	if upper != nil && bytes.Compare(lower, upper) >= 0 {
		return
	}
	it, err := newIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		panic(fmt.Sprintf("store: scan %q: %v", prefix, err))
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if !fn(append([]byte(nil), it.Key()...), append([]byte(nil), it.Value()...)) {
			break
		}
	}
	if err := it.Error(); err != nil {
		panic(fmt.Sprintf("store: scan %q: %v", prefix, err))
	}
}

// Meta is the height and app hash of the state the view sees.
func (v *View) Meta() Meta {
	b, ok := v.Get(metaKey)
	if !ok || len(b) < 8 {
		return Meta{}
	}
	return Meta{Height: int64(binary.BigEndian.Uint64(b)), AppHash: b[8:]}
}

// Prove reads key in the state tree after height (0: the view's height) with its proof
// and the commitment of that height. It fails with ErrNotProven for a key outside the
// tree, with ErrHeightUnavailable for a height not kept.
func (v *View) Prove(height int64, key []byte) (*merkle.StateProof, error) {
	h, c, err := v.treeAt(height)
	if err != nil {
		return nil, err
	}
	if !v.d.proven(key) {
		return nil, fmt.Errorf("%w: %q", ErrNotProven, key)
	}
	it := newNodeIter(v.snap.NewIter)
	defer it.Close()
	value, found, p := merkle.Lookup(&nodeReader{it: it, version: uint64(h)}, c.Root, key)
	return &merkle.StateProof{Height: h, Key: bytes.Clone(key), Value: value, Present: found, Proof: p, Commitment: c}, nil
}

// treeAt resolves height (0: the view's) to a kept one and its commitment.
func (v *View) treeAt(height int64) (int64, merkle.Commitment, error) {
	last := v.Meta().Height
	if height == 0 {
		height = last
	}
	floor, ok := readFloor(v.snap.Get)
	switch {
	case !ok:
		return 0, merkle.Commitment{}, fmt.Errorf("%w: the state tree has no height yet", ErrHeightUnavailable)
	case height > last:
		return 0, merkle.Commitment{}, fmt.Errorf("%w: height %d is after the last committed, %d", ErrHeightUnavailable, height, last)
	case height < floor:
		return 0, merkle.Commitment{}, fmt.Errorf("%w: height %d is no longer kept; the oldest kept is %d", ErrHeightUnavailable, height, floor)
	}
	b, ok := v.Get(heightKey(commitPrefix, height))
	if !ok {
		return 0, merkle.Commitment{}, fmt.Errorf("%w: no commitment recorded for height %d", ErrHeightUnavailable, height)
	}
	c, err := parseCommitment(b)
	return height, c, err
}

// At is a Reader of the state after a past height (0: the view's), for the keys the
// state tree holds: Get reads them from the tree of that height. It has no order: Scan
// and ScanFrom panic with ErrNotProven, which a caller that answers only single keys at
// past heights never meets. Close the view after the reader's last use.
func (v *View) At(height int64) (Reader, error) {
	h, c, err := v.treeAt(height)
	if err != nil {
		return nil, err
	}
	it := newNodeIter(v.snap.NewIter)
	v.iters = append(v.iters, it)
	return &pastState{d: v.d, root: c.Root, nodes: &nodeReader{it: it, version: uint64(h)}}, nil
}

type pastState struct {
	d     *DB
	root  merkle.Hash
	nodes *nodeReader
}

func (p *pastState) Get(key []byte) ([]byte, bool) {
	if !p.d.proven(key) {
		panic(fmt.Errorf("%w: %q", ErrNotProven, key))
	}
	v, found, _ := merkle.Lookup(p.nodes, p.root, key)
	return v, found
}

func (p *pastState) Scan(prefix []byte, _ func(key, value []byte) bool) {
	panic(fmt.Errorf("%w: a scan of %q at a past height", ErrNotProven, prefix))
}

func (p *pastState) ScanFrom(prefix, _ []byte, _ func(key, value []byte) bool) {
	panic(fmt.Errorf("%w: a scan of %q at a past height", ErrNotProven, prefix))
}
