package merkle

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// memStore keeps every version of a tree the way a store does: a row per position and
// version, and the rows each version made stale.
type memStore struct {
	rows  map[string][]row // by position, newest last
	stale map[uint64][]Stale
	roots map[uint64]Hash
}

type row struct {
	version uint64
	node    []byte
}

func newMemStore() *memStore {
	return &memStore{rows: map[string][]row{}, stale: map[uint64][]Stale{}, roots: map[uint64]Hash{0: Empty}}
}

func (m *memStore) at(version uint64) Reader { return memReader{m, version} }

type memReader struct {
	m       *memStore
	version uint64
}

func (r memReader) Node(pos Position) *Node {
	rows := r.m.rows[string(pos.AppendKey(nil))]
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].version <= r.version {
			n, err := ParseNode(rows[i].node, rows[i].version)
			if err != nil {
				panic(err)
			}
			return n
		}
	}
	panic(fmt.Sprintf("no node at depth %d, version %d", pos.Depth, r.version))
}

func (m *memStore) apply(t *testing.T, version uint64, changes []Change) *Update {
	t.Helper()
	u := Apply(m.at(version-1), m.roots[version-1], changes)
	for _, w := range u.Writes {
		k := string(w.Pos.AppendKey(nil))
		m.rows[k] = append(m.rows[k], row{version, AppendNode(nil, w.Node)})
	}
	m.stale[version] = u.Stale
	m.roots[version] = u.Root
	return u
}

// prune drops the rows that versions up to through made stale: versions from through on
// must still read whole.
func (m *memStore) prune(through uint64) {
	for v := range m.stale {
		if v > through {
			continue
		}
		for _, s := range m.stale[v] {
			k := string(s.Pos.AppendKey(nil))
			m.rows[k] = slices.DeleteFunc(m.rows[k], func(r row) bool { return r.version == s.Version })
		}
		delete(m.stale, v)
	}
}

// walk reads every entry of the tree of a version, checking each node's hash against
// its parent's.
func walk(t *testing.T, r Reader, root Hash) map[string]string {
	t.Helper()
	out := map[string]string{}
	var visit func(pos Position, h Hash)
	visit = func(pos Position, h Hash) {
		if h == Empty {
			return
		}
		n := r.Node(pos)
		if n.Hash() != h {
			t.Fatalf("node at depth %d has hash %x, its parent names %x", pos.Depth, n.Hash(), h)
		}
		if n.Leaf {
			if n.KeyHash != KeyHash(n.Key) || n.ValueHash != ValueHash(n.Value) {
				t.Fatalf("leaf of %q does not hold its own hashes", n.Key)
			}
			out[string(n.Key)] = string(n.Value)
			return
		}
		if n.Left == Empty && n.Right == Empty {
			t.Fatalf("inner node at depth %d with two empty sides", pos.Depth)
		}
		visit(pos.Child(0), n.Left)
		visit(pos.Child(1), n.Right)
	}
	visit(Position{}, root)
	return out
}

// rootOf builds a tree of entries from nothing, in one update.
func rootOf(entries map[string]string) Hash {
	var changes []Change
	for k, v := range entries {
		changes = append(changes, Change{Key: []byte(k), Value: []byte(v)})
	}
	return Apply(newMemStore().at(0), Empty, changes).Root
}

func TestRandomHistoryReadsEveryVersionAndLeaksNoNode(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			m := newMemStore()
			states := map[uint64]map[string]string{0: {}}
			keys := 1 + rng.IntN(60)
			const versions = 40
			for v := uint64(1); v <= versions; v++ {
				state := maps.Clone(states[v-1])
				changed := map[string]Change{}
				for range rng.IntN(12) {
					k := fmt.Sprintf("k%d", rng.IntN(keys))
					switch {
					case rng.IntN(4) == 0:
						changed[k] = Change{Key: []byte(k), Deleted: true}
						delete(state, k)
					case rng.IntN(5) == 0 && state[k] != "":
						changed[k] = Change{Key: []byte(k), Value: []byte(state[k])} // the same value again
					default:
						val := fmt.Sprintf("v%d", rng.IntN(5)) // values repeat across keys and versions
						if rng.IntN(8) == 0 {
							val = "" // an empty value is a value
						}
						changed[k] = Change{Key: []byte(k), Value: []byte(val)}
						state[k] = val
					}
				}
				u := m.apply(t, v, slices.Collect(maps.Values(changed)))
				if want := rootOf(state); u.Root != want {
					t.Fatalf("version %d: root %x after updates, %x built from scratch: the shape depends on history", v, u.Root, want)
				}
				states[v] = state
			}
			for v := uint64(0); v <= versions; v++ {
				if got := walk(t, m.at(v), m.roots[v]); !maps.Equal(got, states[v]) {
					t.Fatalf("version %d reads %v, want %v", v, got, states[v])
				}
			}
			// Every stored row is the latest tree's or was marked stale by some version.
			live := map[string]uint64{}
			var collect func(pos Position, h Hash)
			collect = func(pos Position, h Hash) {
				if h == Empty {
					return
				}
				n := m.at(versions).Node(pos)
				live[string(pos.AppendKey(nil))] = n.Version
				if !n.Leaf {
					collect(pos.Child(0), n.Left)
					collect(pos.Child(1), n.Right)
				}
			}
			collect(Position{}, m.roots[versions])
			m.prune(versions)
			for k, rows := range m.rows {
				for _, r := range rows {
					if live[k] != r.version && !(k == string(Position{}.AppendKey(nil)) && r.version == lastRootWrite(m)) {
						t.Fatalf("a row of version %d at %x is neither live nor marked stale", r.version, k)
					}
				}
			}
		})
	}
}

