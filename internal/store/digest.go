package store

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// Digest hashes a whole state, entry by entry in key order, so that a state rebuilt
// elsewhere (from a snapshot) can be proven equal to the one it came from.
type Digest struct {
	h   hash.Hash
	buf []byte
}

// NewDigest starts an empty digest.
func NewDigest() *Digest { return &Digest{h: sha256.New()} }

// Add adds one entry; entries must come in ascending key order.
func (d *Digest) Add(key, value []byte) {
	d.buf = binary.AppendUvarint(d.buf[:0], uint64(len(key)))
	d.buf = append(d.buf, key...)
	d.buf = binary.AppendUvarint(d.buf, uint64(len(value)))
	d.buf = append(d.buf, value...)
	d.h.Write(d.buf)
}

// Sum is the digest of the entries added.
func (d *Digest) Sum() []byte { return d.h.Sum(nil) }

// StateDigest is the digest of every application entry of r.
func StateDigest(r Reader) []byte {
	d := NewDigest()
	r.Scan(nil, func(k, v []byte) bool {
		d.Add(k, v)
		return true
	})
	return d.Sum()
}

// CheckpointHash is the app hash of a checkpoint height: the block's chained hash and
// the digest of the whole state after it. Given the chained part, anyone holding the
// state can check it against the app hash that the validators signed.
func CheckpointHash(chained, stateDigest []byte) []byte {
	h := sha256.New()
	h.Write([]byte("chipmint/checkpoint/v1"))
	h.Write(chained)
	h.Write(stateDigest)
	return h.Sum(nil)
}
