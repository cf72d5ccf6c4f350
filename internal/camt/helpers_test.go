package camt

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture returns the bytes of testdata/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// validFixtures are the fixtures that Parse accepts.
var validFixtures = []string{
	"genkgo-camt054.v2.xml",
	"genkgo-camt054.v8.xml",
	"genkgo-camt053.v8.xml",
	"fi-camt054.001.02-sample.xml",
	"chipmint-batch.xml",
	"chipmint-reversal.xml",
	"chipmint-pending-booked.xml",
	"chipmint-duplicate-delivery.xml",
	"postfinance-camt054-return.xml",
	"postfinance-camt054-return-rvsl.xml",
	"postfinance-camt054-batch.xml",
	"postfinance-camt052.001.04.xml",
	"fi-camt052.001.02-sample.xml",
	"fi-camt053.001.02-sample.xml",
	"genkgo-camt053.v2.five-decimals.xml",
	"chipmint-pf-reversals.xml",
	"chipmint-pf-amounts.xml",
	"chipmint-pf-foreign-currency.xml",
	"chipmint-pf-othr-account.xml",
	"chipmint-pf-remittance.xml",
	"chipmint-pf-latin1.xml",
}

// mutate returns b with the first old replaced by new, failing t if old is absent,
// so that a mutation that no longer applies cannot pass unnoticed.
func mutate(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	s := string(b)
	if !strings.Contains(s, old) {
		t.Fatalf("mutate: %q not in input", old)
	}
	return []byte(strings.Replace(s, old, new, 1))
}

// wantParseError fails t unless err is a *ParseError for element wrapping sentinel.
func wantParseError(t testing.TB, err error, sentinel error, element string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %v does not wrap %v", err, sentinel)
	}
	if pe.Element != element {
		t.Errorf("Element = %q, want %q (error %v)", pe.Element, element, err)
	}
}

// entries returns all entries of d's notifications, statements and reports, in order.
func entries(d *Document) []Entry {
	var out []Entry
	for _, n := range d.Notifications {
		out = append(out, n.Entries...)
	}
	for _, s := range d.Statements {
		out = append(out, s.Entries...)
	}
	for _, r := range d.Reports {
		out = append(out, r.Entries...)
	}
	return out
}
