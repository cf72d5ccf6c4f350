package store

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// parentPairs are committed to the database under the fixture overlay.
var parentPairs = []kv{
	{"a/1", "p1"}, {"a/3", "p3"}, {"a/5", "p5"}, {"a/7", "p7"}, {"a/\xff", "pff"},
	{"a0", "x"}, {"b/1", "y"}, {"d/1", "d1"}, {"g/1", "g1"}, {"\xff\x01", "f1"},
}

// fixtureOverlay is an overlay over a database holding parentPairs, with writes of
// every kind: new keys, overwritten keys, deleted parent keys, a deleted key the parent
// never had, a key set then deleted and a parent key deleted then set again.
func fixtureOverlay(t *testing.T) (*Overlay, *DB) {
	t.Helper()
	db, _ := openDB(t)
	mustCommit(t, db, sets(parentPairs...), 1)
	o := NewOverlay(db)
	o.Set([]byte("a/0"), []byte("o0"))
	o.Set([]byte("a/2"), []byte("o2"))
	o.Set([]byte("a/3"), []byte("o3"))
	o.Delete([]byte("a/5"))
	o.Delete([]byte("a/4"))
	o.Set([]byte("a/9"), []byte("o9"))
	o.Set([]byte("a/\xff\xff"), []byte("offff"))
	o.Set([]byte("c/1"), []byte("c1"))
	o.Delete([]byte("d/1"))
	o.Set([]byte("e/1"), []byte("e1"))
	o.Delete([]byte("e/1"))
	o.Delete([]byte("g/1"))
	o.Set([]byte("g/1"), []byte("g2"))
	o.Set([]byte("\xff\xff"), []byte("ff"))
	return o, db
}

// fixtureScanA is what a scan of "a/" over the fixture yields.
var fixtureScanA = []kv{
	{"a/0", "o0"}, {"a/1", "p1"}, {"a/2", "o2"}, {"a/3", "o3"},
	{"a/7", "p7"}, {"a/9", "o9"}, {"a/\xff", "pff"}, {"a/\xff\xff", "offff"},
}

func TestOverlayGet(t *testing.T) {
	o, _ := fixtureOverlay(t)
	tests := []struct {
		name      string
		key       string
		wantValue string
		wantOK    bool
	}{
		{name: "overlay only", key: "a/2", wantValue: "o2", wantOK: true},
		{name: "parent only", key: "a/1", wantValue: "p1", wantOK: true},
		{name: "overwritten", key: "a/3", wantValue: "o3", wantOK: true},
		{name: "deleted parent key", key: "a/5", wantOK: false},
		{name: "deleted key absent from parent", key: "a/4", wantOK: false},
		{name: "set then deleted", key: "e/1", wantOK: false},
		{name: "parent key deleted then set", key: "g/1", wantValue: "g2", wantOK: true},
		{name: "missing everywhere", key: "zz", wantOK: false},
		{name: "prefix of a key is not a key", key: "a/", wantOK: false},
		{name: "0xff key", key: "\xff\xff", wantValue: "ff", wantOK: true},
		{name: "meta key is not written here", key: "a\x00", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := o.Get([]byte(tt.key))
			if ok != tt.wantOK || string(v) != tt.wantValue {
				t.Fatalf("Get(%q) = %q, %v, want %q, %v", tt.key, v, ok, tt.wantValue, tt.wantOK)
			}
		})
	}
}

func TestOverlayDoesNotWriteParent(t *testing.T) {
	o, db := fixtureOverlay(t)
	tests := []struct {
		name      string
		key       string
		wantValue string
		wantOK    bool
	}{
		{name: "overwritten key keeps parent value", key: "a/3", wantValue: "p3", wantOK: true},
		{name: "deleted key still in parent", key: "a/5", wantValue: "p5", wantOK: true},
		{name: "overlay key absent from parent", key: "a/2", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := db.Get([]byte(tt.key))
			if ok != tt.wantOK || string(v) != tt.wantValue {
				t.Fatalf("db.Get(%q) = %q, %v, want %q, %v", tt.key, v, ok, tt.wantValue, tt.wantOK)
			}
		})
	}
	if o.Len() == 0 {
		t.Fatal("fixture overlay has no writes")
	}
}

func TestOverlaySetCopiesValue(t *testing.T) {
	db, _ := openDB(t)
	o := NewOverlay(db)
	value := []byte("before")
	o.Set([]byte("k"), value)
	copy(value, "after!")
	if v, ok := o.Get([]byte("k")); !ok || string(v) != "before" {
		t.Fatalf("Get after changing the caller's slice = %q, %v, want %q, true", v, ok, "before")
	}
}

