// Package client talks to a chipmint node over CometBFT's RPC, as any outside program
// would: it signs and broadcasts transactions, waits until they are in a committed
// block, reads the state through queries (lists a page at a time) and finds
// transactions by their events; Admin reads a node's admin address, and Bulk submits
// many transactions in one request to a node's own HTTP API. Verifier believes a
// node's answer only with its proof, checked against a header that CometBFT's light
// client verified from a header the user trusts and compared with witnesses' headers.
//
// It must never import the ledger or the store: what it knows of the chain is the wire
// format of package txn and what the node answers.
package client
