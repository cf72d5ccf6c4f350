package abciapp

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/merkle"
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

// The issuers' controls are read back: the parameters, a proposal by id whatever its
// status, the pending proposals a page at a time (by the height each may be approved
// to, then id), the paused operations and whether an account is frozen.
func TestGovernanceQueries(t *testing.T) {
	h := newBoardHarness(t)
	var params query.Params
	if code := h.query(query.PathParams, "", &params); code != query.OK || params.IssuerThreshold != 2 ||
		params.IssueApprovalChips != testIssueApprovalChips || params.ProposalTTLBlocks != testProposalTTLBlocks {
		t.Fatalf("params: code %d, %+v", code, params)
	}

	// Three proposals in three blocks expire at three heights; the last is approved.
	var ids []string
	for _, op := range []string{txn.OperationBuy, txn.OperationIssue, txn.OperationRedeem} {
		tx, id := h.propose(issuerA, &txn.Unpause{Operation: op})
		h.ok(tx)
		ids = append(ids, id)
	}
	pending := func(p txn.Proposal) string { return p.ID }
	for _, limit := range []int{0, 1, 2} {
		if got := listAll(h, query.PathPendingProposals, limit, pending); !slices.Equal(got, ids) {
			t.Fatalf("pending %d at a time: %v, want %v", limit, got, ids)
		}
	}
	h.mustBlock(h.sign(issuerB, &txn.Pause{Operation: txn.OperationRedeem, Reason: "incident"}))
	h.ok(h.approve(issuerB, ids[2]))
	if got := listAll(h, query.PathPendingProposals, 1, pending); !slices.Equal(got, ids[:2]) {
		t.Fatalf("pending after one is executed: %v, want %v", got, ids[:2])
	}
	// A cursor naming a proposal that left the list still places the page.
	if p := listPage[txn.Proposal](h, query.PathPendingProposals, &query.PageRequest{After: ids[2]}); len(p.Items) != 0 {
		t.Fatalf("after the executed proposal: %+v", p)
	}
	var executed txn.Proposal
	if code := h.query(query.PathProposal, ids[2], &executed); code != query.OK || executed.Status != txn.ProposalExecuted ||
		len(executed.Approvals) != 2 || executed.Action != txn.TypeUnpause {
		t.Fatalf("executed proposal: code %d, %+v", code, executed)
	}
	if code := h.query(query.PathProposal, "0123456789ABCDEF0123", nil); code != query.NotFound {
		t.Fatalf("unknown proposal: code %d", code)
	}
	if code := h.query(query.PathPendingProposals, `{"after": "0123456789ABCDEF0123"}`, nil); code != query.BadRequest {
		t.Fatalf("a cursor that is no proposal: code %d", code)
	}

	h.mustBlock(h.sign(issuerA, &txn.Pause{Operation: txn.OperationTransfer, Reason: "audit"}),
		h.sign(issuerB, &txn.Freeze{Address: alice.addr, Reason: "court order"}))
	var paused []txn.PausedOperation
	if code := h.query(query.PathPaused, "", &paused); code != query.OK || len(paused) != 1 ||
		paused[0].Operation != txn.OperationTransfer || paused[0].Reason != "audit" || paused[0].By != issuerA.addr {
		t.Fatalf("paused: code %d, %+v", code, paused)
	}
	var frozen txn.FrozenAccount
	if code := h.query(query.PathFrozen, alice.addr.String(), &frozen); code != query.OK || frozen.Address != alice.addr || frozen.Reason != "court order" {
		t.Fatalf("frozen: code %d, %+v", code, frozen)
	}
	if code := h.query(query.PathFrozen, bob.addr.String(), nil); code != query.NotFound {
		t.Fatalf("an account not frozen: code %d", code)
	}
	if code := h.query(query.PathFrozen, "alice", nil); code != query.BadRequest {
		t.Fatalf("no address: code %d", code)
	}
}