func TestOverlayEmptyValueExists(t *testing.T) {
	db, _ := openDB(t)
	tests := []struct {
		name  string
		value []byte
	}{
		{name: "nil", value: nil},
		{name: "empty", value: []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOverlay(db)
			o.Set([]byte("k"), tt.value)
			if v, ok := o.Get([]byte("k")); !ok || len(v) != 0 {
				t.Fatalf("Get = %q, %v, want empty, true", v, ok)
			}
			if got := scanAll(o, "k"); !equalKVs(got, []kv{{"k", ""}}) {
				t.Fatalf("Scan = %q, want the key with an empty value", got)
			}
			want := []Change{{Key: []byte("k"), Value: tt.value}}
			if got := o.Changes(); len(got) != 1 || got[0].Deleted || len(got[0].Value) != 0 || string(got[0].Key) != "k" {
				t.Fatalf("Changes = %s, want %s", changesString(got), changesString(want))
			}
		})
	}
}

func TestOverlayScan(t *testing.T) {
	o, _ := fixtureOverlay(t)
	tests := []struct {
		name   string
		prefix string
		want   []kv
	}{
		{name: "merged", prefix: "a/", want: fixtureScanA},
		{name: "parent only", prefix: "b/", want: []kv{{"b/1", "y"}}},
		{name: "overlay only", prefix: "c", want: []kv{{"c/1", "c1"}}},
		{name: "deleted parent key absent", prefix: "d/", want: nil},
		{name: "set then deleted absent", prefix: "e", want: nil},
		{name: "deleted then set", prefix: "g/", want: []kv{{"g/1", "g2"}}},
		{name: "boundary a0 after a/ keys", prefix: "a0", want: []kv{{"a0", "x"}}},
		{name: "shorter prefix takes both", prefix: "a", want: append(slices.Clone(fixtureScanA), kv{"a0", "x"})},
		{name: "exact key as prefix", prefix: "a/1", want: []kv{{"a/1", "p1"}}},
		{name: "prefix ending in 0xff", prefix: "a/\xff", want: []kv{{"a/\xff", "pff"}, {"a/\xff\xff", "offff"}}},
		{name: "prefix 0xff", prefix: "\xff", want: []kv{{"\xff\x01", "f1"}, {"\xff\xff", "ff"}}},
		{name: "prefix 0xff 0xff", prefix: "\xff\xff", want: []kv{{"\xff\xff", "ff"}}},
		{name: "nothing", prefix: "z", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scanAll(o, tt.prefix); !equalKVs(got, tt.want) {
				t.Fatalf("Scan(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func TestOverlayScanStopsEarly(t *testing.T) {
	o, _ := fixtureOverlay(t)
	// Stops at every position of the merge: an overlay key before the first parent key,
	// a parent key, an overwritten key, an overlay key between parent keys, the last
	// parent key and an overlay key after the parent has run out.
	for k := 1; k <= len(fixtureScanA); k++ {
		t.Run(fmt.Sprintf("after %d", k), func(t *testing.T) {
			var got []kv
			o.Scan([]byte("a/"), func(key, value []byte) bool {
				got = append(got, kv{string(key), string(value)})
				return len(got) < k
			})
			if !equalKVs(got, fixtureScanA[:k]) {
				t.Fatalf("Scan stopping after %d yielded %q, want %q", k, got, fixtureScanA[:k])
			}
		})
	}
}

func TestOverlayChanges(t *testing.T) {
	o, _ := fixtureOverlay(t)
	want := []Change{
		{Key: []byte("a/0"), Value: []byte("o0")},
		{Key: []byte("a/2"), Value: []byte("o2")},
		{Key: []byte("a/3"), Value: []byte("o3")},
		{Key: []byte("a/4"), Deleted: true},
		{Key: []byte("a/5"), Deleted: true},
		{Key: []byte("a/9"), Value: []byte("o9")},
		{Key: []byte("a/\xff\xff"), Value: []byte("offff")},
		{Key: []byte("c/1"), Value: []byte("c1")},
		{Key: []byte("d/1"), Deleted: true},
		{Key: []byte("e/1"), Deleted: true},
		{Key: []byte("g/1"), Value: []byte("g2")},
		{Key: []byte("\xff\xff"), Value: []byte("ff")},
	}
	got := o.Changes()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Changes() =\n%s\nwant\n%s", changesString(got), changesString(want))
	}
	if o.Len() != len(want) {
		t.Fatalf("Len() = %d, want %d", o.Len(), len(want))
	}
	if !slices.IsSortedFunc(got, func(a, b Change) int { return bytes.Compare(a.Key, b.Key) }) {
		t.Fatal("Changes() not in key order")
	}
}

func TestOverlayChangesEmpty(t *testing.T) {
	db, _ := openDB(t)
	o := NewOverlay(db)
	if got := o.Changes(); len(got) != 0 || o.Len() != 0 {
		t.Fatalf("Changes() = %s, Len() = %d on a new overlay, want none", changesString(got), o.Len())
	}
}

// scanPrefixes are the prefixes under which the fixture is compared between readers.
var scanPrefixes = []string{"a", "a/", "a0", "b", "c", "d", "e", "g", "\xff", "z"}

func TestOverlayWriteTo(t *testing.T) {
	tests := []struct {
		name string
		// prepare writes to the destination before WriteTo.
		prepare func(dst *Overlay)
		// extra is what the destination keeps of its own writes.
		extra []kv
	}{
		{name: "empty destination", prepare: func(*Overlay) {}},
		{
			name: "destination with its own writes",
			prepare: func(dst *Overlay) {
				dst.Set([]byte("a/3"), []byte("dst"))    // overwritten by the source
				dst.Set([]byte("a/5"), []byte("dst"))    // deleted by the source
				dst.Delete([]byte("g/1"))                // set by the source
				dst.Set([]byte("b/2"), []byte("kept"))   // untouched by the source
				dst.Set([]byte("e/1"), []byte("gone"))   // deleted by the source
				dst.Set([]byte("\xff\xfe"), []byte("k")) // untouched by the source
			},
			extra: []kv{{"b/2", "kept"}, {"\xff\xfe", "k"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, db := fixtureOverlay(t)
			dst := NewOverlay(db)
			tt.prepare(dst)
			src.WriteTo(dst)

			// The destination now reads as the source plus what it kept of its own.
			expected := NewOverlay(src)
			for _, p := range tt.extra {
				expected.Set([]byte(p.key), []byte(p.value))
			}
			for _, prefix := range scanPrefixes {
				if got, want := scanAll(dst, prefix), scanAll(expected, prefix); !equalKVs(got, want) {
					t.Errorf("Scan(%q) after WriteTo = %q, want %q", prefix, got, want)
				}
			}
			if tt.extra == nil && !reflect.DeepEqual(dst.Changes(), src.Changes()) {
				t.Errorf("Changes() after WriteTo =\n%s\nwant\n%s", changesString(dst.Changes()), changesString(src.Changes()))
			}
		})
	}
}

func TestOverlayNested(t *testing.T) {
	db, _ := openDB(t)
	mustCommit(t, db, sets(kv{"k/1", "db1"}, kv{"k/2", "db2"}, kv{"k/3", "db3"}, kv{"k/4", "db4"}), 1)
	mid := NewOverlay(db)
	mid.Set([]byte("k/2"), []byte("mid2"))
	mid.Delete([]byte("k/3"))
	mid.Set([]byte("k/5"), []byte("mid5"))
	mid.Set([]byte("k/6"), []byte("mid6"))
	top := NewOverlay(mid)
	top.Set([]byte("k/3"), []byte("top3")) // resurrects what mid deleted
	top.Delete([]byte("k/4"))              // deletes a db key
	top.Delete([]byte("k/5"))              // deletes a mid key
	top.Set([]byte("k/7"), []byte("top7"))

	tests := []struct {
		name   string
		reader Reader
		want   []kv
	}{
		{name: "db", reader: db, want: []kv{{"k/1", "db1"}, {"k/2", "db2"}, {"k/3", "db3"}, {"k/4", "db4"}}},
		{name: "mid", reader: mid, want: []kv{{"k/1", "db1"}, {"k/2", "mid2"}, {"k/4", "db4"}, {"k/5", "mid5"}, {"k/6", "mid6"}}},
		{name: "top", reader: top, want: []kv{{"k/1", "db1"}, {"k/2", "mid2"}, {"k/3", "top3"}, {"k/6", "mid6"}, {"k/7", "top7"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scanAll(tt.reader, "k/"); !equalKVs(got, tt.want) {
				t.Fatalf("Scan = %q, want %q", got, tt.want)
			}
			wantGet := make(map[string]string)
			for _, p := range tt.want {
				wantGet[p.key] = p.value
			}
			for i := 0; i <= 8; i++ {
				key := fmt.Sprintf("k/%d", i)
				v, ok := tt.reader.Get([]byte(key))
				want, wantOK := wantGet[key]
				if ok != wantOK || string(v) != want {
					t.Errorf("Get(%q) = %q, %v, want %q, %v", key, v, ok, want, wantOK)
				}
			}
		})
	}

	t.Run("flushed and committed", func(t *testing.T) {
		top.WriteTo(mid)
		mustCommit(t, db, mid.Changes(), 2)
		if got, want := scanAll(db, "k/"), tests[2].want; !equalKVs(got, want) {
			t.Fatalf("db Scan after flush and commit = %q, want %q", got, want)
		}
	})
}

// TestOverlayModel drives a stack of overlays over a database with random writes,
// flushes and commits, and checks every read against a map.
func TestOverlayModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "/", "\xff"}
	randKey := func(lenMax int) string {
		var b strings.Builder
		for n := 1 + rng.IntN(lenMax); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}

	db, _ := openDB(t)
	model := make(map[string]string) // what top must read
	mid := NewOverlay(db)
	top := NewOverlay(mid)
	height := int64(0)
	var counts [7]int

	for op := range 1000 {
		kind := rng.IntN(100)
		switch {
		case kind < 35:
			key, value := randKey(3), fmt.Sprintf("v%d", op)
			top.Set([]byte(key), []byte(value))
			model[key] = value
			counts[0]++
		case kind < 55:
			key := randKey(3)
			top.Delete([]byte(key))
			delete(model, key)
			counts[1]++
		case kind < 70:
			key := randKey(3)
			v, ok := top.Get([]byte(key))
			want, wantOK := model[key]
			if ok != wantOK || string(v) != want {
				t.Fatalf("op %d: Get(%q) = %q, %v, want %q, %v", op, key, v, ok, want, wantOK)
			}
			counts[2]++
		case kind < 85:
			prefix := randKey(2)
			if got, want := scanAll(top, prefix), modelScan(model, prefix); !equalKVs(got, want) {
				t.Fatalf("op %d: Scan(%q) =\n%q\nwant\n%q", op, prefix, got, want)
			}
			start := randKey(3)
			if got, want := scanFromAll(top, prefix, start), modelScanFrom(model, prefix, start); !equalKVs(got, want) {
				t.Fatalf("op %d: ScanFrom(%q, %q) =\n%q\nwant\n%q", op, prefix, start, got, want)
			}
			counts[3]++
		case kind < 90:
			prefix, stopAfter := randKey(2), 1+rng.IntN(4)
			want := modelScan(model, prefix)
			want = want[:min(stopAfter, len(want))]
			var got []kv
			top.Scan([]byte(prefix), func(key, value []byte) bool {
				got = append(got, kv{string(key), string(value)})
				return len(got) < stopAfter
			})
			if !equalKVs(got, want) {
				t.Fatalf("op %d: Scan(%q) stopping after %d = %q, want %q", op, prefix, stopAfter, got, want)
			}
			counts[4]++
		case kind < 96:
			top.WriteTo(mid)
			top = NewOverlay(mid)
			counts[5]++
		default:
			top.WriteTo(mid)
			height++
			mustCommit(t, db, mid.Changes(), height)
			mid = NewOverlay(db)
			top = NewOverlay(mid)
			counts[6]++
		}
	}
	for i, n := range counts {
		if n == 0 {
			t.Fatalf("operation kind %d never ran: the sequence does not cover the overlay", i)
		}
	}
	// Everything, committed.
	top.WriteTo(mid)
	mustCommit(t, db, mid.Changes(), height+1)
	view := db.View()
	defer view.Close()
	for _, prefix := range append(alphabet, "") {
		if got, want := scanAll(db, prefix), modelScan(model, prefix); !equalKVs(got, want) {
			t.Fatalf("db Scan(%q) at the end =\n%q\nwant\n%q", prefix, got, want)
		}
		for _, start := range []string{"", "\x00", "a", "ab", "b/", "\xff", "\xff\xff\xff\xff"} {
			want := modelScanFrom(model, prefix, start)
			for name, r := range map[string]Reader{"db": db, "view": view} {
				if got := scanFromAll(r, prefix, start); !equalKVs(got, want) {
					t.Fatalf("%s ScanFrom(%q, %q) at the end =\n%q\nwant\n%q", name, prefix, start, got, want)
				}
			}
		}
	}
}

// scanFromAll collects what r.ScanFrom(prefix, start) yields.
func scanFromAll(r Reader, prefix, start string) []kv {
	var got []kv
	r.ScanFrom([]byte(prefix), []byte(start), func(key, value []byte) bool {
		got = append(got, kv{string(key), string(value)})
		return true
	})
	return got
}

// modelScanFrom is the reference for ScanFrom.
func modelScanFrom(model map[string]string, prefix, start string) []kv {
	var out []kv
	for _, e := range modelScan(model, prefix) {
		if e.key >= start {
			out = append(out, e)
		}
	}
	return out
}

// modelScan is the reference for Scan: the model's keys with prefix, sorted.
func modelScan(model map[string]string, prefix string) []kv {
	var out []kv
	for _, k := range slices.Sorted(maps.Keys(model)) {
		if strings.HasPrefix(k, prefix) {
			out = append(out, kv{k, model[k]})
		}
	}
	return out
}
