package bank

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/fiat"
)

var uetrPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestBankOpenAccount(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	if _, err := b.OpenAccount(OpenAccountRequest{Holder: "Existing", Currency: "EUR", IBAN: givenIBAN}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		req      OpenAccountRequest
		wantIBAN string // "" for a generated one
		wantErr  error
		field    string
	}{
		{"generated IBAN", OpenAccountRequest{Holder: "Alice Müller", Currency: "EUR", OpeningBalanceMinor: 100000}, "", nil, ""},
		{"generated IBAN, no opening balance", OpenAccountRequest{Holder: "Bob", Currency: "CHF"}, "", nil, ""},
		{"given IBAN in print form", OpenAccountRequest{Holder: "Carol", Currency: "EUR", IBAN: "de75 5121 0800 1245 1261 99"}, "DE75512108001245126199", nil, ""},
		{"duplicate IBAN", OpenAccountRequest{Holder: "Dave", Currency: "EUR", IBAN: givenIBAN}, "", ErrAccountExists, "iban"},
		{"bad IBAN checksum", OpenAccountRequest{Holder: "Eve", Currency: "EUR", IBAN: "DE88370400440532013000"}, "", ErrInvalid, "iban"},
		{"bad currency case", OpenAccountRequest{Holder: "Eve", Currency: "eur"}, "", ErrInvalid, "currency"},
		{"not legal tender", OpenAccountRequest{Holder: "Eve", Currency: "XXX"}, "", ErrInvalid, "currency"},
		{"empty holder", OpenAccountRequest{Holder: "", Currency: "EUR"}, "", ErrInvalid, "holder"},
		{"blank holder", OpenAccountRequest{Holder: "   ", Currency: "EUR"}, "", ErrInvalid, "holder"},
		{"holder too long", OpenAccountRequest{Holder: strings.Repeat("x", 71), Currency: "EUR"}, "", ErrInvalid, "holder"},
		{"holder with a control character", OpenAccountRequest{Holder: "Eve\nEvil", Currency: "EUR"}, "", ErrInvalid, "holder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acct, err := b.OpenAccount(tc.req)
			if tc.wantErr != nil {
				assertFieldError(t, err, tc.wantErr, tc.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fiat.ParseIBAN(acct.IBAN); err != nil {
				t.Fatalf("IBAN %s: %v", acct.IBAN, err)
			}
			if tc.wantIBAN == "" && !strings.HasPrefix(acct.IBAN[4:], bankCode) {
				t.Errorf("generated IBAN %s lacks bank code %s", acct.IBAN, bankCode)
			}
			if tc.wantIBAN != "" && acct.IBAN != tc.wantIBAN {
				t.Errorf("IBAN %s, want %s", acct.IBAN, tc.wantIBAN)
			}
			want := Account{ID: acct.IBAN, IBAN: acct.IBAN, BIC: DefaultBIC, Holder: tc.req.Holder, Currency: tc.req.Currency, BalanceMinor: tc.req.OpeningBalanceMinor}
			got, err := b.Account(acct.IBAN)
			if err != nil || got != want || acct != want {
				t.Fatalf("opened %+v, reads %+v (%v), want %+v", acct, got, err, want)
			}
		})
	}
}

func TestBankOpeningBalanceIsACreditEntry(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	acct := mustOpenAccount(t, b, "Alice", 50000)
	entries, next := notified(t, b, acct.IBAN, 0)
	if len(entries) != 1 || next != 1 {
		t.Fatalf("%d entries, next %d; want the opening balance only", len(entries), next)
	}
	e := entries[0]
	if e.CreditDebit != camt.Credit || e.AmountMinor != 50000 || e.Currency != "EUR" ||
		!reflect.DeepEqual(e.Unstructured, []string{openingRemittance}) || e.BookingDate != "2026-03-02" {
		t.Fatalf("opening entry %+v", e)
	}
	empty := mustOpenAccount(t, b, "Bob", 0)
	if doc, next, err := b.Notifications(empty.IBAN, 0, 0); doc != nil || next != 0 || err != nil {
		t.Fatalf("account without opening balance: doc %d bytes, next %d, %v", len(doc), next, err)
	}
}

func TestBankGeneratedIBANSkipsOneTaken(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	first := mustOpenAccount(t, b, "Alice", 0)
	second, err := b.generatedIBAN(2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.OpenAccount(OpenAccountRequest{Holder: "Squatter", Currency: "EUR", IBAN: second.String()}); err != nil {
		t.Fatal(err)
	}
	third := mustOpenAccount(t, b, "Bob", 0)
	if third.IBAN == second.String() || third.IBAN == first.IBAN {
		t.Fatalf("generated %s again", third.IBAN)
	}
}

func TestBankTransferBooksBothSides(t *testing.T) {
	clock := newTestClock()
	b := openTestBank(t, t.TempDir(), clock)
	alice := mustOpenAccount(t, b, "Alice", 100000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	tr := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: fiat.IBAN(bob.IBAN).Print(),
		AmountMinor: 25000, Currency: "EUR", Reference: "invoice 42", EndToEndID: "E2E-1"})
	if got, want := balance(t, b, alice.IBAN), uint64(75000); got != want {
		t.Errorf("payer balance %d, want %d", got, want)
	}
	if got, want := balance(t, b, bob.IBAN), uint64(25000); got != want {
		t.Errorf("payee balance %d, want %d", got, want)
	}
	if !uetrPattern.MatchString(tr.UETR) || tr.AcctSvcrRef != "SBX000000000002" || tr.ID == "" ||
		tr.ToIBAN != bob.IBAN || !tr.BookedAt.Equal(clock.Now()) {
		t.Fatalf("transfer %+v", tr)
	}
	debits, _ := notified(t, b, alice.IBAN, 1)
	credits, _ := notified(t, b, bob.IBAN, 0)
	if len(debits) != 1 || len(credits) != 1 {
		t.Fatalf("%d debit and %d credit entries, want one each", len(debits), len(credits))
	}
	for _, tc := range []struct {
		e  camt.Entry
		cd camt.CreditDebit
	}{{debits[0], camt.Debit}, {credits[0], camt.Credit}} {
		e := tc.e
		if e.CreditDebit != tc.cd || e.AmountMinor != 25000 || e.Currency != "EUR" || e.Status != camt.Booked ||
			e.BookingDate != "2026-03-02" || e.ValueDate != "2026-03-02" ||
			e.UETR != tr.UETR || e.AcctSvcrRef != tr.AcctSvcrRef || e.EndToEndID != "E2E-1" ||
			e.DebtorName != "Alice" || e.DebtorIBAN != alice.IBAN || e.CreditorName != "Bob" || e.CreditorIBAN != bob.IBAN ||
			e.BankReference() != tr.UETR {
			t.Errorf("%s entry %+v does not match transfer %+v", tc.cd, e, tr)
		}
	}
}

func TestBankTransferReferenceLandsInTheRightField(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 100000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	tests := []struct {
		name, reference  string
		wantStructured   string
		wantUnstructured []string
	}{
		{"RF reference", rfRef, rfRef, nil},
		{"RF reference in print form", "rf18 5390 0754 7034", rfRef, nil},
		{"free text", "invoice 2026-17, thank you", "", []string{"invoice 2026-17, thank you"}},
		{"RF look-alike with a bad checksum", "RF19539007547034", "", []string{"RF19539007547034"}},
		{"free text with markup characters", `<Ustrd>&"'`, "", []string{`<Ustrd>&"'`}},
	}
	var after uint64
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 100, Currency: "EUR", Reference: tc.reference})
			entries, next := notified(t, b, bob.IBAN, after)
			after = next
			if len(entries) != 1 {
				t.Fatalf("%d new entries, want 1", len(entries))
			}
			e := entries[0]
			if e.CreditorReference != tc.wantStructured || !reflect.DeepEqual(e.Unstructured, tc.wantUnstructured) {
				t.Fatalf("credit entry has structured %q, unstructured %q; want %q, %q",
					e.CreditorReference, e.Unstructured, tc.wantStructured, tc.wantUnstructured)
			}
			// camt.Parse reads the NOTPROVIDED placeholder as no end-to-end id.
			if (e.EndToEndID != "" && e.EndToEndID != notProvided) || e.UETR != tr.UETR {
				t.Fatalf("entry %+v", e)
			}
		})
	}
}