// lastRootWrite is the version of the newest stored root row: an empty root is stored
// (so that its version reads as empty) but is no node of the tree.
func lastRootWrite(m *memStore) uint64 {
	rows := m.rows[string(Position{}.AppendKey(nil))]
	if len(rows) == 0 {
		return 0
	}
	return rows[len(rows)-1].version
}

func TestPrunedVersionsLeaveLaterOnesWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	m := newMemStore()
	states := map[uint64]map[string]string{0: {}}
	for v := uint64(1); v <= 30; v++ {
		state := maps.Clone(states[v-1])
		changed := map[string]Change{}
		for range 8 {
			k := fmt.Sprintf("acct/%d", rng.IntN(40))
			if rng.IntN(3) == 0 {
				changed[k] = Change{Key: []byte(k), Deleted: true}
				delete(state, k)
				continue
			}
			val := fmt.Sprint(rng.IntN(1000))
			changed[k] = Change{Key: []byte(k), Value: []byte(val)}
			state[k] = val
		}
		m.apply(t, v, slices.Collect(maps.Values(changed)))
		states[v] = state
	}
	m.prune(20)
	for v := uint64(20); v <= 30; v++ {
		if got := walk(t, m.at(v), m.roots[v]); !maps.Equal(got, states[v]) {
			t.Fatalf("after pruning through 20, version %d reads %v, want %v", v, got, states[v])
		}
	}
}

func TestProofs(t *testing.T) {
	m := newMemStore()
	entries := map[string]string{}
	var changes []Change
	for i := range 300 {
		k, v := fmt.Sprintf("acct/%03d", i), fmt.Sprint(i*7)
		entries[k] = v
		changes = append(changes, Change{Key: []byte(k), Value: []byte(v)})
	}
	changes = append(changes, Change{Key: []byte("exp/empty"), Value: []byte{}})
	m.apply(t, 1, changes)
	root := m.roots[1]
	other := Apply(newMemStore().at(0), Empty, []Change{{Key: []byte("acct/000"), Value: []byte("0")}}).Root

	for i := range 300 {
		k := fmt.Sprintf("acct/%03d", i)
		v, found, p := Lookup(m.at(1), root, []byte(k))
		if !found || string(v) != entries[k] {
			t.Fatalf("%s: found %v value %q", k, found, v)
		}
		p = roundTrip(t, p)
		if err := p.Verify(root, []byte(k), v, true); err != nil {
			t.Fatalf("%s: a true proof: %v", k, err)
		}
		if err := p.Verify(root, []byte(k), []byte(entries[k]+"0"), true); !errors.Is(err, ErrProofMismatch) {
			t.Fatalf("%s: a changed value: %v", k, err)
		}
		if err := p.Verify(root, []byte(k), nil, false); !errors.Is(err, ErrProofMismatch) {
			t.Fatalf("%s: a member claimed absent: %v", k, err)
		}
		if err := p.Verify(other, []byte(k), v, true); !errors.Is(err, ErrProofMismatch) {
			t.Fatalf("%s: another tree's root: %v", k, err)
		}
	}
	v, found, p := Lookup(m.at(1), root, []byte("exp/empty"))
	if !found || len(v) != 0 {
		t.Fatalf("an empty value: found %v, %q", found, v)
	}
	if err := p.Verify(root, []byte("exp/empty"), nil, true); err != nil {
		t.Fatalf("an empty value proved present: %v", err)
	}

	absentAtLeaf, absentAtEmpty := 0, 0
	for i := range 300 {
		k := fmt.Sprintf("acct/absent/%d", i)
		_, found, p := Lookup(m.at(1), root, []byte(k))
		if found {
			t.Fatalf("%s found", k)
		}
		p = roundTrip(t, p)
		if p.Other != nil {
			absentAtLeaf++
		} else {
			absentAtEmpty++
		}
		if err := p.Verify(root, []byte(k), nil, false); err != nil {
			t.Fatalf("%s: a true proof of absence: %v", k, err)
		}
		if err := p.Verify(root, []byte(k), []byte("1"), true); !errors.Is(err, ErrProofMismatch) {
			t.Fatalf("%s: a non-member claimed as member: %v", k, err)
		}
		if p.Other != nil {
			// Another key's proof of presence, passed off as this key's absence.
			claimed := p
			claimed.Other = &OtherLeaf{KeyHash: KeyHash([]byte(k)), ValueHash: p.Other.ValueHash}
			if err := claimed.Verify(root, []byte(k), nil, false); !errors.Is(err, ErrProofMismatch) {
				t.Fatalf("%s: its own leaf as the other: %v", k, err)
			}
		}
	}
	if absentAtLeaf == 0 || absentAtEmpty == 0 {
		t.Fatalf("absent keys ended %d times at another leaf, %d at an empty side: both must be tested", absentAtLeaf, absentAtEmpty)
	}
	// A member's proof does not prove another key's absence.
	_, _, p = Lookup(m.at(1), root, []byte("acct/001"))
	if err := p.Verify(root, []byte("acct/999"), nil, false); !errors.Is(err, ErrProofMismatch) {
		t.Fatalf("a member's proof for another key's absence: %v", err)
	}
	// The empty tree proves everything absent, nothing present.
	var none Proof
	if err := none.Verify(Empty, []byte("k"), nil, false); err != nil {
		t.Fatalf("absence from the empty tree: %v", err)
	}
	if err := none.Verify(Empty, []byte("k"), nil, true); !errors.Is(err, ErrProofMismatch) {
		t.Fatalf("presence in the empty tree: %v", err)
	}
}

