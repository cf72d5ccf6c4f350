// Package reserves checks that every chip is backed: it compares what the chain says of
// each operator (chips outstanding, paid orders, money owed back, every bank reference
// it recorded) with what the operator's bank says (camt.053 statements), explains every
// bank entry by a record of the chain and every record by a bank entry, and writes a
// report that an auditor signs and attests on the chain (docs/decisions/0038).
//
// It trusts only the statements and the chain, never an operator's journal: Read takes
// the chain's side through a node's queries, Check is the comparison itself, a pure
// function, and Sign and Verify seal and open a report.
package reserves
