// Package camt reads and writes the ISO 20022 bank-to-customer cash management
// messages that tie chips to real bank payments: camt.054 debit/credit notifications,
// which the gateway reads to confirm that a payment arrived, camt.053 account
// statements, which the sandbox bank writes beside its notifications, and camt.052
// intraday account reports, which some banks send instead.
//
// Parse accepts every version from .001.02 to .001.13 of the three messages, because
// banks deliver several and the entry structure chipmint reads is the same in all of
// them, in UTF-8 or in the character set the XML declaration names (such as
// ISO-8859-1). It flattens each entry (Ntry) and each of its transaction details
// (TxDtls) into one Entry whose amount is what was booked on the account, an integer in
// the minor units of its ISO 4217 currency, and whose Kind says whether it is a credit,
// a debit, a return or a reversal. What a bank wrote that does not add up (transactions
// that exceed their entry, currencies that cannot be reconciled) is kept in the Entry's
// Problem; only an Entry for which PaysOrder holds may confirm an order.
//
// A file that is not a complete, well-formed camt.052, camt.053 or camt.054 document,
// or that carries a value chipmint cannot trust (an amount not exact in its currency's
// minor unit, an unknown indicator or status, a bad date), is rejected as a whole with
// a *ParseError naming the element at fault: the caller keeps the file and reports it,
// and never acts on part of it.
//
// WriteNotification and WriteStatement write camt.054.001.08 and camt.053.001.08
// documents that Parse reads back to the same entries.
//
// The package is pure. It must never:
//   - use floating-point numbers for money (amounts are uint64 minor units, parsed and
//     formatted by package fiat);
//   - perform I/O beyond reading the io.Reader or []byte it is given, use the network,
//     read the clock or use randomness;
//   - honour a document type declaration or resolve an entity other than XML's five
//     predefined ones;
//   - return part of a document together with an error.
package camt
