package store

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"github.com/chipmint/chipmint/internal/merkle"
)

// Reader reads single keys and ordered ranges.
type Reader interface {
	// Get returns the value of key and whether it exists.
	Get(key []byte) ([]byte, bool)
	// Scan calls fn for every key with prefix, in ascending key order, until fn returns false.
	Scan(prefix []byte, fn func(key, value []byte) bool)
	// ScanFrom is Scan of the keys with prefix from start on, start included: a scan that
	// resumes where another stopped reads nothing before it.
	ScanFrom(prefix, start []byte, fn func(key, value []byte) bool)
}

// KV is a Reader that also takes writes.
type KV interface {
	Reader
	Set(key, value []byte)
	Delete(key []byte)
}

// Change is one write of a block: a new value, or a deletion. It is the state tree's
// change, so that a block's changes of the keys the tree holds go to it as they are.
type Change = merkle.Change

type entry struct {
	value   []byte
	deleted bool
}

// Overlay buffers writes over a parent Reader. Reads see the buffered writes first. It is
// not safe for concurrent use.
type Overlay struct {
	parent Reader
	writes map[string]entry
}

// NewOverlay returns an empty overlay over parent.
func NewOverlay(parent Reader) *Overlay {
	return &Overlay{parent: parent, writes: make(map[string]entry)}
}

// Get implements Reader.
func (o *Overlay) Get(key []byte) ([]byte, bool) {
	if e, ok := o.writes[string(key)]; ok {
		return bytes.Clone(e.value), !e.deleted
	}
	return o.parent.Get(key)
}

// Set implements KV. The overlay keeps its own copy of value.
func (o *Overlay) Set(key, value []byte) {
	o.writes[string(key)] = entry{value: bytes.Clone(value)}
}

// Delete implements KV.
func (o *Overlay) Delete(key []byte) {
	o.writes[string(key)] = entry{deleted: true}
}

// Len is the number of buffered writes.
func (o *Overlay) Len() int { return len(o.writes) }

// Scan implements Reader: the parent's keys merged with the buffered writes, the
// buffered write winning where both have a key.
func (o *Overlay) Scan(prefix []byte, fn func(key, value []byte) bool) {
	o.ScanFrom(prefix, nil, fn)
}

// ScanFrom implements Reader, as Scan does.
func (o *Overlay) ScanFrom(prefix, start []byte, fn func(key, value []byte) bool) {
	keys := o.sortedKeys(string(prefix))
	if start != nil {
		from, _ := slices.BinarySearch(keys, string(start))
		keys = keys[from:]
	}
	next := 0
	// emitBefore yields buffered keys below limit (all of them when limit is nil).
	emitBefore := func(limit []byte) bool {
		for ; next < len(keys) && (limit == nil || keys[next] < string(limit)); next++ {
			if e := o.writes[keys[next]]; !e.deleted && !fn([]byte(keys[next]), e.value) {
				return false
			}
		}
		return true
	}
	stopped := false
	o.parent.ScanFrom(prefix, start, func(key, value []byte) bool {
		if !emitBefore(key) {
			stopped = true
			return false
		}
		if next < len(keys) && keys[next] == string(key) {
			e := o.writes[keys[next]]
			next++
			if e.deleted {
				return true
			}
			value = e.value
		}
		if !fn(key, value) {
			stopped = true
			return false
		}
		return true
	})
	if !stopped {
		emitBefore(nil)
	}
}

func (o *Overlay) sortedKeys(prefix string) []string {
	keys := make([]string, 0, len(o.writes))
	for k := range o.writes {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Changes returns the buffered writes in key order.
func (o *Overlay) Changes() []Change {
	keys := o.sortedKeys("")
	changes := make([]Change, len(keys))
	for i, k := range keys {
		e := o.writes[k]
		changes[i] = Change{Key: []byte(k), Value: e.value, Deleted: e.deleted}
	}
	return changes
}

// WriteTo applies the buffered writes to dst, in key order. Into another overlay, the
// usual case (a transaction's writes into its block's), it hands the entries over
// without sorting or copying them: order does not matter to a map, and an overlay never
// changes a value it holds.
func (o *Overlay) WriteTo(dst KV) {
	if d, ok := dst.(*Overlay); ok {
		maps.Copy(d.writes, o.writes)
		return
	}
	for _, c := range o.Changes() {
		if c.Deleted {
			dst.Delete(c.Key)
		} else {
			dst.Set(c.Key, c.Value)
		}
	}
}
