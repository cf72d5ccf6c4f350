package store

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble"
)

// The lanes add and subtract modulo 2^16 each, four to a word, as 1024 separate
// counters would.
func TestDigestLanesAreSeparate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []uint64{0, 1, 0xffff, 0x8000, 0x7fff, 0xffff_ffff_ffff_ffff, 0x8000_8000_8000_8000, 0x7fff_7fff_7fff_7fff}
	for range 1000 {
		words = append(words, rng.Uint64())
	}
	lanes := func(w uint64) [4]uint16 {
		return [4]uint16{uint16(w), uint16(w >> 16), uint16(w >> 32), uint16(w >> 48)}
	}
	for _, a := range words {
		for _, b := range words[:40] {
			la, lb, sum, diff := lanes(a), lanes(b), lanes(addLanes(a, b)), lanes(subLanes(a, b))
			for i := range 4 {
				if sum[i] != la[i]+lb[i] || diff[i] != la[i]-lb[i] {
					t.Fatalf("lane %d of %#x and %#x: sum %#x diff %#x, want %#x %#x", i, a, b, sum[i], diff[i], la[i]+lb[i], la[i]-lb[i])
				}
			}
		}
	}
}

// The digest is of a set: the same entries in any order give the same digest, an entry
// removed leaves what was there before, and the encoding of an entry is unambiguous.
func TestDigestIsOfTheSetOfEntries(t *testing.T) {
	entries := []kv{{"acct/1", "10"}, {"acct/2", "20"}, {"ord/1", ""}, {"supply", "x"}}
	forward, backward := NewDigest(), NewDigest()
	for i := range entries {
		forward.Add([]byte(entries[i].key), []byte(entries[i].value))
		e := entries[len(entries)-1-i]
		backward.Add([]byte(e.key), []byte(e.value))
	}
	if !forward.Equal(backward) {
		t.Fatal("the same entries in another order give another digest")
	}
	forward.Add([]byte("acct/3"), []byte("30"))
	forward.Remove([]byte("acct/3"), []byte("30"))
	if !forward.Equal(backward) {
		t.Fatal("an entry added and removed changes the digest")
	}
	for _, e := range entries {
		forward.Remove([]byte(e.key), []byte(e.value))
	}
	if !forward.Equal(NewDigest()) {
		t.Fatal("removing every entry does not give the empty digest")
	}

	one := func(key, value string) string {
		d := NewDigest()
		d.Add([]byte(key), []byte(value))
		return string(d.Sum())
	}
	seen := map[string]string{}
	for _, e := range []kv{{"ab", "c"}, {"a", "bc"}, {"abc", ""}, {"", "abc"}, {"ab", "d"}, {"ac", "c"}} {
		s := one(e.key, e.value)
		if other, dup := seen[s]; dup {
			t.Fatalf("entries %q and %s have the same digest", e, other)
		}
		seen[s] = fmt.Sprintf("%q", e)
	}
}

// Consensus bytes: the digest of an empty state and of two entries, and the start of an
// entry's hash, computed once from the definition (docs/protocol.md §11.3) by another
// implementation (Python's hashlib and AES-CTR of its cryptography package) and pasted.
// A change here changes the app hash of every checkpoint.
func TestDigestGolden(t *testing.T) {
	two := NewDigest()
	two.Add([]byte("acct/1"), []byte("10"))
	two.Add([]byte("supply"), []byte{})
	tests := []struct {
		name string
		d    *Digest
		want string
	}{
		{"empty state", NewDigest(), "e5a00aa9991ac8a5ee3109844d84a55583bd20572ad3ffcd42792f3c36b183ad"},
		{"two entries", two, "e027017cc4979bb1b79b1e8f5f44fa44eeaf2a73c2247b3051c0a7f9a6d4088d"},
	}
	for _, tc := range tests {
		if got := hex.EncodeToString(tc.d.Sum()); got != tc.want {
			t.Errorf("%s: digest %s, want %s", tc.name, got, tc.want)
		}
	}
	var s scratch
	s.entryHash([]byte("acct/1"), []byte("10"))
	if got, want := hex.EncodeToString(s.hash[:8]), "4d83f65bd39c7801"; got != want {
		t.Errorf("entry hash begins %s, want %s", got, want)
	}
	if d, err := ParseDigest(two.Bytes()); err != nil || !d.Equal(two) {
		t.Fatalf("ParseDigest(Bytes()) = %v, %v", d, err)
	}
}

