package merkle

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Hash is a SHA-256 digest: of a node, of a key (its path) or of a value.
type Hash [sha256.Size]byte

// Empty is the hash of an empty tree or subtree: no node has it.
var Empty Hash

// MaxDepth is the depth of the deepest possible leaf: two keys whose hashes differ only
// in their last bit.
const MaxDepth = 8 * sha256.Size

// The first byte of what a node's hash is taken over, so that no leaf can pass for an
// inner node or the other way round.
const (
	leafTag  = 0x00
	innerTag = 0x01
	// emptyTag marks a stored empty root: the only empty node a store keeps.
	emptyTag = 0x02
)

// KeyHash is the path of key from the root, bit by bit, most significant first.
func KeyHash(key []byte) Hash { return sha256.Sum256(key) }

// ValueHash is what a leaf commits to of its value.
func ValueHash(value []byte) Hash { return sha256.Sum256(value) }

// LeafHash is the hash of the leaf of a key with a value, given their hashes.
func LeafHash(keyHash, valueHash Hash) Hash { return nodeHash(leafTag, keyHash, valueHash) }

func innerHash(left, right Hash) Hash { return nodeHash(innerTag, left, right) }

// nodeHash is SHA-256 of tag, a and b.
func nodeHash(tag byte, a, b Hash) Hash {
	var in [1 + 2*sha256.Size]byte
	in[0] = tag
	copy(in[1:], a[:])
	copy(in[1+sha256.Size:], b[:])
	return sha256.Sum256(in[:])
}

// bit is the bit of h at depth: which child a path takes below a node at that depth.
func bit(h *Hash, depth int) int { return int(h[depth/8]>>(7-depth%8)) & 1 }

// Position is a node's place: its depth, and the first Depth bits of the path of every
// key below it (the bits after them zero).
type Position struct {
	Depth int
	Path  Hash
}

// Child is the position below p on side b (0 left, 1 right).
func (p Position) Child(b int) Position {
	c := Position{Depth: p.Depth + 1, Path: p.Path}
	if b == 1 {
		c.Path[p.Depth/8] |= 0x80 >> (p.Depth % 8)
	}
	return c
}

// AppendKey appends p in few bytes: its depth, then the bytes its bits fill. Two
// positions never give the same bytes, and the bytes of one are never a prefix of
// another's of the same depth.
func (p Position) AppendKey(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(p.Depth))
	return append(b, p.Path[:(p.Depth+7)/8]...)
}

// Node is a stored node: a leaf holding one entry, or an inner node holding its
// children's hashes (Empty for an empty side; never both).
type Node struct {
	Leaf bool
	// A leaf's entry and the hashes it commits to.
	KeyHash, ValueHash Hash
	Key, Value         []byte
	// An inner node's children.
	Left, Right Hash
	// Version is the version the node was stored at, as a Reader found it. It is not
	// part of the node's hash.
	Version uint64
}

// Hash is the node's hash.
func (n *Node) Hash() Hash {
	if n.Leaf {
		return LeafHash(n.KeyHash, n.ValueHash)
	}
	return innerHash(n.Left, n.Right)
}

func newLeaf(keyHash Hash, key, value []byte) *Node {
	return &Node{Leaf: true, KeyHash: keyHash, ValueHash: ValueHash(value), Key: key, Value: value}
}

// AppendNode appends the stored form of n; nil is the stored form of an empty root.
func AppendNode(b []byte, n *Node) []byte {
	switch {
	case n == nil:
		return append(b, emptyTag)
	case n.Leaf:
		b = append(b, leafTag)
		b = append(b, n.KeyHash[:]...)
		b = append(b, n.ValueHash[:]...)
		b = binary.AppendUvarint(b, uint64(len(n.Key)))
		b = append(b, n.Key...)
		return append(b, n.Value...)
	default:
		b = append(b, innerTag)
		b = append(b, n.Left[:]...)
		return append(b, n.Right[:]...)
	}
}

// errStoredNode is the error of stored bytes that are no node.
var errStoredNode = errors.New("merkle: stored node does not decode")