func TestBankTransferRefusals(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 10000)
	bob := mustOpenAccount(t, b, "Bob", 500)
	franc, err := b.OpenAccount(OpenAccountRequest{Holder: "Franz", Currency: "CHF", OpeningBalanceMinor: 10000})
	if err != nil {
		t.Fatal(err)
	}
	ok := TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 100, Currency: "EUR", Reference: rfRef}
	with := func(edit func(*TransferRequest)) TransferRequest { r := ok; edit(&r); return r }
	tests := []struct {
		name    string
		req     TransferRequest
		wantErr error
		field   string
	}{
		{"insufficient funds", with(func(r *TransferRequest) { r.AmountMinor = 10001 }), ErrInsufficientFunds, "amount_minor"},
		{"currency differs from the accounts'", with(func(r *TransferRequest) { r.Currency = "CHF" }), ErrCurrencyMismatch, "currency"},
		{"payee in another currency", with(func(r *TransferRequest) { r.ToIBAN = franc.IBAN }), ErrCurrencyMismatch, "to_iban"},
		{"unknown payee", with(func(r *TransferRequest) { r.ToIBAN = givenIBAN }), ErrUnknownAccount, "to_iban"},
		{"unknown payer", with(func(r *TransferRequest) { r.FromIBAN = givenIBAN }), ErrUnknownAccount, "from_iban"},
		{"zero amount", with(func(r *TransferRequest) { r.AmountMinor = 0 }), ErrInvalid, "amount_minor"},
		{"self transfer", with(func(r *TransferRequest) { r.ToIBAN = fiat.IBAN(alice.IBAN).Print() }), ErrInvalid, "to_iban"},
		{"bad payer IBAN", with(func(r *TransferRequest) { r.FromIBAN = "DE00" }), ErrInvalid, "from_iban"},
		{"bad currency", with(func(r *TransferRequest) { r.Currency = "" }), ErrInvalid, "currency"},
		{"no reference", with(func(r *TransferRequest) { r.Reference = "" }), ErrInvalid, "reference"},
		{"reference too long", with(func(r *TransferRequest) { r.Reference = strings.Repeat("a", 141) }), ErrInvalid, "reference"},
		{"reference with trailing space", with(func(r *TransferRequest) { r.Reference = "invoice " }), ErrInvalid, "reference"},
		{"end-to-end id too long", with(func(r *TransferRequest) { r.EndToEndID = strings.Repeat("e", 36) }), ErrInvalid, "end_to_end_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.Transfer(tc.req)
			assertFieldError(t, err, tc.wantErr, tc.field)
			for _, acct := range []Account{alice, bob, franc} {
				if got := balance(t, b, acct.IBAN); got != acct.BalanceMinor {
					t.Errorf("%s balance %d, want %d unchanged", acct.Holder, got, acct.BalanceMinor)
				}
				if doc, _, err := b.Notifications(acct.IBAN, 1, 0); doc != nil || err != nil {
					t.Errorf("%s has new entries (%v)", acct.Holder, err)
				}
			}
		})
	}
}

