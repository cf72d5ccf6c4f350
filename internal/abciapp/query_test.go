package abciapp

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// listPage reads one page of the list at path; req nil sends no data.
func listPage[T any](h *harness, path string, req *query.PageRequest) query.Page[T] {
	h.t.Helper()
	data := ""
	if req != nil {
		b, err := json.Marshal(req)
		if err != nil {
			h.t.Fatal(err)
		}
		data = string(b)
	}
	var p query.Page[T]
	if code := h.query(path, data, &p); code != query.OK {
		h.t.Fatalf("%s %s: code %d", path, data, code)
	}
	return p
}

// listAll reads the list at path page by page, limit items at a time, failing the test
// if a page holds more than limit or than the most a page holds.
func listAll[T any](h *harness, path string, limit int, key func(T) string) []string {
	h.t.Helper()
	var keys []string
	after := ""
	for pages := 0; ; pages++ {
		p := listPage[T](h, path, &query.PageRequest{After: after, Limit: limit})
		most := limit
		if most == 0 || most > query.PageMax {
			most = query.PageMax
		}
		if len(p.Items) > most {
			h.t.Fatalf("%s: a page of %d items, asked for %d", path, len(p.Items), limit)
		}
		for _, it := range p.Items {
			keys = append(keys, key(it))
		}
		if p.Next == "" {
			return keys
		}
		if len(p.Items) == 0 || p.Next != key(p.Items[len(p.Items)-1]) || pages > 1000 {
			h.t.Fatalf("%s: page after %q: next %q after %d items", path, after, p.Next, len(p.Items))
		}
		after = p.Next
	}
}

// Every list is answered a page at a time: never more than the most a page holds
// (query.PageMax), whatever the limit asked, and going from page to page by the
// cursor lists every item once, in order.
func TestListQueriesArePaged(t *testing.T) {
	h := newHarness(t)
	const operators = 2*query.PageMax + 7
	var regs [][]byte
	var ids []string
	for i := range operators {
		id := fmt.Sprintf("op-%03d", i)
		ids = append(ids, id)
		regs = append(regs, h.sign(issuerA, registerMsg(nthOperator(i), id)))
	}
	h.mustBlock(regs...)

	// Orders of one minor unit each, all paid: more than a page of the issuer's work.
	const paid = query.PageMax + 5
	var buys [][]byte
	var orders []string
	for range paid {
		tx, id := h.buy(alice, "op-000", 1)
		buys, orders = append(buys, tx), append(orders, id)
	}
	h.mustBlock(buys...)
	var confirms [][]byte
	for i, id := range orders {
		confirms = append(confirms, h.sign(nthOperator(0), confirmMsg(id, alice, 1, fmt.Sprintf("UETR-%d", i))))
	}
	h.mustBlock(confirms...)
	slices.Sort(orders)

	opID := func(o txn.Operator) string { return o.ID }
	orderID := func(o txn.Order) string { return o.ID }
	for _, limit := range []int{0, 1, 7, query.PageMax, query.PageMax + 1, 10 * query.PageMax} {
		if got := listAll(h, query.PathOperators, limit, opID); !slices.Equal(got, ids) {
			t.Fatalf("operators %d at a time: %d listed, want %d, each once in order", limit, len(got), len(ids))
		}
		if got := listAll(h, query.PathPaidOrders, limit, orderID); !slices.Equal(got, orders) {
			t.Fatalf("paid orders %d at a time: %d listed, want %d, each once in order", limit, len(got), len(orders))
		}
	}
	// No data asks for the first page, as full as a page may be.
	if p := listPage[txn.Operator](h, query.PathOperators, nil); len(p.Items) != query.PageMax || p.Next != ids[query.PageMax-1] {
		t.Fatalf("first page: %d items, next %q", len(p.Items), p.Next)
	}
	if p := listPage[txn.Operator](h, query.PathOperators, &query.PageRequest{After: ids[operators-2]}); len(p.Items) != 1 || p.Next != "" {
		t.Fatalf("last page: %d items, next %q", len(p.Items), p.Next)
	}
	if p := listPage[txn.Operator](h, query.PathOperators, &query.PageRequest{After: "zzz"}); p.Items == nil || len(p.Items) != 0 || p.Next != "" {
		t.Fatalf("after the last operator: %+v", p)
	}
	// An issuer's cursor is its address.
	issuers := listAll(h, query.PathIssuers, 1, func(is txn.Issuer) string { return is.Address.String() })
	if !slices.Equal(issuers, []string{issuerA.addr.String()}) {
		t.Fatalf("issuers %v", issuers)
	}
}

// nthOperator is the key of the i-th operator the paging test registers.
func nthOperator(i int) actor {
	seed := sha256.Sum256(fmt.Appendf(nil, "operator %d", i))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	return actor{name: fmt.Sprintf("op-%03d", i), priv: priv, pub: pub, addr: crypto.AddressOf(pub)}
}

func TestListQueriesRefuseABadPage(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, path, data string
	}{
		{"not JSON", query.PathOperators, "acme"},
		{"an unknown field", query.PathPaidOrders, `{"from": "x"}`},
		{"a negative limit", query.PathOperators, `{"limit": -1}`},
		{"a limit that is no number", query.PathOperators, `{"limit": "ten"}`},
		{"two objects", query.PathOperators, `{} {}`},
		{"an issuer cursor that is no address", query.PathIssuers, `{"after": "chip1nothing"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.query(tc.path, tc.data, nil); got != query.BadRequest {
				t.Fatalf("code %d, want %d", got, query.BadRequest)
			}
		})
	}
}
