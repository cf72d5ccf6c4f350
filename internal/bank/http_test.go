package bank

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
)

// newTestServer serves a fresh bank over HTTP; both stop when the test ends.
func newTestServer(t *testing.T) (*Bank, *httptest.Server) {
	t.Helper()
	b := openTestBank(t, t.TempDir(), newTestClock())
	srv := httptest.NewServer(b.Handler())
	t.Cleanup(srv.Close)
	return b, srv
}

// call sends a request with a raw body and returns the status, headers and body.
func call(t *testing.T, srv *httptest.Server, method, path, body string, h http.Header) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, raw
}

// assertErrorBody checks an error answer's status and field.
func assertErrorBody(t *testing.T, status int, raw []byte, wantStatus int, wantField string) {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(raw, &eb); err != nil {
		t.Fatalf("status %d, body %s: %v", status, raw, err)
	}
	if status != wantStatus || eb.Field != wantField || eb.Error == "" {
		t.Fatalf("status %d, body %s; want %d naming field %q", status, raw, wantStatus, wantField)
	}
}

func TestBankHTTPOpenAccount(t *testing.T) {
	_, srv := newTestServer(t)
	if status, _, raw := call(t, srv, "POST", "/v1/accounts", `{"holder":"Existing","currency":"EUR","iban":"`+givenIBAN+`"}`, nil); status != http.StatusCreated {
		t.Fatalf("status %d: %s", status, raw)
	}
	tests := []struct {
		name   string
		body   string
		status int
		field  string
	}{
		{"generated IBAN", `{"holder":"Alice","currency":"EUR","opening_balance_minor":100000}`, 201, ""},
		{"given IBAN", `{"holder":"Carol","currency":"EUR","iban":"DE75512108001245126199"}`, 201, ""},
		{"duplicate IBAN", `{"holder":"Dave","currency":"EUR","iban":"` + givenIBAN + `"}`, 409, "iban"},
		{"bad IBAN", `{"holder":"Eve","currency":"EUR","iban":"DE88370400440532013000"}`, 400, "iban"},
		{"bad currency", `{"holder":"Eve","currency":"EURO"}`, 400, "currency"},
		{"empty holder", `{"holder":"","currency":"EUR"}`, 400, "holder"},
		{"unknown field", `{"holder":"Eve","currency":"EUR","colour":"red"}`, 400, "colour"},
		{"negative balance", `{"holder":"Eve","currency":"EUR","opening_balance_minor":-1}`, 400, "opening_balance_minor"},
		{"not JSON", `holder=Eve`, 400, ""},
		{"trailing data", `{"holder":"Eve","currency":"EUR"} {}`, 400, ""},
		{"body over 64 KiB", `{"holder":"` + strings.Repeat("x", 65<<10) + `"}`, 413, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, raw := call(t, srv, "POST", "/v1/accounts", tc.body, nil)
			if tc.status != http.StatusCreated {
				assertErrorBody(t, status, raw, tc.status, tc.field)
				return
			}
			var acct Account
			if err := json.Unmarshal(raw, &acct); err != nil || status != tc.status || acct.IBAN == "" ||
				!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Fatalf("status %d, body %s, %v", status, raw, err)
			}
			status, _, raw = call(t, srv, "GET", "/v1/accounts/"+acct.IBAN, "", nil)
			var got Account
			if err := json.Unmarshal(raw, &got); err != nil || status != 200 || got != acct {
				t.Fatalf("GET: status %d, body %s, %v", status, raw, err)
			}
		})
	}
}

