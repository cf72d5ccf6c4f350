package store

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/merkle"
)

// kv is one key and value as a test expects to read it.
type kv struct {
	key, value string
}

// openDB opens a fresh database in a temporary directory, closed when the test ends.
func openDB(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, dir
}

// sets is the changes that write each pair.
func sets(pairs ...kv) []Change {
	changes := make([]Change, len(pairs))
	for i, p := range pairs {
		changes[i] = Change{Key: []byte(p.key), Value: []byte(p.value)}
	}
	return changes
}

// mustCommit commits changes as the block at height, chained onto the committed app
// hash, and returns the block.
func mustCommit(t *testing.T, db *DB, changes []Change, height int64) *Block {
	t.Helper()
	b := db.Prepare(height, db.Meta().AppHash, changes)
	if err := db.Commit(b); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return b
}

// scanAll collects what r.Scan(prefix) yields.
func scanAll(r Reader, prefix string) []kv {
	var got []kv
	r.Scan([]byte(prefix), func(key, value []byte) bool {
		got = append(got, kv{string(key), string(value)})
		return true
	})
	return got
}

// equalKVs compares two scans, treating nil and empty alike.
func equalKVs(a, b []kv) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// changesString is a readable form of changes for failure messages.
func changesString(changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		if c.Deleted {
			fmt.Fprintf(&b, "[%q deleted]", c.Key)
		} else {
			fmt.Fprintf(&b, "[%q=%q]", c.Key, c.Value)
		}
	}
	return b.String()
}

// treeRoot is the root of the state tree of entries, every key in it.
func treeRoot(entries []kv) merkle.Hash {
	var changes []merkle.Change
	for _, e := range entries {
		changes = append(changes, merkle.Change{Key: []byte(e.key), Value: []byte(e.value)})
	}
	return merkle.Build(changes).Root
}
