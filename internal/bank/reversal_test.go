package bank

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// undoCase is a reversal or a return, run through the Go API.
type undoCase struct {
	typ  string
	kind camt.Kind // the payer's entry; the payee's is always a reversal of a credit
	code string    // the bank transaction sub-family written
	book func(b *Bank, ref, reason string) (Transfer, error)
}

var undoCases = []undoCase{
	{TypeReversal, camt.KindReturn, "RPCR", func(b *Bank, ref, reason string) (Transfer, error) {
		return b.Reverse(ReverseRequest{Transfer: ref, Reason: reason})
	}},
	{TypeReturn, camt.KindReturn, "RRTN", func(b *Bank, ref, reason string) (Transfer, error) {
		return b.Return(ReturnRequest{Transfer: ref, Reason: reason})
	}},
}

// lastEntry returns the account's last entry as camt.Parse reads it from a
// notification, and the notification's document.
func lastEntry(t *testing.T, b *Bank, iban string) (camt.Entry, []byte) {
	t.Helper()
	var rec accountRecord
	if ok, err := b.get(accountKey(iban), &rec); !ok || err != nil {
		t.Fatalf("account %s: %v", iban, err)
	}
	doc, _, err := b.Notifications(iban, rec.LastSeq-1, 0)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := notified(t, b, iban, rec.LastSeq-1)
	if len(entries) != 1 {
		t.Fatalf("%d last entries", len(entries))
	}
	return entries[0], doc
}

func TestBankReverseAndReturn(t *testing.T) {
	for _, uc := range undoCases {
		t.Run(uc.typ, func(t *testing.T) {
			clock := newTestClock()
			b := openTestBank(t, t.TempDir(), clock)
			alice := mustOpenAccount(t, b, "Alice", 100000)
			bob := mustOpenAccount(t, b, "Bob", 0)
			tr := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 25000,
				Currency: "EUR", Reference: rfRef, EndToEndID: "E2E-1"})
			credit, _ := lastEntry(t, b, bob.IBAN)
			clock.Set(clock.Now().Add(26 * time.Hour))
			u, err := uc.book(b, tr.ID, "AC04")
			if err != nil {
				t.Fatal(err)
			}
			want := Transfer{ID: "T000000000002", Type: uc.typ, UETR: tr.UETR, AcctSvcrRef: "SBX000000000003",
				FromIBAN: bob.IBAN, ToIBAN: alice.IBAN, AmountMinor: 25000, Currency: "EUR", Reference: rfRef,
				EndToEndID: "E2E-1", BookedAt: clock.Now(), OriginalID: tr.ID, Reason: "AC04"}
			if u != want {
				t.Fatalf("booked %+v\nwant %+v", u, want)
			}
			if a, c := balance(t, b, alice.IBAN), balance(t, b, bob.IBAN); a != 100000 || c != 0 {
				t.Fatalf("balances %d and %d, want the money back with the payer", a, c)
			}

			payee, payeeDoc := lastEntry(t, b, bob.IBAN)
			payer, payerDoc := lastEntry(t, b, alice.IBAN)
			for _, tc := range []struct {
				side     string
				e        camt.Entry
				doc      []byte
				cd       camt.CreditDebit
				kind     camt.Kind
				entryRef string
				family   string
			}{
				{"payee", payee, payeeDoc, camt.Debit, camt.KindReversalOfCredit, u.AcctSvcrRef + "-D", "RCDT"},
				{"payer", payer, payerDoc, camt.Credit, uc.kind, u.AcctSvcrRef + "-C", "ICDT"},
			} {
				e := tc.e
				if e.CreditDebit != tc.cd || e.Kind != tc.kind || e.Reversal != (uc.typ == TypeReversal) ||
					e.ReturnReason != "AC04" || e.AmountMinor != 25000 || e.Currency != "EUR" || e.Status != camt.Booked ||
					e.BookingDate != "2026-03-03" || e.ValueDate != "2026-03-03" || e.EntryRef != tc.entryRef ||
					e.UETR != tr.UETR || e.AcctSvcrRef != tr.AcctSvcrRef || e.EndToEndID != "E2E-1" ||
					e.BankReference() != credit.BankReference() || e.CreditorReference != rfRef ||
					e.DebtorIBAN != alice.IBAN || e.CreditorIBAN != bob.IBAN || e.PaysOrder() || e.Problem != "" {
					t.Errorf("the %s's entry %+v", tc.side, e)
				}
				if code := "<Cd>" + tc.family + "</Cd>\n              <SubFmlyCd>" + uc.code + "</SubFmlyCd>"; !bytes.Contains(tc.doc, []byte(code)) {
					t.Errorf("the %s's entry is not PMNT/%s/%s:\n%s", tc.side, tc.family, uc.code, tc.doc)
				}
				if !bytes.Contains(tc.doc, []byte("<RtrInf>\n              <Rsn>\n                <Cd>AC04</Cd>")) {
					t.Errorf("the %s's entry has no RtrInf/Rsn/Cd:\n%s", tc.side, tc.doc)
				}
			}

			// The original's record names the booking that undid it.
			orig, ok, err := b.transferRecord(tr.ID)
			if !ok || err != nil || orig.ReversedBy+orig.ReturnedBy != u.ID || (orig.ReversedBy != "") != (uc.typ == TypeReversal) {
				t.Fatalf("original %+v, %v", orig, err)
			}
		})
	}
}