func roundTrip(t *testing.T, p Proof) Proof {
	t.Helper()
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var q Proof
	if err := q.UnmarshalBinary(b); err != nil {
		t.Fatalf("a proof's own encoding: %v", err)
	}
	if c, _ := q.MarshalBinary(); !bytes.Equal(b, c) {
		t.Fatal("a proof encodes differently after a round trip")
	}
	return q
}

func TestMalformedProofsRefused(t *testing.T) {
	long := Proof{Siblings: make([]Hash, MaxDepth+1)}
	if _, err := long.MarshalBinary(); !errors.Is(err, ErrMalformedProof) {
		t.Fatalf("a proof deeper than any tree encoded: %v", err)
	}
	if err := long.Verify(Empty, []byte("k"), nil, false); !errors.Is(err, ErrMalformedProof) {
		t.Fatalf("a proof deeper than any tree verified: %v", err)
	}
	p := Proof{Siblings: []Hash{{1}, {}, {3}}}
	good, _ := p.MarshalBinary()
	for name, b := range map[string][]byte{
		"empty":           nil,
		"unknown end":     append([]byte{2}, good[1:]...),
		"truncated":       good[:len(good)-1],
		"trailing":        append(bytes.Clone(good), 0),
		"stray mask bits": func() []byte { b := bytes.Clone(good); b[3] |= 0x01; return b }(),
	} {
		var q Proof
		if err := q.UnmarshalBinary(b); !errors.Is(err, ErrMalformedProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestStoredNodesRoundTrip(t *testing.T) {
	leaf := newLeaf(KeyHash([]byte("acct/x")), []byte("acct/x"), []byte{})
	inner := &Node{Left: Hash{1}, Right: Empty}
	for _, n := range []*Node{leaf, inner, nil} {
		got, err := ParseNode(AppendNode(nil, n), 9)
		if err != nil {
			t.Fatal(err)
		}
		if n == nil {
			if got != nil {
				t.Fatal("the empty root read back as a node")
			}
			continue
		}
		if got.Hash() != n.Hash() || got.Version != 9 || !bytes.Equal(got.Key, n.Key) || !bytes.Equal(got.Value, n.Value) {
			t.Fatalf("node read back as %+v, want %+v", got, n)
		}
	}
	for _, b := range [][]byte{nil, {9}, {innerTag, 1}, {leafTag}, append(AppendNode(nil, leaf)[:65], 0xff)} {
		if _, err := ParseNode(b, 1); err == nil {
			t.Errorf("%x parsed", b)
		}
	}
}