func TestBankHTTPAccount(t *testing.T) {
	b, srv := newTestServer(t)
	alice := mustOpenAccount(t, b, "Alice", 100)
	tests := []struct {
		name, path string
		status     int
		field      string
	}{
		{"electronic form", "/v1/accounts/" + alice.IBAN, 200, ""},
		{"print form", "/v1/accounts/" + strings.ReplaceAll(alice.IBAN[:4]+" "+alice.IBAN[4:], " ", "%20"), 200, ""},
		{"unknown", "/v1/accounts/" + givenIBAN, 404, "iban"},
		{"malformed", "/v1/accounts/DE00", 400, "iban"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, raw := call(t, srv, "GET", tc.path, "", nil)
			if tc.status != 200 {
				assertErrorBody(t, status, raw, tc.status, tc.field)
				return
			}
			var got Account
			if err := json.Unmarshal(raw, &got); err != nil || status != 200 || got != alice {
				t.Fatalf("status %d, body %s, %v", status, raw, err)
			}
		})
	}
	if status, _, _ := call(t, srv, "GET", "/healthz", "", nil); status != 200 {
		t.Fatalf("healthz: %d", status)
	}
}

func TestBankHTTPTransfer(t *testing.T) {
	b, srv := newTestServer(t)
	alice := mustOpenAccount(t, b, "Alice", 10000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	franc, err := b.OpenAccount(OpenAccountRequest{Holder: "Franz", Currency: "CHF", OpeningBalanceMinor: 100})
	if err != nil {
		t.Fatal(err)
	}
	body := func(from, to string, amountMinor int, ccy, ref string) string {
		raw, _ := json.Marshal(map[string]any{"from_iban": from, "to_iban": to, "amount_minor": amountMinor, "currency": ccy, "reference": ref})
		return string(raw)
	}
	key := func(k string) http.Header { return http.Header{HeaderIdempotencyKey: {k}} }
	okBody := body(alice.IBAN, bob.IBAN, 1000, "EUR", rfRef)
	tests := []struct {
		name   string
		body   string
		h      http.Header
		status int
		field  string
	}{
		{"booked", okBody, key("k1"), 201, ""},
		{"idempotent repeat", okBody, key("k1"), 200, ""},
		{"same key, other request", body(alice.IBAN, bob.IBAN, 999, "EUR", rfRef), key("k1"), 409, "idempotency_key"},
		{"insufficient funds", body(alice.IBAN, bob.IBAN, 9001, "EUR", rfRef), nil, 422, "amount_minor"},
		{"currency mismatch", body(alice.IBAN, bob.IBAN, 1, "CHF", rfRef), nil, 422, "currency"},
		{"payee in another currency", body(alice.IBAN, franc.IBAN, 1, "EUR", rfRef), nil, 422, "to_iban"},
		{"unknown payee", body(alice.IBAN, givenIBAN, 1, "EUR", rfRef), nil, 404, "to_iban"},
		{"zero amount", body(alice.IBAN, bob.IBAN, 0, "EUR", rfRef), nil, 400, "amount_minor"},
		{"self transfer", body(alice.IBAN, alice.IBAN, 1, "EUR", rfRef), nil, 400, "to_iban"},
		{"no reference", body(alice.IBAN, bob.IBAN, 1, "EUR", ""), nil, 400, "reference"},
		{"idempotency key in the body", `{"from_iban":"` + alice.IBAN + `","idempotency_key":"k"}`, nil, 400, "idempotency_key"},
	}
	var first []byte
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, raw := call(t, srv, "POST", "/v1/transfers", tc.body, tc.h)
			if tc.status >= 300 {
				assertErrorBody(t, status, raw, tc.status, tc.field)
				return
			}
			var tr Transfer
			if err := json.Unmarshal(raw, &tr); err != nil || status != tc.status || tr.UETR == "" {
				t.Fatalf("status %d, body %s, %v", status, raw, err)
			}
			if first == nil {
				first = raw
			} else if !bytes.Equal(raw, first) {
				t.Fatalf("repeat answered %s, first %s", raw, first)
			}
		})
	}
	if a, c := balance(t, b, alice.IBAN), balance(t, b, bob.IBAN); a != 9000 || c != 1000 {
		t.Fatalf("balances %d and %d, want one transfer of 1000", a, c)
	}
}

