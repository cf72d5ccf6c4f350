// Package pain reads and writes ISO 20022 pain.001 customer credit transfer initiations:
// the files in which an operator tells its bank to pay money out of its account, one
// payment per redemption. Write produces the pain.001.001.09 document an operator drops
// in its bank's upload channel; Read takes the versions .001.03 to .001.12 of the
// message, as banks and their customers' software write them, into the same
// Initiation, so that the sandbox bank can book an uploaded file as a bank would.
//
// Amounts are integers in the minor units of their ISO 4217 currency, parsed and
// formatted by package fiat. Write refuses a value that is invalid or would not survive
// Read (a bad account, an end-to-end id outside ISO 20022's restricted character set, a
// zero amount, an unknown currency, a duplicate end-to-end id, sums that overflow) with
// an *Error naming the element at fault. Read refuses, as a whole, a file that is not
// one well-formed pain.001 document of a supported version or that carries a value it
// cannot trust (an amount not exact in its currency's minor unit, a count or control sum
// that does not match the payments, several debtors), with an *Error as well.
//
// The package is pure. It must never:
//   - use floating-point numbers for money;
//   - perform I/O beyond reading the []byte it is given, use the network, read the
//     clock or use randomness;
//   - honour a document type declaration or resolve an entity other than XML's five
//     predefined ones;
//   - return part of a document together with an error.
package pain
