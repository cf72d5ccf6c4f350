// Package gateway is the operator's bank gateway: it reads the operator's ISO 20022
// camt.054 notifications, from the bank's HTTP feed or from a drop folder as banks
// deliver files, matches each booked credit to an order by its payment reference, and
// confirms it on the chain with the operator's key (or, in receipt mode, issues a
// signed receipt for the buyer to countersign).
//
// Every bank entry it sees is recorded in a durable journal before anything is done
// with it, with its outcome after: a restart neither loses an entry nor confirms one
// twice, and the chain's rule that a bank reference confirms one order is the final
// guard. A credit that matches no open order, or arrives in the wrong currency, becomes
// an exception for a person to refund: never minted and never dropped.
//
// It sees the chain only through package client; it must never import the ledger or
// the store.
package gateway
