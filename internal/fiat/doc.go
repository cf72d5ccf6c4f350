// Package fiat holds the bank-world value types that chipmint needs to tie
// chips to real bank payments: account numbers (IBAN, ISO 13616, or for the
// accounts without one an ISO 20022 other identification under a scheme), bank
// identifiers (BIC, ISO 9362, and clearing system member ids), currencies
// (ISO 4217), amounts in minor units and ISO 11649 "RF" creditor references.
//
// Every parser accepts exactly one syntax and returns the canonical
// (electronic) form, because values produced here are written to a
// replicated ledger where two spellings of the same thing must never
// diverge. Errors are *FieldError values that name the offending field and
// input and wrap one of the sentinel errors in errors.go, so callers can
// test them with errors.Is and errors.As.
//
// The package is pure and deterministic. It must never:
//   - use floating-point numbers for money (amounts are uint64 minor units);
//   - perform I/O, read the clock or use randomness;
//   - depend on anything but the standard library (golang.org/x/text is only
//     a test's reference for the frozen currency tables).
package fiat
