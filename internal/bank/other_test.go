package bank

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/camt"
)

// cnyAccount asks for an account in CNY without an IBAN: an account number under BBAN
// at the bank of CNAPS code 102100099996.
func cnyAccount(holder, number string, balanceMinor uint64) OpenAccountRequest {
	return OpenAccountRequest{
		Holder: holder, Currency: "CNY", OpeningBalanceMinor: balanceMinor,
		OtherID: number, Scheme: "BBAN", ClearingSystem: "CNAPS", ClearingMember: "102100099996",
	}
}

func TestBankAccountWithoutIBAN(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	acct, err := b.OpenAccount(cnyAccount("Acme Trading", "6222 0210 0100 0000 001", 0))
	if err != nil {
		t.Fatal(err)
	}
	want := Account{
		ID: "6222021001000000001 (scheme BBAN)", OtherID: "6222021001000000001", Scheme: "BBAN",
		BIC: DefaultBIC, ClearingSystem: "CNAPS", ClearingMember: "102100099996", Holder: "Acme Trading", Currency: "CNY",
	}
	if acct != want {
		t.Fatalf("opened %+v, want %+v", acct, want)
	}
	if got, err := b.Account(acct.ID); err != nil || got != want {
		t.Fatalf("Account(%q) = %+v, %v", acct.ID, got, err)
	}
	if _, err := b.OpenAccount(cnyAccount("Someone Else", "6222021001000000001", 0)); err == nil {
		t.Fatal("a second account with the same identification was opened")
	} else {
		assertFieldError(t, err, ErrAccountExists, "other_id")
	}
	if _, err := b.Account("6222021001000000009 (scheme BBAN)"); err == nil {
		t.Fatal("an unknown account was found")
	} else {
		assertFieldError(t, err, ErrUnknownAccount, "account")
	}
}

func TestBankOpenAccountWithoutIBANRefusals(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	tests := []struct {
		name  string
		req   OpenAccountRequest
		field string
	}{
		{"IBAN and other id", OpenAccountRequest{Holder: "X", Currency: "CNY", IBAN: givenIBAN, OtherID: "1", Scheme: "BBAN"}, "other_id"},
		{"no scheme", OpenAccountRequest{Holder: "X", Currency: "CNY", OtherID: "1"}, "scheme"},
		{"unknown scheme code", OpenAccountRequest{Holder: "X", Currency: "CNY", OtherID: "1", Scheme: "XXXX"}, "scheme"},
		{"long id", OpenAccountRequest{Holder: "X", Currency: "CNY", OtherID: strings.Repeat("1", 35), Scheme: "BBAN"}, "other_id"},
		{"unknown clearing system", OpenAccountRequest{Holder: "X", Currency: "CNY", OtherID: "1", Scheme: "BBAN", ClearingSystem: "CNAPX", ClearingMember: "1"}, "clearing_system"},
		{"clearing member without system", OpenAccountRequest{Holder: "X", Currency: "CNY", OtherID: "1", Scheme: "BBAN", ClearingMember: "1"}, "clearing_system"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.OpenAccount(tc.req)
			assertFieldError(t, err, ErrInvalid, tc.field)
		})
	}
}

// Transfers between two accounts without an IBAN, in CNY: the notification and the
// statement name the account by Acct/Id/Othr, and both parties' accounts likewise.
func TestBankTransferBetweenAccountsWithoutIBAN(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	payer, err := b.OpenAccount(cnyAccount("Li Lei", "6222021001000000002", 100_000))
	if err != nil {
		t.Fatal(err)
	}
	payee, err := b.OpenAccount(cnyAccount("Acme Trading", "6222021001000000001", 0))
	if err != nil {
		t.Fatal(err)
	}
	tr := mustTransfer(t, b, TransferRequest{From: payer.ID, To: payee.ID, AmountMinor: 68_800, Currency: "CNY", Reference: rfRef})
	if tr.From != payer.ID || tr.To != payee.ID || tr.FromIBAN != "" || tr.ToIBAN != "" {
		t.Fatalf("transfer %+v", tr)
	}
	if got := balance(t, b, payee.ID); got != 68_800 {
		t.Fatalf("payee balance %d", got)
	}
	doc, next, err := b.Notifications(payee.ID, 0, 0)
	if err != nil || next != 1 {
		t.Fatalf("Notifications: next %d, %v", next, err)
	}
	for _, want := range []string{"<Othr>", "<Id>6222021001000000001</Id>", "<Id>6222021001000000002</Id>", "<Cd>BBAN</Cd>"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("notification lacks %s:\n%s", want, doc)
		}
	}
	d, err := camt.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	n := d.Notifications[0]
	e := n.Entries[0]
	if n.Account.String() != payee.ID || e.DebtorAccount().String() != payer.ID || e.CreditorAccount().String() != payee.ID ||
		e.DebtorIBAN != "" || e.CreditorReference != rfRef || e.Currency != "CNY" || e.AmountMinor != 68_800 {
		t.Fatalf("notification %+v, entry %+v", n, e)
	}
	stmt, err := b.Statement(payer.ID, "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := camt.Parse(stmt); err != nil || d.Statements[0].Account.String() != payer.ID || len(d.Statements[0].Entries) != 2 {
		t.Fatalf("statement %+v, %v", d, err)
	}
	if _, err := b.Transfer(TransferRequest{From: payer.ID, ToIBAN: givenIBAN, AmountMinor: 1, Currency: "CNY", Reference: "x"}); err == nil {
		t.Fatal("a transfer to an unknown IBAN was booked")
	} else {
		assertFieldError(t, err, ErrUnknownAccount, "to_iban")
	}
	if _, err := b.Transfer(TransferRequest{From: payer.ID, FromIBAN: givenIBAN, To: payee.ID, AmountMinor: 1, Currency: "CNY", Reference: "x"}); err == nil {
		t.Fatal("a transfer naming its payer twice was booked")
	} else {
		assertFieldError(t, err, ErrInvalid, "from")
	}
}

