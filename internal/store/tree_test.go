package store

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/merkle"
)

// provenOnly holds every key but the nonces, as a ledger's scope leaves some out.
func provenOnly(key []byte) bool { return !bytes.HasPrefix(key, []byte("nonce/")) }

// randomBlocks commits blocks of random changes and returns the state after each height.
func randomBlocks(t *testing.T, db *DB, rng *rand.Rand, from, to int64, states map[int64]map[string]string) {
	t.Helper()
	for h := from; h <= to; h++ {
		state := maps.Clone(states[h-1])
		o := NewOverlay(db)
		for range 1 + rng.IntN(20) {
			k := fmt.Sprintf("acct/%d", rng.IntN(60))
			if rng.IntN(4) == 0 {
				o.Delete([]byte(k))
				delete(state, k)
			} else {
				v := fmt.Sprint(rng.IntN(50))
				o.Set([]byte(k), []byte(v))
				state[k] = v
			}
			o.Set([]byte(fmt.Sprintf("nonce/%d/%d", h, rng.IntN(1000))), nil)
		}
		mustCommit(t, db, o.Changes(), h)
		states[h] = state
	}
}

func TestProofsAtEveryKeptHeight(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{Proven: provenOnly, History: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	rng := rand.New(rand.NewPCG(1, 2))
	states := map[int64]map[string]string{0: {}}
	randomBlocks(t, db, rng, 1, 30, states)

	check := func(db *DB, height int64) {
		t.Helper()
		v := db.View()
		defer v.Close()
		appHash := v.Meta().AppHash
		for i := range 60 {
			k := fmt.Sprintf("acct/%d", i)
			p, err := v.Prove(height, []byte(k))
			if err != nil {
				t.Fatalf("height %d, %s: %v", height, k, err)
			}
			want, present := states[height][k]
			if p.Present != present || string(p.Value) != want {
				t.Fatalf("height %d, %s: %q %v, want %q %v", height, k, p.Value, p.Present, want, present)
			}
			if err := p.Proof.Verify(p.Root, p.Key, p.Value, p.Present); err != nil {
				t.Fatalf("height %d, %s: %v", height, k, err)
			}
			if height == v.Meta().Height {
				if err := p.Verify(appHash); err != nil {
					t.Fatalf("the last height's proof against its app hash: %v", err)
				}
			} else if err := p.Verify(appHash); !errors.Is(err, merkle.ErrNotTheAppHash) {
				t.Fatalf("height %d's proof against the last app hash: %v", height, err)
			}
		}
		r, err := v.At(height)
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range states[height] {
			if got, ok := r.Get([]byte(k)); !ok || string(got) != want {
				t.Fatalf("height %d reads %s = %q %v, want %q", height, k, got, ok, want)
			}
		}
	}
	for h := int64(25); h <= 30; h++ {
		check(db, h)
	}
	v := db.View()
	for _, h := range []int64{24, 1, 31} {
		if _, err := v.Prove(h, []byte("acct/1")); !errors.Is(err, ErrHeightUnavailable) {
			t.Errorf("height %d: %v, want ErrHeightUnavailable", h, err)
		}
	}
	if _, err := v.Prove(0, []byte("nonce/1")); !errors.Is(err, ErrNotProven) {
		t.Errorf("a key outside the tree: %v", err)
	}
	_ = v.Close()

	// Reopened, without the cache, the tree goes on from what is on disk.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir, Options{Proven: provenOnly, History: 5}); err != nil {
		t.Fatal(err)
	}
	randomBlocks(t, db, rng, 31, 40, states)
	for h := int64(35); h <= 40; h++ {
		check(db, h)
	}
	if got, want := db.commitment().Root, treeRoot(sorted(states[40])); got != want {
		t.Fatalf("root %x after updates and a reopen, %x from scratch", got, want)
	}

	// Pruning keeps only what the kept heights read: every node row left is the newest
	// of its position or replaced after the oldest kept height.
	rows, replaced := 0, 0
	it := newNodeIter(db.pdb.NewIter)
	for ok := it.First(); ok; ok = it.Next() {
		rows++
	}
	_ = it.Close()
	sit, _ := db.pdb.NewIter(nil)
	for ok := sit.SeekGE(stalePrefix); ok && bytes.HasPrefix(sit.Key(), stalePrefix); ok = sit.Next() {
		replaced++
	}
	_ = sit.Close()
	live := countNodes(t, db)
	if rows != live+replaced {
		t.Fatalf("%d node rows: %d in the last tree and %d replaced within the history; the others leaked", rows, live, replaced)
	}
}

func sorted(m map[string]string) []kv {
	var out []kv
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, kv{k, m[k]})
	}
	return out
}

// countNodes counts the nodes of the committed tree.
func countNodes(t *testing.T, db *DB) int {
	t.Helper()
	it := newNodeIter(db.pdb.NewIter)
	defer it.Close()
	r := &nodeReader{it: it, version: ^uint64(0)}
	n := 0
	var visit func(pos merkle.Position, h merkle.Hash)
	visit = func(pos merkle.Position, h merkle.Hash) {
		if h == merkle.Empty {
			return
		}
		n++
		node := r.Node(pos)
		if !node.Leaf {
			visit(pos.Child(0), node.Left)
			visit(pos.Child(1), node.Right)
		}
	}
	visit(merkle.Position{}, db.commitment().Root)
	return n
}

func TestTreeBuiltForAStateWithout(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{Proven: provenOnly})
	if err != nil {
		t.Fatal(err)
	}
	states := map[int64]map[string]string{0: {}}
	randomBlocks(t, db, rand.New(rand.NewPCG(5, 5)), 1, 8, states)
	want := db.commitment().Root
	// A state written before the tree: its records are gone.
	b := db.pdb.NewBatch()
	for _, p := range [][]byte{nodePrefix, stalePrefix, commitPrefix} {
		if err := b.DeleteRange(p, prefixEnd(p), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(b.Delete(floorKey, nil), b.Commit(nil), db.Close()); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir, Options{Proven: provenOnly}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if got := db.commitment().Root; got != want {
		t.Fatalf("built root %x, want %x", got, want)
	}
	v := db.View()
	if _, err := v.Prove(8, []byte("acct/1")); !errors.Is(err, ErrHeightUnavailable) || !strings.Contains(err.Error(), "oldest kept is 9") {
		t.Fatalf("the height whose commitment is not whole: %v", err)
	}
	_ = v.Close()
	randomBlocks(t, db, rand.New(rand.NewPCG(6, 6)), 9, 9, states)
	v = db.View()
	defer v.Close()
	p, err := v.Prove(9, []byte("acct/1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(v.Meta().AppHash); err != nil {
		t.Fatalf("the first height after the build: %v", err)
	}
}

func TestRestoreRefusesAStateOfAnotherRoot(t *testing.T) {
	db, _ := openDB(t)
	r, err := db.BeginRestore(Meta{Height: 4}, merkle.Commitment{Chained: make([]byte, 32), Digest: make([]byte, 32), Root: treeRoot([]kv{{"acct/1", "1"}})})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Add([]byte("acct/1"), []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := r.Finish(); err == nil || !strings.Contains(err.Error(), "commitment records") {
		t.Fatalf("a state whose tree is not the commitment's: %v", err)
	}
}
