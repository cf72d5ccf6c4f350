package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/txn"
)

// creditFor is a camt.054 of one booked credit that pays order o in full, under a
// UETR that n makes its own.
func creditFor(t *testing.T, o txn.Order, n int) []byte {
	t.Helper()
	b, err := camt.WriteNotification(fmt.Sprintf("MSG-DROP-%d", n), "2026-11-28T10:00:00Z", camt.Notification{
		ID: fmt.Sprintf("N%d", n), Account: camt.Account{IBAN: nodetest.OperatorIBAN}, Currency: "EUR",
		Entries: []camt.Entry{{
			AmountMinor: o.AmountMinor, Currency: "EUR", CreditDebit: camt.Credit, Status: camt.Booked,
			BookingDate: "2026-11-28", UETR: fmt.Sprintf("%08x-0000-4000-8000-000000000000", n),
			CreditorReference: o.PaymentReference, DebtorIBAN: "GB82WEST12345698765432",
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// buyOrders has n buyers each buy chips for 10 EUR.
func (w *world) buyOrders(n int) []txn.Order {
	w.t.Helper()
	var orders []txn.Order
	for i := range n {
		orders = append(orders, w.ch.Buy(w.t, nodetest.Key(byte(1+i)), fmt.Sprintf("buyer-%d", i), 1_000))
	}
	return orders
}

// dropFolder is a gateway's drop folder whose polls a test drives.
type dropFolder struct {
	t *testing.T
	*folder
}

func (w *world) dropFolder() dropFolder {
	w.t.Helper()
	f, err := w.gw.newFolder(w.t.TempDir())
	if err != nil {
		w.t.Fatal(err)
	}
	return dropFolder{w.t, f}
}

func (d dropFolder) deliver(name string, b []byte) {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.inbox, name), b, 0o600); err != nil {
		d.t.Fatal(err)
	}
}

func (d dropFolder) pollOnce() {
	d.t.Helper()
	if err := d.poll(nodetest.Context(d.t)); err != nil {
		d.t.Fatalf("poll: %v", err)
	}
}

// files is what a folder holds, by name, a symbolic link as "-> target"; notes are left
// out unless withNotes.
func (d dropFolder) files(dir string, withNotes bool) map[string]string {
	d.t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		d.t.Fatal(err)
	}
	out := make(map[string]string)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				d.t.Fatal(err)
			}
			out[e.Name()] = "-> " + target
		case withNotes || !strings.HasSuffix(e.Name(), ".error.txt"):
			b, err := os.ReadFile(p)
			if err != nil {
				d.t.Fatal(err)
			}
			out[e.Name()] = string(b)
		}
	}
	return out
}

// expectFiles checks that dir holds exactly the files of want, each as delivered.
func (d dropFolder) expectFiles(dir string, want map[string][]byte) {
	d.t.Helper()
	got := d.files(dir, false)
	for name, b := range want {
		switch g, ok := got[name]; {
		case !ok:
			d.t.Errorf("%s: no %s", filepath.Base(dir), name)
		case g != string(b):
			d.t.Errorf("%s/%s is not the file delivered (%d bytes, want %d)", filepath.Base(dir), name, len(g), len(b))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			d.t.Errorf("%s: unexpected %s", filepath.Base(dir), name)
		}
	}
}

