package abciapp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/store"
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
	switch path {
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
		return nonNil(ledger.PaidOrders(r)), query.OK, nil
	case query.PathOperators:
		return nonNil(ledger.Operators(r)), query.OK, nil
	case query.PathBalance:
		addr, err := crypto.ParseAddress(data)
		if err != nil {
			return nil, query.BadRequest, err
		}
		return query.Balance{Address: addr, Chips: ledger.Balance(r, addr)}, query.OK, nil
	case query.PathSupply:
		return ledger.GetSupply(r), query.OK, nil
	case query.PathIssuers:
		return nonNil(ledger.Issuers(r)), query.OK, nil
	case query.PathInvariants:
		return nil, query.OperatorOnly, fmt.Errorf("%s reads the whole state: a node checks its invariants for its operator only, "+
			"on its admin address (chipmint node --admin-listen, GET %s), never on the public RPC", path, query.AdminPathInvariants)
	}
	return nil, query.BadRequest, fmt.Errorf("unknown query path %q", path)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
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
