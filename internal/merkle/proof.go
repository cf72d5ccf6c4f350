package merkle

import (
	"bytes"
	"errors"
	"fmt"
)

// Proof shows that a key has a value in the tree of a root, or that it has none. It
// holds the hashes beside the key's path, from the root down to where the path ends: at
// the key's leaf, at an empty side, or at the leaf of another key whose path starts as
// the key's does (which, as each leaf sits at the shortest prefix no other key shares,
// proves the key absent).
type Proof struct {
	// Siblings are the hashes beside the path, Siblings[d] beside the node at depth d+1.
	Siblings []Hash
	// Other is the leaf of another key where the path ends, for a key proved absent
	// there; nil when the path ends at an empty side, or at the key's own leaf.
	Other *OtherLeaf
}

// OtherLeaf is the leaf of another key, by the hashes it commits to.
type OtherLeaf struct {
	KeyHash, ValueHash Hash
}

// Lookup finds key in the tree of root: its value and whether it is there, and the
// proof of either.
func Lookup(r Reader, root Hash, key []byte) (value []byte, found bool, p Proof) {
	path := KeyHash(key)
	pos, h := Position{}, root
	for h != Empty {
		n := r.Node(pos)
		if n == nil {
			panic(fmt.Sprintf("merkle: no node at depth %d of a tree whose root is %x", pos.Depth, root))
		}
		if n.Leaf {
			if n.KeyHash == path {
				return n.Value, true, p
			}
			p.Other = &OtherLeaf{KeyHash: n.KeyHash, ValueHash: n.ValueHash}
			return nil, false, p
		}
		b := bit(&path, pos.Depth)
		if b == 0 {
			p.Siblings, h = append(p.Siblings, n.Right), n.Left
		} else {
			p.Siblings, h = append(p.Siblings, n.Left), n.Right
		}
		pos = pos.Child(b)
	}
	return nil, false, p
}

// Errors of Verify.
var (
	// ErrProofMismatch is a proof that does not lead to the root it is checked against:
	// another value, another key, another tree.
	ErrProofMismatch = errors.New("merkle: the proof does not lead to the root")
	// ErrMalformedProof is a proof that no tree could give.
	ErrMalformedProof = errors.New("merkle: malformed proof")
)

// Verify checks that p proves key to have value in the tree of root (present), or to be
// absent from it (value ignored). It trusts nothing but root.
func (p *Proof) Verify(root Hash, key, value []byte, present bool) error {
	if len(p.Siblings) > MaxDepth {
		return fmt.Errorf("%w: %d siblings", ErrMalformedProof, len(p.Siblings))
	}
	path := KeyHash(key)
	depth := len(p.Siblings)
	var h Hash
	switch {
	case present && p.Other != nil:
		return fmt.Errorf("%w: a proof of presence ends at another key's leaf", ErrProofMismatch)
	case present:
		h = LeafHash(path, ValueHash(value))
	case p.Other != nil:
		if p.Other.KeyHash == path {
			return fmt.Errorf("%w: the leaf where the path ends is the key's own", ErrProofMismatch)
		}
		if !samePrefix(&p.Other.KeyHash, &path, depth) {
			return fmt.Errorf("%w: the leaf where the path ends is not on the key's path", ErrProofMismatch)
		}
		h = LeafHash(p.Other.KeyHash, p.Other.ValueHash)
	default:
		h = Empty
	}
	for d := depth - 1; d >= 0; d-- {
		if bit(&path, d) == 0 {
			h = innerHash(h, p.Siblings[d])
		} else {
			h = innerHash(p.Siblings[d], h)
		}
	}
	if h != root {
		return ErrProofMismatch
	}
	return nil
}

// samePrefix reports whether a and b share their first n bits.
func samePrefix(a, b *Hash, n int) bool {
	full := n / 8
	if !bytes.Equal(a[:full], b[:full]) {
		return false
	}
	if n%8 == 0 {
		return true
	}
	mask := byte(0xff) << (8 - n%8)
	return a[full]&mask == b[full]&mask
}

// MarshalBinary encodes p: a byte saying how the path ends (0 at the key's leaf or an
// empty side, 1 at another key's leaf, followed by its two hashes), the number of
// siblings in two bytes, a bit for each saying whether it is empty, then the siblings
// that are not, 32 bytes each.
func (p *Proof) MarshalBinary() ([]byte, error) {
	n := len(p.Siblings)
	if n > MaxDepth {
		return nil, fmt.Errorf("%w: %d siblings", ErrMalformedProof, n)
	}
	b := make([]byte, 0, 3+2*32+(n+7)/8+n*32)
	if p.Other != nil {
		b = append(b, 1)
		b = append(b, p.Other.KeyHash[:]...)
		b = append(b, p.Other.ValueHash[:]...)
	} else {
		b = append(b, 0)
	}
	b = append(b, byte(n>>8), byte(n))
	mask := make([]byte, (n+7)/8)
	for i, s := range p.Siblings {
		if s != Empty {
			mask[i/8] |= 0x80 >> (i % 8)
		}
	}
	b = append(b, mask...)
	for _, s := range p.Siblings {
		if s != Empty {
			b = append(b, s[:]...)
		}
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote, and nothing else.
func (p *Proof) UnmarshalBinary(b []byte) error {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrMalformedProof, why) }
	if len(b) < 3 {
		return bad("too short")
	}
	*p = Proof{}
	switch b[0] {
	case 0:
		b = b[1:]
	case 1:
		if len(b) < 1+64+2 {
			return bad("too short")
		}
		p.Other = &OtherLeaf{}
		copy(p.Other.KeyHash[:], b[1:])
		copy(p.Other.ValueHash[:], b[33:])
		b = b[65:]
	default:
		return bad("unknown end")
	}
	n := int(b[0])<<8 | int(b[1])
	b = b[2:]
	if n > MaxDepth {
		return bad(fmt.Sprintf("%d siblings", n))
	}
	if len(b) < (n+7)/8 {
		return bad("too short")
	}
	mask, b := b[:(n+7)/8], b[(n+7)/8:]
	p.Siblings = make([]Hash, n)
	for i := range n {
		if mask[i/8]&(0x80>>(i%8)) == 0 {
			continue
		}
		if len(b) < 32 {
			return bad("too short")
		}
		copy(p.Siblings[i][:], b)
		b = b[32:]
	}
	if len(b) != 0 {
		return bad("bytes after the last sibling")
	}
	if n%8 != 0 && mask[len(mask)-1]&(0xff>>(n%8)) != 0 {
		return bad("bits set past the last sibling")
	}
	return nil
}