// A mixed delivery, twice: each file ends in exactly one of processed/ and failed/ (the
// one still being uploaded only once it is renamed), none replaces another of the same
// name, each failed one has its note and is listed by the admin API, and each credit of
// a file handled is confirmed once.
func TestDropFolderLosesNothing(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.buyOrders(8)
	d := w.dropFolder()
	good := creditFor(t, o[0], 0)
	malformed := []byte("<Document><not camt")
	truncated := creditFor(t, o[1], 1)
	truncated = truncated[:len(truncated)/2]
	upper := creditFor(t, o[2], 2)
	twoDocs := zipOf(t, zipEntry{name: "a.xml", body: creditFor(t, o[3], 3)}, zipEntry{name: "b.XML", body: creditFor(t, o[4], 4)})
	gzipped := gzipOf(t, creditFor(t, o[5], 5))
	climbs := zipOf(t, zipEntry{name: "ok.xml", body: creditFor(t, o[6], 6)}, zipEntry{name: "../evil.xml", body: good})
	huge := gzipOf(t, bytes.Repeat([]byte(" "), int(deliveryLimits.document)+1))
	late := creditFor(t, o[7], 7)

	first := map[string][]byte{
		"01-good.xml": good, "02-malformed.xml": malformed, "03-truncated.xml": truncated, "04-upper.XML": upper,
		"05-two.zip": twoDocs, "06-one.xml.gz": gzipped, "07-climbs.zip": climbs, "08-huge.gz": huge,
		"09-late.xml.part": late,
	}
	for name, b := range first {
		d.deliver(name, b)
	}
	d.pollOnce()
	if got := d.files(d.inbox, false); len(got) != len(first) {
		t.Fatalf("the first poll took files it had not seen hold still: inbox %v", slices.Sorted(maps.Keys(got)))
	}
	d.pollOnce()
	if got := d.files(d.inbox, false); len(got) != 1 || got["09-late.xml.part"] != string(late) {
		t.Fatalf("inbox after the second poll: %v, want only the .part file", slices.Sorted(maps.Keys(got)))
	}

	// The upload finishes; the same names are delivered again, with other content: a
	// second payment of order 0, and another file that does not parse.
	if err := os.Rename(filepath.Join(d.inbox, "09-late.xml.part"), filepath.Join(d.inbox, "09-late.xml")); err != nil {
		t.Fatal(err)
	}
	goodAgain := creditFor(t, o[0], 100)
	malformedAgain := []byte("not even XML")
	d.deliver("01-good.xml", goodAgain)
	d.deliver("02-malformed.xml", malformedAgain)
	d.pollOnce()
	d.pollOnce()

	if got := d.files(d.inbox, true); len(got) != 0 {
		t.Errorf("left in the inbox: %v", slices.Sorted(maps.Keys(got)))
	}
	d.expectFiles(d.processed, map[string][]byte{
		"01-good.xml": good, "04-upper.XML": upper, "05-two.zip": twoDocs, "06-one.xml.gz": gzipped,
		"09-late.xml": late, "01-good.2.xml": goodAgain,
	})
	failed := map[string][]byte{
		"02-malformed.xml": malformed, "03-truncated.xml": truncated, "07-climbs.zip": climbs, "08-huge.gz": huge,
		"02-malformed.2.xml": malformedAgain,
	}
	d.expectFiles(d.failed, failed)
	notes := d.files(d.failed, true)
	for name := range failed {
		if note := notes[noteName(name)]; strings.TrimSpace(note) == "" {
			t.Errorf("failed/%s has no note of why", name)
		}
	}
	for _, c := range []struct{ note, says string }{
		{"02-malformed.error.txt", "camt"}, {"07-climbs.error.txt", `entry "../evil.xml"`},
		{"08-huge.error.txt", "more than 33554432 bytes"},
	} {
		if !strings.Contains(notes[c.note], c.says) {
			t.Errorf("failed/%s says %q, want it to say %q", c.note, notes[c.note], c.says)
		}
	}

	srv := httptest.NewServer(w.gw.Handler())
	t.Cleanup(srv.Close)
	listed, err := NewAdminClient(srv.URL).Failed(nodetest.Context(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range listed {
		names = append(names, f.Name)
		if kept, err := os.ReadFile(f.Path); err != nil || !bytes.Equal(kept, failed[filepath.Base(f.Path)]) {
			t.Errorf("listed %s is not kept at %s: %v", f.Name, f.Path, err)
		}
		if f.Reason == "" || f.FailedAt.IsZero() || notes[filepath.Base(f.Note)] != f.Reason+"\n" {
			t.Errorf("listed without its reason, time or note: %+v", f)
		}
	}
	slices.Sort(names)
	if want := []string{"02-malformed.xml", "02-malformed.xml", "03-truncated.xml", "07-climbs.zip", "08-huge.gz"}; !slices.Equal(names, want) {
		t.Errorf("failed files listed: %v, want %v", names, want)
	}

	if exc, err := w.journal.Records(StatusException); err != nil || len(exc) != 1 || exc[0].OrderID != o[0].ID {
		t.Errorf("exceptions: %+v %v, want the second payment of order 0", exc, err)
	}
	for i, paid := range []bool{true, false, true, true, true, true, false, true} {
		want := 0
		if paid {
			want = 1
		}
		if n := w.ch.CountEvents(t, o[i].ID, txn.StatusPaid); n != want {
			t.Errorf("order %d: %d confirmations, want %d", i, n, want)
		}
	}
}

// A file the bank writes in pieces, with polls in between, is read once, whole, after
// it held still over two polls; its credit is confirmed once.
func TestDropFolderReadsAFileWrittenInPiecesOnce(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.buyOrders(1)[0]
	d := w.dropFolder()
	doc := creditFor(t, o, 1)
	path := filepath.Join(d.inbox, "slow.xml")
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	third := len(doc) / 3
	for i, piece := range [][]byte{doc[:third], doc[third : 2*third], doc[2*third:]} {
		if _, err := file.Write(piece); err != nil {
			t.Fatal(err)
		}
		d.pollOnce()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("after piece %d, the file left the inbox: %v", i+1, err)
		}
		if recs, _ := w.journal.Records(); len(recs) != 0 {
			t.Fatalf("after piece %d, the journal has %d entries", i+1, len(recs))
		}
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}
	d.pollOnce()
	d.expectFiles(d.processed, map[string][]byte{"slow.xml": doc})
	d.expectFiles(d.failed, nil)
	d.pollOnce()
	if n := w.ch.CountEvents(t, o.ID, txn.StatusPaid); n != 1 {
		t.Fatalf("%d confirmations, want 1", n)
	}
	if recs, err := w.journal.Records(StatusConfirmed); err != nil || len(recs) != 1 || recs[0].Source != "file:slow.xml" {
		t.Fatalf("journal: %+v %v", recs, err)
	}
}

// A file the bank is still writing when the gateway reads it is left for a later poll,
// not set aside half read.
func TestDropFolderFileWrittenWhileRead(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.buyOrders(1)[0]
	d := w.dropFolder()
	doc := creditFor(t, o, 1)
	half := len(doc) / 2
	d.deliver("busy.xml", doc[:half])
	appended := false
	d.open = func(name string) (*os.File, error) {
		f, err := os.Open(name)
		if err == nil && !appended {
			appended = true
			err = os.WriteFile(name, doc, 0o600)
		}
		return f, err
	}
	d.pollOnce()
	d.pollOnce() // reads half, and the rest arrives meanwhile
	if !appended {
		t.Fatal("the file was not read at the second poll")
	}
	d.expectFiles(d.failed, nil)
	d.expectFiles(d.inbox, map[string][]byte{"busy.xml": doc})
	d.pollOnce()
	d.pollOnce()
	d.expectFiles(d.processed, map[string][]byte{"busy.xml": doc})
	if n := w.ch.CountEvents(t, o.ID, txn.StatusPaid); n != 1 {
		t.Fatalf("%d confirmations, want 1", n)
	}
}

// A file that cannot be read, one that vanishes before it is read, and a link do not
// hold back the file after them.
func TestDropFolderUnreadableFilesDoNotHoldBackOthers(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.buyOrders(1)[0]
	d := w.dropFolder()
	doc := creditFor(t, o, 1)
	d.deliver("a-denied.xml", doc)
	d.deliver("b-gone.xml", doc)
	elsewhere := filepath.Join(t.TempDir(), "elsewhere.xml")
	if err := os.WriteFile(elsewhere, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(d.inbox, "c-link.xml")); err != nil {
		t.Fatal(err)
	}
	d.deliver("d-good.xml", doc)
	d.open = func(name string) (*os.File, error) {
		switch filepath.Base(name) {
		case "a-denied.xml":
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
		case "b-gone.xml":
			if err := os.Remove(name); err != nil {
				return nil, err
			}
		}
		return os.Open(name)
	}
	d.pollOnce()
	d.pollOnce()
	d.expectFiles(d.processed, map[string][]byte{"d-good.xml": doc})
	failed := d.files(d.failed, true)
	want := map[string]string{
		"a-denied.xml": string(doc), "a-denied.error.txt": "permission denied",
		"b-gone.error.txt": "vanished",
		"c-link.xml":       "-> " + elsewhere, "c-link.error.txt": "symbolic link",
	}
	for name, says := range want {
		if !strings.Contains(failed[name], says) {
			t.Errorf("failed/%s is %q, want it to hold %q", name, failed[name], says)
		}
	}
	if len(failed) != len(want) {
		t.Errorf("failed/ holds %v", slices.Sorted(maps.Keys(failed)))
	}
	listed, err := w.journal.Failed()
	if err != nil || len(listed) != 3 {
		t.Fatalf("failed files in the journal: %+v %v", listed, err)
	}
	for _, f := range listed {
		if (f.Name == "b-gone.xml") != (f.Path == "") {
			t.Errorf("only the file that vanished is kept nowhere: %+v", f)
		}
	}
	if n := w.ch.CountEvents(t, o.ID, txn.StatusPaid); n != 1 {
		t.Fatalf("%d confirmations, want 1", n)
	}
}

// While the node does not answer, a file waits in the inbox, and is handled once it
// answers again.
func TestDropFolderWaitsForTheNode(t *testing.T) {
	w := newWorld(t, ModeNotice)
	o := w.buyOrders(1)[0]
	d := w.dropFolder()
	doc := creditFor(t, o, 1)
	d.deliver("a.xml", doc)
	w.open(ModeNotice, func(Record) error { return errCrash })
	d.g = w.gw
	d.pollOnce()
	if err := d.poll(nodetest.Context(t)); !errors.Is(err, errCrash) {
		t.Fatalf("poll: %v, want the node's error", err)
	}
	d.expectFiles(d.inbox, map[string][]byte{"a.xml": doc})
	w.open(ModeNotice, nil)
	d.g = w.gw
	if _, err := w.gw.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.pollOnce()
	d.expectFiles(d.processed, map[string][]byte{"a.xml": doc})
	if n := w.ch.CountEvents(t, o.ID, txn.StatusPaid); n != 1 {
		t.Fatalf("%d confirmations, want 1", n)
	}
}

// A feed document that does not parse is kept under a name of its own and listed.
func TestFeedDocumentThatDoesNotParseIsListed(t *testing.T) {
	w := newWorld(t, ModeNotice)
	failedDir := t.TempDir()
	src := brokenFeed("<Document><not camt")
	for range 2 { // read twice, as after a crash before the cursor moved
		if err := w.journal.SetCursor("bank:"+nodetest.OperatorIBAN, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := w.gw.feedOnce(nodetest.Context(t), src, "bank:"+nodetest.OperatorIBAN, failedDir); err != nil {
			t.Fatal(err)
		}
	}
	listed, err := w.journal.Failed()
	if err != nil || len(listed) != 2 {
		t.Fatalf("failed files: %+v %v", listed, err)
	}
	if listed[0].Path == listed[1].Path || listed[0].Name != "feed-0-1.xml" || listed[1].Name != "feed-0-1.xml" {
		t.Fatalf("failed files: %+v", listed)
	}
	for _, f := range listed {
		if b, err := os.ReadFile(f.Path); err != nil || string(b) != string(src) {
			t.Errorf("%s: %q %v", f.Path, b, err)
		}
	}
}

// brokenFeed is a bank feed whose one document is the same bytes.
type brokenFeed []byte

func (b brokenFeed) Notifications(context.Context, string, uint64) ([]byte, uint64, error) {
	return b, 1, nil
}
