package camt

import (
	"reflect"
	"testing"

	"github.com/chipmint/chipmint/internal/isoxml/isoxmltest"
)

// sentinels are the errors a *ParseError may wrap.
var sentinels = []error{
	ErrNotCamt, ErrMalformed, ErrDoctype, ErrTooLarge, ErrMissingElement, ErrDuplicateElement,
	ErrBadAmount, ErrBadCurrency, ErrBadIndicator, ErrBadStatus, ErrBadDate,
}

// FuzzParse checks that Parse never panics, that it fails only with a *ParseError
// wrapping a sentinel and no document, that every entry it returns has a currency, a
// credit/debit indicator, a status and a kind, that only a booked credit without a
// problem pays an order, and that a notification or statement it returns which the
// writers accept survives Write and Parse unchanged.
func FuzzParse(f *testing.F) {
	isoxmltest.AddFiles(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			isoxmltest.CheckFuzzError(t, d != nil, err, sentinels, func(e *ParseError) string { return e.Element })
			return
		}
		for _, e := range entries(d) {
			if e.Currency == "" || e.CreditDebit != Credit && e.CreditDebit != Debit ||
				e.Status != Booked && e.Status != Pending && e.Status != Info || e.Kind == "" {
				t.Fatalf("Parse accepted an entry without currency, indicator, status or kind: %+v", e)
			}
			if e.PaysOrder() && (e.Kind != KindCredit || e.CreditDebit != Credit || e.Reversal || e.ReturnReason != "" ||
				e.Status != Booked || e.Problem != "" || e.AmountMinor == 0) {
				t.Fatalf("an entry pays an order that must not: %+v", e)
			}
		}
		for _, n := range d.Notifications {
			if out, err := WriteNotification(d.MessageID, "2026-01-01T00:00:00Z", n); err == nil {
				checkRewrite(t, out, Notification{}, n)
			}
		}
		for _, s := range d.Statements {
			if out, err := WriteStatement(d.MessageID, "2026-01-01T00:00:00Z", s); err == nil {
				checkRewrite(t, out, Statement{}, s)
			}
		}
	})
}

// checkRewrite parses written output and compares its only report with want.
func checkRewrite(t *testing.T, out []byte, zero, want any) {
	t.Helper()
	d, err := Parse(out)
	if err != nil {
		t.Fatalf("Parse of written output: %v\n%s", err, out)
	}
	var got any = zero
	switch {
	case len(d.Notifications) == 1 && len(d.Statements) == 0:
		got = d.Notifications[0]
	case len(d.Statements) == 1 && len(d.Notifications) == 0:
		got = d.Statements[0]
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("written and parsed again\n got %+v\nwant %+v", got, want)
	}
}
