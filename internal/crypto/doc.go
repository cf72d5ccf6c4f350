// Package crypto holds chipmint's key, signature and address primitives.
//
// Every account on the ledger is an Ed25519 key pair; its on-chain identity
// is an Address, the first 20 bytes of SHA-256 of the public key, written as
// a lower-case bech32 string with the human-readable prefix "chip".
//
// This package must never hold, persist or log private keys (that is the
// keystore's job), never accept any signature scheme other than Ed25519, and
// never panic on untrusted input: malformed keys, signatures and address
// strings are reported as false or as errors, because they arrive from the
// network and a panic there would take a validator down. Nor may it change which
// signatures verify: Verify accepts exactly what Go's crypto/ed25519 accepts, whatever
// implementation runs it (docs/decisions/0012-verify-once.md).
//
// Everything that signs takes a Signer, the standard library's crypto.Signer, and signs
// through Sign: a key in memory and a key in a hardware token are used alike, and a
// signer of any key but an Ed25519 one is refused.
package crypto
