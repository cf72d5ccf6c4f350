// Package ledger is chipmint's state machine: issuers, operators, orders, balances and
// supply, the rules of the protocol that change them, and the invariants that must hold
// after every block.
//
// It is pure. It must never import CometBFT, touch the network or the file system, read
// the clock, draw random numbers or log: everything it needs arrives as arguments (the
// block height and time, the store to read and write). That is what makes every node
// compute the same state from the same blocks. A broken rule is a result code carried
// by a *txn.Error; a broken invariant is a bug and panics in the caller that checks it.
package ledger
