package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/gateway"
)

// With no gateway running, `operator exceptions` reads the journal and lists the
// credits to refund and the bank files set aside, in text and in JSON.
func TestOperatorExceptionsListsFailedFiles(t *testing.T) {
	data := t.TempDir()
	j, err := gateway.OpenJournal(filepath.Join(data, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	exc := gateway.Record{
		BankReference: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", Status: gateway.StatusException, Reason: "no payment reference",
		Source: "file:camt054-2026-11-28.xml", OrderID: "4B79CD8DC47717887B4C",
		Entry: camt.Entry{
			AmountMinor: 123_400, Currency: "EUR", BookingDate: "2026-11-28", Kind: camt.KindReturn, DebtorName: "Alice Müller",
			DebtorIBAN: "DE89370400440532013000", References: []string{"RF264B79CD8DC47717887B4C"}, Unstructured: []string{"invoice 1234"},
			ReturnReason: "AC04", EntryRef: "SBX000000000002-C",
		},
		ReceivedAt: at, UpdatedAt: at,
	}
	failed := gateway.FailedFile{
		Name: "day.zip", Path: "/in/failed/day.zip", Note: "/in/failed/day.error.txt",
		Reason: `entry "../x.xml": a path that climbs out of the archive (..)`, FailedAt: at,
	}
	if err := j.Put(exc); err != nil {
		t.Fatal(err)
	}
	if err := j.PutFailed(failed); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	nobody := "http://127.0.0.1:1" // no gateway answers there

	out, errOut, code := run(t, "operator", "exceptions", "--gateway", nobody, "--data", data)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"2026-11-28  return 1,234.00 EUR  from Alice Müller DE89370400440532013000  bank reference 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
		"    remittance  RF264B79CD8DC47717887B4C | invoice 1234",
		"    return      AC04",
		"    order       4B79CD8DC47717887B4C",
		"    source      file:camt054-2026-11-28.xml, entry SBX000000000002-C",
		"    why         no payment reference",
		"2026-11-28T10:00:00Z  file day.zip  /in/failed/day.zip: " + failed.Reason,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, errOut, code = run(t, "operator", "exceptions", "--gateway", nobody, "--data", data, "--output", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Exceptions  []gateway.Record     `json:"exceptions"`
		FailedFiles []gateway.FailedFile `json:"failed_files"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got.Exceptions) != 1 || got.Exceptions[0].BankReference != exc.BankReference ||
		len(got.FailedFiles) != 1 || got.FailedFiles[0] != failed {
		t.Fatalf("JSON %+v", got)
	}
}
