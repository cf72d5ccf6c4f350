package camt

import (
	"testing"

	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
)

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

// wantParseError fails t unless err is a *ParseError for element wrapping sentinel.
func wantParseError(t testing.TB, err error, sentinel error, element string) {
	t.Helper()
	isoxmltest.WantError(t, err, sentinel, element, func(e *ParseError) string { return e.Element })
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