func TestBankIdempotency(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 10000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	req := TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 10000, Currency: "EUR", Reference: rfRef, IdempotencyKey: "order-1"}
	first := mustTransfer(t, b, req)
	// The repeat succeeds although the payer's balance could not pay it again.
	repeat := req
	repeat.FromIBAN = fiat.IBAN(alice.IBAN).Print()
	again := mustTransfer(t, b, repeat)
	if !reflect.DeepEqual(first, again) {
		t.Fatalf("repeat gave %+v, first %+v", again, first)
	}
	if got := balance(t, b, bob.IBAN); got != 10000 {
		t.Fatalf("payee balance %d, want 10000 (booked once)", got)
	}
	if entries, _ := notified(t, b, bob.IBAN, 0); len(entries) != 1 {
		t.Fatalf("%d credit entries, want 1", len(entries))
	}
	tests := []struct {
		name string
		edit func(*TransferRequest)
	}{
		{"other amount", func(r *TransferRequest) { r.AmountMinor = 1 }},
		{"other reference", func(r *TransferRequest) { r.Reference = "something else" }},
		{"other payee", func(r *TransferRequest) { r.ToIBAN, r.FromIBAN = alice.IBAN, bob.IBAN }},
		{"other end-to-end id", func(r *TransferRequest) { r.EndToEndID = "E2E" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			other := req
			tc.edit(&other)
			_, err := b.Transfer(other)
			assertFieldError(t, err, ErrIdempotencyConflict, "idempotency_key")
		})
	}
}

