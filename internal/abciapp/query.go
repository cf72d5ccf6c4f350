package abciapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
	"github.com/chipmint/chipmint/internal/txn"
)

// Query answers reads of the committed state. Every answer reads a bounded part of it:
// single records, or one page of a list; the invariants, which read it all, are refused.
// Single records are also answered at past heights the state tree keeps, and any entry
// the tree holds with its proof (query.PathState).
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	// One consistent view of the committed state, whatever commits meanwhile: an answer
	// that reads several records, or the whole state, reads them at one height.
	view := a.db.View()
	defer view.Close()
	if req.Path == query.PathState {
		return answerState(view, req)
	}
	var r store.Reader = view
	height := view.Meta().Height
	if req.Height != 0 && req.Height != height {
		if !slices.Contains(query.PastHeights, req.Path) {
			return &abci.ResponseQuery{Code: query.BadRequest, Height: req.Height, Log: fmt.Sprintf("%s is answered at the last height only", req.Path)}, nil
		}
		past, err := view.At(req.Height)
		if err != nil {
			return &abci.ResponseQuery{Code: query.Unavailable, Height: req.Height, Log: err.Error()}, nil
		}
		r, height = past, req.Height
	}
	v, code, err := answer(r, req.Path, string(req.Data))
	res := &abci.ResponseQuery{Code: code, Height: height}
	if err != nil {
		res.Log = err.Error()
		return res, nil
	}
	if res.Value, err = json.Marshal(v); err != nil {
		return nil, fmt.Errorf("abciapp: query %s: %w", req.Path, err)
	}
	return res, nil
}