func TestBankHTTPNotificationsAndStatement(t *testing.T) {
	b, srv := newTestServer(t)
	alice := mustOpenAccount(t, b, "Alice", 10000)
	path := "/v1/accounts/" + alice.IBAN
	status, h, raw := call(t, srv, "GET", path+"/camt054", "", nil)
	if status != 200 || h.Get(HeaderNextAfter) != "1" || h.Get("Content-Type") != "application/xml" {
		t.Fatalf("camt054: status %d, headers %v", status, h)
	}
	if d, err := camt.Parse(raw); err != nil || len(d.Notifications[0].Entries) != 1 {
		t.Fatalf("camt054: %v\n%s", err, raw)
	}
	if status, h, raw = call(t, srv, "GET", path+"/camt054?after=1", "", nil); status != 204 || len(raw) != 0 || h.Get(HeaderNextAfter) != "1" {
		t.Fatalf("nothing new: status %d, next %q, %d bytes", status, h.Get(HeaderNextAfter), len(raw))
	}
	status, _, raw = call(t, srv, "GET", path+"/camt053?date=2026-03-02", "", nil)
	if d, err := camt.Parse(raw); status != 200 || err != nil || d.Message != "camt.053" {
		t.Fatalf("camt053: status %d, %v", status, err)
	}
	tests := []struct {
		name, path string
		status     int
		field      string
	}{
		{"bad cursor", path + "/camt054?after=-1", 400, "after"},
		{"zero limit", path + "/camt054?limit=0", 400, "limit"},
		{"limit too large", path + "/camt054?limit=1001", 400, "limit"},
		{"unknown account", "/v1/accounts/" + givenIBAN + "/camt054", 404, "iban"},
		{"bad date", path + "/camt053?date=yesterday", 400, "date"},
		{"no date", path + "/camt053", 400, "date"},
		{"statement of an unknown account", "/v1/accounts/" + givenIBAN + "/camt053?date=2026-03-02", 404, "iban"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, raw := call(t, srv, "GET", tc.path, "", nil)
			assertErrorBody(t, status, raw, tc.status, tc.field)
		})
	}
}

func TestBankClient(t *testing.T) {
	b, srv := newTestServer(t)
	c := NewClient(srv.URL + "/")
	ctx := context.Background()
	alice, err := c.OpenAccount(ctx, OpenAccountRequest{Holder: "Alice", Currency: "EUR", OpeningBalanceMinor: 10000})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := c.OpenAccount(ctx, OpenAccountRequest{Holder: "Bob", Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	req := TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 2500, Currency: "EUR", Reference: rfRef, IdempotencyKey: "pay-1"}
	tr, err := c.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := c.Pay(ctx, req); err != nil || !reflect.DeepEqual(again, tr) {
		t.Fatalf("repeat: %+v, %v; want %+v", again, err, tr)
	}
	if got, err := c.Account(ctx, bob.IBAN); err != nil || got.BalanceMinor != 2500 {
		t.Fatalf("payee: %+v, %v", got, err)
	}
	doc, next, err := c.Notifications(ctx, bob.IBAN, 0)
	if want, wantNext, _ := b.Notifications(bob.IBAN, 0, 0); err != nil || !bytes.Equal(doc, want) || next != wantNext {
		t.Fatalf("notifications: next %d, %v", next, err)
	}
	if doc, again, err := c.Notifications(ctx, bob.IBAN, next); doc != nil || again != next || err != nil {
		t.Fatalf("nothing new: %d bytes, next %d, %v", len(doc), again, err)
	}
	if doc, err := c.Statement(ctx, bob.IBAN, "2026-03-02"); err != nil || !bytes.Contains(doc, []byte("camt.053")) {
		t.Fatalf("statement: %v", err)
	}
}

func TestBankClientErrorsUnwrapToSentinels(t *testing.T) {
	b, srv := newTestServer(t)
	c := NewClient(srv.URL)
	ctx := context.Background()
	alice := mustOpenAccount(t, b, "Alice", 10000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	req := TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 2500, Currency: "EUR", Reference: rfRef, IdempotencyKey: "pay-1"}
	mustTransfer(t, b, req)
	tests := []struct {
		name    string
		call    func() error
		wantErr error
		status  int
		field   string
	}{
		{"insufficient funds", func() error {
			_, err := c.Pay(ctx, TransferRequest{FromIBAN: bob.IBAN, ToIBAN: alice.IBAN, AmountMinor: 2501, Currency: "EUR", Reference: "x"})
			return err
		}, ErrInsufficientFunds, 422, "amount_minor"},
		{"currency mismatch", func() error {
			_, err := c.Pay(ctx, TransferRequest{FromIBAN: bob.IBAN, ToIBAN: alice.IBAN, AmountMinor: 1, Currency: "USD", Reference: "x"})
			return err
		}, ErrCurrencyMismatch, 422, "currency"},
		{"idempotency conflict", func() error { r := req; r.AmountMinor++; _, err := c.Pay(ctx, r); return err }, ErrIdempotencyConflict, 409, "idempotency_key"},
		{"unknown account", func() error { _, err := c.Account(ctx, givenIBAN); return err }, ErrUnknownAccount, 404, "iban"},
		{"account exists", func() error {
			_, err := c.OpenAccount(ctx, OpenAccountRequest{Holder: "A", Currency: "EUR", IBAN: alice.IBAN})
			return err
		}, ErrAccountExists, 409, "iban"},
		{"invalid", func() error {
			_, err := c.OpenAccount(ctx, OpenAccountRequest{Holder: "A", Currency: "eur"})
			return err
		}, ErrInvalid, 400, "currency"},
		{"bad date", func() error { _, err := c.Statement(ctx, alice.IBAN, "today"); return err }, ErrInvalid, 400, "date"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var apiErr *APIError
			if !errors.Is(err, tc.wantErr) || !errors.As(err, &apiErr) || apiErr.Status != tc.status || apiErr.Field != tc.field {
				t.Fatalf("error %#v, want %v with status %d naming %q", err, tc.wantErr, tc.status, tc.field)
			}
		})
	}
	var apiErr *APIError
	_, err := NewClient(srv.URL+"/nowhere").Account(ctx, alice.IBAN)
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("a 404 of no route: %v", err)
	}
}

