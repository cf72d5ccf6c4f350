package bank

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/pain"
)

// painAccounts opens a debtor with 1000.00 EUR, a creditor by IBAN and a creditor
// without one.
func painAccounts(t *testing.T, b *Bank) (debtor, creditor, other Account) {
	t.Helper()
	debtor = mustOpenAccount(t, b, "Acme Payments GmbH", 100000)
	creditor = mustOpenAccount(t, b, "Jane Doe", 0)
	other, err := b.OpenAccount(OpenAccountRequest{Holder: "Zhang Wei", Currency: "EUR", OtherID: "6222021001000000001", Scheme: "BBAN"})
	if err != nil {
		t.Fatal(err)
	}
	return debtor, creditor, other
}

// painFile writes a pain.001 of the debtor paying: 123.45 to creditor with an RF
// reference, 5.00 to other, 1.00 to an account of no bank here, 2000.00 to creditor
// (more than the debtor has) and 10.00 to creditor in another currency.
func painFile(t *testing.T, msgID string, debtor, creditor, other Account) []byte {
	t.Helper()
	doc, err := pain.Write(pain.Initiation{
		MessageID: msgID, CreatedAt: "2026-03-02T09:00:00Z", InitiatingParty: debtor.Holder, ExecutionDate: "2026-03-02",
		Debtor: pain.Party{Name: debtor.Holder, Account: pain.Account{IBAN: debtor.IBAN}},
		Payments: []pain.Payment{
			{EndToEndID: "RDM-1", AmountMinor: 12345, Currency: "EUR", CreditorName: "Jane Doe",
				CreditorAccount: pain.Account{IBAN: creditor.IBAN}, CreditorReference: rfRef},
			{EndToEndID: "RDM-2", AmountMinor: 500, Currency: "EUR", CreditorName: "Zhang Wei",
				CreditorAccount: pain.Account{Other: fiat.OtherAccount{ID: other.OtherID, Scheme: other.Scheme}}, Unstructured: "chips redeemed"},
			{EndToEndID: "RDM-3", AmountMinor: 100, Currency: "EUR", CreditorName: "Nobody",
				CreditorAccount: pain.Account{IBAN: givenIBAN}},
			{EndToEndID: "RDM-4", AmountMinor: 200000, Currency: "EUR", CreditorName: "Jane Doe",
				CreditorAccount: pain.Account{IBAN: creditor.IBAN}},
			{EndToEndID: "RDM-5", AmountMinor: 1000, Currency: "CHF", CreditorName: "Jane Doe",
				CreditorAccount: pain.Account{IBAN: creditor.IBAN}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Each payment of a file is booked as a transfer with its end-to-end id and remittance,
// or rejected with its reason, and a rejection does not stop the payments after it.
func TestUploadPain001BooksEachPayment(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	debtor, creditor, other := painAccounts(t, b)
	up, err := b.UploadPain001(debtor.IBAN, painFile(t, "MSG-1", debtor, creditor, other))
	if err != nil {
		t.Fatal(err)
	}
	if up.MessageID != "MSG-1" || up.Account != debtor.IBAN || len(up.Payments) != 5 {
		t.Fatalf("upload %+v", up)
	}
	for i, want := range []string{"", "", ErrUnknownAccount.Error(), ErrInsufficientFunds.Error(), ErrCurrencyMismatch.Error()} {
		p := up.Payments[i]
		if p.EndToEndID != "RDM-"+string(rune('1'+i)) {
			t.Errorf("payment %d has end-to-end id %q", i+1, p.EndToEndID)
		}
		if want == "" {
			if p.Transfer == nil || p.Rejection != "" || p.Transfer.EndToEndID != p.EndToEndID || p.Transfer.UETR == "" || p.Transfer.AcctSvcrRef == "" {
				t.Errorf("payment %d not booked: %+v", i+1, p)
			}
			continue
		}
		if p.Transfer != nil || !strings.Contains(p.Rejection, want) {
			t.Errorf("payment %d = %+v, want rejected with %q", i+1, p, want)
		}
	}
	if tr := up.Payments[0].Transfer; tr.ToIBAN != creditor.IBAN || tr.AmountMinor != 12345 || tr.Reference != rfRef {
		t.Errorf("first transfer %+v", tr)
	}
	if tr := up.Payments[1].Transfer; tr.To != other.ID || tr.Reference != "chips redeemed" {
		t.Errorf("second transfer %+v", tr)
	}
	if got := balance(t, b, debtor.IBAN); got != 100000-12345-500 {
		t.Errorf("debtor balance %d", got)
	}
	if got := balance(t, b, creditor.IBAN); got != 12345 {
		t.Errorf("creditor balance %d", got)
	}
	entries, _ := notified(t, b, creditor.IBAN, 0)
	if len(entries) != 1 || entries[0].EndToEndID != "RDM-1" || entries[0].CreditorReference != rfRef || entries[0].DebtorIBAN != debtor.IBAN {
		t.Fatalf("creditor's notification %+v", entries)
	}
}

// The same file uploaded again, also after a restart, books nothing twice and answers
// the same; a payment rejected the first time is tried again.
func TestUploadPain001Duplicate(t *testing.T) {
	dir, clock := t.TempDir(), newTestClock()
	b := openTestBank(t, dir, clock)
	debtor, creditor, other := painAccounts(t, b)
	doc := painFile(t, "MSG-1", debtor, creditor, other)
	first, err := b.UploadPain001(debtor.IBAN, doc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.UploadPain001(debtor.IBAN, doc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, first) {
		t.Fatalf("second upload answered\n%+v\nfirst\n%+v", again, first)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openTestBank(t, dir, clock)
	if _, err := b.OpenAccount(OpenAccountRequest{Holder: "Nobody", Currency: "EUR", IBAN: givenIBAN}); err != nil {
		t.Fatal(err)
	}
	third, err := b.UploadPain001(debtor.IBAN, doc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range first.Payments {
		if i == 2 || i == 3 {
			continue // the account opened since; a rejection that names the balance
		}
		if !reflect.DeepEqual(third.Payments[i], first.Payments[i]) {
			t.Errorf("after a restart payment %d answered %+v, first %+v", i+1, third.Payments[i], first.Payments[i])
		}
	}
	if p := third.Payments[2]; p.Transfer == nil || p.Transfer.ToIBAN != givenIBAN {
		t.Errorf("the payment to the account opened since was not booked: %+v", p)
	}
	if p := third.Payments[3]; p.Transfer != nil || !strings.Contains(p.Rejection, ErrInsufficientFunds.Error()) {
		t.Errorf("the payment beyond the balance: %+v", p)
	}
	if got := balance(t, b, debtor.IBAN); got != 100000-12345-500-100 {
		t.Errorf("debtor balance %d: a payment was booked twice or not at all", got)
	}
	// Another file with the same message id and end-to-end id but another amount is a
	// conflict, not a repeat.
	conflict := strings.Replace(string(painFile(t, "MSG-1", debtor, creditor, other)), ">123.45<", ">123.46<", 1)
	if strings.Count(conflict, "<CtrlSum>2139.45</CtrlSum>") != 2 {
		t.Fatalf("the file's control sums are not 2139.45:\n%s", conflict)
	}
	conflict = strings.ReplaceAll(conflict, "<CtrlSum>2139.45</CtrlSum>", "<CtrlSum>2139.46</CtrlSum>")
	up, err := b.UploadPain001(debtor.IBAN, []byte(conflict))
	if err != nil {
		t.Fatal(err)
	}
	if p := up.Payments[0]; p.Transfer != nil || !strings.Contains(p.Rejection, ErrIdempotencyConflict.Error()) {
		t.Fatalf("changed payment under the same ids: %+v", p)
	}
}

// A file whose debtor is another account, a malformed file, a file for an account of no
// bank here: refused as a whole, nothing booked.
func TestUploadPain001Refusals(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	debtor, creditor, other := painAccounts(t, b)
	doc := painFile(t, "MSG-1", debtor, creditor, other)
	_, err := b.UploadPain001(creditor.IBAN, doc)
	assertFieldError(t, err, ErrInvalid, "DbtrAcct")
	if !strings.Contains(err.Error(), debtor.IBAN) || !strings.Contains(err.Error(), creditor.IBAN) {
		t.Errorf("error %v does not name both accounts", err)
	}
	truncated := doc[:strings.Index(string(doc), "RDM-2")]
	_, err = b.UploadPain001(debtor.IBAN, truncated)
	assertFieldError(t, err, ErrInvalid, "Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[2]/PmtId/EndToEndId")
	if !errors.Is(err, pain.ErrMalformed) {
		t.Errorf("error %v does not wrap pain.ErrMalformed", err)
	}
	doctype := strings.Replace(string(doc), "<Document", `<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document`, 1)
	_, err = b.UploadPain001(debtor.IBAN, []byte(doctype))
	assertFieldError(t, err, ErrInvalid, "Document")
	_, err = b.UploadPain001(givenIBAN, doc)
	assertFieldError(t, err, ErrUnknownAccount, "iban")
	_, err = b.UploadPain001("DE00", doc)
	assertFieldError(t, err, ErrInvalid, "account")
	if got := balance(t, b, debtor.IBAN); got != 100000 {
		t.Fatalf("a refused file moved money: debtor balance %d", got)
	}
}

// A real bank's sample file (the German banks' pain.001.001.03 example), uploaded once its
// accounts are opened here.
func TestUploadPain001BankSample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "pain", "testdata", "dk-pain.001.001.03.xml"))
	if err != nil {
		t.Fatal(err)
	}
	b := openTestBank(t, t.TempDir(), newTestClock())
	for _, a := range []struct {
		holder, iban string
		balance      uint64
	}{{"Debtor Name", "DE87200500001234567890", 1000000}, {"Creditor Name", "DE21500500009876543210", 0}, {"Other Creditor Name", "DE21500500001234567897", 0}} {
		if _, err := b.OpenAccount(OpenAccountRequest{Holder: a.holder, Currency: "EUR", IBAN: a.iban, OpeningBalanceMinor: a.balance}); err != nil {
			t.Fatal(err)
		}
	}
	up, err := b.UploadPain001("DE87 2005 0000 1234 5678 90", doc)
	if err != nil {
		t.Fatal(err)
	}
	if up.MessageID != "Message-ID-4711" || len(up.Payments) != 2 || up.Payments[0].Transfer == nil || up.Payments[1].Transfer == nil {
		t.Fatalf("upload %+v", up)
	}
	if tr := up.Payments[1].Transfer; tr.EndToEndID != "OriginatorID1235" || tr.AmountMinor != 11272 || tr.Reference != "Unstructured Remittance Information" {
		t.Fatalf("second transfer %+v", tr)
	}
	if got := balance(t, b, "DE21500500009876543210"); got != 654314 {
		t.Fatalf("first creditor's balance %d", got)
	}
}

// Over HTTP, through Client: the upload, its repeat, and the refusals with their statuses.
func TestUploadPain001HTTP(t *testing.T) {
	b, srv := newTestServer(t)
	debtor, creditor, other := painAccounts(t, b)
	c := NewClient(srv.URL)
	ctx := context.Background()
	doc := painFile(t, "MSG-1", debtor, creditor, other)
	first, err := c.UploadPain001(ctx, debtor.IBAN, doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Payments) != 5 || first.Payments[0].Transfer == nil || first.Payments[2].Rejection == "" {
		t.Fatalf("upload %+v", first)
	}
	again, err := c.UploadPain001(ctx, debtor.IBAN, doc)
	if err != nil || !reflect.DeepEqual(again, first) {
		t.Fatalf("repeat answered %+v, %v; first %+v", again, err, first)
	}
	viaID, err := c.UploadPain001(ctx, other.ID, doc)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Field != "DbtrAcct" || !errors.Is(err, ErrInvalid) {
		t.Fatalf("upload to another account = %+v, %v", viaID, err)
	}
	_, err = c.UploadPain001(ctx, givenIBAN, doc)
	if !errors.As(err, &ae) || ae.Status != 404 || !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("upload to an unknown account: %v", err)
	}
	_, err = c.UploadPain001(ctx, debtor.IBAN, []byte("<Document"))
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Field != "Document" {
		t.Fatalf("malformed upload: %v", err)
	}
	status, _, raw := call(t, srv, "POST", "/v1/accounts/"+debtor.IBAN+"/pain001", strings.Repeat(" ", pain.MaxInputBytes+1), nil)
	if status != 413 {
		t.Fatalf("oversized upload: %d %s", status, raw)
	}
}
