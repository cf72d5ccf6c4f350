package node_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/node/nodetest"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// openAPI is the read API's client in the tests: every answer it gets is checked against
// the OpenAPI document, its status and body, and one that does not match fails the test.
type openAPI struct {
	t      *testing.T
	ctx    context.Context
	base   string
	router routers.Router
}

func newOpenAPI(t *testing.T, ctx context.Context, base string) *openAPI {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatalf("the OpenAPI document: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &openAPI{t: t, ctx: ctx, base: base, router: router}
}

// get asks for path and returns the answer's status and body, once the document says
// that answer is one of the path's.
func (o *openAPI) get(path string) (int, []byte) {
	o.t.Helper()
	req, err := http.NewRequestWithContext(o.ctx, http.MethodGet, o.base+path, nil)
	if err != nil {
		o.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	route, params, err := o.router.FindRoute(req)
	if err != nil {
		o.t.Fatalf("GET %s: no route in the OpenAPI document: %v", path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(o.ctx, in); err != nil {
		o.t.Fatalf("GET %s: %s %s does not match the OpenAPI document: %v", path, resp.Status, body, err)
	}
	return resp.StatusCode, body
}

// ok asks for path, wants 200 and reads the answer into v.
func (o *openAPI) ok(path string, v any) {
	o.t.Helper()
	status, body := o.get(path)
	if status != http.StatusOK {
		o.t.Fatalf("GET %s: %d %s, want 200", path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		o.t.Fatalf("GET %s: %v", path, err)
	}
}

// refused asks for path and wants status with the query's code.
func (o *openAPI) refused(path string, status int, code query.Code) {
	o.t.Helper()
	got, body := o.get(path)
	var e api.ReadError
	if err := json.Unmarshal(body, &e); err != nil {
		o.t.Fatalf("GET %s: %v", path, err)
	}
	if got != status || e.Code != code || e.CodeName != query.CodeName(code) || e.Error == "" {
		o.t.Fatalf("GET %s: %d %s, want %d with code %d (%s) and a reason", path, got, body, status, code, query.CodeName(code))
	}
}

// Each route of the read API answers from a real chain what the query API answers, and
// refuses unknown ids, bad addresses and pages over the maximum with the query's code;
// every answer matches the OpenAPI document, which the node serves as the repository
// keeps it.
func TestReadAPI(t *testing.T) {
	ch := nodetest.StartWith(t, nodetest.Options{API: true})
	ctx := nodetest.Context(t)
	zeta := nodetest.Key(103)
	zetaPub := zeta.Public().(ed25519.PublicKey)
	ch.Apply(t, &txn.RegisterOperator{
		ID: "zeta", Address: crypto.AddressOf(zetaPub), PublicKey: zetaPub,
		Account:  txn.BankAccount{IBAN: "GB29NWBK60161331926819", BIC: "NWBKGB2LXXX", Holder: "Zeta Ltd", Currency: "GBP"},
		Rate:     txn.Rate{Chips: 1_000_000, Minor: 100},
		CapChips: 1_000_000,
	})
	buyer := newKey(t)
	order := ch.Buy(t, buyer, "buyer-1", 1_000)
	o := newOpenAPI(t, ctx, ch.Node.APIAddress())

	var balance query.Balance
	o.ok("/api/v1/accounts/"+address(buyer).String(), &balance)
	if balance.Address != address(buyer) || balance.Chips != 0 {
		t.Errorf("balance %+v, want 0 chips at %s", balance, address(buyer))
	}
	o.refused("/api/v1/accounts/chip1nothing", http.StatusBadRequest, query.BadRequest)

	for _, id := range []string{order.ID, strings.ToLower(order.ID), order.PaymentReference} {
		var got txn.Order
		o.ok("/api/v1/orders/"+id, &got)
		if got.ID != order.ID || got.AmountMinor != 1_000 || got.Status != txn.StatusAwaitingPayment {
			t.Errorf("order %s: %+v, want %s awaiting payment", id, got, order.ID)
		}
	}
	o.refused("/api/v1/orders/"+strings.Repeat("0", 20), http.StatusNotFound, query.NotFound)
	o.refused("/api/v1/orders/not-an-order", http.StatusBadRequest, query.BadRequest)
	o.refused("/api/v1/redemptions/"+strings.Repeat("0", 20), http.StatusNotFound, query.NotFound)

	var all query.Page[txn.Operator]
	o.ok("/api/v1/operators", &all)
	if len(all.Items) != 2 || all.Items[0].ID != "acme" || all.Items[1].ID != "zeta" || all.Next != "" {
		t.Errorf("operators: %+v, want acme and zeta on one page", all)
	}
	var first, second query.Page[txn.Operator]
	o.ok("/api/v1/operators?limit=1", &first)
	if len(first.Items) != 1 || first.Items[0].ID != "acme" || first.Next != "acme" {
		t.Errorf("first page of one: %+v, want acme with next acme", first)
	}
	o.ok("/api/v1/operators?limit=1&after="+first.Next, &second)
	if len(second.Items) != 1 || second.Items[0].ID != "zeta" || second.Next != "" {
		t.Errorf("second page of one: %+v, want zeta, the last", second)
	}
	for _, limit := range []string{"101", "0", "-1", "ten"} {
		o.refused("/api/v1/operators?limit="+limit, http.StatusBadRequest, query.BadRequest)
	}

	var acme api.OperatorAnswer
	o.ok("/api/v1/operators/acme", &acme)
	var op txn.Operator
	if err := json.Unmarshal(acme.Operator, &op); err != nil || op.ID != "acme" || op.Account.IBAN != nodetest.OperatorIBAN || acme.LatestReserves != nil {
		t.Errorf("operator acme: %s %s (%v), want acme and no attestation", acme.Operator, acme.LatestReserves, err)
	}
	o.refused("/api/v1/operators/nobody", http.StatusNotFound, query.NotFound)
	var reserves query.Page[txn.ReservesAttestation]
	o.ok("/api/v1/operators/acme/reserves?limit=5", &reserves)
	if reserves.Items == nil || len(reserves.Items) != 0 || reserves.Next != "" {
		t.Errorf("acme's attestations: %+v, want an empty list", reserves)
	}
	o.refused("/api/v1/operators/nobody/reserves", http.StatusNotFound, query.NotFound)
	o.refused("/api/v1/operators/acme/reserves?after=yesterday", http.StatusBadRequest, query.BadRequest)

	var supply txn.Supply
	o.ok("/api/v1/supply", &supply)
	if supply != (txn.Supply{}) {
		t.Errorf("supply %+v, want none before an issue", supply)
	}

	_, served := o.get(api.PathOpenAPI)
	file, err := os.ReadFile("../api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(served, file) {
		t.Error("the served OpenAPI document differs from internal/api/openapi.json")
	}
}
