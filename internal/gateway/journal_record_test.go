package gateway

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble"

	"github.com/chipmint/chipmint/internal/camt"
)

// sampleRecord is the record in testdata/journal-record-v0.json, as a gateway wrote it
// before the journal's records carried a version.
func sampleRecord() Record {
	at := time.Date(2026, 11, 28, 10, 15, 0, 0, time.UTC)
	return Record{
		BankReference: "8A562C67-CA16-48BA-B074-65581BE6F011", Source: "inbox/camt054-2026-11-28.xml", Status: StatusException,
		Reason: "no open order has reference RF18539007547034", Attempts: 1, ReceivedAt: at, UpdatedAt: at.Add(time.Second),
		Entry: camt.Entry{
			AmountMinor: 4200, Currency: "EUR", CreditDebit: camt.Credit, Status: camt.Booked, BookingDate: "2026-11-28",
			ValueDate: "2026-11-28", EntryRef: "NTRY-1", AcctSvcrRef: "ASR-1", EndToEndID: "E2E-1",
			UETR: "8A562C67-CA16-48BA-B074-65581BE6F011", DebtorName: "Alice", DebtorIBAN: "DE89370400440532013000",
			CreditorName: "Acme Payments GmbH", CreditorIBAN: "DE02120300000000202051",
			CreditorReference: "RF18539007547034", Unstructured: []string{"invoice 1234"},
		},
	}
}

func openTestJournal(t *testing.T) *Journal {
	t.Helper()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "journal"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// A journal written before records carried a version still opens, every field intact.
func TestJournalReadsRecordsWrittenBeforeVersions(t *testing.T) {
	old, err := os.ReadFile("testdata/journal-record-v0.json")
	if err != nil {
		t.Fatal(err)
	}
	j := openTestJournal(t)
	want := sampleRecord()
	// Version 0 kept no kind and one reference: the journal gives the entry those of
	// the reader of that time.
	want.Entry.Kind, want.Entry.References = camt.KindCredit, []string{want.Entry.CreditorReference}
	if err := j.db.Set([]byte(prefixRecord+want.BankReference), old, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	got, ok, err := j.Get(want.BankReference)
	if err != nil || !ok {
		t.Fatalf("get: %v, found %v", err, ok)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
	}
	recs, err := j.Records(StatusException)
	if err != nil || len(recs) != 1 || !reflect.DeepEqual(recs[0], want) {
		t.Fatalf("records: %v %+v", err, recs)
	}
}

func TestJournalRecordRoundTripsWithItsVersion(t *testing.T) {
	j := openTestJournal(t)
	want := sampleRecord()
	want.Entry.ReturnReason, want.Entry.Reversal, want.TxHash, want.Height = "AC01", true, "ABCD", 42
	want.Entry.Kind, want.Entry.Problem, want.Entry.References = camt.KindReversalOfCredit, "a problem", []string{"RF18539007547034", "RF71X"}
	want.Entry.TransactionAmountMinor, want.Entry.InstructedAmountMinor, want.Entry.InstructedCurrency = 4100, 4000, "USD"
	want.Entry.ChargesMinor, want.Entry.ChargesCurrency, want.Entry.AdditionalRemittance = 100, "EUR", []string{"ref RF71X"}
	want.AutoRefund, want.PayerSalt = true, bytes.Repeat([]byte{7}, 32)
	if err := j.Put(want); err != nil {
		t.Fatal(err)
	}
	raw, closer, err := j.db.Get([]byte(prefixRecord + want.BankReference))
	if err != nil {
		t.Fatal(err)
	}
	stored := string(raw)
	closer.Close()
	if !strings.HasPrefix(stored, `{"v":4,`) {
		t.Fatalf("stored record does not lead with its version: %s", stored)
	}
	got, _, err := j.Get(want.BankReference)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %+v (%v), want %+v", got, err, want)
	}
}

// Every field of a bank entry is kept by the journal: a field added to camt.Entry
// without a place in the stored record fails here.
func TestJournalKeepsEveryEntryField(t *testing.T) {
	stored := reflect.TypeFor[storedEntryV1]().NumField() + reflect.TypeFor[storedEntry]().NumField() - 1
	if want := reflect.TypeFor[camt.Entry]().NumField(); stored != want {
		t.Fatalf("the stored entry has %d fields, camt.Entry %d", stored, want)
	}
}

func TestJournalRefusesANewerVersion(t *testing.T) {
	j := openTestJournal(t)
	if err := j.db.Set([]byte(prefixRecord+"REF"), []byte(`{"v":5,"bank_reference":"REF"}`), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if _, _, err := j.Get("REF"); err == nil || !strings.Contains(err.Error(), "version 5") {
		t.Fatalf("a record of version 5 read with: %v", err)
	}
}

// An entry without a bank reference is journaled under a digest of its content; the
// digest of a given entry never changes, or a file delivered again after an upgrade
// would be taken for new entries. The key below is the one the gateway's first version
// gave this entry.
func TestJournalKeyOfAnEntryWithoutReferenceIsStable(t *testing.T) {
	e := sampleRecord().Entry
	e.UETR, e.AcctSvcrRef, e.EntryRef = "", "", ""
	if got, want := journalKey(e), "noref-59c3784e17c3a966635c63e8"; got != want {
		t.Fatalf("journal key %s, want %s", got, want)
	}
}
