package merkle

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Commitment is what chipmint's app hash of a height is made of: the block's changes
// chained onto the previous app hash (which commits to everything, the entries outside
// the tree included, block by block), the digest of the whole state (which proves a
// snapshot of it), and the root of the tree of the entries that queries prove.
type Commitment struct {
	Chained []byte
	Digest  []byte
	Root    Hash
}

// appHashTag starts what the app hash is taken over: a new way of making it gets a new tag.
var appHashTag = []byte("chipmint/apphash/v6")

// AppHash is the app hash the validators sign in the next block's header.
func (c Commitment) AppHash() []byte {
	h := sha256.New()
	h.Write(appHashTag)
	h.Write(c.Chained)
	h.Write(c.Digest)
	h.Write(c.Root[:])
	return h.Sum(nil)
}

// ErrNotTheAppHash is a state proof whose commitment is not the app hash it is checked
// against: another height's, another chain's, or made up.
var ErrNotTheAppHash = errors.New("merkle: the commitment is not the app hash")

// StateProof is a key's value, or its absence, in the state after a block, with what it
// takes to check it against the app hash that the next block's header carries.
type StateProof struct {
	// Height is the height after which the state is proved: the app hash is in the
	// header of the next one. It is not part of the binary form (the answer carries it).
	Height  int64
	Key     []byte
	Value   []byte
	Present bool
	Proof
	Commitment
}

// Verify checks the proof against appHash, the app hash of a header the caller trusts
// (of the block after the proof's height). It trusts nothing else.
func (s *StateProof) Verify(appHash []byte) error {
	if len(s.Chained) != sha256.Size || len(s.Digest) != sha256.Size {
		return fmt.Errorf("%w: commitment parts of %d and %d bytes", ErrMalformedProof, len(s.Chained), len(s.Digest))
	}
	if !bytes.Equal(s.AppHash(), appHash) {
		return ErrNotTheAppHash
	}
	return s.Proof.Verify(s.Root, s.Key, s.Value, s.Present)
}

// MarshalBinary encodes the proof and the commitment, not the key and the value (the
// answer that the proof comes with carries them): the chained hash, the digest and the
// root, 32 bytes each, then the Proof.
func (s *StateProof) MarshalBinary() ([]byte, error) {
	p, err := s.Proof.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 3*sha256.Size+len(p))
	b = append(append(append(b, s.Chained...), s.Digest...), s.Root[:]...)
	return append(b, p...), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote into s, leaving its key and value.
func (s *StateProof) UnmarshalBinary(b []byte) error {
	const h = sha256.Size
	if len(b) < 3*h {
		return fmt.Errorf("%w: too short", ErrMalformedProof)
	}
	s.Chained, s.Digest = bytes.Clone(b[:h]), bytes.Clone(b[h:2*h])
	copy(s.Root[:], b[2*h:3*h])
	return s.Proof.UnmarshalBinary(b[3*h:])
}