// ParseNode reads what AppendNode wrote, nil for an empty root. The node keeps no
// reference to b.
func ParseNode(b []byte, version uint64) (*Node, error) {
	if len(b) == 0 {
		return nil, errStoredNode
	}
	const h = sha256.Size
	switch b[0] {
	case emptyTag:
		if len(b) != 1 {
			return nil, errStoredNode
		}
		return nil, nil
	case innerTag:
		if len(b) != 1+2*h {
			return nil, errStoredNode
		}
		n := &Node{Version: version}
		copy(n.Left[:], b[1:])
		copy(n.Right[:], b[1+h:])
		return n, nil
	case leafTag:
		if len(b) < 1+2*h {
			return nil, errStoredNode
		}
		n := &Node{Leaf: true, Version: version}
		copy(n.KeyHash[:], b[1:])
		copy(n.ValueHash[:], b[1+h:])
		rest := b[1+2*h:]
		size, k := binary.Uvarint(rest)
		if k <= 0 || size > uint64(len(rest)-k) {
			return nil, errStoredNode
		}
		entry := bytes.Clone(rest[k:])
		n.Key, n.Value = entry[:size:size], entry[size:]
		return n, nil
	}
	return nil, errStoredNode
}

// Reader gives the stored nodes of one version of a tree.
type Reader interface {
	// Node returns the node at pos. It is called only where the tree has a node (its
	// parent names its hash): a store that has none there is broken, and panics.
	Node(pos Position) *Node
}

// Change is one write to the tree: a key's new value, or its deletion.
type Change struct {
	Key, Value []byte
	Deleted    bool
}

// Write is a node to store at a position, for the new version.
type Write struct {
	Pos Position
	// Node is nil only for an empty root.
	Node *Node
}

// Stale is a stored node that the new version no longer has at its position: replaced
// there, or gone with the subtree it was in. Versions before the new one still read it.
type Stale struct {
	Pos     Position
	Version uint64
}

// Update is what a version changes: its root, the nodes to store, the stored nodes it
// replaces.
type Update struct {
	Root   Hash
	Writes []Write
	Stale  []Stale
}

// ref is a node known by its hash, and the node itself once read or made.
type ref struct {
	hash Hash
	node *Node
}

type item struct {
	keyHash Hash
	change  *Change
}

type updater struct {
	r   Reader
	out Update
}

// Apply computes the tree that root's tree becomes with changes, whose keys must be
// distinct. A deletion of an absent key changes nothing.
func Apply(r Reader, root Hash, changes []Change) *Update {
	items := make([]item, len(changes))
	for i := range changes {
		items[i] = item{keyHash: KeyHash(changes[i].Key), change: &changes[i]}
	}
	slices.SortFunc(items, func(a, b item) int { return bytes.Compare(a.keyHash[:], b.keyHash[:]) })
	for i := 1; i < len(items); i++ {
		if items[i].keyHash == items[i-1].keyHash {
			panic(fmt.Sprintf("merkle: key %q changed twice in one update", items[i].change.Key))
		}
	}
	u := &updater{r: r}
	old := ref{hash: root}
	now := u.update(Position{}, &old, items)
	if now.hash != old.hash {
		if old.hash != Empty {
			u.stale(Position{}, old.node)
		}
		u.out.Writes = append(u.out.Writes, Write{Pos: Position{}, Node: now.node})
	}
	u.out.Root = now.hash
	return &u.out
}

// Build is the tree of entries (distinct keys, none deleted) built from nothing: the
// Update writing all of it.
func Build(entries []Change) *Update { return Apply(noTree{}, Empty, entries) }

// noTree is the empty tree, which has no node to read.
type noTree struct{}

func (noTree) Node(Position) *Node { panic("merkle: the empty tree has no node") }

