package store

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestDBMetaFresh(t *testing.T) {
	db, _ := openDB(t)
	if got := db.Meta(); !reflect.DeepEqual(got, Meta{}) {
		t.Fatalf("Meta() on a fresh database = %+v, want zero", got)
	}
	if v, ok := db.Get(metaKey); ok {
		t.Fatalf("fresh database has a meta record %q", v)
	}
}

func TestDBReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustCommit(t, db, sets(kv{"acct/1", "10"}, kv{"acct/2", "20"}, kv{"acct/3", "30"}, kv{"order/1", "o1"}), 1)
	second := []Change{
		{Key: []byte("acct/2"), Value: []byte("21")},
		{Key: []byte("acct/3"), Deleted: true},
		{Key: []byte("acct/4"), Value: []byte{}},
		{Key: []byte("nonce/\xff"), Value: []byte{0x00, 0xff}},
	}
	wantMeta := Meta{Height: 2, AppHash: mustCommit(t, db, second, 2).AppHash()}

	before := dbView(db)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, err = Open(dir, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()

	if got := dbView(db); !reflect.DeepEqual(got, before) {
		t.Fatalf("after reopen:\n%q\nbefore:\n%q", got, before)
	}
	if got := db.Meta(); !reflect.DeepEqual(got, wantMeta) {
		t.Fatalf("Meta() after reopen = %+v, want %+v", got, wantMeta)
	}

	tests := []struct {
		name      string
		key       string
		wantValue string
		wantOK    bool
	}{
		{name: "kept from first commit", key: "acct/1", wantValue: "10", wantOK: true},
		{name: "overwritten", key: "acct/2", wantValue: "21", wantOK: true},
		{name: "deleted", key: "acct/3", wantOK: false},
		{name: "empty value exists", key: "acct/4", wantValue: "", wantOK: true},
		{name: "binary key and value", key: "nonce/\xff", wantValue: "\x00\xff", wantOK: true},
		{name: "never written", key: "acct/5", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := db.Get([]byte(tt.key))
			if ok != tt.wantOK || string(v) != tt.wantValue {
				t.Fatalf("Get(%q) = %q, %v, want %q, %v", tt.key, v, ok, tt.wantValue, tt.wantOK)
			}
		})
	}
	wantScan := []kv{{"acct/1", "10"}, {"acct/2", "21"}, {"acct/4", ""}}
	if got := scanAll(db, "acct/"); !equalKVs(got, wantScan) {
		t.Fatalf("Scan(acct/) = %q, want %q", got, wantScan)
	}
}

// dbView is everything a reader sees under the printable prefixes used in these tests.
func dbView(db *DB) map[string][]kv {
	view := make(map[string][]kv)
	for _, prefix := range []string{"acct/", "order/", "nonce/", "a", "o", "n"} {
		view[prefix] = scanAll(db, prefix)
	}
	return view
}

func TestDBMetaRoundTrip(t *testing.T) {
	for _, height := range []int64{0, 1, 1<<62 + 3} {
		t.Run(fmt.Sprint(height), func(t *testing.T) {
			db, _ := openDB(t)
			b := mustCommit(t, db, nil, height)
			got := db.Meta()
			if got.Height != height || !bytes.Equal(got.AppHash, b.AppHash()) {
				t.Fatalf("Meta() = %+v, want height %d and hash %x", got, height, b.AppHash())
			}
		})
	}
}

func TestDBMetaLatestCommit(t *testing.T) {
	db, _ := openDB(t)
	var want []byte
	for h := int64(1); h <= 3; h++ {
		want = mustCommit(t, db, sets(kv{fmt.Sprintf("k/%d", h), "v"}), h).AppHash()
	}
	if got := db.Meta(); got.Height != 3 || !bytes.Equal(got.AppHash, want) {
		t.Fatalf("Meta() = %+v, want height 3 and hash %x", got, want)
	}
}

func TestDBMetaKeyHidden(t *testing.T) {
	db, _ := openDB(t)
	var pairs []kv
	for c := byte(0x20); c <= 0x7e; c++ {
		pairs = append(pairs, kv{string([]byte{c, 'k'}), "v"})
	}
	mustCommit(t, db, sets(pairs...), 9)
	over := NewOverlay(db)
	over.Set([]byte("mx"), []byte("v"))
	for c := byte(0x20); c <= 0x7e; c++ {
		prefix := string([]byte{c})
		t.Run(fmt.Sprintf("%q", prefix), func(t *testing.T) {
			for _, r := range []Reader{db, over} {
				got := scanAll(r, prefix)
				if len(got) == 0 {
					t.Fatalf("%T Scan(%q) is empty, want the key written under it", r, prefix)
				}
				for _, p := range got {
					if p.key[0] == 0x00 || bytes.Equal([]byte(p.key), metaKey) {
						t.Fatalf("%T Scan(%q) yielded the meta key %q", r, prefix, p.key)
					}
				}
			}
		})
	}
}

