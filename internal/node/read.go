package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/chipmint/chipmint/internal/api"
	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// reader serves the read API (api.PathRead): each route asks the application's Query
// in process, with the path and data the RPC's abci_query would carry, and answers its
// JSON as it is, so that the API and the RPC give one answer.
type reader struct {
	query func(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error)
}

// routeReads adds the read API's routes to mux, and returns their reader.
func routeReads(mux *http.ServeMux, q func(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error)) *reader {
	rd := &reader{query: q}
	mux.HandleFunc(api.RouteAccount, func(w http.ResponseWriter, r *http.Request) {
		rd.answer(w, r, query.PathBalance, r.PathValue("address"))
	})
	mux.HandleFunc(api.RouteOrder, func(w http.ResponseWriter, r *http.Request) {
		id, err := txn.ParseOrderID(r.PathValue("id"))
		if err != nil {
			readRefuse(w, query.BadRequest, err.Error())
			return
		}
		rd.answer(w, r, query.PathOrder, id)
	})
	mux.HandleFunc(api.RouteRedemption, func(w http.ResponseWriter, r *http.Request) {
		rd.answer(w, r, query.PathRedemption, r.PathValue("id"))
	})
	mux.HandleFunc(api.RouteOperators, func(w http.ResponseWriter, r *http.Request) {
		rd.page(w, r, query.PathOperators)
	})
	mux.HandleFunc(api.RouteOperator, rd.operator)
	mux.HandleFunc(api.RouteReserves, func(w http.ResponseWriter, r *http.Request) {
		rd.page(w, r, query.PathReserves+r.PathValue("id"))
	})
	mux.HandleFunc(api.RouteSupply, func(w http.ResponseWriter, r *http.Request) {
		rd.answer(w, r, query.PathSupply, "")
	})
	mux.HandleFunc(api.RouteOpenAPI, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(api.OpenAPI)
	})
	// As the query API answers an unknown path (code 2), but with HTTP's status for it.
	mux.HandleFunc(api.PathRead, func(w http.ResponseWriter, r *http.Request) {
		readAnswerError(w, http.StatusNotFound, query.BadRequest, fmt.Sprintf("no route %s %s: the routes are described at %s", r.Method, r.URL.Path, api.PathOpenAPI))
	})
	return rd
}

// answer answers the query path with data.
func (rd *reader) answer(w http.ResponseWriter, r *http.Request, path, data string) {
	res, ok := rd.ask(w, r, path, data, 0)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(res.Value)
}

// page answers a page of the list at path, asked for by the request's after and limit.
func (rd *reader) page(w http.ResponseWriter, r *http.Request, path string) {
	req, err := pageRequest(r.URL.Query())
	if err != nil {
		readRefuse(w, query.BadRequest, err.Error())
		return
	}
	data, _ := json.Marshal(req) // a string and an int: it cannot fail
	rd.answer(w, r, path, string(data))
}

// operatorReads bounds how often the operator and its newest attestation are read again
// when a commit falls between the two reads and the node keeps no state of the height
// before it.
const operatorReads = 3

// operator answers an operator with its newest attestation of its reserves, both read at
// one height: the attestation at the last height, then the operator at the same one.
func (rd *reader) operator(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	first := `{"limit":1}`
	for range operatorReads {
		res, ok := rd.ask(w, r, query.PathReserves+id, first, 0)
		if !ok {
			return
		}
		var attested query.Page[json.RawMessage]
		if err := json.Unmarshal(res.Value, &attested); err != nil {
			readRefuse(w, query.Unavailable, fmt.Sprintf("the attestations of operator %q: %v", id, err))
			return
		}
		op, err := rd.query(r.Context(), &abci.RequestQuery{Path: query.PathOperator, Data: []byte(id), Height: res.Height})
		if err != nil {
			readRefuse(w, query.Unavailable, err.Error())
			return
		}
		if op.Code == query.Unavailable {
			continue
		}
		if op.Code != query.OK {
			readRefuse(w, op.Code, op.Log)
			return
		}
		answer := api.OperatorAnswer{Operator: op.Value}
		if len(attested.Items) > 0 {
			answer.LatestReserves = attested.Items[0]
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer)
		return
	}
	readRefuse(w, query.Unavailable, fmt.Sprintf("operator %q: the state moved on between the reads of the operator and of its reserves %d times: try again", id, operatorReads))
}

// ask asks the application path with data at height (0: the last), and answers the
// request's refusal itself when the query is not answered.
func (rd *reader) ask(w http.ResponseWriter, r *http.Request, path, data string, height int64) (*abci.ResponseQuery, bool) {
	res, err := rd.query(r.Context(), &abci.RequestQuery{Path: path, Data: []byte(data), Height: height})
	if err != nil {
		readRefuse(w, query.Unavailable, err.Error())
		return nil, false
	}
	if res.Code != query.OK {
		readRefuse(w, res.Code, res.Log)
		return nil, false
	}
	return res, true
}

// pageRequest reads a page's after and limit. A limit must be 1 to query.PageMax; above
// it is refused rather than lowered, so that a client never takes a short page for the
// end of the list's pages.
func pageRequest(v url.Values) (query.PageRequest, error) {
	req := query.PageRequest{After: v.Get("after"), Limit: query.PageMax}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > query.PageMax {
			return req, fmt.Errorf("limit %q: want a whole number from 1 to %d", s, query.PageMax)
		}
		req.Limit = n
	}
	return req, nil
}

// readStatus is the HTTP status of a query's answer code.
func readStatus(c query.Code) int {
	switch c {
	case query.NotFound:
		return http.StatusNotFound
	case query.BadRequest:
		return http.StatusBadRequest
	case query.OperatorOnly:
		return http.StatusForbidden
	case query.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// readRefuse answers a read the node does not answer, with the query's code. A query
// the application could not answer at all (Query's error, which it gives for an answer
// it cannot encode) is Unavailable.
func readRefuse(w http.ResponseWriter, c query.Code, message string) {
	readAnswerError(w, readStatus(c), c, message)
}

func readAnswerError(w http.ResponseWriter, status int, c query.Code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(api.ReadError{Error: message, Code: c, CodeName: query.CodeName(c)})
}
