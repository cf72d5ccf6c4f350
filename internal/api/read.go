package api

import (
	_ "embed"
	"encoding/json"
)

// PathRead starts the read API: JSON answers from the node's committed state, read
// through the same query paths as the RPC's abci_query (docs/protocol.md §9), each
// described by OpenAPI.
const PathRead = "/api/v1/"

// The routes of the read API, as http.ServeMux patterns. A list's query parameters are
// after (the next of the page before) and limit (1 to the query API's page maximum, 100;
// absent, the maximum; above it, refused).
const (
	RouteAccount    = "GET /api/v1/accounts/{address}"
	RouteOrder      = "GET /api/v1/orders/{id}"
	RouteRedemption = "GET /api/v1/redemptions/{id}"
	RouteOperators  = "GET /api/v1/operators"
	RouteOperator   = "GET /api/v1/operators/{id}"
	RouteReserves   = "GET /api/v1/operators/{id}/reserves"
	RouteSupply     = "GET /api/v1/supply"
	RouteOpenAPI    = "GET " + PathOpenAPI
)

// PathOpenAPI is where the node serves OpenAPI.
const PathOpenAPI = "/api/v1/openapi.json"

// OpenAPI is the OpenAPI 3 document of the read API, served as it is at PathOpenAPI.
//
//go:embed openapi.json
var OpenAPI []byte

// OperatorAnswer is the answer of RouteOperator: the operator as the query /operator
// answers it, and its newest attestation of its reserves, absent if it has none.
type OperatorAnswer struct {
	Operator       json.RawMessage `json:"operator"`
	LatestReserves json.RawMessage `json:"latest_reserves,omitempty"`
}

// ReadError is the body of every refusal of the read API: the query's answer code
// (docs/protocol.md §9) and its name, beside the HTTP status.
type ReadError struct {
	Error    string `json:"error"`
	Code     uint32 `json:"code"`
	CodeName string `json:"code_name"`
}
