// Package query is the query API of a chipmint node: the ABCI query paths, the answer
// codes and the answer types, as the application serves them and clients read them.
// It holds definitions only, so that both sides use one.
package query

import "github.com/chipmint/chipmint/internal/crypto"

// Code is a query's answer code, apart from the transaction codes: a query changes
// nothing.
type Code = uint32

// Answer codes.
const (
	OK         Code = 0
	NotFound   Code = 1
	BadRequest Code = 2
	Broken     Code = 3
)

// Paths. A query's data carries the id or address where one is needed. Answers are
// JSON read from the last committed state.
const (
	PathOrder      = "/order"
	PathOperator   = "/operator"
	PathOperators  = "/operators"
	PathPaidOrders = "/orders/paid"
	PathBalance    = "/balance"
	PathSupply     = "/supply"
	PathIssuers    = "/issuers"
	PathInvariants = "/invariants"
	// PathBankReference finds the order an operator's bank reference confirmed; its
	// data is "OPERATOR/REFERENCE".
	PathBankReference = "/order/by-bank-reference"
)

// Balance is the answer to PathBalance.
type Balance struct {
	Address crypto.Address `json:"address"`
	Chips   uint64         `json:"chips,string"`
}

// Invariants is the answer to PathInvariants: the node's check of the ledger's
// invariants on its state.
type Invariants struct {
	Height int64  `json:"height"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}