func TestDBGetReturnsCopy(t *testing.T) {
	db, _ := openDB(t)
	mustCommit(t, db, sets(kv{"k", "value"}), 1)
	v, _ := db.Get([]byte("k"))
	copy(v, "XXXXX")
	if again, ok := db.Get([]byte("k")); !ok || string(again) != "value" {
		t.Fatalf("Get after changing a returned value = %q, %v, want %q", again, ok, "value")
	}
}

func TestDBScan(t *testing.T) {
	db, _ := openDB(t)
	mustCommit(t, db, sets(parentPairs...), 1)
	tests := []struct {
		name      string
		prefix    string
		stopAfter int // 0: never stop
		want      []kv
	}{
		{name: "prefix", prefix: "a/", want: []kv{{"a/1", "p1"}, {"a/3", "p3"}, {"a/5", "p5"}, {"a/7", "p7"}, {"a/\xff", "pff"}}},
		{name: "boundary", prefix: "a0", want: []kv{{"a0", "x"}}},
		{name: "prefix ending in 0xff", prefix: "a/\xff", want: []kv{{"a/\xff", "pff"}}},
		{name: "prefix 0xff", prefix: "\xff", want: []kv{{"\xff\x01", "f1"}}},
		{name: "nothing", prefix: "c", want: nil},
		{name: "stop after 1", prefix: "a/", stopAfter: 1, want: []kv{{"a/1", "p1"}}},
		{name: "stop after 3", prefix: "a/", stopAfter: 3, want: []kv{{"a/1", "p1"}, {"a/3", "p3"}, {"a/5", "p5"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []kv
			db.Scan([]byte(tt.prefix), func(key, value []byte) bool {
				got = append(got, kv{string(key), string(value)})
				return tt.stopAfter == 0 || len(got) < tt.stopAfter
			})
			if !equalKVs(got, tt.want) {
				t.Fatalf("Scan(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
		want   []byte
	}{
		{name: "one letter", prefix: "a", want: []byte("b")},
		{name: "two letters", prefix: "ab", want: []byte("ac")},
		{name: "trailing 0xff", prefix: "a\xff", want: []byte("b")},
		{name: "two trailing 0xff", prefix: "a\xff\xff", want: []byte("b")},
		{name: "0xff inside", prefix: "\xffa", want: []byte("\xffb")},
		{name: "0xfe", prefix: "\xfe", want: []byte("\xff")},
		{name: "zero byte", prefix: "\x00", want: []byte("\x01")},
		{name: "all 0xff", prefix: "\xff\xff", want: nil},
		{name: "empty", prefix: "", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.prefix)
			got := prefixEnd(in)
			if !bytes.Equal(got, tt.want) || (tt.want == nil) != (got == nil) {
				t.Fatalf("prefixEnd(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
			if string(in) != tt.prefix {
				t.Fatalf("prefixEnd changed its argument to %q", in)
			}
		})
	}
}

// A view keeps reading the state as it was when opened, whatever commits afterwards.
func TestViewIsConsistentAcrossCommits(t *testing.T) {
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustCommit(t, db, []Change{{Key: []byte("a"), Value: []byte("1")}, {Key: []byte("b"), Value: []byte("1")}}, 1)
	v := db.View()
	defer v.Close()
	mustCommit(t, db, []Change{{Key: []byte("a"), Value: []byte("2")}, {Key: []byte("b"), Deleted: true}}, 2)
	var seen []string
	v.Scan(nil, func(k, val []byte) bool { seen = append(seen, string(k)+"="+string(val)); return true })
	if got := strings.Join(seen, ","); got != "a=1,b=1" || v.Meta().Height != 1 {
		t.Fatalf("view saw %q at height %d, want a=1,b=1 at 1", got, v.Meta().Height)
	}
	if got, _ := db.Get([]byte("a")); string(got) != "2" {
		t.Fatalf("the database itself has a=%s", got)
	}
}
