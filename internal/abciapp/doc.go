// Package abciapp adapts the ledger to CometBFT's ABCI 2.0: one file per ABCI method.
//
// It decodes and verifies transactions, keeps the mempool (what CheckTx admitted, in
// that order, for the proposals), runs transactions through package ledger against an
// overlay of the committed state, and writes that state only in Commit, so that a crash
// anywhere before Commit leaves the last committed state intact for CometBFT to replay
// onto. It must never hold business rules of its own: those live in package ledger.
package abciapp