// An account string may hold a slash; the entries of an account whose string starts
// with another's and a slash are not the other's.
func TestBankEntriesOfAccountsWhoseStringsNest(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	short, err := b.OpenAccount(OpenAccountRequest{Holder: "A", Currency: "CNY", OtherID: "1", Scheme: "Wallet", OpeningBalanceMinor: 5})
	if err != nil {
		t.Fatal(err)
	}
	long, err := b.OpenAccount(OpenAccountRequest{Holder: "B", Currency: "CNY", OtherID: "1", Scheme: "Wallet)/x (scheme Q", OpeningBalanceMinor: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(long.ID, short.ID+"/") {
		t.Fatalf("the test needs nesting strings: %q, %q", short.ID, long.ID)
	}
	doc, next, err := b.Notifications(short.ID, 0, 0)
	if err != nil || next != 1 {
		t.Fatalf("Notifications(%q): next %d, %v", short.ID, next, err)
	}
	if d, err := camt.Parse(doc); err != nil || len(d.Notifications[0].Entries) != 1 || d.Notifications[0].Entries[0].AmountMinor != 5 {
		t.Fatalf("notification of %q: %+v, %v", short.ID, d, err)
	}
}

// The keys of accounts with an IBAN are what they were before accounts without one.
func TestBankKeysOfIBANAccountsUnchanged(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	acct := mustOpenAccount(t, b, "Alice", 100)
	var rec accountRecord
	if ok, err := b.get([]byte("a/"+acct.IBAN), &rec); !ok || err != nil || rec.IBAN != acct.IBAN {
		t.Fatalf("account record under a/%s: %v %v", acct.IBAN, ok, err)
	}
	var e entryRecord
	if ok, err := b.get(append([]byte("e/"+acct.IBAN+"/"), 0, 0, 0, 0, 0, 0, 0, 1), &e); !ok || err != nil {
		t.Fatalf("entry record under e/%s/1: %v %v", acct.IBAN, ok, err)
	}
}

func TestBankHTTPAccountWithoutIBAN(t *testing.T) {
	_, srv := newTestServer(t)
	c := NewClient(srv.URL)
	ctx := context.Background()
	payer, err := c.OpenAccount(ctx, cnyAccount("Li Lei", "6222021001000000002", 100_000))
	if err != nil {
		t.Fatal(err)
	}
	payee, err := c.OpenAccount(ctx, cnyAccount("Acme Trading", "6222021001000000001", 0))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Account(ctx, payee.ID); err != nil || got != payee {
		t.Fatalf("Account(%q) = %+v, %v", payee.ID, got, err)
	}
	if _, err := c.Pay(ctx, TransferRequest{From: payer.ID, To: payee.ID, AmountMinor: 100, Currency: "CNY", Reference: rfRef}); err != nil {
		t.Fatal(err)
	}
	doc, next, err := c.Notifications(ctx, payee.ID, 0)
	if err != nil || next != 1 || !strings.Contains(string(doc), "<Id>6222021001000000001</Id>") {
		t.Fatalf("Notifications: next %d, %v\n%s", next, err, doc)
	}
	status, _, body := call(t, srv, "GET", "/v1/accounts/6222021001000000009%20(scheme%20BBAN)", "", nil)
	var eb errorBody
	if err := json.Unmarshal(body, &eb); status != 404 || err != nil || eb.Field != "account" {
		t.Fatalf("unknown account: status %d %s", status, body)
	}
}