func TestBankServeStopsWithTheContext(t *testing.T) {
	b := openTestBank(t, t.TempDir(), newTestClock())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeListener(ctx, ln, b) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the context was cancelled")
	}
	if err := Serve(context.Background(), "256.0.0.1:1", b); err == nil {
		t.Fatal("Serve on a bad address succeeded")
	}
}

func TestBankHTTPReversalAndReturn(t *testing.T) {
	b, srv := newTestServer(t)
	alice := mustOpenAccount(t, b, "Alice", 10000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	pay := func(amountMinor uint64) Transfer {
		return mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: amountMinor, Currency: "EUR", Reference: rfRef})
	}
	first, second, third := pay(1000), pay(2000), pay(3000)
	// Bob spends a cent: he can cover the first two transfers, not the third as well.
	mustTransfer(t, b, TransferRequest{FromIBAN: bob.IBAN, ToIBAN: alice.IBAN, AmountMinor: 1, Currency: "EUR", Reference: "x"})
	path := func(ref, what string) string { return "/v1/transfers/" + ref + "/" + what }
	tests := []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"reversal", path(first.ID, "reversal"), `{"reason":"AC04"}`, 201, ""},
		{"reversed twice", path(first.ID, "reversal"), `{"reason":"AC04"}`, 409, "transfer"},
		{"return of a reversed transfer", path(first.UETR, "return"), `{"reason":"AC01"}`, 409, "transfer"},
		{"return by UETR", path(second.UETR, "return"), `{"reason":"AC01"}`, 201, ""},
		{"returned twice", path(second.ID, "return"), `{"reason":"AC01"}`, 409, "transfer"},
		{"reversal of a returned transfer", path(second.ID, "reversal"), `{"reason":"AC04"}`, 409, "transfer"},
		{"reversal of a reversal", path("T000000000005", "reversal"), `{"reason":"AC04"}`, 400, "transfer"},
		{"unknown transfer", path("T000000000099", "return"), `{"reason":"AC01"}`, 404, "transfer"},
		{"unknown UETR", path("0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b", "reversal"), `{"reason":"AC04"}`, 404, "transfer"},
		{"bad reason", path(third.ID, "reversal"), `{"reason":"fraud"}`, 400, "reason"},
		{"no reason", path(third.ID, "return"), `{}`, 400, "reason"},
		{"unknown field", path(third.ID, "reversal"), `{"reason":"AC04","amount_minor":1}`, 400, "amount_minor"},
		{"not JSON", path(third.ID, "return"), `AC01`, 400, ""},
		{"more than the payee holds", path(third.ID, "reversal"), `{"reason":"AC04"}`, 422, "transfer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, raw := call(t, srv, "POST", tc.path, tc.body, nil)
			if tc.status != http.StatusCreated {
				assertErrorBody(t, status, raw, tc.status, tc.field)
				return
			}
			var u Transfer
			if err := json.Unmarshal(raw, &u); err != nil || status != tc.status || u.OriginalID == "" || u.Reason == "" {
				t.Fatalf("status %d, body %s, %v", status, raw, err)
			}
		})
	}
	if a, c := balance(t, b, alice.IBAN), balance(t, b, bob.IBAN); a != 7001 || c != 2999 {
		t.Fatalf("balances %d and %d, want the first two transfers undone", a, c)
	}
}