func TestBankRestartKeepsEverything(t *testing.T) {
	dir, clock := t.TempDir(), newTestClock()
	b, err := Open(dir, Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	alice := mustOpenAccount(t, b, "Alice", 100000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	req := TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 1234, Currency: "EUR", Reference: rfRef, IdempotencyKey: "k"}
	first := mustTransfer(t, b, req)
	docs := map[string][]byte{}
	for _, iban := range []string{alice.IBAN, bob.IBAN} {
		if docs[iban], _, err = b.Notifications(iban, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Account(alice.IBAN); !errors.Is(err, errClosed) {
		t.Fatalf("Account after Close: %v", err)
	}

	b = openTestBank(t, dir, clock)
	if a, c := balance(t, b, alice.IBAN), balance(t, b, bob.IBAN); a != 100000-1234 || c != 1234 {
		t.Fatalf("balances after restart %d and %d", a, c)
	}
	for iban, want := range docs {
		got, next, err := b.Notifications(iban, 0, 0)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("notifications of %s differ after restart (%v):\n%s\nwant\n%s", iban, err, got, want)
		}
		if _, wantNext := notified(t, b, iban, 0); next != wantNext {
			t.Fatalf("next %d, want %d", next, wantNext)
		}
	}
	if again := mustTransfer(t, b, req); !reflect.DeepEqual(again, first) {
		t.Fatalf("idempotent repeat after restart gave %+v, want %+v", again, first)
	}
	second := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 1, Currency: "EUR", Reference: "more"})
	if second.AcctSvcrRef != "SBX000000000003" || second.ID == first.ID {
		t.Fatalf("sequences restarted: %+v after %+v", second, first)
	}
	if entries, next := notified(t, b, bob.IBAN, 1); len(entries) != 1 || next != 2 || entries[0].UETR != second.UETR {
		t.Fatalf("payee's entry sequence: %d entries after 1, next %d", len(entries), next)
	}
	carol := mustOpenAccount(t, b, "Carol", 0)
	if carol.IBAN == alice.IBAN || carol.IBAN == bob.IBAN {
		t.Fatalf("account number reused: %s", carol.IBAN)
	}
}

