// Package store is chipmint's deterministic key-value state: a pebble database holding
// the committed application state, in-memory overlays that buffer the writes of a
// transaction, a block or the mempool until they are kept or dropped, the app hash
// computed from what a block changed, the digest of the whole state kept from block to
// block, and restores of a whole state from a snapshot, staged out of sight and switched
// in at once.
//
// It must never decide anything about the business: keys and values are opaque bytes.
// Iteration is always in key order, so that everything computed from it is the same on
// every node. A read or write failure of the disk is a fault of the environment, not of
// a transaction: it panics, so that a node stops instead of diverging.
package store
