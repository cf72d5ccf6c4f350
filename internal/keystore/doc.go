// Package keystore keeps chipmint Ed25519 signing keys encrypted on disk,
// one JSON file per key name in a single directory.
//
// Each file stores the public key and address in the clear, so keys can be
// listed without a passphrase, and the 32-byte Ed25519 seed sealed with
// XChaCha20-Poly1305 under a key stretched from the passphrase by scrypt.
// The key name and address are bound to the ciphertext as additional data,
// so a renamed or edited file fails to unlock instead of signing as the
// wrong account.
//
// Export copies a key out of the store in this same format, still sealed:
// the seed is not decrypted on the way and the file is of use only with
// its passphrase. ImportFile takes such a file back, into any store and
// under any name. Because the name is bound to the ciphertext, the file is
// never stored as it is: ImportFile checks it, unlocks it with its
// passphrase and seals the seed again under that same passphrase for the
// new name, with a fresh salt and nonce and the importing store's scrypt
// cost. A key thus keeps its passphrase through export and import,
// whatever name it is imported under.
//
// This package must never write a seed or private key to disk unencrypted,
// never log or return a passphrase in an error, and never overwrite an
// existing key file: a key lost that way is money lost. Delete is the one
// way a key file leaves the store.
package keystore
