package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/chipmint/chipmint/internal/merkle"
)

// A restore is invisible until Finish, which replaces the whole state and the meta in
// one step: keys the restored state lacks are gone, the read cache forgets what it knew,
// and the result survives a reopen and a compaction.
func TestRestoreReplacesTheWholeStateAtOnce(t *testing.T) {
	// The state replaced may still be in pebble's memtable, or already in its tables.
	for _, flushed := range []bool{false, true} {
		t.Run(fmt.Sprintf("flushed=%v", flushed), func(t *testing.T) { testRestore(t, flushed) })
	}
}

func testRestore(t *testing.T, flushed bool) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	oldMeta := Meta{Height: 0, AppHash: mustCommit(t, db, sets(kv{"acct/1", "old"}, kv{"acct/9", "stale"}, kv{"zzz", "stale"}), 0).AppHash()}
	if flushed {
		if err := db.pdb.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	// Cached, present and absent, before the restore.
	if v, ok := db.Get([]byte("acct/1")); !ok || string(v) != "old" {
		t.Fatalf("acct/1 = %q %v", v, ok)
	}
	if _, ok := db.Get([]byte("acct/5")); ok {
		t.Fatal("acct/5 present before the restore")
	}

	meta := Meta{Height: 30, AppHash: []byte("hash-30")}
	want := []kv{{"acct/1", "new"}, {"acct/5", "five"}, {"ord/1", "o"}}
	r, err := db.BeginRestore(meta, merkle.Commitment{Chained: bytes.Repeat([]byte{1}, 32), Digest: bytes.Repeat([]byte{2}, 32), Root: treeRoot(want)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range want {
		if err := r.Add([]byte(e.key), []byte(e.value)); err != nil {
			t.Fatal(err)
		}
	}
	before := []kv{{"acct/1", "old"}, {"acct/9", "stale"}, {"zzz", "stale"}}
	if got := scanAll(db, ""); !equalKVs(got, before) || !reflect.DeepEqual(db.Meta(), oldMeta) {
		t.Fatalf("a restore under way is visible: %q, meta %+v", got, db.Meta())
	}
	if err := r.Finish(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db.restoreDir()); !os.IsNotExist(err) {
		t.Errorf("the restore's directory is still there: %v", err)
	}

	check := func(when string) {
		t.Helper()
		if got := scanAll(db, ""); !equalKVs(got, want) {
			t.Fatalf("%s: state %q, want %q", when, got, want)
		}
		for _, e := range want {
			if v, ok := db.Get([]byte(e.key)); !ok || string(v) != e.value {
				t.Fatalf("%s: Get(%q) = %q %v, want %q", when, e.key, v, ok, e.value)
			}
		}
		if _, ok := db.Get([]byte("acct/9")); ok {
			t.Fatalf("%s: a key the restored state lacks is still there", when)
		}
		if got := db.Meta(); !reflect.DeepEqual(got, meta) {
			t.Fatalf("%s: meta %+v, want %+v", when, got, meta)
		}
		if got, want := db.Digest(), DigestOf(db); !got.Equal(want) || !got.Equal(r.Digest()) {
			t.Fatalf("%s: digest %x, the state's %x, the restore's %x", when, got.Sum(), want.Sum(), r.Digest().Sum())
		}
	}
	check("after Finish")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check("after a reopen")
	if err := db.pdb.Compact([]byte{0x00}, []byte{0xff}, true); err != nil {
		t.Fatal(err)
	}
	check("after a compaction")

	// Blocks commit on top of the restored state as on any other.
	mustCommit(t, db, sets(kv{"acct/5", "six"}), 31)
	if v, _ := db.Get([]byte("acct/5")); string(v) != "six" || db.Meta().Height != 31 {
		t.Fatalf("commit after a restore: acct/5 = %q, height %d", v, db.Meta().Height)
	}
	if !db.Digest().Equal(DigestOf(db)) {
		t.Fatal("commit after a restore: the digest is not the state's")
	}
}

// A restore cut short, dropped or by a crash, leaves the state as it was and no file.
func TestUnfinishedRestoreLeavesNothing(t *testing.T) {
	stopped := map[string]func(t *testing.T, db *DB, r *Restore, dir string) *DB{
		"aborted": func(t *testing.T, db *DB, r *Restore, _ string) *DB {
			if err := r.Abort(); err != nil {
				t.Fatal(err)
			}
			return db
		},
		"the process stopped": func(t *testing.T, db *DB, _ *Restore, dir string) *DB {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
	}
	for name, stop := range stopped {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			meta := Meta{Height: 0, AppHash: mustCommit(t, db, sets(kv{"iss/1", "issuer"}), 0).AppHash()}
			r, err := db.BeginRestore(Meta{Height: 30, AppHash: []byte("forged")}, merkle.Commitment{})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Add([]byte("acct/1"), []byte("a million")); err != nil {
				t.Fatal(err)
			}
			db = stop(t, db, r, dir)
			defer db.Close()
			if got, want := scanAll(db, ""), []kv{{"iss/1", "issuer"}}; !equalKVs(got, want) || !reflect.DeepEqual(db.Meta(), meta) {
				t.Fatalf("state %q, meta %+v after an unfinished restore", got, db.Meta())
			}
			if _, err := os.Stat(db.restoreDir()); !os.IsNotExist(err) {
				t.Fatalf("the unfinished restore's directory is still there: %v", err)
			}
		})
	}
}

func TestRestoreRefusesEntriesOutOfOrder(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{"the meta record", []string{"\x00meta"}},
		{"an empty key", []string{""}},
		{"a key twice", []string{"acct/1", "acct/1"}},
		{"a key before the previous one", []string{"acct/2", "acct/1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openDB(t)
			r, err := db.BeginRestore(Meta{Height: 10}, merkle.Commitment{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Abort()
			var last error
			for _, k := range tc.keys {
				last = r.Add([]byte(k), []byte("v"))
			}
			if !errors.Is(last, ErrRestoreOrder) {
				t.Fatalf("Add: %v, want ErrRestoreOrder", last)
			}
		})
	}
}
