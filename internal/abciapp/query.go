package abciapp

import (
	"context"
	"encoding/json"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/ledger"
	"github.com/chipmint/chipmint/internal/store"
)

// Query result codes, apart from the transaction codes: a query changes nothing.
const (
	QueryOK         uint32 = 0
	QueryNotFound   uint32 = 1
	QueryBadRequest uint32 = 2
	QueryBroken     uint32 = 3
)

// Query paths. Data carries the id or address where one is needed. Answers are JSON
// read from the last committed state.
const (
	PathOrder      = "/order"
	PathOperator   = "/operator"
	PathOperators  = "/operators"
	PathPaidOrders = "/orders/paid"
	PathBalance    = "/balance"
	PathSupply     = "/supply"
	PathIssuers    = "/issuers"
	PathInvariants = "/invariants"
)

// BalanceAnswer is the answer to PathBalance.
type BalanceAnswer struct {
	Address crypto.Address `json:"address"`
	Chips   uint64         `json:"chips"`
}

// InvariantsAnswer is the answer to PathInvariants.
type InvariantsAnswer struct {
	Height int64  `json:"height"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}

// Query answers reads of the committed state.
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

func answer(r *store.View, path, data string) (any, uint32, error) {
	switch path {
	case PathOrder:
		if o, ok := ledger.GetOrder(r, data); ok {
			return o, QueryOK, nil
		}
		return nil, QueryNotFound, fmt.Errorf("order %q not found", data)
	case PathOperator:
		if op, ok := ledger.GetOperator(r, data); ok {
			return op, QueryOK, nil
		}
		return nil, QueryNotFound, fmt.Errorf("operator %q not found", data)
	case PathPaidOrders:
		return nonNil(ledger.PaidOrders(r)), QueryOK, nil
	case PathOperators:
		return nonNil(ledger.Operators(r)), QueryOK, nil
	case PathBalance:
		addr, err := crypto.ParseAddress(data)
		if err != nil {
			return nil, QueryBadRequest, err
		}
		return BalanceAnswer{Address: addr, Chips: ledger.Balance(r, addr)}, QueryOK, nil
	case PathSupply:
		return ledger.GetSupply(r), QueryOK, nil
	case PathIssuers:
		return nonNil(ledger.Issuers(r)), QueryOK, nil
	case PathInvariants:
		ans := InvariantsAnswer{Height: r.Meta().Height, OK: true}
		if err := ledger.CheckInvariants(r); err != nil {
			ans.OK, ans.Error = false, err.Error()
			return ans, QueryBroken, nil
		}
		return ans, QueryOK, nil
	}
	return nil, QueryBadRequest, fmt.Errorf("unknown query path %q", path)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
