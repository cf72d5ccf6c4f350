// Package audit checks a running network from the outside, as an auditor would, after
// anything that happened to it: every node has the same blocks and app hashes at every
// height (no fork, no divergence), every node's ledger keeps its invariants (supply
// conserved, each bank reference used once, each order issued once), and no
// transaction that a client saw committed is missing from any node. It is Jepsen's
// bank test, for chips.
//
// It reads nodes through their RPC only; it must never import the ledger or the store.
package audit