func answer(r store.Reader, path, data string) (any, query.Code, error) {
	if operator, ok := strings.CutPrefix(path, query.PathOpenRedemptions); ok {
		return operatorList(r, operator, data, ledger.OpenRedemptions, func(red txn.Redemption) string { return red.ID })
	}
	if operator, ok := strings.CutPrefix(path, query.PathOwedOrders); ok {
		return operatorList(r, operator, data, ledger.OwedOrders, func(o txn.Order) string { return o.ID })
	}
	if rest, ok := strings.CutPrefix(path, query.PathReferences); ok {
		return references(r, rest, data)
	}
	if path == query.PathAuditors || path == query.PathReservesByDigest || strings.HasPrefix(path, query.PathReserves) {
		return answerAudit(r, path, data)
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
		req, err := pageRequest(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		props, more, err := ledger.PendingProposals(r, req.After, req.Limit)
		if err != nil {
			return nil, query.BadRequest, fmt.Errorf("after: %w", err)
		}
		return page(props, more, func(p txn.Proposal) string { return p.ID }), query.OK, nil
	case query.PathPaused:
		return ledger.PausedOperations(r), query.OK, nil
	case query.PathFrozen:
		addr, err := crypto.ParseAddress(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		if f, ok := ledger.GetFrozen(r, addr); ok {
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
		operator, ref, err := operatorReference(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		if f, ok := ledger.GetRefund(r, operator, ref); ok {
			return f, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("no refund recorded of bank reference %q of operator %q as confirming no order", ref, operator)
	case query.PathCover:
		operator, ref, err := operatorReference(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		if c, ok := ledger.GetCover(r, operator, ref); ok {
			return c, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("no cover of operator %q's shortfall recorded of bank reference %q", operator, ref)
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
		operator, ref, err := operatorReference(data)
		if err != nil {
			return nil, query.BadRequest, err
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
		req, after, err := addressPage(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		issuers, more := ledger.Issuers(r, after, req.Limit)
		return page(issuers, more, func(is txn.Issuer) string { return is.Address.String() }), query.OK, nil
	case query.PathInvariants:
		return nil, query.OperatorOnly, fmt.Errorf("%s reads the whole state: a node checks its invariants for its operator only, "+
			"on its admin address (chipmint node --admin-listen, GET %s), never on the public RPC", path, query.AdminPathInvariants)
	}
	return nil, query.BadRequest, fmt.Errorf("unknown query path %q", path)
}

// answerAudit answers the queries of the auditors and their attestations of the
// reserves.
func answerAudit(r store.Reader, path, data string) (any, query.Code, error) {
	switch path {
	case query.PathAuditors:
		req, after, err := addressPage(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		auditors, more := ledger.Auditors(r, after, req.Limit)
		return page(auditors, more, func(au txn.Auditor) string { return au.Address.String() }), query.OK, nil
	case query.PathReservesByDigest:
		digest, err := hex.DecodeString(data)
		if err != nil || len(digest) != sha256.Size {
			return nil, query.BadRequest, fmt.Errorf("want a SHA-256 digest in hex (%d characters), got %q", 2*sha256.Size, data)
		}
		if atts := ledger.ReservesByDigest(r, digest); len(atts) > 0 {
			return atts, query.OK, nil
		}
		return nil, query.NotFound, fmt.Errorf("report %x was not attested", digest)
	}
	operator := strings.TrimPrefix(path, query.PathReserves)
	if _, known := ledger.GetOperator(r, operator); !known {
		return nil, query.NotFound, fmt.Errorf("operator %q not found", operator)
	}
	req, err := pageRequest(data)
	if err != nil {
		return nil, query.BadRequest, err
	}
	var before int64
	if req.After != "" {
		if before, err = strconv.ParseInt(req.After, 10, 64); err != nil || before < 1 {
			return nil, query.BadRequest, fmt.Errorf("after: want the height of an attestation, got %q", req.After)
		}
	}
	atts, more := ledger.Reserves(r, operator, before, req.Limit)
	return page(atts, more, func(a txn.ReservesAttestation) string { return strconv.FormatInt(a.Height, 10) }), query.OK, nil
}

// operatorReference reads the data of a query about an operator's bank reference,
// "OPERATOR/REFERENCE".
func operatorReference(data string) (operator, ref string, err error) {
	operator, ref, ok := strings.Cut(data, "/")
	if !ok {
		return "", "", fmt.Errorf("want OPERATOR/REFERENCE, got %q", data)
	}
	return operator, ref, nil
}

// operatorList answers one page of a list of an operator's items, which list reads; an
// unknown operator is not found.
func operatorList[T any](r store.Reader, operator, data string, list func(store.Reader, string, string, int) ([]T, bool), key func(T) string) (any, query.Code, error) {
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

// references answers query.PathReferences for "KIND/OPERATOR".
func references(r store.Reader, kindOperator, data string) (any, query.Code, error) {
	kind, operator, ok := strings.Cut(kindOperator, "/")
	if !ok {
		return nil, query.BadRequest, fmt.Errorf("want %sKIND/OPERATOR, not %s%s", query.PathReferences, query.PathReferences, kindOperator)
	}
	if _, known := ledger.GetOperator(r, operator); !known {
		return nil, query.NotFound, fmt.Errorf("operator %q not found", operator)
	}
	req, err := pageRequest(data)
	if err != nil {
		return nil, query.BadRequest, err
	}
	refs, more, err := ledger.References(r, query.ReferenceKind(kind), operator, req.After, req.Limit)
	if err != nil {
		return nil, query.BadRequest, err
	}
	return page(refs, more, func(ref query.Reference) string { return ref.Reference }), query.OK, nil
}

// addressPage reads the data of a list ordered by address: the page and the address
// its cursor names, nil for the first page.
func addressPage(data string) (query.PageRequest, *crypto.Address, error) {
	req, err := pageRequest(data)
	if err != nil || req.After == "" {
		return req, nil, err
	}
	a, err := crypto.ParseAddress(req.After)
	if err != nil {
		return req, nil, fmt.Errorf("after: %w", err)
	}
	return req, &a, nil
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

// answerState answers query.PathState: the entry's stored bytes, or its absence, at the
// query's height, with the proof when asked.
func answerState(view *store.View, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	p, err := view.Prove(req.Height, req.Data)
	switch {
	case errors.Is(err, store.ErrHeightUnavailable):
		return &abci.ResponseQuery{Code: query.Unavailable, Height: req.Height, Log: err.Error()}, nil
	case errors.Is(err, store.ErrNotProven):
		return &abci.ResponseQuery{Code: query.BadRequest, Height: req.Height, Log: fmt.Sprintf("key %q is not in the state tree", req.Data)}, nil
	case err != nil:
		return nil, fmt.Errorf("abciapp: query %s: %w", req.Path, err)
	}
	res := &abci.ResponseQuery{Key: req.Data, Value: p.Value, Height: p.Height}
	if !p.Present {
		res.Code, res.Log = query.NotFound, fmt.Sprintf("key %q is not in the state at height %d", req.Data, p.Height)
	}
	if req.Prove {
		data, err := p.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("abciapp: query %s: %w", req.Path, err)
		}
		res.ProofOps = &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{{Type: query.ProofOpState, Key: req.Data, Data: data}}}
	}
	return res, nil
}

// Figures are the numbers a node's metrics show of its committed state, read on one
// consistent view. Each list is read up to a bound, never whole.
type Figures struct {
	Height int64
	Supply txn.Supply
	// Operators are the first operators by id, at most the bound; OperatorsMore says
	// others follow.
	Operators     []txn.Operator
	OperatorsMore bool
	// PaidOrders is how many orders are paid and not yet issued, counted up to the
	// bound; PaidOrdersMore says others follow.
	PaidOrders     int
	PaidOrdersMore bool
	// PendingProposals is how many proposals wait for approvals, up to the bound.
	PendingProposals     int
	PendingProposalsMore bool
	// PausedOperations are the operations the issuers paused, at most five.
	PausedOperations int
	// OrderSteps counts the orders the blocks committed since the application started
	// moved to each status, every status named.
	OrderSteps map[txn.OrderStatus]uint64
}

// Figures reads the state's figures on one consistent view of the committed state,
// each list up to listMax items.
func (a *App) Figures(listMax int) Figures {
	view := a.db.View()
	defer view.Close()
	f := Figures{Height: view.Meta().Height, Supply: ledger.GetSupply(view), PausedOperations: len(ledger.PausedOperations(view)), OrderSteps: a.committedOrderSteps()}
	f.Operators, f.OperatorsMore = ledger.Operators(view, "", listMax)
	var paid []txn.Order
	paid, f.PaidOrdersMore = ledger.PaidOrders(view, "", listMax)
	f.PaidOrders = len(paid)
	// Only a cursor unknown fails, and there is none.
	props, more, _ := ledger.PendingProposals(view, "", listMax)
	f.PendingProposals, f.PendingProposalsMore = len(props), more
	return f
}

// committedOrderSteps is a copy of the order steps committed, with every status.
func (a *App) committedOrderSteps() map[txn.OrderStatus]uint64 {
	a.committedMu.Lock()
	defer a.committedMu.Unlock()
	out := make(map[txn.OrderStatus]uint64, len(txn.OrderStatuses))
	for _, s := range txn.OrderStatuses {
		out[s] = a.orderSteps[s]
	}
	return out
}
