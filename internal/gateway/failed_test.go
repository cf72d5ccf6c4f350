package gateway

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble"
)

// A file set aside is stored with the journal's version, apart from the bank entries,
// and read back whole.
func TestJournalKeepsFailedFilesApartFromEntries(t *testing.T) {
	j := openTestJournal(t)
	at := time.Date(2026, 11, 28, 10, 15, 0, 0, time.UTC)
	later := FailedFile{Name: "b.xml", Path: "/in/failed/b.xml", Note: "/in/failed/b.error.txt", Reason: "camt: malformed xml", FailedAt: at.Add(time.Second)}
	vanished := FailedFile{Name: "a.xml", Note: "/in/failed/a.error.txt", Reason: "vanished", FailedAt: at}
	if err := j.PutFailed(later); err != nil {
		t.Fatal(err)
	}
	if err := j.PutFailed(vanished); err != nil {
		t.Fatal(err)
	}
	if err := j.Put(sampleRecord()); err != nil {
		t.Fatal(err)
	}
	raw, closer, err := j.db.Get([]byte(prefixFailed + later.Note))
	if err != nil {
		t.Fatal(err)
	}
	stored := string(raw)
	closer.Close()
	if !strings.HasPrefix(stored, `{"v":4,`) {
		t.Fatalf("stored failed file does not lead with its version: %s", stored)
	}
	got, err := j.Failed()
	if err != nil || !reflect.DeepEqual(got, []FailedFile{vanished, later}) {
		t.Fatalf("failed files %+v %v, want the two, oldest first", got, err)
	}
	if recs, err := j.Records(); err != nil || len(recs) != 1 {
		t.Fatalf("entries %+v %v, want the one entry", recs, err)
	}
	if err := j.db.Set([]byte(prefixFailed+"/x"), []byte(`{"v":5,"name":"x"}`), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Failed(); err == nil || !strings.Contains(err.Error(), "version 5") {
		t.Fatalf("a failed file of version 5 read with: %v", err)
	}
}

// Every field of a failed file is kept by the journal.
func TestJournalKeepsEveryFailedFileField(t *testing.T) {
	if got, want := reflect.TypeFor[storedFailed]().NumField(), reflect.TypeFor[FailedFile]().NumField()+1; got != want {
		t.Fatalf("the stored failed file has %d fields, want %d", got, want)
	}
}

// A name taken in a folder, by a file or by its note, gets the next free number.
func TestFreeNameNeverReusesAName(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.xml", "a.2.error.txt", "b.xml.gz"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{"a.xml": "a.3.xml", "b.xml.gz": "b.xml.2.gz", "c.zip": "c.zip"} {
		if got, err := freeName(dir, name); err != nil || got != want {
			t.Errorf("free name for %s: %q %v, want %q", name, got, err, want)
		}
	}
}