func TestBankClientReverseAndReturn(t *testing.T) {
	b, srv := newTestServer(t)
	c := NewClient(srv.URL)
	ctx := context.Background()
	alice := mustOpenAccount(t, b, "Alice", 10000)
	bob := mustOpenAccount(t, b, "Bob", 0)
	pay := func() Transfer {
		return mustTransfer(t, b, TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 1000, Currency: "EUR", Reference: rfRef})
	}
	first, second := pay(), pay()
	u, err := c.Reverse(ctx, ReverseRequest{Transfer: first.UETR, Reason: "FR01"})
	if err != nil || u.Type != TypeReversal || u.OriginalID != first.ID || u.Reason != "FR01" || u.UETR != first.UETR {
		t.Fatalf("reversal %+v, %v", u, err)
	}
	r, err := c.Return(ctx, ReturnRequest{Transfer: second.ID, Reason: "AC01"})
	if err != nil || r.Type != TypeReturn || r.OriginalID != second.ID || r.FromIBAN != bob.IBAN || r.ToIBAN != alice.IBAN {
		t.Fatalf("return %+v, %v", r, err)
	}
	reverse := func(ref, reason string) error {
		_, err := c.Reverse(ctx, ReverseRequest{Transfer: ref, Reason: reason})
		return err
	}
	ret := func(ref, reason string) error {
		_, err := c.Return(ctx, ReturnRequest{Transfer: ref, Reason: reason})
		return err
	}
	tests := []struct {
		name    string
		call    func() error
		wantErr error
		status  int
		field   string
	}{
		{"reversed twice", func() error { return reverse(first.ID, "FR01") }, ErrAlreadyReversed, 409, "transfer"},
		{"returned twice", func() error { return ret(second.UETR, "AC01") }, ErrAlreadyReturned, 409, "transfer"},
		{"unknown transfer", func() error { return ret("T1", "AC01") }, ErrUnknownTransfer, 404, "transfer"},
		{"insufficient funds", func() error {
			tr := pay()
			mustTransfer(t, b, TransferRequest{FromIBAN: bob.IBAN, ToIBAN: alice.IBAN, AmountMinor: 1, Currency: "EUR", Reference: "x"})
			return reverse(tr.ID, "AC04")
		}, ErrInsufficientFunds, 422, "transfer"},
		{"bad reason", func() error { return reverse(first.ID, "AC 4") }, ErrInvalid, 400, "reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var apiErr *APIError
			if !errors.Is(err, tc.wantErr) || !errors.As(err, &apiErr) || apiErr.Status != tc.status || apiErr.Field != tc.field {
				t.Fatalf("error %#v, want %v with status %d naming %q", err, tc.wantErr, tc.status, tc.field)
			}
		})
	}
	if err := ret("", "AC01"); !errors.Is(err, ErrInvalid) || fieldOf(err) != "transfer" {
		t.Fatalf("a return naming no transfer: %v", err)
	}
}