func TestBankNotificationsCursor(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 100000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	for i := range 3 {
		mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: uint64(100 + i), Currency: "EUR", Reference: rfRef})
	}
	entries, next := notified(t, b, bob.IBAN, 0)
	if len(entries) != 3 || next != 3 {
		t.Fatalf("after=0: %d entries, next %d; want 3, 3", len(entries), next)
	}
	if doc, again, err := b.Notifications(bob.IBAN, next, 0); doc != nil || again != next || err != nil {
		t.Fatalf("after=next: doc %d bytes, next %d, %v; want nothing", len(doc), again, err)
	}
	tr := mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 7, Currency: "EUR", Reference: "late"})
	entries, next = notified(t, b, bob.IBAN, next)
	if len(entries) != 1 || next != 4 || entries[0].UETR != tr.UETR {
		t.Fatalf("new transfer: %d entries, next %d", len(entries), next)
	}

	// A small limit pages through the same entries; a re-read gives the same bytes.
	var paged []camt.Entry
	for after := uint64(0); ; {
		doc, n, err := b.Notifications(bob.IBAN, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if doc == nil {
			break
		}
		if again, _, _ := b.Notifications(bob.IBAN, after, 3); !bytes.Equal(doc, again) {
			t.Fatal("re-reading a range gives another document")
		}
		page, _ := notified(t, b, bob.IBAN, after)
		paged = append(paged, page[:n-after]...)
		after = n
	}
	all, _ := notified(t, b, bob.IBAN, 0)
	if !reflect.DeepEqual(paged, all) {
		t.Fatalf("paging gave %d entries, want %d", len(paged), len(all))
	}

	if _, _, err := b.Notifications(givenIBAN, 0, 0); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("unknown account: %v", err)
	}
}

func TestBankStatementAddsUp(t *testing.T) {
	clock := newTestClock()
	b := openTestBank(t, t.TempDir(), clock)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	clock.Set(day(2))
	alice := mustOpenAccount(t, b, "Alice", 100000)
	bob := mustOpenAccount(t, b, "Bob", 5000)
	pay := func(from, to Account, amountMinor uint64) {
		mustTransfer(t, b, TransferRequest{FromIBAN: from.IBAN, ToIBAN: to.IBAN, AmountMinor: amountMinor, Currency: "EUR", Reference: rfRef})
	}
	pay(alice, bob, 10000)
	clock.Set(day(3))
	pay(bob, alice, 3000)
	clock.Set(day(3).Add(2 * time.Hour))
	pay(alice, bob, 20000)
	pay(alice, bob, 5000)
	clock.Set(day(4))
	pay(alice, bob, 1)

	tests := []struct {
		date             string
		from, to         string
		opening, closing uint64
		entries          int
		credits, debits  uint64
		wantErr          error
	}{
		{date: "2026-03-01", from: "2026-03-01T00:00:00Z", to: "2026-03-01T23:59:59.999999Z", opening: 0, closing: 0},
		{date: "2026-03-02", from: "2026-03-02T00:00:00Z", to: "2026-03-02T23:59:59.999999Z", opening: 0, closing: 90000, entries: 2, credits: 100000, debits: 10000},
		{date: "2026-03-03", from: "2026-03-03T00:00:00Z", to: "2026-03-03T23:59:59.999999Z", opening: 90000, closing: 68000, entries: 3, credits: 3000, debits: 25000},
		// Read on the day: until now.
		{date: "2026-03-04", from: "2026-03-04T00:00:00Z", to: "2026-03-04T09:00:00Z", opening: 68000, closing: 67999, entries: 1, debits: 1},
		{date: "2026-03-05", from: "2026-03-05T00:00:00Z", to: "2026-03-05T00:00:00Z", opening: 67999, closing: 67999},
		{date: "2026-3-5", wantErr: ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.date, func(t *testing.T) {
			doc, err := b.Statement(alice.IBAN, tc.date)
			if tc.wantErr != nil {
				assertFieldError(t, err, tc.wantErr, "date")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d, err := camt.Parse(doc)
			if err != nil || d.Message != "camt.053" || len(d.Statements) != 1 {
				t.Fatalf("parse: %v\n%s", err, doc)
			}
			s := d.Statements[0]
			if s.From != tc.from || s.To != tc.to {
				t.Errorf("period %s to %s, want %s to %s", s.From, s.To, tc.from, tc.to)
			}
			opening, closing := bal(t, s, "OPBD"), bal(t, s, "CLBD")
			var credits, debits uint64
			for _, e := range s.Entries {
				if e.BookingDate != tc.date {
					t.Errorf("entry booked on %s in the statement of %s", e.BookingDate, tc.date)
				}
				if e.CreditDebit == camt.Credit {
					credits += e.AmountMinor
				} else {
					debits += e.AmountMinor
				}
			}
			if opening != tc.opening || closing != tc.closing || len(s.Entries) != tc.entries ||
				credits != tc.credits || debits != tc.debits {
				t.Fatalf("OPBD %d CLBD %d, %d entries (+%d -%d); want %d %d, %d (+%d -%d)", opening, closing,
					len(s.Entries), credits, debits, tc.opening, tc.closing, tc.entries, tc.credits, tc.debits)
			}
			if opening+credits-debits != closing {
				t.Fatalf("opening %d + credits %d - debits %d != closing %d", opening, credits, debits, closing)
			}
		})
	}
}

// bal returns the amount of the statement's balance of a type, which must be a credit
// balance of the statement's date.
func bal(t *testing.T, s camt.Statement, typ string) uint64 {
	t.Helper()
	for _, b := range s.Balances {
		if b.Type == typ {
			if b.CreditDebit != camt.Credit || b.Currency != "EUR" {
				t.Fatalf("balance %+v", b)
			}
			return b.AmountMinor
		}
	}
	t.Fatalf("statement has no %s balance: %+v", typ, s.Balances)
	return 0
}

func TestBankOpenRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"bad BIC", Options{BIC: "SBX"}},
		{"unknown country", Options{Country: "US"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if b, err := Open(t.TempDir(), tc.opts); err == nil {
				_ = b.Close()
				t.Fatal("Open accepted bad options")
			}
		})
	}
}

