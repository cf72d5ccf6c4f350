package abciapp

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// Query answers reads of the committed state. Every answer reads a bounded part of it:
// single records, or one page of a list; the invariants, which read it all, are refused.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	// One consistent view of the committed state, whatever commits meanwhile: an answer
	// that reads several records, or the whole state, reads them at one height.
	view := a.db.View()
	defer view.Close()
	v, code, err := answer(view, req.Path, string(req.Data))
	res := &abci.ResponseQuery{Code: code, Height: view.Meta().Height}
	if err != nil {
		res.Log = err.Error()
		return res, nil
	}
	if res.Value, err = json.Marshal(v); err != nil {
		return nil, fmt.Errorf("abciapp: query %s: %w", req.Path, err)
	}
	return res, nil
}

func answer(r *store.View, path, data string) (any, query.Code, error) {
	if operator, ok := strings.CutPrefix(path, query.PathOpenRedemptions); ok {
		return operatorList(r, operator, data, ledger.OpenRedemptions, func(red txn.Redemption) string { return red.ID })
	}
	if operator, ok := strings.CutPrefix(path, query.PathOwedOrders); ok {
		return operatorList(r, operator, data, ledger.OwedOrders, func(o txn.Order) string { return o.ID })
	}
	switch path {
	case query.PathParams:
		p := ledger.GetParams(r)
		return query.Params{
			CheckpointInterval: p.CheckpointInterval, OrderTTLBlocks: p.OrderTTLBlocks, RedemptionTTLBlocks: p.RedemptionTTLBlocks,
			OrderRetentionBlocks: p.OrderRetentionBlocks, IssuerThreshold: p.IssuerThreshold, IssueApprovalChips: p.IssueApprovalChips,
			ProposalTTLBlocks: p.ProposalTTLBlocks, OpenOrdersPerOperatorMax: p.OpenOrdersPerOperatorMax, OpenOrdersPerBuyerMax: p.OpenOrdersPerBuyerMax,
		}, query.OK, nil
	case query.PathProposal:
		if p, ok := ledger.GetProposal(r, data); ok {
			return p, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("proposal %q not found", data)
	case query.PathPendingProposals:
		return pendingProposals(r, data)
	case query.PathPaused:
		return pausedOperations(r), query.OK, nil
	case query.PathFrozen:
		addr, err := crypto.ParseAddress(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		var f txn.FrozenAccount
		if getStored(r, append([]byte(keyFrozen), addr[:]...), &f) {
			return f, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("account %s is not frozen", addr)
	case query.PathValidators:
		return ledger.Validators(r), query.OK, nil
	case query.PathRedemption:
		if red, ok := ledger.GetRedemption(r, data); ok {
			return red, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("redemption %q not found", data)
	case query.PathRefund:
		operator, ref, ok := strings.Cut(data, "/")
		if !ok {
			return nil, query.BadRequest, fmt.Errorf("want OPERATOR/REFERENCE, got %q", data)
		}
		if f, ok := ledger.GetRefund(r, operator, ref); ok {
			return f, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("no refund recorded of bank reference %q of operator %q as confirming no order", ref, operator)
	case query.PathRemovedOrder:
		if height, ok := ledger.RemovedOrder(r, data); ok {
			return query.RemovedOrder{ID: data, Height: height}, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("order %q was not removed", data)
	case query.PathOrder:
		if o, ok := ledger.GetOrder(r, data); ok {
			return o, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("order %q not found", data)
	case query.PathBankReference:
		operator, ref, ok := strings.Cut(data, "/")
		if !ok {
			return nil, query.BadRequest, fmt.Errorf("want OPERATOR/REFERENCE, got %q", data)
		}
		if o, ok := ledger.OrderByBankReference(r, operator, ref); ok {
			return o, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("bank reference %q of operator %q confirmed no order", ref, operator)
	case query.PathOperator:
		if op, ok := ledger.GetOperator(r, data); ok {
			return op, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("operator %q not found", data)
	case query.PathPaidOrders:
		req, err := pageRequest(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		orders, more := ledger.PaidOrders(r, req.After, req.Limit)
		return page(orders, more, func(o txn.Order) string { return o.ID }), query.OK, nil
	case query.PathOperators:
		req, err := pageRequest(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		ops, more := ledger.Operators(r, req.After, req.Limit)
		return page(ops, more, func(o txn.Operator) string { return o.ID }), query.OK, nil
	case query.PathBalance:
		addr, err := crypto.ParseAddress(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		return query.Balance{Address: addr, Chips: ledger.Balance(r, addr)}, query.OK, nil
	case query.PathSupply:
		return ledger.GetSupply(r), query.OK, nil
	case query.PathIssuers:
		req, err := pageRequest(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		var after *crypto.Address
		if req.After != "" {
			a, err := crypto.ParseAddress(req.After)
			if err != nil {
				return nil, query.BadRequest, fmt.Errorf("after: %w", err)
			}
			after = &a
		}
		issuers, more := ledger.Issuers(r, after, req.Limit)
		return page(issuers, more, func(is txn.Issuer) string { return is.Address.String() }), query.OK, nil
	case query.PathInvariants:
		return nil, query.OperatorOnly, fmt.Errorf("%s reads the whole state: a node checks its invariants for its operator only, "+
			"on its admin address (chipmint node --admin-listen, GET %s), never on the public RPC", path, query.AdminPathInvariants)
	}
	return nil, query.BadRequest, fmt.Errorf("unknown query path %q", path)
}

// operatorList answers one page of a list of an operator's items, which list reads; an
// unknown operator is not found.
func operatorList[T any](r *store.View, operator, data string, list func(store.Reader, string, string, int) ([]T, bool), key func(T) string) (any, query.Code, error) {
	if _, known := ledger.GetOperator(r, operator); !known {
		return nil, query.NotFound, fmt.Errorf("operator %q not found", operator)
	}
	req, err := pageRequest(data)
	if err != nil {
		return nil, query.BadRequest, err
	}
	items, more := list(r, operator, req.After, req.Limit)
	return page(items, more, key), query.OK, nil
}

// The keys of the issuers' controls in the state, as docs/protocol.md §11.1 fixes them:
// part of the app hash, they never change. The ledger writes them; these queries read
// them as the protocol describes them.
const (
	keyProposal       = "prop/"
	keyProposalExpiry = "pexp/"
	keyPaused         = "pause/"
	keyFrozen         = "frz/"
)

// getStored decodes the record at key into v; false if there is none. A record that
// does not decode is a corrupt state, which no query can mend.
func getStored[R txn.Proposal | txn.PausedOperation | txn.FrozenAccount](r store.Reader, key []byte, v *R) bool {
	b, ok := r.Get(key)
	if !ok {
		return false
	}
	if err := txn.DecodeRecord(b, v); err != nil {
		panic(fmt.Sprintf("abciapp: corrupt record at %q: %v", key, err))
	}
	return true
}

// pendingProposals answers one page of the pending proposals, read from the proposal
// expiry index (pexp/ + expires_height + id), which holds exactly the pending ones:
// ordered by the last height at which each may be approved, then by id. The cursor is a
// proposal's id, whose record says where in the index it stands.
func pendingProposals(r *store.View, data string) (any, query.Code, error) {
	req, err := pageRequest(data)
	if err != nil {
		return nil, query.BadRequest, err
	}
	var start []byte
	if req.After != "" {
		var after txn.Proposal
		if !getStored(r, []byte(keyProposal+req.After), &after) {
			return nil, query.BadRequest, fmt.Errorf("after: no proposal %q", req.After)
		}
		start = append(binary.BigEndian.AppendUint64([]byte(keyProposalExpiry), uint64(after.ExpiresHeight)), after.ID...)
		// The first key past the cursor's own: a 0x00 byte more sorts just after it.
		start = append(start, 0)
	}
	var items []txn.Proposal
	more := false
	r.ScanFrom([]byte(keyProposalExpiry), start, func(key, _ []byte) bool {
		if len(items) == req.Limit {
			more = true
			return false
		}
		var p txn.Proposal
		if getStored(r, []byte(keyProposal+string(key[len(keyProposalExpiry)+8:])), &p) && p.Status == txn.ProposalPending {
			items = append(items, p)
		}
		return true
	})
	return page(items, more, func(p txn.Proposal) string { return p.ID }), query.OK, nil
}

// pausedOperations lists the paused operations, by name.
func pausedOperations(r store.Reader) []txn.PausedOperation {
	out := []txn.PausedOperation{}
	for _, op := range []string{txn.OperationBuy, txn.OperationConfirm, txn.OperationIssue, txn.OperationRedeem, txn.OperationTransfer} {
		var p txn.PausedOperation
		if getStored(r, []byte(keyPaused+op), &p) {
			out = append(out, p)
		}
	}
	return out
}

// pageRequest reads a list query's data: empty, or a PageRequest in JSON. A limit of 0
// or above the most a page holds asks for that most.
func pageRequest(data string) (query.PageRequest, error) {
	var req query.PageRequest
	if data != "" {
		dec := json.NewDecoder(strings.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return req, fmt.Errorf("want the page as JSON {\"after\", \"limit\"}: %w", err)
		}
		if dec.More() {
			return req, errors.New("want the page as one JSON object")
		}
	}
	if req.Limit < 0 {
		return req, fmt.Errorf("limit %d: a page holds at least one item", req.Limit)
	}
	if req.Limit == 0 || req.Limit > query.PageMax {
		req.Limit = query.PageMax
	}
	return req, nil
}

// page is the answer of a list query: the items read, and the cursor of the next page
// when more follow.
func page[T any](items []T, more bool, key func(T) string) query.Page[T] {
	p := query.Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if more && len(items) > 0 {
		p.Next = key(items[len(items)-1])
	}
	return p
}

// Invariants checks the ledger's invariants on one consistent view of the committed
// state. It reads the whole state: the node serves it to its operator only, on its
// admin address, never through Query.
func (a *App) Invariants() query.Invariants {
	view := a.db.View()
	defer view.Close()
	ans := query.Invariants{Height: view.Meta().Height, OK: true}
	if err := ledger.CheckInvariants(view); err != nil {
		ans.OK, ans.Error = false, err.Error()
	}
	return ans
}