func TestBankReverseByUETR(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 100000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	first := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 100, Currency: "EUR", Reference: "one"})
	second := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 200, Currency: "EUR", Reference: "two"})
	u, err := b.Reverse(ReverseRequest{Transfer: strings.ToUpper(second.UETR), Reason: "FR01"})
	if err != nil || u.OriginalID != second.ID || u.AmountMinor != 200 || u.Reference != "two" {
		t.Fatalf("reversal %+v, %v", u, err)
	}
	// The reversal shares the UETR; the UETR still names the transfer, now reversed.
	if _, err := b.Return(ReturnRequest{Transfer: second.UETR, Reason: "AC01"}); !errors.Is(err, ErrAlreadyReversed) {
		t.Fatalf("return of the reversed transfer by its UETR: %v", err)
	}
	r, err := b.Return(ReturnRequest{Transfer: first.UETR, Reason: "AC01"})
	if err != nil || r.OriginalID != first.ID || r.Reference != "one" {
		t.Fatalf("return %+v, %v", r, err)
	}
	if a, c := balance(t, b, alice.IBAN), balance(t, b, bob.IBAN); a != 100000 || c != 0 {
		t.Fatalf("balances %d and %d", a, c)
	}
}

func TestBankReversalRefusals(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 100000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	carol := mustOpenAccount(t, b, "Carol", 0)
	pay := func(from, to Account, amountMinor uint64) Transfer {
		return mustTransfer(t, b, TransferRequest{FromIBAN: from.IBAN, ToIBAN: to.IBAN, AmountMinor: amountMinor, Currency: "EUR", Reference: rfRef})
	}
	reversed, returned, open := pay(alice, bob, 100), pay(alice, bob, 200), pay(alice, bob, 300)
	rev, err := b.Reverse(ReverseRequest{Transfer: reversed.ID, Reason: "MD06"})
	if err != nil {
		t.Fatal(err)
	}
	ret, err := b.Return(ReturnRequest{Transfer: returned.ID, Reason: "AC01"})
	if err != nil {
		t.Fatal(err)
	}
	// Bob passes the money on: he can no longer cover the transfer of 300.
	spent := pay(alice, carol, 1000)
	pay(bob, carol, 250)

	tests := []struct {
		name    string
		ref     string
		reason  string
		wantErr error
		field   string
	}{
		{"unknown id", "T000000000099", "AC04", ErrUnknownTransfer, "transfer"},
		{"unknown UETR", "0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b", "AC04", ErrUnknownTransfer, "transfer"},
		{"an account's IBAN", alice.IBAN, "AC04", ErrUnknownTransfer, "transfer"},
		{"no transfer", "", "AC04", ErrInvalid, "transfer"},
		{"reason in lower case", open.ID, "ac04", ErrInvalid, "reason"},
		{"reason too short", open.ID, "AC0", ErrInvalid, "reason"},
		{"reason too long", open.ID, "AC041", ErrInvalid, "reason"},
		{"reason with a hyphen", open.ID, "AC-4", ErrInvalid, "reason"},
		{"no reason", open.ID, "", ErrInvalid, "reason"},
		{"a reversed transfer", reversed.ID, "AC04", ErrAlreadyReversed, "transfer"},
		{"a reversed transfer by its UETR", reversed.UETR, "AC04", ErrAlreadyReversed, "transfer"},
		{"a returned transfer", returned.ID, "AC04", ErrAlreadyReturned, "transfer"},
		{"a reversal", rev.ID, "AC04", ErrInvalid, "transfer"},
		{"a return", ret.ID, "AC04", ErrInvalid, "transfer"},
		{"more than the payee holds", open.ID, "AC04", ErrInsufficientFunds, "transfer"},
	}
	accounts := []Account{alice, bob, carol}
	balances := map[string]uint64{}
	for _, acct := range accounts {
		balances[acct.IBAN] = balance(t, b, acct.IBAN)
	}
	for _, uc := range undoCases {
		for _, tc := range tests {
			t.Run(uc.typ+"/"+tc.name, func(t *testing.T) {
				_, err := uc.book(b, tc.ref, tc.reason)
				assertFieldError(t, err, tc.wantErr, tc.field)
				for _, acct := range accounts {
					if got := balance(t, b, acct.IBAN); got != balances[acct.IBAN] {
						t.Errorf("%s balance %d, want %d unchanged", acct.Holder, got, balances[acct.IBAN])
					}
				}
			})
		}
	}
	if _, err := b.Reverse(ReverseRequest{Transfer: spent.ID, Reason: "AC04"}); err != nil {
		t.Fatalf("a reversal the payee can cover: %v", err)
	}
}

