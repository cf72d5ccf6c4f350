package bank

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// FuzzBankHTTPBodies sends arbitrary bodies to the endpoints that decode JSON. Whatever
// arrives, the bank answers with one of its documented statuses, never a server fault,
// and money is neither made nor lost.
func FuzzBankHTTPBodies(f *testing.F) {
	b := openTestBank(f, f.TempDir(), newTestClock())
	alice := mustOpenAccount(f, b, "Alice", 100000)
	bob := mustOpenAccount(f, b, "Bob", 0)
	tr, err := b.Transfer(TransferRequest{FromIBAN: alice.IBAN, ToIBAN: bob.IBAN, AmountMinor: 100, Currency: "EUR", Reference: "x"})
	if err != nil {
		f.Fatal(err)
	}
	// The endpoints that move money; any other path is taken as /v1/accounts.
	moving := []string{
		"/v1/transfers",
		"/v1/transfers/" + tr.ID + "/reversal",
		"/v1/transfers/" + tr.UETR + "/return",
		"/v1/transfers/T000000000002/reversal",
		"/v1/transfers/T000000000002/return",
	}
	h := b.Handler()
	for _, seed := range []string{
		`{"from_iban":"` + alice.IBAN + `","to_iban":"` + bob.IBAN + `","amount_minor":100,"currency":"EUR","reference":"` + rfRef + `"}`,
		`{"from_iban":"` + bob.IBAN + `","to_iban":"` + alice.IBAN + `","amount_minor":1,"currency":"EUR","reference":"free text"}`,
		`{"from_iban":"` + alice.IBAN + `","to_iban":"` + bob.IBAN + `","amount_minor":18446744073709551615,"currency":"EUR","reference":"x"}`,
		`{"holder":"Carol","currency":"EUR","opening_balance_minor":5}`,
		`{"holder":"Carol","currency":"EUR","iban":"` + givenIBAN + `"}`,
		`{"reason":"AC04"}`, `{"reason":"FR01","reason":"AC01"}`, `{"reason":"ac04"}`, `{"reason":4}`,
		`{}`, `[]`, `null`, `{"amount_minor":-1}`, `{"reference":"\u0000"}`, `{"a":1}{}`, ``,
	} {
		for _, path := range moving {
			f.Add(path, seed)
		}
		f.Add("/v1/accounts", seed)
	}
	allowed := map[int]bool{200: true, 201: true, 400: true, 404: true, 409: true, 413: true, 422: true}
	f.Fuzz(func(t *testing.T, path, body string) {
		moves := slices.Contains(moving, path)
		if !moves {
			path = "/v1/accounts"
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		if !allowed[rec.Code] || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("POST %s %q: status %d, body %s", path, body, rec.Code, rec.Body)
		}
		if moves {
			if sum := balance(t, b, alice.IBAN) + balance(t, b, bob.IBAN); sum != 100000 {
				t.Fatalf("POST %s %q: balances sum to %d, want 100000", path, body, sum)
			}
		}
	})
}
