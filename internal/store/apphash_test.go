package store

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// baseChanges is the block every AppHash variant differs from in one way.
func baseChanges() []Change {
	return []Change{
		{Key: []byte("a"), Value: []byte("1")},
		{Key: []byte("b"), Deleted: true},
		{Key: []byte("c"), Value: []byte{}},
	}
}

var basePrev = bytes.Repeat([]byte{0x11}, 32)

const baseHeight = 7

func TestAppHashGolden(t *testing.T) {
	// Computed once from the definition (sha256 of prev, the big-endian height and each
	// change as uvarint key length, key, 0 for a deletion or 1, uvarint value length and
	// value) and pasted: a change here is consensus-breaking.
	tests := []struct {
		name    string
		prev    []byte
		height  int64
		changes []Change
		want    string
	}{
		{name: "block", prev: basePrev, height: baseHeight, changes: baseChanges(), want: "7e3d8753bfa1cfdcada9aa6cf783a91c42a20555af27cd70caec3880d0908e37"},
		{name: "empty genesis", prev: nil, height: 0, changes: nil, want: "af5570f5a1810b7af78caf4bc70a660f0df51e42baf91d4de5b2328de0e83dfc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppHash(tt.prev, tt.height, tt.changes)
			if hex.EncodeToString(got) != tt.want {
				t.Fatalf("AppHash = %x, want %s", got, tt.want)
			}
			if again := AppHash(tt.prev, tt.height, tt.changes); !bytes.Equal(again, got) {
				t.Fatalf("AppHash not deterministic: %x then %x", got, again)
			}
		})
	}
}

func TestAppHashSensitive(t *testing.T) {
	with := func(f func(c []Change) []Change) []Change { return f(baseChanges()) }
	tests := []struct {
		name    string
		prev    []byte
		height  int64
		changes []Change
	}{
		{name: "base", prev: basePrev, height: baseHeight, changes: baseChanges()},
		{name: "height", prev: basePrev, height: baseHeight + 1, changes: baseChanges()},
		{name: "negative height", prev: basePrev, height: -baseHeight, changes: baseChanges()},
		{name: "prev last byte", prev: append(bytes.Clone(basePrev[:31]), 0x12), height: baseHeight, changes: baseChanges()},
		{name: "prev missing", prev: nil, height: baseHeight, changes: baseChanges()},
		{name: "key", prev: basePrev, height: baseHeight, changes: with(func(c []Change) []Change { c[0].Key = []byte("A"); return c })},
		{name: "value", prev: basePrev, height: baseHeight, changes: with(func(c []Change) []Change { c[0].Value = []byte("2"); return c })},
		{name: "value longer", prev: basePrev, height: baseHeight, changes: with(func(c []Change) []Change { c[0].Value = []byte("10"); return c })},
		{name: "deletion instead of value", prev: basePrev, height: baseHeight, changes: with(func(c []Change) []Change { c[0] = Change{Key: c[0].Key, Deleted: true}; return c })},
		{name: "empty value instead of deletion", prev: basePrev, height: baseHeight, changes: with(func(c []Change) []Change { c[1].Deleted = false; return c })},
		{name: "deletion instead of empty value", prev: basePrev, height: baseHeight, changes: with(func(c []Change) []Change { c[2].Deleted = true; return c })},
		{name: "order of two changes", prev: basePrev, height: baseHeight, changes: with(func(c []Change) []Change { c[0], c[1] = c[1], c[0]; return c })},
		{name: "one change fewer", prev: basePrev, height: baseHeight, changes: baseChanges()[:2]},
		{name: "one change more", prev: basePrev, height: baseHeight, changes: append(baseChanges(), Change{Key: []byte("d"), Value: []byte("4")})},
		{name: "no changes", prev: basePrev, height: baseHeight, changes: nil},
		{name: "change repeated", prev: basePrev, height: baseHeight, changes: append(baseChanges(), baseChanges()[2])},
	}
	seen := make(map[string]string)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := AppHash(tt.prev, tt.height, tt.changes)
			if len(h) != 32 {
				t.Fatalf("AppHash is %d bytes, want 32", len(h))
			}
			if prev, ok := seen[string(h)]; ok {
				t.Fatalf("AppHash equals that of row %q: %x", prev, h)
			}
			seen[string(h)] = tt.name
		})
	}
}

func TestAppHashLengthPrefixed(t *testing.T) {
	// Without length prefixes these pairs would hash the same concatenated bytes.
	tests := []struct {
		name string
		a, b []Change
	}{
		{
			name: "key/value split",
			a:    []Change{{Key: []byte("ab"), Value: []byte("c")}},
			b:    []Change{{Key: []byte("a"), Value: []byte("bc")}},
		},
		{
			name: "key/value split other way",
			a:    []Change{{Key: []byte("a"), Value: []byte("bc")}},
			b:    []Change{{Key: []byte("abc"), Value: []byte{}}},
		},
		{
			name: "one change or two",
			a:    []Change{{Key: []byte("k"), Value: []byte("v\x01k\x01\x01v")}},
			b:    []Change{{Key: []byte("k"), Value: []byte("v")}, {Key: []byte("k"), Value: []byte("v")}},
		},
		{
			name: "deletion marker in key",
			a:    []Change{{Key: []byte("k\x00"), Deleted: true}},
			b:    []Change{{Key: []byte("k"), Deleted: true}, {Key: []byte{}, Deleted: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ha, hb := AppHash(basePrev, baseHeight, tt.a), AppHash(basePrev, baseHeight, tt.b)
			if bytes.Equal(ha, hb) {
				t.Fatalf("AppHash(%s) = AppHash(%s) = %x", changesString(tt.a), changesString(tt.b), ha)
			}
		})
	}
}

func TestAppHashEquivalent(t *testing.T) {
	// What the hash deliberately ignores: the container of no changes, and the stale
	// value of a deletion.
	tests := []struct {
		name string
		a, b []Change
	}{
		{name: "nil and empty changes", a: nil, b: []Change{}},
		{
			name: "deletion with a value",
			a:    []Change{{Key: []byte("k"), Deleted: true}},
			b:    []Change{{Key: []byte("k"), Value: []byte("stale"), Deleted: true}},
		},
		{
			name: "nil and empty value",
			a:    []Change{{Key: []byte("k"), Value: nil}},
			b:    []Change{{Key: []byte("k"), Value: []byte{}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ha, hb := AppHash(basePrev, baseHeight, tt.a), AppHash(basePrev, baseHeight, tt.b)
			if !bytes.Equal(ha, hb) {
				t.Fatalf("AppHash(%s) = %x, AppHash(%s) = %x, want equal", changesString(tt.a), ha, changesString(tt.b), hb)
			}
		})
	}
}

func TestAppHashOfOverlayChanges(t *testing.T) {
	// Two overlays given the same writes in different orders hash the same, because
	// Changes is in key order: what makes app hashes agree across nodes.
	db, _ := openDB(t)
	o1, o2 := NewOverlay(db), NewOverlay(db)
	o1.Set([]byte("b"), []byte("2"))
	o1.Set([]byte("a"), []byte("1"))
	o1.Delete([]byte("c"))
	o2.Delete([]byte("c"))
	o2.Set([]byte("a"), []byte("1"))
	o2.Set([]byte("b"), []byte("2"))
	h1, h2 := AppHash(basePrev, 1, o1.Changes()), AppHash(basePrev, 1, o2.Changes())
	if !bytes.Equal(h1, h2) {
		t.Fatalf("AppHash differs with write order: %x vs %x", h1, h2)
	}
}
