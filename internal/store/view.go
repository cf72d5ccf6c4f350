package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cockroachdb/pebble"
)

// View is a consistent read of the committed state at one moment, whatever commits
// meanwhile: a query that reads several keys, or scans the whole state, sees one
// height. Close it when done.
type View struct {
	snap *pebble.Snapshot
}

// View opens a consistent read of the committed state.
func (d *DB) View() *View { return &View{snap: d.pdb.NewSnapshot()} }

// Close releases the view.
func (v *View) Close() error { return v.snap.Close() }

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
