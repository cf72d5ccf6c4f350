package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/sstable"
	"github.com/cockroachdb/pebble/vfs"

	"github.com/chipmint/chipmint/internal/merkle"
)

// ErrRestoreOrder is returned by Restore.Add for an entry that is not an application key
// (empty, or starting with 0x00, the byte of the DB's own records) or that does not come
// after the previous one: a state is restored in ascending key order.
var ErrRestoreOrder = errors.New("store: a restored entry must be an application key after the previous one")

// Restore rebuilds a whole state, from a snapshot, out of sight of every reader of the
// DB. Its entries go into one table file in a directory beside the database, and Finish
// makes it the DB's state in one atomic step: every application key the DB held before
// is deleted, the restored entries and the meta record appear (a pebble ingestion), and
// the read cache is emptied. Until then nothing of it can be read, and a restore cut
// short, by Abort or by a crash, leaves only a file that Abort, the next BeginRestore or
// the next Open deletes. A DB has at most one restore under way.
//
// The entries go into one table and the DB's own records, the meta, the digest of the
// entries and the commitment, into a second one written by Finish, once the digest is
// known; both are ingested in one step. The state tree is then built from the entries.
type Restore struct {
	d          *DB
	dir        string
	meta       Meta
	commitment merkle.Commitment
	w          *sstable.Writer
	last       []byte
	// digest is the digest of the entries added so far.
	digest *Digest
}

// restoreDir is where a restore's table is written: beside the database, so that pebble
// can link it in.
func (d *DB) restoreDir() string { return d.dir + ".restore" }

// BeginRestore starts to rebuild the state that meta, the height and app hash it will
// have, and c, what the app hash is made of, describe. It drops what an earlier restore
// left.
func (d *DB) BeginRestore(meta Meta, c merkle.Commitment) (*Restore, error) {
	dir := d.restoreDir()
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	w, err := d.newTable(filepath.Join(dir, "state.sst"))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("store: restore: %w", err), os.RemoveAll(dir))
	}
	return &Restore{d: d, dir: dir, meta: meta, commitment: c, w: w, digest: NewDigest()}, nil
}

// newTable creates a table file at path for the DB to ingest.
func (d *DB) newTable(path string) (*sstable.Writer, error) {
	f, err := vfs.Default.Create(path)
	if err != nil {
		return nil, err
	}
	// Every level has the same options; the table must be in a format the DB reads.
	return sstable.NewWriter(objstorageprovider.NewFileWritable(f), d.opts.MakeWriterOptions(0, d.pdb.FormatMajorVersion().MaxTableFormat())), nil
}

// Add adds the next entry of the restored state. An entry out of order is refused with
// ErrRestoreOrder; any other error is the disk's.
func (r *Restore) Add(key, value []byte) error {
	if len(key) == 0 || key[0] == 0 || (r.last != nil && bytes.Compare(key, r.last) <= 0) {
		return fmt.Errorf("%w: %q", ErrRestoreOrder, key)
	}
	if err := r.w.Set(key, value); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	r.last = append(r.last[:0], key...)
	r.digest.Add(key, value)
	return nil
}

// Digest is the digest of the entries added so far, which Finish records as the
// state's: a caller checks it against the digest it trusts before Finish.
func (r *Restore) Digest() *Digest { return r.digest.Clone() }

// Finish makes the restored entries, their digest and meta the DB's whole state, in one
// atomic and durable step. Nothing may commit to the DB while a restore is under way.
func (r *Restore) Finish() error {
	// The state the restore replaces goes in the same step: a range deletion in the
	// same table, from the first application key to just past the last one the DB
	// holds. An ingested table's entries all get one sequence number, and a range
	// deletion removes only older entries, so it spares the table's own.
	if last, ok := r.d.lastKey(); ok {
		if err := r.w.DeleteRange([]byte{0x01}, append(last, 0)); err != nil {
			return errors.Join(fmt.Errorf("store: restore: %w", err), r.Abort())
		}
	}
	// Close writes the table out and syncs it; the ingestion links it into the
	// database, syncs the directory and records it in pebble's manifest.
	if err := r.w.Close(); err != nil {
		return errors.Join(fmt.Errorf("store: restore: %w", err), r.Abort())
	}
	// The DB's records sort before every application key, in a table of their own:
	// the two tables do not overlap, as one ingestion requires.
	records := filepath.Join(r.dir, "records.sst")
	w, err := r.d.newTable(records)
	if err != nil {
		return errors.Join(fmt.Errorf("store: restore: %w", err), r.Abort())
	}
	err = errors.Join(
		w.Set(heightKey(commitPrefix, r.meta.Height), encodeCommitment(r.commitment)),
		w.Set(digestKey, r.digest.Bytes()),
		w.Set(metaKey, encodeMeta(r.meta)),
	)
	if err = errors.Join(err, w.Close()); err != nil {
		return errors.Join(fmt.Errorf("store: restore: %w", err), r.Abort())
	}
	if err := r.d.pdb.Ingest([]string{filepath.Join(r.dir, "state.sst"), records}); err != nil {
		return errors.Join(fmt.Errorf("store: restore: %w", err), os.RemoveAll(r.dir))
	}
	r.d.cache.reset()
	r.d.mu.Lock()
	r.d.digest = *r.digest
	r.d.mu.Unlock()
	// The ingestion moved the tables away; the directory left is empty, and removed at
	// the next Open or restore if this fails.
	_ = os.Remove(r.dir)
	// The tree is built from the restored state, and must have the commitment's root. A
	// crash before it is written leaves a state with a commitment and no tree, which Open
	// builds.
	return r.d.buildTree(r.meta.Height)
}

// Abort drops the restore and its table.
func (r *Restore) Abort() error {
	// The table is deleted whole, so whether it closes cleanly does not matter.
	_ = r.w.Close()
	return os.RemoveAll(r.dir)
}

// lastKey is the DB's last application key, if it has one.
func (d *DB) lastKey() ([]byte, bool) {
	it, err := d.pdb.NewIter(&pebble.IterOptions{LowerBound: []byte{0x01}})
	if err != nil {
		panic(fmt.Sprintf("store: last key: %v", err))
	}
	defer it.Close()
	if !it.Last() {
		if err := it.Error(); err != nil {
			panic(fmt.Sprintf("store: last key: %v", err))
		}
		return nil, false
	}
	return bytes.Clone(it.Key()), true
}
