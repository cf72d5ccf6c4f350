// Package hsm signs with Ed25519 keys that never leave a PKCS#11 token: a hardware
// security module, or SoftHSM2 for tests. A key is named by a PKCS#11 URI (RFC 7512):
//
//	pkcs11:token=chipmint;object=acme?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:CHIPMINT_PKCS11_PIN
//
// the token's label, the key's label, the module that drives the token and where its
// PIN comes from. An open key is a crypto.Signer like a keystore key, so that every
// command and service signs with either alike.
//
// Talking to a module needs cgo (github.com/miekg/pkcs11), so it is built only with the
// build tag pkcs11 (go build -tags pkcs11); without it URIs are still read and checked,
// and Open and Generate fail with ErrNotBuilt, which says how to build.
//
// This package must never take a PIN written in the URI (pin-value), never put a PIN in
// an error or a log, never make a key that can leave its token, and never sign with a
// key before a signature of it has been checked against the public key it reports.
package hsm