// queryAt is query at a height.
func (h *harness) queryAt(path, data string, height int64, v any) *abci.ResponseQuery {
	h.t.Helper()
	res, err := h.app.Query(context.Background(), &abci.RequestQuery{Path: path, Data: []byte(data), Height: height})
	if err != nil {
		h.t.Fatalf("Query %s at %d: %v", path, height, err)
	}
	if res.Code == query.OK && v != nil {
		if err := json.Unmarshal(res.Value, v); err != nil {
			h.t.Fatalf("Query %s: %v", path, err)
		}
	}
	return res
}

// Single records are answered as they were after a past height, from the state tree;
// lists only at the last height; heights not kept are Unavailable.
func TestQueriesAtPastHeights(t *testing.T) {
	h := newHarness(t)
	h.setupOperator()
	id := h.paidOrder("REF-PAST-1")
	paidAt := h.height
	h.mustBlock(h.sign(issuerA, &txn.Issue{OrderID: id, Chips: h.order(id).Chips}))

	var o txn.Order
	if res := h.queryAt(query.PathOrder, id, paidAt, &o); res.Code != query.OK || o.Status != txn.StatusPaid || res.Height != paidAt {
		t.Fatalf("the order at height %d: code %d, status %s, height %d", paidAt, res.Code, o.Status, res.Height)
	}
	if got := h.order(id); got.Status != txn.StatusIssued {
		t.Fatalf("the order now: %s", got.Status)
	}
	var then, now query.Balance
	h.queryAt(query.PathBalance, alice.addr.String(), paidAt, &then)
	h.queryAt(query.PathBalance, alice.addr.String(), 0, &now)
	if then.Chips != 0 || now.Chips != o.Chips {
		t.Fatalf("alice's balance at %d: %d, now %d; want 0 then %d", paidAt, then.Chips, now.Chips, o.Chips)
	}

	data := map[string]string{
		query.PathOrder: id, query.PathOperator: "acme", query.PathBalance: alice.addr.String(),
		query.PathSupply: "", query.PathParams: "", query.PathRedemption: "RDM-NONE",
		query.PathProposal: "0123456789ABCDEF0123", query.PathFrozen: alice.addr.String(),
		query.PathRefund: "acme/REF-NONE", query.PathBankReference: "acme/REF-PAST-1", query.PathRemovedOrder: id,
		query.PathCover: "acme/OWN-NONE",
	}
	for _, path := range query.PastHeights {
		d, ok := data[path]
		if !ok {
			t.Fatalf("%s is answered at past heights and untested here", path)
		}
		if res := h.queryAt(path, d, paidAt, nil); res.Code != query.OK && res.Code != query.NotFound {
			t.Errorf("%s at a past height: code %d: %s", path, res.Code, res.Log)
		}
	}
	if res := h.queryAt(query.PathOperators, "", paidAt, nil); res.Code != query.BadRequest {
		t.Errorf("a list at a past height: code %d", res.Code)
	}
	if res := h.queryAt(query.PathOrder, id, h.height+5, nil); res.Code != query.Unavailable {
		t.Errorf("a height not committed: code %d", res.Code)
	}

	// Raw entries with their proofs.
	res, err := h.app.Query(context.Background(), &abci.RequestQuery{Path: query.PathState, Data: query.AccountKey(alice.addr), Prove: true})
	if err != nil || res.Code != query.OK || res.ProofOps == nil || len(res.ProofOps.Ops) != 1 {
		t.Fatalf("alice's balance entry: %+v, %v", res, err)
	}
	p := merkle.StateProof{Key: query.AccountKey(alice.addr), Value: res.Value, Present: true}
	if err := p.UnmarshalBinary(res.ProofOps.Ops[0].Data); err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(h.app.lastCommitted().AppHash); err != nil {
		t.Fatalf("the proof of the last height against its app hash: %v", err)
	}
	if res := h.queryAt(query.PathState, "nonce/x", 0, nil); res.Code != query.BadRequest {
		t.Errorf("a key outside the state tree: code %d", res.Code)
	}
	if res := h.queryAt(query.PathState, string(query.AccountKey(stranger.addr)), 0, nil); res.Code != query.NotFound {
		t.Errorf("an absent key: code %d", res.Code)
	}
}
