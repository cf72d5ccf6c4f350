// Package issuer is the issuer service: it holds an issuer key, watches the chain for
// orders whose payment an operator confirmed, and issues their chips, on start-up
// catching up with every paid order it missed while it was down. Orders above a
// threshold wait for a person's approval (four eyes).
//
// It sees the chain only through package client, as an outside program: it must never
// import the ledger or the store. The chain is the guard against a double issue: an
// order issues at most once, and the service treats "already issued" as done.
package issuer