// update returns the node at pos once items are applied to the subtree old was. It
// reads old's node into old when it needs it, so that the caller knows its version.
func (u *updater) update(pos Position, old *ref, items []item) ref {
	if len(items) == 0 {
		return *old
	}
	u.load(pos, old)
	if old.node == nil || old.node.Leaf {
		return u.build(pos, merge(old.node, items))
	}
	split := splitAt(items, pos.Depth, func(it item) *Hash { return &it.keyHash })
	olds := [2]*ref{{hash: old.node.Left}, {hash: old.node.Right}}
	now := [2]ref{
		u.update(pos.Child(0), olds[0], items[:split]),
		u.update(pos.Child(1), olds[1], items[split:]),
	}
	return u.join(pos, olds, now)
}

// join is the node at pos whose children, olds before, are now: an inner node, or, when
// one side is empty and the other a single leaf, that leaf, which moves up (the tree
// holds each leaf at the shortest prefix of its path that no other key shares).
func (u *updater) join(pos Position, olds [2]*ref, now [2]ref) ref {
	for side := range 2 {
		if now[side].hash != Empty {
			continue
		}
		other := &now[1-side]
		if other.hash == Empty {
			u.drop(pos, olds)
			return ref{}
		}
		if other.node == nil { // unchanged: read it to know whether it is a leaf
			u.load(pos.Child(1-side), olds[1-side])
			other.node = olds[1-side].node
		}
		if other.node.Leaf {
			u.drop(pos, olds)
			return *other
		}
		break
	}
	for side := range 2 {
		if now[side].hash == olds[side].hash {
			continue
		}
		c := pos.Child(side)
		if olds[side].hash != Empty {
			u.stale(c, olds[side].node)
		}
		if now[side].hash != Empty {
			u.out.Writes = append(u.out.Writes, Write{Pos: c, Node: now[side].node})
		}
	}
	n := &Node{Left: now[0].hash, Right: now[1].hash}
	return ref{hash: n.Hash(), node: n}
}

// drop records that the children of pos leave the tree.
func (u *updater) drop(pos Position, olds [2]*ref) {
	for side, old := range olds {
		if old.hash != Empty {
			u.load(pos.Child(side), old)
			u.stale(pos.Child(side), old.node)
		}
	}
}

// build makes the subtree at pos holding leaves, sorted by path, where the old tree had
// no node below pos.
func (u *updater) build(pos Position, leaves []*Node) ref {
	switch len(leaves) {
	case 0:
		return ref{}
	case 1:
		return ref{hash: leaves[0].Hash(), node: leaves[0]}
	}
	split := splitAt(leaves, pos.Depth, func(n *Node) *Hash { return &n.KeyHash })
	var kids [2]Hash
	for side, part := range [2][]*Node{leaves[:split], leaves[split:]} {
		c := u.build(pos.Child(side), part)
		if c.hash != Empty {
			u.out.Writes = append(u.out.Writes, Write{Pos: pos.Child(side), Node: c.node})
		}
		kids[side] = c.hash
	}
	n := &Node{Left: kids[0], Right: kids[1]}
	return ref{hash: n.Hash(), node: n}
}

// merge is the leaves of a subtree that held at most the leaf old, once items apply.
func merge(old *Node, items []item) []*Node {
	leaves := make([]*Node, 0, len(items)+1)
	placed := old == nil
	for _, it := range items {
		if !placed && bytes.Compare(old.KeyHash[:], it.keyHash[:]) <= 0 {
			placed = true
			if old.KeyHash != it.keyHash {
				leaves = append(leaves, old)
			}
		}
		if !it.change.Deleted {
			leaves = append(leaves, newLeaf(it.keyHash, it.change.Key, it.change.Value))
		}
	}
	if !placed {
		leaves = append(leaves, old)
	}
	return leaves
}

// splitAt is the index of the first of xs, sorted by path, whose path goes right at depth.
func splitAt[T any](xs []T, depth int, path func(T) *Hash) int {
	i, _ := slices.BinarySearchFunc(xs, 1, func(x T, _ int) int { return bit(path(x), depth) - 1 })
	return i
}

func (u *updater) load(pos Position, x *ref) {
	if x.hash != Empty && x.node == nil {
		x.node = u.r.Node(pos)
	}
}

func (u *updater) stale(pos Position, old *Node) {
	u.out.Stale = append(u.out.Stale, Stale{Pos: pos, Version: old.Version})
}
