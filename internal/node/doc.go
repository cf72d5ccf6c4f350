// Package node wires the chipmint application into an in-process CometBFT node: the
// home folder and its configuration, the genesis, starting and stopping a node, and the
// admin address where a node serves its operator what reads the whole state, and the
// node's own HTTP API (package api's routes: the bulk submission of transactions).
//
// Consensus, networking, the mempool, block storage, RPC and event indexing are
// CometBFT's; this package only configures them. It must never hold business rules.
package node