// The digest a DB keeps from commit to commit, whatever the changes, is always the
// digest of its whole state computed afresh, and so survives a reopen.
func TestDBDigestFollowsTheState(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	rng := rand.New(rand.NewPCG(3, 4))
	for height := int64(1); height <= 40; height++ {
		var changes []Change
		for k := range 1 + rng.IntN(300) {
			key := fmt.Appendf(nil, "k/%03d", rng.IntN(400))
			switch rng.IntN(4) {
			case 0:
				changes = append(changes, Change{Key: key, Deleted: true})
			case 1:
				// Written again with the value it has, or never had.
				if v, ok := db.Get(key); ok {
					changes = append(changes, Change{Key: key, Value: v})
					continue
				}
				fallthrough
			default:
				changes = append(changes, Change{Key: key, Value: fmt.Appendf(nil, "v%d-%d", height, k)})
			}
		}
		o := NewOverlay(db)
		for _, c := range changes {
			if c.Deleted {
				o.Delete(c.Key)
			} else {
				o.Set(c.Key, c.Value)
			}
		}
		mustCommit(t, db, o.Changes(), height)
		if got, want := db.Digest(), DigestOf(db); !got.Equal(want) {
			t.Fatalf("height %d: kept digest %x, the state's %x", height, got.Sum(), want.Sum())
		}
		if height%10 == 0 {
			want := db.Digest()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = Open(dir, Options{}); err != nil {
				t.Fatal(err)
			}
			if got := db.Digest(); !got.Equal(want) {
				t.Fatalf("height %d: digest %x after a reopen, %x before", height, got.Sum(), want.Sum())
			}
		}
	}
}

// Apply sums the changes on several goroutines when there are many: the same digest as
// one by one.
func TestDigestApplyInParallel(t *testing.T) {
	db, _ := openDB(t)
	var first []Change
	for i := range 1000 {
		first = append(first, Change{Key: fmt.Appendf(nil, "k/%04d", i), Value: []byte("old")})
	}
	mustCommit(t, db, first, 1)
	var changes []Change
	for i := range 1000 {
		switch key := fmt.Appendf(nil, "k/%04d", 2*i); i % 3 {
		case 0:
			changes = append(changes, Change{Key: key, Deleted: true})
		default:
			changes = append(changes, Change{Key: key, Value: []byte("new")})
		}
	}
	parallel, serial := db.Digest(), db.Digest()
	parallel.Apply(db, changes)
	serial.apply(db, changes)
	if !parallel.Equal(serial) {
		t.Fatal("Apply on several goroutines differs from one by one")
	}
}

// A state written by a version that kept no digest gets one at its next open, computed
// from the whole state.
func TestOpenComputesAMissingDigest(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustCommit(t, db, sets(kv{"acct/1", "10"}, kv{"ord/7", "o"}), 3)
	want := db.Digest()
	if err := db.pdb.Delete(digestKey, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Digest(); !got.Equal(want) || got.Equal(NewDigest()) {
		t.Fatalf("digest %x after the open, want %x", got.Sum(), want.Sum())
	}
	if _, ok := getPebble(db.pdb.Get, digestKey); !ok {
		t.Fatal("the digest computed at the open is not recorded")
	}
}

// An entry's hash, and the change of a block, cost the same whatever the state holds.
func BenchmarkDigestAdd(b *testing.B) {
	d := NewDigest()
	key, value := []byte("acct/0123456789abcdefghij"), []byte("01234567")
	for b.Loop() {
		d.Add(key, value)
	}
}