func TestBankReversedTwiceAtOnce(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 1000)
	bob := mustOpenAccount(t, b, "Bob", 1000)
	tr := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 500, Currency: "EUR", Reference: "x"})
	const attempts = 10
	errs := make(chan error, attempts)
	for i := range attempts {
		go func() {
			var err error
			if i%2 == 0 {
				_, err = b.Reverse(ReverseRequest{Transfer: tr.ID, Reason: "AC04"})
			} else {
				_, err = b.Return(ReturnRequest{Transfer: tr.UETR, Reason: "AC04"})
			}
			errs <- err
		}()
	}
	booked := 0
	for range attempts {
		switch err := <-errs; {
		case err == nil:
			booked++
		case !errors.Is(err, ErrAlreadyReversed) && !errors.Is(err, ErrAlreadyReturned):
			t.Fatal(err)
		}
	}
	if booked != 1 || balance(t, b, alice.IBAN) != 1000 || balance(t, b, bob.IBAN) != 1000 {
		t.Fatalf("%d booked; balances %d and %d", booked, balance(t, b, alice.IBAN), balance(t, b, bob.IBAN))
	}
}

func TestBankReversalSurvivesARestart(t *testing.T) {
	dir, clock := t.TempDir(), newTestClock()
	b, err := Open(dir, Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	alice := mustOpenAccount(t, b, "Alice", 1000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	req := TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 500, Currency: "EUR", Reference: "x", IdempotencyKey: "k"}
	tr := mustTransfer(t, b, req)
	u, err := b.Reverse(ReverseRequest{Transfer: tr.ID, Reason: "AC04"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	b = openTestBank(t, dir, clock)
	if _, err := b.Reverse(ReverseRequest{Transfer: tr.UETR, Reason: "AC04"}); !errors.Is(err, ErrAlreadyReversed) {
		t.Fatalf("second reversal after a restart: %v", err)
	}
	// The transfer's idempotent repeat books nothing and shows the reversal.
	again := mustTransfer(t, b, req)
	if again.ID != tr.ID || again.ReversedBy != u.ID {
		t.Fatalf("repeat gave %+v", again)
	}
	if a, c := balance(t, b, alice.IBAN), balance(t, b, bob.IBAN); a != 1000 || c != 0 {
		t.Fatalf("balances %d and %d", a, c)
	}
}

// TestBankReversesTransfersBookedBefore reverses, by their UETR, transfers stored as the
// bank stored them before reversals existed: without a type and unlisted by UETR.
func TestBankReversesTransfersBookedBefore(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 1000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	var old []Transfer
	for range 2 {
		tr := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 100, Currency: "EUR", Reference: "x"})
		var rec map[string]any
		raw, _ := json.Marshal(tr)
		_ = json.Unmarshal(raw, &rec)
		delete(rec, "type")
		raw, _ = json.Marshal(rec)
		if err := b.db.Set(transferKey(tr.ID), raw, nil); err != nil {
			t.Fatal(err)
		}
		if err := b.db.Delete(uetrKey(tr.UETR), nil); err != nil {
			t.Fatal(err)
		}
		old = append(old, tr)
	}
	u, err := b.Return(ReturnRequest{Transfer: old[1].UETR, Reason: "AC01"})
	if err != nil || u.OriginalID != old[1].ID {
		t.Fatalf("return %+v, %v", u, err)
	}
	if _, err := b.Reverse(ReverseRequest{Transfer: old[1].UETR, Reason: "AC04"}); !errors.Is(err, ErrAlreadyReturned) {
		t.Fatalf("reversal of the returned transfer: %v", err)
	}
	if _, err := b.Reverse(ReverseRequest{Transfer: old[0].ID, Reason: "AC04"}); err != nil {
		t.Fatalf("reversal by id: %v", err)
	}
}

// TestBankStatementWithReversalAndReturn checks that a day's statement holds the
// reversal and the return as camt.Parse classifies them, and that its balances add up.
func TestBankStatementWithReversalAndReturn(t *testing.T) {
	clock := newTestClock()
	b := openTestBank(t, t.TempDir(), clock)
	operator := mustOpenAccount(t, b, "Chipmint Operator", 0)
	buyer := mustOpenAccount(t, b, "Buyer", 100000)
	payment := mustTransfer(t, b, TransferRequest{FromIBAN: buyer.IBAN, ToIBAN: operator.IBAN, AmountMinor: 30000, Currency: "EUR", Reference: rfRef})
	refund := mustTransfer(t, b, TransferRequest{FromIBAN: operator.IBAN, ToIBAN: buyer.IBAN, AmountMinor: 5000, Currency: "EUR", Reference: rfRef})
	clock.Set(clock.Now().Add(24 * time.Hour))
	mustTransfer(t, b, TransferRequest{FromIBAN: buyer.IBAN, ToIBAN: operator.IBAN, AmountMinor: 1000, Currency: "EUR", Reference: "top-up"})
	if _, err := b.Return(ReturnRequest{Transfer: refund.UETR, Reason: "AC04"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Reverse(ReverseRequest{Transfer: payment.ID, Reason: "FR01"}); err != nil {
		t.Fatal(err)
	}

	doc, err := b.Statement(operator.IBAN, "2026-03-03")
	if err != nil {
		t.Fatal(err)
	}
	d, err := camt.Parse(doc)
	if err != nil || len(d.Statements) != 1 {
		t.Fatalf("parse: %v\n%s", err, doc)
	}
	s := d.Statements[0]
	type row struct {
		kind   camt.Kind
		amount uint64
		reason string
		ref    string
	}
	var got []row
	var credits, debits uint64
	for _, e := range s.Entries {
		got = append(got, row{e.Kind, e.AmountMinor, e.ReturnReason, e.BankReference()})
		if e.CreditDebit == camt.Credit {
			credits += e.AmountMinor
		} else {
			debits += e.AmountMinor
		}
	}
	want := []row{
		{camt.KindCredit, 1000, "", got[0].ref},
		{camt.KindReturn, 5000, "AC04", refund.UETR},
		{camt.KindReversalOfCredit, 30000, "FR01", payment.UETR},
	}
	if len(got) != len(want) {
		t.Fatalf("statement entries %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i+1, got[i], want[i])
		}
	}
	opening, closing := bal(t, s, "OPBD"), bal(t, s, "CLBD")
	if opening != 25000 || closing != 1000 || opening+credits-debits != closing {
		t.Fatalf("OPBD %d + %d - %d, CLBD %d; want 25000 + 6000 - 30000 = 1000", opening, credits, debits, closing)
	}
	if closing != balance(t, b, operator.IBAN) {
		t.Fatalf("CLBD %d, balance %d", closing, balance(t, b, operator.IBAN))
	}
}