func TestBankGeneratedIBANsInOtherCountries(t *testing.T) {
	for _, country := range []string{"NO", "BE", "FR", "NL", "MT"} {
		t.Run(country, func(t *testing.T) {
			b, err := Open(t.TempDir(), Options{Country: country})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			acct := mustOpenAccount(t, b, "Alice", 1)
			if iban, err := fiat.ParseIBAN(acct.IBAN); err != nil || iban.Country() != country {
				t.Fatalf("IBAN %s: %v", acct.IBAN, err)
			}
		})
	}
}

func TestBankConcurrentTransfersNeverOverdraw(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	alice := mustOpenAccount(t, b, "Alice", 1000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	const payments = 20
	errs := make(chan error, payments)
	for range payments {
		go func() {
			_, err := b.Transfer(TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 100, Currency: "EUR", Reference: "x"})
			errs <- err
		}()
	}
	booked := 0
	for range payments {
		switch err := <-errs; {
		case err == nil:
			booked++
		case !errors.Is(err, ErrInsufficientFunds):
			t.Fatal(err)
		}
	}
	if booked != 10 || balance(t, b, alice.IBAN) != 0 || balance(t, b, bob.IBAN) != 1000 {
		t.Fatalf("%d booked; balances %d and %d", booked, balance(t, b, alice.IBAN), balance(t, b, bob.IBAN))
	}
	if entries, next := notified(t, b, bob.IBAN, 0); len(entries) != 10 || next != 10 {
		t.Fatalf("payee has %d entries, next %d", len(entries), next)
	}
}

// All money enters the sandbox by opening balances; their sum is bounded so that no
// balance can overflow whatever moves between the accounts.
func TestOpeningBalancesCannotOverflowABalance(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	half := uint64(math.MaxUint64/2 + 1)
	a, err := b.OpenAccount(OpenAccountRequest{Holder: "Rich", Currency: "EUR", OpeningBalanceMinor: half})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.OpenAccount(OpenAccountRequest{Holder: "Richer", Currency: "EUR", OpeningBalanceMinor: half})
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "opening_balance_minor" {
		t.Fatalf("a second opening balance past 2^64: %v, want a refusal naming opening_balance_minor", err)
	}
	if got, err := b.Account(a.IBAN); err != nil || got.BalanceMinor != half {
		t.Fatalf("the first account: %+v %v", got, err)
	}
}
