// Package txn is chipmint's wire format: the transaction types of the protocol, their
// canonical CBOR encoding, the bytes that are signed, order ids and payment references,
// stateless validation, and the stable result codes.
//
// Everything here is pure and deterministic. It must never read state, the clock or the
// network: whether a transaction is allowed by the ledger's current state is decided by
// package ledger. A decoder here accepts only canonical bytes, so that one transaction
// has exactly one encoding and one hash.
package txn
